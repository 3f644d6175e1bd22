SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE(NOT (
    "t0"."country" IN ('KR', '대한민국')
  ), FALSE)
