"""Per-column preprocessing for clustering: type detection, imputation, log, robust scaling, weighted one-hot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import skew

from segmint.errors import InputError

MAX_LEVELS = 20
SKEW_THRESHOLD = 1.0
MISSING_LEVEL = "missing"


@dataclass
class NumericSpec:
    """How one numeric column is transformed: impute median, optional log1p, robust scale."""

    name: str
    fill: float
    log: bool
    center: float
    scale: float
    skewness: float


@dataclass
class CategoricalSpec:
    """How one categorical column is one-hot encoded, with the weight applied to every indicator."""

    name: str
    levels: list[str]
    shares: list[float]
    weight: float


@dataclass
class Preprocessor:
    """Learns per-column transforms on a frame and applies them to any frame with the same columns.

    Numeric columns: missing → median; log1p when all values are ≥ 0 and skewness > 1; then
    (x - median) / IQR (falling back to the standard deviation when the IQR is 0).
    Categorical columns (strings, booleans, numbers with two values): missing → "missing"; one-hot
    indicators multiplied by one weight per column, chosen so that the column's block has a total
    variance of `categorical_weight` × the mean variance of the scaled numeric columns. A categorical
    column therefore never counts for more than `categorical_weight` numeric columns, however many
    levels it has. Columns with more than `max_levels` levels (ids, e-mails), constant columns and
    datetime columns are excluded and reported.
    """

    categorical_weight: float = 0.5
    max_levels: int = MAX_LEVELS
    numeric: list[NumericSpec] = field(default_factory=list)
    categorical: list[CategoricalSpec] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    fitted: bool = False

    def fit(self, frame: pd.DataFrame, columns: Sequence[str]) -> Preprocessor:
        """Learn the transform of each column in `columns` from `frame`; returns self."""
        self.numeric, self.categorical, self.excluded, self.missing = [], [], {}, {}
        pending_categorical: list[tuple[str, pd.Series]] = []
        for name in columns:
            series = frame[name]
            n_missing = int(series.isna().sum())
            kind = column_kind(series)
            if kind == "datetime":
                self.excluded[name] = "datetime column (derive a number such as days since)"
                continue
            if kind == "numeric":
                spec = _fit_numeric(name, series)
                if spec is None:
                    self.excluded[name] = "constant or empty numeric column"
                    continue
                self.numeric.append(spec)
            else:
                values = categorical_values(series)
                n_levels = values.nunique()
                if n_levels > self.max_levels:
                    self.excluded[name] = (
                        f"{n_levels} distinct values (more than {self.max_levels}); profiled only"
                    )
                    continue
                if n_levels < 2:
                    self.excluded[name] = "constant categorical column"
                    continue
                pending_categorical.append((name, values))
            self.missing[name] = n_missing
        reference = self._numeric_reference_variance(frame)
        for name, values in pending_categorical:
            shares = values.value_counts(normalize=True).sort_index()
            block_variance = float(1.0 - np.sum(shares.to_numpy() ** 2))
            weight = float(np.sqrt(self.categorical_weight * reference / block_variance))
            self.categorical.append(
                CategoricalSpec(
                    name=name,
                    levels=[str(v) for v in shares.index],
                    shares=[float(v) for v in shares.to_numpy()],
                    weight=weight,
                )
            )
        if not self.numeric and not self.categorical:
            raise InputError(
                "no usable feature columns for clustering; excluded: "
                + "; ".join(f"{k} ({v})" for k, v in self.excluded.items())
            )
        self.fitted = True
        return self

    def _numeric_reference_variance(self, frame: pd.DataFrame) -> float:
        if not self.numeric:
            return 1.0
        variances = [float(np.var(_apply_numeric(s, frame[s.name]))) for s in self.numeric]
        return float(np.mean(variances)) or 1.0

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """The design matrix (rows of `frame` × transformed columns) as float64."""
        blocks: list[np.ndarray] = []
        for spec in self.numeric:
            blocks.append(_apply_numeric(spec, frame[spec.name])[:, None])
        for cat in self.categorical:
            values = categorical_values(frame[cat.name]).to_numpy()
            onehot = np.stack([(values == level) for level in cat.levels], axis=1)
            blocks.append(onehot.astype(float) * cat.weight)
        return np.hstack(blocks) if blocks else np.empty((len(frame), 0))

    @property
    def output_columns(self) -> list[str]:
        """Names of the design-matrix columns (`col` or `col=level`)."""
        names = [s.name for s in self.numeric]
        for cat in self.categorical:
            names.extend(f"{cat.name}={level}" for level in cat.levels)
        return names

    @property
    def used_columns(self) -> list[str]:
        """Input columns that entered the design matrix."""
        return [s.name for s in self.numeric] + [c.name for c in self.categorical]

    def report(self) -> dict[str, Any]:
        """A JSON-ready description of what was done to each column."""
        return {
            "numeric": [
                {
                    "column": s.name,
                    "log1p": s.log,
                    "skewness": round(s.skewness, 3),
                    "median": s.center,
                    "scale": s.scale,
                    "imputed_with": s.fill,
                }
                for s in self.numeric
            ],
            "categorical": [
                {
                    "column": c.name,
                    "levels": c.levels,
                    "weight": round(c.weight, 4),
                }
                for c in self.categorical
            ],
            "categorical_weight": self.categorical_weight,
            "excluded": dict(self.excluded),
        }


def column_kind(series: pd.Series) -> str:
    """'numeric', 'categorical' or 'datetime' for one column (booleans and 0/1 numbers are categorical)."""
    if pd.api.types.is_bool_dtype(series):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        return "categorical" if series.dropna().nunique() <= 2 else "numeric"
    return "categorical"


def categorical_values(series: pd.Series) -> pd.Series:
    """Column values as strings with missing values replaced by the 'missing' level."""
    out = series.astype("object").where(series.notna(), MISSING_LEVEL)
    return out.map(str)


def _fit_numeric(name: str, series: pd.Series) -> NumericSpec | None:
    values = pd.to_numeric(series, errors="coerce").astype(float)
    finite = values[np.isfinite(values)]
    if finite.empty:
        return None
    fill = float(finite.median())
    filled = values.where(np.isfinite(values), fill).to_numpy()
    skewness = float(skew(filled)) if np.ptp(filled) > 0 else 0.0
    use_log = bool(filled.min() >= 0 and skewness > SKEW_THRESHOLD)
    transformed = np.log1p(filled) if use_log else filled
    center = float(np.median(transformed))
    q75, q25 = np.percentile(transformed, [75, 25])
    scale = float(q75 - q25)
    if scale <= 0:
        scale = float(np.std(transformed))
    if scale <= 0:
        return None
    return NumericSpec(name, fill, use_log, center, scale, skewness)


def _apply_numeric(spec: NumericSpec, series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    values = np.where(np.isfinite(values), values, spec.fill)
    if spec.log:
        values = np.log1p(np.clip(values, 0, None))
    return (values - spec.center) / spec.scale
