SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE((
    "t0"."csat_mean" IS NULL
  ) OR (
    "t0"."usage_trend" IS NOT NULL
  ), FALSE)
