"""Acquisition cohorts: customer and revenue retention per period since the first purchase.

A customer's cohort is the period (month or ISO week) of their first purchase (a positive,
non-refund transaction) or, without transactions, of their first subscription start. The engine
counts, per cohort and period since acquisition, the active customers and the net revenue; the
matrix is assembled here. Periods the data does not reach are None, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.analysis.memtables import as_text, engine_memtable
from segmint.features.money import to_money
from segmint.features.point_in_time import cutoff
from segmint.features.transactions import visible_transactions

PERIODS: tuple[str, ...] = ("month", "week")
_UNIT = {"month": "M", "week": "W"}
_NO_SEGMENT = "\x00none"


def check_period(by: str) -> str:
    """Return `by` or raise ValueError listing the allowed cohort periods."""
    if by not in PERIODS:
        raise ValueError(f"unknown cohort period {by!r}; allowed: {', '.join(PERIODS)}")
    return by


def period_start(moment: datetime | pd.Timestamp, by: str) -> pd.Timestamp:
    """Return the first instant of the month or ISO week (Monday) holding `moment`."""
    day = pd.Timestamp(moment).normalize()
    if by == "month":
        return day.replace(day=1)
    return day - pd.Timedelta(days=day.weekday())


def period_index(start: pd.Timestamp, by: str) -> int:
    """Return a running number of the period starting at `start` (months or weeks since 1970)."""
    if by == "month":
        return start.year * 12 + start.month - 1
    return int((start - pd.Timestamp("1970-01-05")).days // 7)  # 1970-01-05 was a Monday


def _period_expr(moment: ir.TimestampValue, by: str) -> ir.IntegerValue:
    """The same running number, as an engine expression."""
    if by == "month":
        return moment.year().cast("int64") * 12 + moment.month().cast("int64") - 1
    start = moment.truncate(_UNIT[by])
    monday = ibis.literal(pd.Timestamp("1970-01-05").date(), type="date")
    return start.date().delta(monday, unit="day").cast("int64") // 7


def cohort_counts(
    tables: Mapping[str, ir.Table],
    /,
    *,
    as_of: datetime,
    by: str = "month",
    segments: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Return (cells, sizes, source) counted in the engine.

    cells: segment, cohort, k, active, revenue, last (customers whose last active period is k).
    sizes: segment, cohort, customers. `source` says what acquisition means (transactions or
    subscriptions). `segments` (customer_id, segment) splits every cohort by segment.
    """
    check_period(by)
    if "transactions" in tables:
        activity, source = _purchase_activity(tables["transactions"], as_of, by), "transactions"
    elif "subscriptions" in tables:
        activity, source = (
            _subscription_activity(tables["subscriptions"], as_of, by),
            "subscriptions",
        )
    else:
        from segmint.errors import InputError

        raise InputError("cohorts need transactions or subscriptions in the workspace")
    if segments is not None:
        labels = engine_memtable(
            segments[["customer_id", "segment"]].assign(
                customer_id=lambda f: as_text(f["customer_id"])
            ),
            {"customer_id": "string", "segment": "string"},
            activity,
            name="segmint_cohort_segments",
        )
        activity = activity.left_join(labels, "customer_id").drop("customer_id_right")
    else:
        activity = activity.mutate(segment=ibis.null("string"))
    # The activity is one row per customer and period (cached, much smaller than the
    # transactions): the counts below scan it, and need no DISTINCT and no second pass.
    periods = activity.cache()
    per_customer = periods.group_by(["segment", "cohort", "customer_id"]).aggregate(
        last=periods.k.max(where=periods.active)
    )
    cells = periods.group_by(["segment", "cohort", "k"]).aggregate(
        active=periods.count(where=periods.active), revenue=periods.revenue.sum()
    )
    lasts = per_customer.group_by(["segment", "cohort", per_customer["last"].name("k")]).aggregate(
        last=per_customer.count()
    )
    last_frame = lasts.to_pandas()
    # Every customer has exactly one last active period (None when never active): the cohort
    # sizes are the sums of those counts, without another pass over the customer periods.
    sizes = (
        last_frame.assign(segment=last_frame["segment"].map(_segment_key))
        .groupby(["segment", "cohort"], as_index=False, sort=False)["last"]
        .sum()
        .rename(columns={"last": "customers"})
    )
    sizes["segment"] = sizes["segment"].map(_segment_name)
    cell_frame = cells.to_pandas().merge(last_frame, on=["segment", "cohort", "k"], how="outer")
    return cell_frame, sizes, source


