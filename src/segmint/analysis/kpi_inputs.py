"""Per-customer KPI inputs over a window, as one Ibis expression (runs on DuckDB and Spark).

One row per customer of the population, with the counts, sums and flags the segment KPIs are
built from. Only rows strictly before `as_of` are read; the window is [as_of - days, as_of) and
the previous window [as_of - 2 days, as_of - days).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir

from segmint.features.inputs import has_column
from segmint.features.money import to_money
from segmint.features.point_in_time import cutoff
from segmint.features.transactions import visible_transactions

FIRST_PURCHASE = "first_purchase"


@dataclass(frozen=True)
class KPIOptions:
    """What the KPIs measure: window, conversion goal, activation event and its deadline."""

    window_days: int = 90
    conversion_goal: str | None = FIRST_PURCHASE
    activation_event: str | None = None
    activation_days: int = 14


# Column → value used for customers without rows in a source table.
_FILLS: dict[str, object] = {
    "orders": 0,
    "order_days": 0,
    "bought_prev": False,
    "bought_now": False,
    "sub_active_start": False,
    "sub_active_end": False,
    "event_days": 0,
    "goal_event_before": False,
    "goal_event_in": False,
    "activated": False,
}


def customer_kpi_inputs(
    tables: Mapping[str, ir.Table],
    population: ir.Table,
    /,
    *,
    as_of: datetime,
    options: KPIOptions,
) -> ir.Table:
    """Return `population` (customer_id, ...) with each customer's KPI inputs in the window."""
    base = population.mutate(customer_id=population.customer_id.cast("string"))
    parts: list[ir.Table] = []
    if "transactions" in tables:
        parts.append(_transaction_inputs(tables["transactions"], as_of, options.window_days))
    if "subscriptions" in tables:
        parts.append(_subscription_inputs(tables["subscriptions"], as_of, options.window_days))
    if "events" in tables:
        parts.append(_event_inputs(tables["events"], as_of, options))
        if options.activation_event is not None and "customers" in tables:
            customers = tables["customers"]
            if has_column(customers, "created_at"):
                parts.append(_activation_inputs(tables["events"], customers, as_of, options))
    joined = base
    for part in parts:
        joined = joined.left_join(part, "customer_id").drop("customer_id_right")
    fills = {c: v for c, v in _FILLS.items() if c in joined.columns}
    return joined.mutate(
        **{column: joined[column].fill_null(value) for column, value in fills.items()}
    )


def _transaction_inputs(transactions: ir.Table, as_of: datetime, days: int) -> ir.Table:
    t = visible_transactions(transactions, as_of=as_of)
    in_window = t.occurred_at >= cutoff(as_of, days_before=days)
    in_previous = (t.occurred_at >= cutoff(as_of, days_before=2 * days)) & ~in_window
    order = t.is_order_row

    def orders(where: ir.BooleanValue) -> ir.IntegerScalar:
        if has_column(t, "invoice_id"):
            return t.invoice_id.nunique(where=where).cast("int64")
        return t.count(where=where).cast("int64")

    agg = t.group_by("customer_id").aggregate(
        revenue=t.net_amount.sum(where=in_window),
        orders=orders(order & in_window),
        order_total=t.money_amount.sum(where=order & in_window),
        order_days=t.occurred_at.date().nunique(where=order & in_window).cast("int64"),
        previous_orders=t.count(where=order & in_previous),
        first_order_at=t.occurred_at.min(where=order),
    )
    return agg.select(
        "customer_id",
        "revenue",
        "orders",
        "order_total",
        "order_days",
        "first_order_at",
        bought_prev=agg.previous_orders > 0,
        bought_now=agg.orders > 0,
    )


def _subscription_inputs(subscriptions: ir.Table, as_of: datetime, days: int) -> ir.Table:
    s = subscriptions.mutate(
        customer_id=subscriptions.customer_id.cast("string"),
        started_at=subscriptions.started_at.cast("timestamp"),
    )
    end = cutoff(as_of)
    start = cutoff(as_of, days_before=days)
    s = s.filter(s.started_at < end)

    def active_at(moment: ir.TimestampValue) -> ir.BooleanValue:
        started = s.started_at < moment
        if has_column(s, "ended_at"):
            ended_at = s.ended_at.cast("timestamp")
            return started & (ended_at.isnull() | (ended_at >= moment))
        return started

    mrr = to_money(s.mrr)
    agg = s.group_by("customer_id").aggregate(
        n_start=s.count(where=active_at(start)),
        n_end=s.count(where=active_at(end)),
        mrr_start=mrr.sum(where=active_at(start)),
        mrr_end=mrr.sum(where=active_at(end)),
    )
    return agg.select(
        "customer_id",
        sub_active_start=agg.n_start > 0,
        sub_active_end=agg.n_end > 0,
        mrr_start=agg.mrr_start.fill_null(0),
        mrr_end=agg.mrr_end.fill_null(0),
    )


def _event_inputs(events: ir.Table, as_of: datetime, options: KPIOptions) -> ir.Table:
    e = events.mutate(
        customer_id=events.customer_id.cast("string"),
        occurred_at=events.occurred_at.cast("timestamp"),
        event=events.event.cast("string"),
    )
    e = e.filter(e.occurred_at < cutoff(as_of))
    start = cutoff(as_of, days_before=options.window_days)
    in_window = e.occurred_at >= start
    goal = e.event == options.conversion_goal
    agg = e.group_by("customer_id").aggregate(
        event_days=e.occurred_at.date().nunique(where=in_window).cast("int64"),
        goal_before=e.count(where=goal & ~in_window),
        goal_in=e.count(where=goal & in_window),
    )
    return agg.select(
        "customer_id",
        "event_days",
        goal_event_before=agg.goal_before > 0,
        goal_event_in=agg.goal_in > 0,
    )


def _activation_inputs(
    events: ir.Table, customers: ir.Table, as_of: datetime, options: KPIOptions
) -> ir.Table:
    """Signups whose activation period ended inside the window, and who did the core event in it."""
    days = options.activation_days
    # Signed up in [as_of - window - N days, as_of - N days): every N-day period is fully observed.
    latest = as_of - timedelta(days=days)
    earliest = latest - timedelta(days=options.window_days)
    c = customers.select(
        customer_id=customers.customer_id.cast("string"),
        signup_at=customers.created_at.cast("timestamp"),
    )
    c = c.filter(
        (c.signup_at >= ibis.literal(earliest, type="timestamp"))
        & (c.signup_at < ibis.literal(latest, type="timestamp"))
    )
    c = c.group_by("customer_id").aggregate(signup_at=c.signup_at.min())
    e = events.select(
        customer_id=events.customer_id.cast("string"),
        occurred_at=events.occurred_at.cast("timestamp"),
        event=events.event.cast("string"),
    )
    e = e.filter(e.event == options.activation_event)
    joined = c.left_join(e, "customer_id")
    deadline = joined.signup_at + ibis.interval(days=days)
    hit = (joined.occurred_at >= joined.signup_at) & (joined.occurred_at < deadline)
    agg = joined.group_by(joined.customer_id).aggregate(hits=joined.occurred_at.count(where=hit))
    return agg.select("customer_id", activation_eligible=ibis.literal(True), activated=agg.hits > 0)
