SELECT
  "t1"."customer_id",
  'value' AS "scheme",
  CASE
    WHEN "t1"."__segmint_rule" = 1
    THEN 'strategic'
    WHEN "t1"."__segmint_rule" = 2
    THEN 'at risk'
    WHEN "t1"."__segmint_rule" = 3
    THEN 'core'
    ELSE 'small'
  END AS "segment",
  CASE
    WHEN "t1"."__segmint_rule" = 1
    THEN 'mrr >= 2000'
    WHEN "t1"."__segmint_rule" = 2
    THEN 'mrr >= 500 and days_since_last_activity > 30'
    WHEN "t1"."__segmint_rule" = 3
    THEN 'mrr >= 500'
    ELSE 'default'
  END AS "rule",
  CASE
    WHEN "t1"."__segmint_rule" = 1
    THEN 'mrr=' || COALESCE(
      REGEXP_REPLACE(CAST(CAST("t1"."mrr" AS DECIMAL(38, 4)) AS TEXT), '\.?0+$', '', 'g'),
      'null'
    )
    WHEN "t1"."__segmint_rule" = 2
    THEN 'mrr=' || COALESCE(
      REGEXP_REPLACE(CAST(CAST("t1"."mrr" AS DECIMAL(38, 4)) AS TEXT), '\.?0+$', '', 'g'),
      'null'
    ) || ', days_since_last_activity=' || COALESCE(CAST("t1"."days_since_last_activity" AS TEXT), 'null')
    WHEN "t1"."__segmint_rule" = 3
    THEN 'mrr=' || COALESCE(
      REGEXP_REPLACE(CAST(CAST("t1"."mrr" AS DECIMAL(38, 4)) AS TEXT), '\.?0+$', '', 'g'),
      'null'
    )
    ELSE 'no rule matched'
  END AS "reason"
FROM (
  SELECT
    "t0"."customer_id",
    "t0"."mrr",
    "t0"."seats",
    "t0"."plan",
    "t0"."industry",
    "t0"."country",
    "t0"."tenure_days",
    "t0"."days_since_last_activity",
    "t0"."features_adopted",
    "t0"."usage_trend",
    "t0"."open_tickets",
    "t0"."csat_mean",
    "t0"."created_at",
    "t0"."is_trial",
    CASE
      WHEN COALESCE("t0"."mrr" >= 2000, FALSE)
      THEN 1
      WHEN COALESCE((
        "t0"."mrr" >= 500
      ) AND (
        "t0"."days_since_last_activity" > 30
      ), FALSE)
      THEN 2
      WHEN COALESCE("t0"."mrr" >= 500, FALSE)
      THEN 3
      ELSE 0
    END AS "__segmint_rule"
  FROM "features" AS "t0"
) AS "t1"
