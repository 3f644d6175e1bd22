"""Support ticket features from the tickets table, as of a date."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir

from segmint.engine import trimmed
from segmint.features.inputs import has_column, require_columns
from segmint.features.money import safe_ratio
from segmint.features.point_in_time import cutoff

# Values of `priority` (lower-cased, trimmed) counted as high priority.
HIGH_PRIORITIES: tuple[str, ...] = ("high", "urgent", "critical", "blocker", "p0", "p1")

ZERO_FILLED: tuple[str, ...] = ("tickets_90d", "open_tickets", "high_priority_tickets_90d")


def ticket_features(tickets: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return one row per customer with a ticket opened before `as_of` and its support features.

    `open_tickets` needs `closed_at`, `high_priority_tickets_90d` needs `priority` and `csat_mean`
    needs `csat`; each is omitted when its column is absent. A CSAT rating counts once its ticket
    was closed before `as_of` (or, without `closed_at`, once the ticket was opened).
    """
    require_columns(tickets, "tickets")
    t = tickets.mutate(
        customer_id=tickets.customer_id.cast("string"),
        opened_at=tickets.opened_at.cast("timestamp"),
    )
    now = cutoff(as_of)
    t = t.filter(t.opened_at < now)
    recent = t.opened_at >= cutoff(as_of, days_before=90)
    metrics: dict[str, ir.Scalar] = {"tickets_90d": t.count(where=recent).cast("int64")}
    closed_by_now = None
    if has_column(t, "closed_at"):
        closed_at = t.closed_at.cast("timestamp")
        closed_by_now = closed_at.notnull() & (closed_at < now)
        metrics["open_tickets"] = t.count(where=~closed_by_now).cast("int64")
    if has_column(t, "priority"):
        high = trimmed(t.priority.cast("string")).lower().isin(HIGH_PRIORITIES).fill_null(False)
        metrics["high_priority_tickets_90d"] = t.count(where=high & recent).cast("int64")
    if has_column(t, "csat"):
        rated = t.csat.notnull()
        if closed_by_now is not None:
            rated = rated & closed_by_now
        # Sum ratings as DECIMAL so the mean is identical on every engine.
        metrics["csat_sum"] = t.csat.cast("decimal(18, 6)").sum(where=rated)
        metrics["csat_n"] = t.count(where=rated)
    agg = t.group_by("customer_id").aggregate(**metrics)
    columns: dict[str, ir.Value] = {"tickets_90d": agg.tickets_90d}
    if "open_tickets" in metrics:
        columns["open_tickets"] = agg.open_tickets
    if "high_priority_tickets_90d" in metrics:
        columns["high_priority_tickets_90d"] = agg.high_priority_tickets_90d
    if "csat_sum" in metrics:
        columns["csat_mean"] = safe_ratio(agg.csat_sum, agg.csat_n)
    return agg.select("customer_id", **columns)
