"""RFM scores (recency, frequency, monetary) by quantile cut points.

Scoring is rank-based with cut points: for `bins` scores the cut points of a metric are its
quantiles at 1/bins, 2/bins, ..., and a customer's score is 1 + the number of cut points its
value exceeds (`value <= cut` stays in the lower bin). Equal values therefore always get the same
score, on every engine and thread count; heavily tied metrics (many one-order customers) leave
some scores empty instead of splitting equal customers at random. Recency is scored the other
way round: more recent (fewer days) scores higher. Naming the cells of the R x FM grid
("Champions", "At Risk", ...) is the segments layer's job: segmint.segments.rfm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.features.inputs import require_columns
from segmint.features.point_in_time import normalise_as_of
from segmint.features.transactions import rfm_base

METRICS: tuple[str, ...] = ("recency", "frequency", "monetary")
_COLUMN = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}
MAX_BINS = 9  # rfm_score concatenates one digit per score
RFM_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "total_amount",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
)

AsOf = datetime | date | pd.Timestamp | str
Cuts = dict[str, list[float]]


def check_bins(bins: int) -> int:
    """Return `bins` or raise ValueError with the allowed range."""
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be an integer from 2 to {MAX_BINS}, got {bins!r}")
    return bins


def _check_cuts(cuts: Mapping[str, Sequence[float]] | None, bins: int) -> Cuts:
    """Return custom cut points as floats, or raise ValueError naming the bad metric."""
    if cuts is None:
        return {}
    unknown = sorted(set(cuts) - set(METRICS))
    if unknown:
        raise ValueError(f"unknown RFM cut metric(s) {unknown}; allowed: {', '.join(METRICS)}")
    checked: Cuts = {}
    for metric, points in cuts.items():
        try:
            values = [float(p) for p in points]
        except (TypeError, ValueError):
            raise ValueError(f"RFM cuts for {metric!r} must be numbers, got {points!r}") from None
        if len(values) != bins - 1:
            raise ValueError(
                f"RFM cuts for {metric!r} need bins - 1 = {bins - 1} values, got {len(values)}"
            )
        if any(b < a for a, b in zip(values, values[1:], strict=False)):
            raise ValueError(f"RFM cuts for {metric!r} must be increasing, got {values}")
        checked[metric] = values
    return checked


def _is_spark(table: ir.Table) -> bool:
    """Return True when the table lives on the PySpark backend."""
    try:
        return table.get_backend().name == "pyspark"
    except Exception:  # an unbound table has no backend
        return False


def quantile_cut_points(
    base: ir.Table, *, bins: int = 5, metrics: Sequence[str] = METRICS, exact: bool = True
) -> Cuts:
    """Return cut points at quantiles k/bins (k = 1..bins-1) of each metric of an RFM base table.

    Exact quantiles (linear interpolation) on DuckDB; approximate ones (`percentile_approx`) when
    `exact` is False or the table is on Spark, where an exact percentile gathers every value on
    one executor.
    """
    if not metrics:
        return {}
    approximate = not exact or _is_spark(base)
    qs = [k / bins for k in range(1, bins)]
    aggregates: dict[str, ir.Scalar] = {}
    for metric in metrics:
        value = base[_COLUMN[metric]].cast("float64")
        # One multi-quantile aggregate per metric: one sort (or sketch) instead of bins - 1.
        aggregates[metric] = value.approx_quantile(qs) if approximate else value.quantile(qs)
    row = base.aggregate(**aggregates).to_pandas().iloc[0]
    cuts: Cuts = {}
    for metric in metrics:
        found = row[metric]
        points = [] if found is None or isinstance(found, float) else list(found)
        if len(points) != bins - 1 or any(pd.isna(p) for p in points):
            raise ValueError("RFM needs at least one customer with an order before as_of")
        # Approximate quantiles are not guaranteed monotone; the running max keeps bins ordered.
        running: list[float] = []
        for p in points:
            running.append(max(float(p), running[-1]) if running else float(p))
        cuts[metric] = running
    return cuts


def _bucket(value: ir.NumericValue, points: Sequence[float]) -> ir.IntegerValue:
    """Return 1 + the number of cut points `value` exceeds (ties stay in the lower bin)."""
    score: ir.IntegerValue = ibis.literal(1, type="int64")
    for p in points:
        score = score + (value > ibis.literal(p, type="float64")).cast("int64")
    return score


def _score(base: ir.Table, cuts: Cuts, bins: int) -> ir.Table:
    """Return the RFM table for an RFM base table and complete cut points."""
    recency = base.recency_days.cast("float64")
    r = (bins + 1 - _bucket(recency, cuts["recency"])).cast("int64")
    f = _bucket(base.frequency.cast("float64"), cuts["frequency"]).cast("int64")
    m = _bucket(base.monetary, cuts["monetary"]).cast("int64")
    scored = base.mutate(r_score=r, f_score=f, m_score=m)
    return scored.select(
        *RFM_COLUMNS[:8],
        rfm_score=scored.r_score.cast("string")
        .concat(scored.f_score.cast("string"))
        .concat(scored.m_score.cast("string")),
    )


def rfm_scores(
    transactions: ir.Table,
    *,
    as_of: AsOf,
    bins: int = 5,
    cuts: Mapping[str, Sequence[float]] | None = None,
    exact_quantiles: bool = True,
) -> tuple[ir.Table, Cuts]:
    """Return (RFM scores table, the cut points used); cut points missing from `cuts` are computed.

    Columns: customer_id, recency_days, frequency, monetary, total_amount, r_score, f_score,
    m_score (1..bins) and rfm_score (e.g. "545").
    """
    bins = check_bins(bins)
    chosen = _check_cuts(cuts, bins)
    require_columns(transactions, "transactions")
    base = rfm_base(transactions, as_of=normalise_as_of(as_of))
    missing = [metric for metric in METRICS if metric not in chosen]
    if missing:
        # Computed once and reused by the quantile query and the scoring query.
        base = base.cache()
        chosen.update(quantile_cut_points(base, bins=bins, metrics=missing, exact=exact_quantiles))
    ordered = {metric: chosen[metric] for metric in METRICS}
    return _score(base, ordered, bins), ordered
