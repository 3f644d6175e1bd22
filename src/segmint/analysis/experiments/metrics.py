"""The metric of every assigned customer over a window, computed in the engine from outcome rows."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.analysis.experiments.arms import MEAN, PROPORTION
from segmint.errors import InputError

BUILT_IN_METRICS: tuple[str, ...] = ("conversion", "revenue", "orders")


def metric_kind(metric: str) -> str:
    """Return PROPORTION for conversion and event metrics (0/1 per customer), else MEAN."""
    return MEAN if metric in ("revenue", "orders") else PROPORTION


def metric_table(metric: str) -> str:
    """Return the logical table a metric is computed from: transactions, or events for an event."""
    return "transactions" if metric in BUILT_IN_METRICS else "events"


def check_metric(metric: str) -> str:
    """Return the metric name, or raise InputError when it is blank."""
    if not metric or not metric.strip():
        raise InputError(f"--metric: give {', '.join(BUILT_IN_METRICS)} or the name of an event")
    return metric.strip()


def metric_values(
    outcomes: ir.Table, metric: str, *, start: datetime, end: datetime
) -> pd.DataFrame:
    """Return customer_id, value of every customer with outcome rows in [start, end).

    conversion: 1 when the customer bought (amount > 0); revenue: the sum of amounts (refunds
    subtract); orders: purchases with amount > 0; an event name: 1 when the customer did it.
    Customers without rows are absent here and count as 0 for the experiment.
    """
    rows = outcomes.filter(
        [outcomes.occurred_at >= ibis.literal(start), outcomes.occurred_at < ibis.literal(end)]
    )
    if metric == "revenue":
        value = rows.amount.cast("float64").sum()
    elif metric == "orders":
        rows = rows.filter(rows.amount > 0)
        value = rows.count().cast("float64")
    elif metric == "conversion":
        rows = rows.filter(rows.amount > 0)
        value = ibis.literal(1.0)
    else:
        if "event" not in rows.columns:
            raise InputError(f"--metric {metric!r}: the outcome rows have no `event` column")
        rows = rows.filter(rows.event == metric)
        value = ibis.literal(1.0)
    result = rows.group_by("customer_id").aggregate(value=value).to_pandas()
    result["customer_id"] = result["customer_id"].astype(str)
    result["value"] = pd.to_numeric(result["value"], errors="coerce").astype(float)
    return result.sort_values("customer_id", ignore_index=True)


def outcome_span(outcomes: ir.Table) -> tuple[datetime | None, datetime | None]:
    """Return the first and last occurred_at of the outcome rows (None when there are none)."""
    row = outcomes.aggregate(
        first=outcomes.occurred_at.min(), last=outcomes.occurred_at.max()
    ).to_pandas()
    first, last = row["first"].iloc[0], row["last"].iloc[0]
    return (
        None if pd.isna(first) else pd.Timestamp(first).to_pydatetime(),
        None if pd.isna(last) else pd.Timestamp(last).to_pydatetime(),
    )
