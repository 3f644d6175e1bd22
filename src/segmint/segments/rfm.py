"""Named RFM segments: RFM scores (segmint.scores.rfm) with the name of their R x FM grid cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from segmint.errors import NotFittedError
from segmint.features.point_in_time import normalise_as_of
from segmint.scores.rfm import RFM_COLUMNS, AsOf, Cuts, check_bins, rfm_scores
from segmint.segments.rfm_names import SegmentMapInput, rfm_segment_expr, validate_segment_map

RFM_SEGMENT_COLUMNS: tuple[str, ...] = (*RFM_COLUMNS, "rfm_segment")


def named_rfm_scores(
    transactions: ir.Table,
    *,
    as_of: AsOf,
    bins: int = 5,
    cuts: Mapping[str, Sequence[float]] | None = None,
    exact_quantiles: bool = True,
    segment_map: SegmentMapInput | None = None,
) -> tuple[ir.Table, Cuts]:
    """Return (RFM table with rfm_segment, the cut points used); see `rfm_scores`."""
    bins = check_bins(bins)
    if segment_map is not None:
        segment_map = validate_segment_map(segment_map, bins=bins)
    scores, used = rfm_scores(
        transactions, as_of=as_of, bins=bins, cuts=cuts, exact_quantiles=exact_quantiles
    )
    named = scores.mutate(
        rfm_segment=rfm_segment_expr(
            scores.r_score, scores.f_score, scores.m_score, segment_map, bins=bins
        )
    )
    return named, used


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
    table, _ = named_rfm_scores(
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
        table, cuts = named_rfm_scores(
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
        table, _ = named_rfm_scores(
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
