SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE("t0"."seats" BETWEEN 20 AND 100, FALSE)
