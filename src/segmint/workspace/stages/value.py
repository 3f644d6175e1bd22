"""Run stages `rfm`, `clv` and `contractual_clv`: what each customer is worth."""

from __future__ import annotations

import pandas as pd

from segmint.errors import ModelFitError, SegmintError
from segmint.i18n import t
from segmint.run_context import RunContext, RunPlanInputs


def clv_needed(inputs: RunPlanInputs) -> bool:
    """Return whether the run fits the BTYD/NBD CLV (transactions, unless subscriptions say no)."""
    enabled = inputs.config.clv.enabled
    return (
        enabled != "no"
        and "transactions" in inputs.tables
        and (enabled == "yes" or "subscriptions" not in inputs.tables)
    )


def add_rfm(ctx: RunContext) -> None:
    """Add r/f/m scores, the RFM score and the RFM segment of every customer."""
    from segmint.segments.rfm import rfm_table

    config = ctx.config
    segment_map = [s.model_dump() for s in config.rfm.segments] if config.rfm.segments else None
    rfm = rfm_table(
        ctx.tables["transactions"],
        as_of=ctx.as_of,
        bins=config.rfm.bins,
        cuts={str(k): v for k, v in config.rfm.cuts.items()} or None,
        exact_quantiles=config.engine == "duckdb",
        segment_map=segment_map,
    ).to_pandas()
    keep = ["customer_id", "r_score", "f_score", "m_score", "rfm_score", "rfm_segment"]
    ctx.add_customer_columns(rfm[keep])


def add_clv(ctx: RunContext) -> None:
    """Add the CLV, expected purchases and (where identifiable) P(alive) of every buyer."""
    from segmint.scores.clv import score_customers

    config = ctx.config
    purchases = ctx.store.frame(
        "SELECT customer_id, occurred_at, CAST(amount AS DOUBLE) AS amount FROM transactions "
        "WHERE amount <> 0 AND occurred_at < ? ORDER BY customer_id, occurred_at, amount",
        [ctx.as_of],
    )
    try:
        scores = score_customers(
            purchases,
            as_of=ctx.as_of,
            clv_horizon_days=config.clv.horizon_days,
            discount_rate=config.clv.discount_rate,
            margin=config.clv.margin,
            seed=config.seed,
        )
    except ModelFitError as exc:
        ctx.notes.append(t("note.clv_not_computed", ctx.language, reason=exc))
        return
    if scores.attrs.get("clv_note"):
        ctx.notes.append(scores.attrs["clv_note"])
    ctx.add_customer_columns(scores)


def add_contractual_clv(ctx: RunContext) -> None:
    """Add the subscription CLV and expected lifetime, then the next-plan propensity."""
    from segmint.scores.clv import contractual_clv_frame

    config = ctx.config
    subscriptions = ctx.store.frame(
        "SELECT customer_id, started_at, ended_at, CAST(mrr AS DOUBLE) AS mrr, plan "
        "FROM subscriptions WHERE started_at < ? "
        "ORDER BY customer_id, started_at, ended_at NULLS LAST, mrr, plan",
        [ctx.as_of],
    )
    if "plan" not in subscriptions or subscriptions.empty:
        return
    try:
        per_subscription = contractual_clv_frame(
            subscriptions,
            as_of=ctx.as_of,
            margin=config.clv.margin,
            discount_rate=config.clv.discount_rate,
        )
    except (ModelFitError, SegmintError, ValueError) as exc:
        ctx.notes.append(t("note.contractual_clv_not_computed", ctx.language, reason=exc))
        return
    per_customer = (
        per_subscription.groupby("customer_id")
        .agg(
            contractual_clv=("contractual_clv", lambda v: v.sum(min_count=1)),
            expected_lifetime_months=("derl_periods", "max"),
        )
        .reset_index()
    )
    ctx.add_customer_columns(per_customer)
    _add_next_plan(ctx)


_USAGE_FEATURES = (
    "active_days_30d", "events_30d", "features_adopted", "seats", "usage_trend", "tickets_90d",
    "subscription_tenure_months",
)  # fmt: skip


def _add_next_plan(ctx: RunContext) -> None:
    from segmint.scores.propensity import next_plan_propensity

    customers = ctx.customers
    subscribers = customers[customers.get("plan", pd.Series(index=customers.index)).notna()]
    usage = [c for c in _USAGE_FEATURES if c in customers.columns]
    if subscribers["plan"].nunique() < 2 or not usage:
        return
    try:
        scored = next_plan_propensity(subscribers, feature_cols=usage, random_state=ctx.config.seed)
    except (SegmintError, ValueError) as exc:
        ctx.notes.append(t("note.next_plan_not_computed", ctx.language, reason=exc))
        return
    keep = ["customer_id", "upgrade_propensity", "next_plan", "next_plan_probability"]
    ctx.add_customer_columns(scored[keep])
