SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE("t0"."created_at" >= CAST(MAKE_DATE(2024, 3, 15) AS TIMESTAMP), FALSE)
