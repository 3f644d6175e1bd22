SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE(
    DATE_DIFF('DAY', CAST("t0"."created_at" AS DATE), MAKE_DATE(2025, 7, 1)) < 30,
    FALSE
  )
