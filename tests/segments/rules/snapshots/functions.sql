SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE(
    (
      COALESCE("t0"."usage_trend", 1.0) < 0.5
    )
    AND (
      ABS("t0"."mrr" - 500) <= 100
    )
    AND (
      LOWER("t0"."plan") = 'pro'
    ),
    FALSE
  )
