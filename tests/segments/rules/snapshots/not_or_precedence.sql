SELECT
  "t0"."customer_id"
FROM "features" AS "t0"
WHERE
  COALESCE(
    NOT (
      "t0"."is_trial"
    )
    AND (
      (
        "t0"."open_tickets" > 3
      ) OR (
        "t0"."csat_mean" < 3.5
      )
    ),
    FALSE
  )
