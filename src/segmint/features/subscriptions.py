"""Subscription features (MRR, plan, seats, tenure, churn) from the state as of a date."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir

from segmint.features.inputs import has_column, require_columns
from segmint.features.money import to_float, to_money
from segmint.features.point_in_time import cutoff, days_between

# Average days per month (365.25 / 12) for tenure in months.
DAYS_PER_MONTH = 30.4375
CHANGE_WINDOW_DAYS = 90

ZERO_FILLED: tuple[str, ...] = ("mrr", "mrr_change_90d")
FALSE_FILLED: tuple[str, ...] = (
    "is_active_subscriber",
    "expansion_90d",
    "contraction_90d",
    "churned",
)


def _active_at(s: ir.Table, moment: ir.TimestampValue) -> ir.BooleanValue:
    """A subscription is active at `moment` when it started before it and had not ended by then."""
    started = s.started_at < moment
    if has_column(s, "ended_at"):
        return started & (s.ended_at.isnull() | (s.ended_at >= moment))
    return started


def subscription_features(subscriptions: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return one row per customer with a subscription started before `as_of`.

    Only `started_at`, `ended_at`, `mrr`, `plan` and `seats` are read; a `status` column is ignored
    because it describes today, not the state at `as_of`.
    """
    require_columns(subscriptions, "subscriptions")
    s = subscriptions.mutate(
        customer_id=subscriptions.customer_id.cast("string"),
        started_at=subscriptions.started_at.cast("timestamp"),
        **(
            {"ended_at": subscriptions.ended_at.cast("timestamp")}
            if has_column(subscriptions, "ended_at")
            else {}
        ),
    )
    now = cutoff(as_of)
    s = s.filter(s.started_at < now)
    active_now = _active_at(s, now)
    active_then = _active_at(s, cutoff(as_of, days_before=CHANGE_WINDOW_DAYS))
    mrr = to_money(s.mrr)
    metrics: dict[str, ir.Scalar] = {
        "mrr_now": mrr.sum(where=active_now),
        "mrr_then": mrr.sum(where=active_then),
        "n_active": s.count(where=active_now),
        "first_started_at": s.started_at.min(),
    }
    if has_column(s, "ended_at"):
        ended_before = s.ended_at.notnull() & (s.ended_at < now)
        metrics["n_ended"] = s.count(where=ended_before)
        metrics["last_ended_at"] = s.ended_at.max(where=ended_before)
    if has_column(s, "seats"):
        # Seats are counts stored as floats: sum them exactly as DECIMAL for engine parity.
        metrics["seats_now"] = s.seats.cast("decimal(18, 2)").sum(where=active_now)
    agg = s.group_by("customer_id").aggregate(**metrics)

    mrr_now = agg.mrr_now.fill_null(0)
    mrr_then = agg.mrr_then.fill_null(0)
    change = mrr_now - mrr_then
    is_active = agg.n_active > 0
    columns: dict[str, ir.Value] = {
        "mrr": to_float(mrr_now),
        "mrr_change_90d": to_float(change),
    }
    if has_column(s, "seats"):
        columns["seats"] = to_float(agg.seats_now)
    if has_column(s, "ended_at"):
        tenure_end = ibis.ifelse(is_active, now, agg.last_ended_at)
        churned = ~is_active & (agg.n_ended > 0)
    else:
        tenure_end = now
        churned = ibis.literal(False)
    columns["subscription_tenure_months"] = days_between(tenure_end, agg.first_started_at).cast(
        "float64"
    ) / ibis.literal(DAYS_PER_MONTH)
    columns["is_active_subscriber"] = is_active
    columns["expansion_90d"] = (change > 0) & (mrr_then > 0)
    columns["contraction_90d"] = (change < 0) & (mrr_now > 0)
    columns["churned"] = churned
    features = agg.select("customer_id", **columns)
    if has_column(s, "plan"):
        plans = _current_plan(s, active_now)
        joined = features.left_join(plans, features.customer_id == plans.customer_id)
        features = joined.select(*(features[c] for c in features.columns), plans.plan)
    return features


def _current_plan(s: ir.Table, active_now: ir.BooleanValue) -> ir.Table:
    """Return customer_id, plan: the plan of the newest active subscription (else the newest one)."""
    ranked = s.mutate(
        _active=active_now.cast("int64"), _mrr=to_money(s.mrr), plan=s.plan.cast("string")
    )
    # Unique order within a customer up to rows that carry the same plan, so the pick is the same
    # on every engine and thread count.
    window = ibis.window(
        group_by="customer_id",
        order_by=[
            ibis.desc("_active"),
            ibis.desc("started_at"),
            ibis.desc("_mrr"),
            ibis.asc("plan"),
        ],
    )
    ranked = ranked.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).select("customer_id", "plan")
