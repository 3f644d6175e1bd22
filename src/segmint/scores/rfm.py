"""RFM scores (recency, frequency, monetary) by quantile cut points, and named RFM segments.

Scoring is rank-based with cut points: for `bins` scores the cut points of a metric are its
quantiles at 1/bins, 2/bins, ..., and a customer's score is 1 + the number of cut points its
value exceeds (`value <= cut` stays in the lower bin). Equal values therefore always get the same
score, on every engine and thread count; heavily tied metrics (many one-order customers) leave
some scores empty instead of splitting equal customers at random. Recency is scored the other
way round: more recent (fewer days) scores higher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.errors import NotFittedError
from segmint.features.inputs import require_columns
from segmint.features.point_in_time import normalise_as_of
from segmint.features.transactions import rfm_base
from segmint.segments.rfm_names import SegmentMapInput, rfm_segment_expr, validate_segment_map

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
    "rfm_segment",
)

AsOf = datetime | date | pd.Timestamp | str
Cuts = dict[str, list[float]]


def _check_bins(bins: int) -> int:
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


def _score(base: ir.Table, cuts: Cuts, bins: int, segment_map: SegmentMapInput | None) -> ir.Table:
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
        rfm_segment=rfm_segment_expr(
            scored.r_score, scored.f_score, scored.m_score, segment_map, bins=bins
        ),
    )


def rfm_scores(
    transactions: ir.Table,
    *,
    as_of: AsOf,
    bins: int = 5,
    cuts: Mapping[str, Sequence[float]] | None = None,
    exact_quantiles: bool = True,
    segment_map: SegmentMapInput | None = None,
) -> tuple[ir.Table, Cuts]:
    """Return (RFM table, the cut points used); cut points missing from `cuts` are computed."""
    bins = _check_bins(bins)
    chosen = _check_cuts(cuts, bins)
    if segment_map is not None:
        segment_map = validate_segment_map(segment_map, bins=bins)
    require_columns(transactions, "transactions")
    base = rfm_base(transactions, as_of=normalise_as_of(as_of))
    missing = [metric for metric in METRICS if metric not in chosen]
    if missing:
        # Computed once and reused by the quantile query and the scoring query.
        base = base.cache()
        chosen.update(quantile_cut_points(base, bins=bins, metrics=missing, exact=exact_quantiles))
    ordered = {metric: chosen[metric] for metric in METRICS}
    return _score(base, ordered, bins, segment_map), ordered


def rfm_table(
    transactions: ir.Table,
    *,
    as_of: AsOf,
    bins: int = 5,
    cuts: dict[str, list[float]] | None = None,
    exact_quantiles: bool = True,
    segment_map: SegmentMapInput | None = None,
) -> ir.Table:
    """Return one row per customer with an order before `as_of`: R, F, M values, scores and segment.

    Columns: customer_id, recency_days, frequency, monetary, total_amount, r_score, f_score,
    m_score (1..bins), rfm_score (e.g. "545") and rfm_segment. Quantile cut points are computed
    (one small query) for every metric not given in `cuts`.
    """
    table, _ = rfm_scores(
        transactions,
        as_of=as_of,
        bins=bins,
        cuts=cuts,
        exact_quantiles=exact_quantiles,
        segment_map=segment_map,
    )
    return table


def _as_ibis(transactions: pd.DataFrame | ir.Table) -> ir.Table:
    """Return an Ibis table for a pandas frame (in-memory DuckDB, UTC) or the table itself."""
    if isinstance(transactions, ir.Table):
        return transactions
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(
            f"transactions must be a pandas DataFrame or an Ibis table, got {type(transactions).__name__}"
        )
    from segmint.engine import duckdb_backend

    return duckdb_backend().create_table("transactions", transactions, temp=True)


class RFMSegmenter:
    """Score customers by RFM quantiles and name their segment (sklearn-style estimator)."""

    def __init__(
        self,
        *,
        bins: int = 5,
        cuts: dict[str, list[float]] | None = None,
        segment_map: SegmentMapInput | None = None,
        exact_quantiles: bool = True,
    ) -> None:
        self.bins = bins
        self.cuts = cuts
        self.segment_map = segment_map
        self.exact_quantiles = exact_quantiles

    def fit(self, transactions: pd.DataFrame | ir.Table, *, as_of: AsOf) -> RFMSegmenter:
        """Learn the cut points from transactions before `as_of` and score those customers."""
        table, cuts = rfm_scores(
            _as_ibis(transactions),
            as_of=as_of,
            bins=self.bins,
            cuts=self.cuts,
            exact_quantiles=self.exact_quantiles,
            segment_map=self.segment_map,
        )
        self.as_of_ = normalise_as_of(as_of)
        self.cut_points_: Cuts = cuts
        self.table_: pd.DataFrame = _sorted(table.to_pandas())
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "table_"):
            raise NotFittedError(
                "RFMSegmenter is not fitted yet; call fit(transactions, as_of=...)"
            )

    def transform(
        self, transactions: pd.DataFrame | ir.Table | None = None, *, as_of: AsOf | None = None
    ) -> pd.DataFrame:
        """Return the RFM table: the fitted one, or new transactions scored with the fitted cut points."""
        self._check_fitted()
        if transactions is None and as_of is None:
            return self.table_.copy()
        if transactions is None:
            raise ValueError("transform(as_of=...) needs the transactions to score")
        table, _ = rfm_scores(
            _as_ibis(transactions),
            as_of=self.as_of_ if as_of is None else as_of,
            bins=self.bins,
            cuts=self.cut_points_,
            segment_map=self.segment_map,
        )
        return _sorted(table.to_pandas())

    def predict(
        self, transactions: pd.DataFrame | ir.Table | None = None, *, as_of: AsOf | None = None
    ) -> pd.Series:
        """Return the segment name per customer (index customer_id), as `transform` scores them."""
        frame = self.transform(transactions, as_of=as_of)
        return frame.set_index("customer_id")["rfm_segment"]

    def fit_predict(self, transactions: pd.DataFrame | ir.Table, *, as_of: AsOf) -> pd.Series:
        """Fit, then return the fitted segment names."""
        return self.fit(transactions, as_of=as_of).predict()

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor arguments."""
        return {
            "bins": self.bins,
            "cuts": self.cuts,
            "segment_map": self.segment_map,
            "exact_quantiles": self.exact_quantiles,
        }


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame sorted by customer_id with a fresh index."""
    return frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