def _purchase_activity(transactions: ir.Table, as_of: datetime, by: str) -> ir.Table:
    """One row per customer with a purchase and period: cohort, k, active, revenue.

    One pass over the transactions: they are reduced to customer periods first, and the
    cohort (the first period with a purchase) is found among those few rows.
    """
    t = visible_transactions(transactions, as_of=as_of)
    period = _period_expr(t.occurred_at, by)
    periods = t.group_by(["customer_id", period.name("p")]).aggregate(
        active=t.is_order_row.any(), revenue=t.net_amount.sum()
    )
    first = periods.filter(periods.active).group_by("customer_id").aggregate(cohort=periods.p.min())
    joined = periods.inner_join(first, "customer_id")
    rows = joined.select(
        customer_id=joined.customer_id,
        cohort=joined.cohort,
        k=joined.p - joined.cohort,
        active=joined.active,
        revenue=joined.revenue,
    )
    # Refunds dated before the first purchase belong to no period of the cohort.
    return rows.filter(rows.k >= 0)


def _subscription_activity(subscriptions: ir.Table, as_of: datetime, by: str) -> ir.Table:
    """One row per subscriber and period their subscriptions overlap: cohort, k, active, MRR."""
    s = subscriptions.mutate(
        customer_id=subscriptions.customer_id.cast("string"),
        started_at=subscriptions.started_at.cast("timestamp"),
        ended_at=(
            subscriptions.ended_at.cast("timestamp")
            if "ended_at" in subscriptions.columns
            else ibis.null("timestamp")
        ),
        mrr=to_money(subscriptions.mrr),
    )
    s = s.filter(s.started_at < cutoff(as_of))
    first_start = s.aggregate(first=s.started_at.min()).to_pandas()["first"].iloc[0]
    periods = _period_frame(pd.Timestamp(as_of if pd.isna(first_start) else first_start), as_of, by)
    grid = engine_memtable(
        periods,
        {"p": "int64", "start": "timestamp", "end": "timestamp"},
        s,
        name="segmint_cohort_periods",
    )
    first = s.group_by("customer_id").aggregate(first_at=s.started_at.min())
    s = s.inner_join(first, "customer_id")
    overlap = s.cross_join(grid)
    overlap = overlap.filter(
        (overlap.started_at < overlap.end)
        & (overlap.ended_at.isnull() | (overlap.ended_at >= overlap.start))
    )
    cohort = _period_expr(overlap.first_at, by)
    rows = overlap.select(
        customer_id=overlap.customer_id, cohort=cohort, k=overlap.p - cohort, revenue=overlap.mrr
    )
    per_period = rows.group_by(["customer_id", "cohort", "k"]).aggregate(revenue=rows.revenue.sum())
    return per_period.mutate(active=ibis.literal(True))


def _period_frame(first: pd.Timestamp, as_of: datetime, by: str) -> pd.DataFrame:
    """Every period from the one holding `first` to the one holding the last instant before as_of."""
    last = period_start(pd.Timestamp(as_of) - pd.Timedelta(microseconds=1), by)
    start = period_start(first, by)
    rows = []
    while start <= last:
        nxt = _next_period(start, by)
        rows.append(
            {"p": period_index(start, by), "start": start, "end": min(nxt, pd.Timestamp(as_of))}
        )
        start = nxt
    return pd.DataFrame(rows, columns=["p", "start", "end"])


def _next_period(start: pd.Timestamp, by: str) -> pd.Timestamp:
    if by == "month":
        return start + pd.DateOffset(months=1)
    return start + pd.Timedelta(days=7)


