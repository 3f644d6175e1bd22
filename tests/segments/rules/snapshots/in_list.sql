SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE("t0"."industry" IN ('manufacturing', 'finance'), FALSE)
