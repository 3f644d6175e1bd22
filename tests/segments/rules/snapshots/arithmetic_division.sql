SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE((
    "t0"."mrr" / NULLIF(CAST("t0"."seats" AS DOUBLE), 0)
  ) >= 50, FALSE)
