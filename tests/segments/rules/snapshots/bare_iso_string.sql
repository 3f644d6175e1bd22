SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE("t0"."created_at" < MAKE_TIMESTAMP(2024, 3, 15, 0, 0, 0.0), FALSE)