def cohort_matrix(
    tables: Mapping[str, ir.Table],
    /,
    *,
    as_of: datetime,
    by: str = "month",
    segments: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Return {"by", "source", "as_of", "cohorts": [...]} with retention per period since acquisition.

    Each cohort: cohort label, size, retention (share of the cohort active in period k),
    retention_unbounded (active in period k or later), revenue_retention (net revenue in k over
    period 0) and partial_last (the data ends inside the last period). Period 0 is 1.0; periods
    after the data ends are None.
    """
    cells, sizes, source = cohort_counts(tables, as_of=as_of, by=by, segments=segments)
    last_instant = pd.Timestamp(as_of) - pd.Timedelta(microseconds=1)
    last_start = period_start(last_instant, by)
    last_index = period_index(last_start, by)
    partial = pd.Timestamp(as_of) < _next_period(last_start, by)
    labels = _labels(sizes["cohort"], by)
    oldest = int(sizes["cohort"].min()) if len(sizes) else last_index
    width = last_index - oldest + 1
    out = []
    split = segments is not None
    # None (no segment) cannot be compared with ==: key the groups by a sentinel instead.
    cells = cells.assign(key=cells["segment"].map(_segment_key))
    sizes = sizes.assign(key=sizes["segment"].map(_segment_key))
    grouped = {key: frame for key, frame in cells.groupby(["key", "cohort"], sort=False)}
    records: list[dict[Any, Any]] = sizes.sort_values(["cohort"], kind="stable").to_dict(
        orient="records"
    )
    for record in records:
        cohort, customers = int(record["cohort"]), int(record["customers"])
        seg_key = record["segment"] if isinstance(record["segment"], str) else None
        mine = grouped.get((record["key"], record["cohort"]), cells.iloc[:0]).set_index("k")
        observed = last_index - cohort + 1
        entry: dict[str, Any] = {}
        if split:
            entry["segment"] = seg_key
        entry.update(
            {
                "cohort": labels[cohort],
                "size": customers,
                **_curves(mine, customers, observed, width),
                "partial_last": bool(partial),
            }
        )
        out.append(entry)
    if split:
        out.sort(key=lambda e: (e["segment"] is None, str(e["segment"]), e["cohort"]))
    return {
        "by": by,
        "source": source,
        "as_of": pd.Timestamp(as_of).isoformat(),
        "cohorts": out,
    }


def _segment_key(segment: Any) -> str:
    return segment if isinstance(segment, str) else _NO_SEGMENT


def _segment_name(key: str) -> str | None:
    return None if key == _NO_SEGMENT else key


def _curves(cells: pd.DataFrame, size: int, observed: int, width: int) -> dict[str, list[Any]]:
    active = cells["active"].fillna(0) if "active" in cells else pd.Series(dtype=float)
    revenue = cells["revenue"] if "revenue" in cells else pd.Series(dtype=object)
    last = cells["last"].fillna(0) if "last" in cells else pd.Series(dtype=float)
    base = float(revenue.get(0, 0) or 0)
    retention: list[float | None] = []
    unbounded: list[float | None] = []
    revenue_retention: list[float | None] = []
    # Customers whose last active period is k or later: a running sum from the end.
    still = {k: float(last[last.index >= k].sum()) for k in range(observed)}
    for k in range(width):
        if k >= observed:
            retention.append(None)
            unbounded.append(None)
            revenue_retention.append(None)
            continue
        retention.append(1.0 if k == 0 else float(active.get(k, 0)) / size)
        unbounded.append(1.0 if k == 0 else still[k] / size)
        if base > 0:
            value = float(revenue.get(k, 0) or 0)
            revenue_retention.append(1.0 if k == 0 else value / base)
        else:
            revenue_retention.append(None)
    return {
        "retention": retention,
        "retention_unbounded": unbounded,
        "revenue_retention": revenue_retention,
    }


def _labels(cohorts: pd.Series, by: str) -> dict[int, str]:
    labels = {}
    for index in cohorts.dropna().astype(int).unique():
        if by == "month":
            labels[int(index)] = f"{index // 12:04d}-{index % 12 + 1:02d}"
        else:
            monday = pd.Timestamp("1970-01-05") + pd.Timedelta(days=7 * int(index))
            labels[int(index)] = monday.date().isoformat()
    return labels


__all__ = ["PERIODS", "check_period", "cohort_counts", "cohort_matrix", "period_start"]
