"""Customer health score: a weighted scorecard of measures, 0-100, with bands, trend and reasons."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from segmint.errors import InputError, MissingColumnError, ModelFitError, NotFittedError
from segmint.scores.customer_frame import check_customer_frame, numeric_column
from segmint.scores.reason_text import render_by_key
from segmint.scores.scales import band_for, percentile_rank
from segmint.scores.score_config import (
    CutPoints,
    HealthConfig,
    HealthMeasure,
    parse_health_config,
)

DEFAULT_SCORECARDS = ("saas",)
TRENDS = ("up", "flat", "down", "new")


def load_default_scorecard(name: str = "saas") -> HealthConfig:
    """Return a shipped default scorecard (`saas`) as a validated HealthConfig."""
    if name not in DEFAULT_SCORECARDS:
        raise ValueError(
            f"unknown default scorecard {name!r}; allowed: {', '.join(DEFAULT_SCORECARDS)}"
        )
    text = resources.files("segmint.scores").joinpath(f"defaults/{name}_health.yaml").read_text()
    return parse_health_config(yaml.safe_load(text))


def _scale_thresholds(measure: HealthMeasure, values: np.ndarray) -> np.ndarray:
    thresholds = measure.thresholds
    if isinstance(thresholds, CutPoints):
        xs = [thresholds.bad, thresholds.good]
        ps = [0.0, 100.0]
        if xs[0] > xs[1]:
            xs, ps = xs[::-1], ps[::-1]
    else:
        assert thresholds is not None  # guaranteed by HealthMeasure validation
        xs = [b.value for b in thresholds]
        ps = [b.points for b in thresholds]
    points = np.interp(values, xs, ps)
    return np.where(np.isnan(values), np.nan, points)


class HealthScorer:
    """Score customer health 0-100 from a configurable scorecard; bands, trend and reasons."""

    def __init__(self, scorecard: HealthConfig | Mapping[str, Any]) -> None:
        self.scorecard = scorecard

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, y: Any = None) -> HealthScorer:
        """Learn percentile references and which optional measures are present; return self."""
        config = (
            self.scorecard
            if isinstance(self.scorecard, HealthConfig)
            else parse_health_config(dict(self.scorecard))
        )
        check_customer_frame(frame, source="health")
        measures: list[HealthMeasure] = []
        dropped: list[str] = []
        references: dict[str, np.ndarray] = {}
        for measure in config.measures:
            if measure.feature not in frame.columns:
                if measure.optional:
                    dropped.append(measure.measure_name)
                    continue
                raise MissingColumnError(
                    "health",
                    measure.feature,
                    [str(c) for c in frame.columns],
                    hint=f"measure {measure.measure_name!r}; mark it `optional: true` to skip",
                )
            measures.append(measure)
            if measure.scaling == "percentile":
                values = numeric_column(frame, measure.feature, source="health")
                reference = np.sort(values[~np.isnan(values)])
                # an empty column ranks nobody: the measure is missing for all and re-weighted
                references[measure.measure_name] = reference
        if not measures:
            raise ModelFitError("health: none of the scorecard's measures are in the frame")
        self.config_ = config
        self.measures_ = measures
        self.dropped_measures_ = dropped
        self.references_ = references
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "measures_"):
            raise NotFittedError("HealthScorer is not fitted; call fit(frame) first")

    # -- scoring -----------------------------------------------------------------------------
    def measure_points(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the 0-100 points of every measure (NaN where the feature is missing)."""
        self._check_fitted()
        check_customer_frame(frame, source="health")
        out = {}
        for measure in self.measures_:
            if measure.feature not in frame.columns:
                if not measure.optional:
                    raise MissingColumnError(
                        "health", measure.feature, [str(c) for c in frame.columns]
                    )
                out[measure.measure_name] = np.full(len(frame), np.nan)
                continue
            values = numeric_column(frame, measure.feature, source="health")
            reference = self.references_.get(measure.measure_name)
            if reference is not None and reference.size == 0:
                points = np.full(len(frame), np.nan)
            elif reference is not None:
                points = percentile_rank(reference, values)
                if measure.direction == "lower_is_better":
                    points = 100.0 - points
            else:
                points = _scale_thresholds(measure, values)
            out[measure.measure_name] = points
        return pd.DataFrame(out, index=frame.index)

    def _effective_weights(self, points: pd.DataFrame) -> np.ndarray:
        """Per customer and measure, the share of the score the measure carries (rows sum to 1)."""
        available = ~np.isnan(points.to_numpy(dtype=float))
        weights = np.array([m.weight for m in self.measures_], dtype=float)
        raw = available * weights
        groups = self.config_.groups
        if groups is None:
            total = raw.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(total > 0, raw / total, 0.0)
        effective = np.zeros_like(raw)
        group_of = np.array([m.group for m in self.measures_], dtype=object)
        group_weights = np.zeros((len(points), len(groups)))
        for j, (group, weight) in enumerate(groups.items()):
            in_group = group_of == group
            within = raw[:, in_group]
            total = within.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                effective[:, in_group] = np.where(total > 0, within / total, 0.0)
            group_weights[:, j] = np.where(total[:, 0] > 0, weight, 0.0)
        group_total = group_weights.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            group_share = np.where(group_total > 0, group_weights / group_total, 0.0)
        for j, group in enumerate(groups):
            in_group = group_of == group
            effective[:, in_group] *= group_share[:, [j]]
        return effective

    def score(
        self, frame: pd.DataFrame, *, previous: pd.DataFrame | None = None, reasons: bool = True
    ) -> pd.DataFrame:
        """Return customer_id, health_score, health_band, health_<measure>, missing_measures, health_reasons.

        With `previous` (a frame with customer_id and health_score from an earlier snapshot), also
        health_change and health_trend (up / flat / down beyond `trend_tolerance`; new if absent).
        `reasons=False` (or `reasons: 0` in the scorecard) skips the reason text, the costly part.
        """
        points = self.measure_points(frame)
        effective = self._effective_weights(points)
        filled = np.nan_to_num(points.to_numpy(dtype=float), nan=0.0)
        has_any = effective.sum(axis=1) > 0
        scores = np.where(has_any, np.round((effective * filled).sum(axis=1), 2), np.nan)
        out = pd.DataFrame({"customer_id": frame["customer_id"].to_numpy()}, index=frame.index)
        out["health_score"] = scores
        out["health_band"] = band_for(out["health_score"], self.config_.bands)
        for name in points.columns:
            out[f"health_{name}"] = points[name].round(2)
        missing = points.isna().to_numpy()
        names = list(points.columns)
        out["missing_measures"] = render_by_key(
            list(missing.T),
            lambda *flags: ", ".join(n for n, f in zip(names, flags, strict=True) if f),
        )
        if reasons and self.config_.reasons:
            out["health_reasons"] = self._reasons(frame, points, effective)
        if previous is not None:
            out = self._add_trend(out, previous)
        return out

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Return each customer's health band, indexed like the input."""
        return self.score(frame, reasons=False)["health_band"].rename("health_band")

    def _add_trend(self, out: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
        for column in ("customer_id", "health_score"):
            if column not in previous.columns:
                raise MissingColumnError(
                    "previous health scores", column, [str(c) for c in previous.columns]
                )
        before = previous.drop_duplicates("customer_id", keep="last").set_index("customer_id")
        prior = out["customer_id"].map(before["health_score"]).astype(float)
        change = (out["health_score"] - prior).round(2)
        tolerance = self.config_.trend_tolerance
        trend = np.select(
            [change.isna(), change > tolerance, change < -tolerance],
            ["new", "up", "down"],
            default="flat",
        )
        out["health_change"] = change
        out["health_trend"] = pd.Series(trend, index=out.index, dtype=object)
        return out

    # -- explanations ------------------------------------------------------------------------
    def _reasons(
        self, frame: pd.DataFrame, points: pd.DataFrame, effective: np.ndarray
    ) -> np.ndarray:
        """Text naming the measures that cost the most points, rendered once per distinct case."""
        pts = points.to_numpy(dtype=float)
        n, m = pts.shape
        lost = effective * (100.0 - np.nan_to_num(pts, nan=100.0))
        raw = (
            np.column_stack(
                [
                    numeric_column(frame, mm.feature, source="health")
                    if mm.feature in frame.columns
                    else np.full(n, np.nan)
                    for mm in self.measures_
                ]
            )
            if m
            else np.empty((n, 0))
        )
        names = list(points.columns)
        order = np.argsort(-lost, axis=1, kind="stable")[:, : self.config_.reasons]
        rows = np.arange(n)

        def render_piece(j: Any, value: Any, points_k: Any, lost_k: Any) -> str:
            if j < 0:
                return ""
            return f"{names[int(j)]} {_format_value(value)} ({points_k:.0f}/100 pts, -{lost_k:.1f})"

        text = np.full(n, "", dtype=object)
        for k in range(order.shape[1]):
            j = order[:, k]
            shown = lost[rows, j] >= 0.005
            # keys rounded like the text, so equal pieces are rendered once
            piece = render_by_key(
                [
                    np.where(shown, j, -1),
                    np.where(shown, _significant(raw[rows, j]), np.nan),
                    np.where(shown, np.round(pts[rows, j]), np.nan),
                    np.where(shown, np.round(lost[rows, j], 1), np.nan),
                ],
                render_piece,
            )
            text = np.where(piece == "", text, np.where(text == "", piece, text + "; " + piece))
        fallback = np.where(
            np.isnan(pts).all(axis=1), "no measures available", "all measures at full points"
        )
        return np.where(text == "", fallback, "lowered by " + text)

    def explain(self, frame: pd.DataFrame, customer_id: Any) -> pd.DataFrame:
        """Return one customer's measures: value, points, effective weight and points lost, worst first."""
        self._check_fitted()
        check_customer_frame(frame, source="health")
        row = frame[frame["customer_id"] == customer_id]
        if row.empty:
            raise InputError(f"health: customer {customer_id!r} not found")
        points = self.measure_points(row)
        effective = self._effective_weights(points)[0]
        pts = points.to_numpy(dtype=float)[0]
        table = pd.DataFrame(
            {
                "measure": [m.measure_name for m in self.measures_],
                "feature": [m.feature for m in self.measures_],
                "group": [m.group for m in self.measures_],
                "value": [
                    row[m.feature].iloc[0] if m.feature in row.columns else None
                    for m in self.measures_
                ],
                "points": pts,
                "weight": effective,
                "contribution": effective * np.nan_to_num(pts, nan=0.0),
                "lost_points": effective * (100.0 - np.nan_to_num(pts, nan=100.0)),
                "missing": np.isnan(pts),
            }
        )
        return table.sort_values(
            ["lost_points", "measure"], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)

    def missing_summary(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return per measure how many customers lack it (count and share), plus dropped measures."""
        points = self.measure_points(frame)
        missing = points.isna().sum()
        table = pd.DataFrame(
            {
                "measure": [m.measure_name for m in self.measures_],
                "feature": [m.feature for m in self.measures_],
                "missing": [int(missing[m.measure_name]) for m in self.measures_],
            }
        )
        table["missing_share"] = table["missing"] / max(len(frame), 1)
        dropped = pd.DataFrame(
            {
                "measure": self.dropped_measures_,
                "feature": [
                    m.feature
                    for m in self.config_.measures
                    if m.measure_name in self.dropped_measures_
                ],
                "missing": len(frame),
                "missing_share": 1.0,
            }
        )
        return pd.concat([table, dropped], ignore_index=True) if len(dropped) else table


def _significant(values: np.ndarray, digits: int = 3) -> np.ndarray:
    """Round to a few significant digits (for display: fewer distinct texts to render)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    magnitude = np.where(np.isfinite(magnitude), magnitude, 0)
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * scale) / scale


def _format_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "missing"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)
