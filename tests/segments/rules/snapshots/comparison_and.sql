SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE((
    "t0"."mrr" >= 500
  ) AND (
    "t0"."days_since_last_activity" > 30
  ), FALSE)
