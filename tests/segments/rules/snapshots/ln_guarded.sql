SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE(
    LN(CASE WHEN "t0"."mrr" > 0 THEN "t0"."mrr" ELSE CAST(NULL AS DOUBLE) END) > 7,
    FALSE
  )
