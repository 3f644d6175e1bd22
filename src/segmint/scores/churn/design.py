"""Typing of a customer-level table for churn models: numeric, categorical, dropped columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Category levels beyond this many (by frequency) are pooled into OTHER_LEVEL; HistGradientBoosting
# needs fewer levels than its 255 bins, and rare levels carry no reliable signal.
MAX_LEVELS = 50
OTHER_LEVEL = "__other__"
MISSING_LEVEL = "__missing__"
# Share of non-blank values that must parse as numbers for a text column to count as numeric.
NUMERIC_SHARE = 0.95
_ID_NAMES = {
    "id",
    "customerid",
    "custid",
    "clientid",
    "accountid",
    "userid",
    "memberid",
    "subscriberid",
    "rownumber",
    "index",
}


def _norm_name(name: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def looks_like_id(series: pd.Series) -> bool:
    """Return True when a column is an identifier: an id-like name or unique non-numeric text per row."""
    name = _norm_name(series.name)
    n = len(series)
    unique = series.nunique(dropna=True)
    if name in _ID_NAMES or name.endswith("id") or name.endswith("key"):
        return unique >= 0.95 * n
    is_text = series.dtype == object or isinstance(series.dtype, pd.StringDtype)
    return bool(is_text and n > 1 and unique == n)


def to_numeric_if_numeric(series: pd.Series) -> pd.Series | None:
    """Return the column as float when ≥95% of its non-blank text parses as numbers, else None."""
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    non_blank = text.notna().sum()
    if non_blank == 0:
        return None
    booleans = text.str.lower().map({"true": 1.0, "false": 0.0})
    if booleans.notna().sum() == non_blank:
        return booleans.astype(float)
    parsed = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    if parsed.notna().sum() >= NUMERIC_SHARE * non_blank:
        return parsed.astype(float)
    return None


@dataclass
class TableDesign:
    """Learned column roles of a feature table; `transform` gives numeric floats and capped categoricals."""

    numeric: list[str] = field(default_factory=list)
    categorical: dict[str, list[str]] = field(default_factory=dict)
    datetime: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Return the model columns in order: numeric (datetimes as days) then categorical."""
        return [*self.numeric, *[f"{c}_days" for c in self.datetime], *self.categorical]

    def transform(
        self, frame: pd.DataFrame, *, reference: pd.Timestamp | None = None
    ) -> pd.DataFrame:
        """Return a frame with float numerics and pandas categoricals with the learned levels."""
        out: dict[str, pd.Series] = {}
        for col in self.numeric:
            series = frame[col]
            if pd.api.types.is_bool_dtype(series):
                # True/False → 1/0 (nullable booleans keep their missing values)
                series = series.astype("Float64").astype(float)
            elif not pd.api.types.is_numeric_dtype(series):
                converted = to_numeric_if_numeric(series)
                series = (
                    converted if converted is not None else pd.Series(np.nan, index=frame.index)
                )
            out[col] = series.astype(float)
        for col in self.datetime:
            stamps = pd.to_datetime(frame[col], errors="coerce")
            ref = reference if reference is not None else stamps.max()
            out[f"{col}_days"] = (ref - stamps).dt.total_seconds() / 86400.0
        for col, levels in self.categorical.items():
            text = frame[col].astype("string").str.strip()
            text = text.fillna(MISSING_LEVEL).mask(text == "", MISSING_LEVEL)
            known = set(levels)
            text = text.where(text.isin(known), OTHER_LEVEL)
            out[col] = pd.Series(
                pd.Categorical(text.astype(object), categories=levels), index=frame.index
            )
        return pd.DataFrame(out, index=frame.index)


def level_counts(text: pd.Series) -> pd.Series:
    """Return each level's row count, most frequent first; equal counts in level order.

    value_counts alone breaks ties by first appearance, which would make the kept levels (and
    their order inside the model) depend on the row order of the input.
    """
    counts = text.value_counts()
    frame = pd.DataFrame({"level": counts.index.astype(str), "count": counts.to_numpy()})
    frame = frame.sort_values(["count", "level"], ascending=[False, True], kind="stable")
    return pd.Series(frame["count"].to_numpy(), index=frame["level"].to_numpy(), name="count")


def learn_design(frame: pd.DataFrame, *, max_levels: int = MAX_LEVELS) -> TableDesign:
    """Decide each column's role: numeric, categorical (levels capped), datetime, or dropped with a reason."""
    design = TableDesign()
    for col in frame.columns:
        series = frame[col]
        if series.notna().sum() == 0:
            design.dropped[str(col)] = "all values missing"
            continue
        if series.nunique(dropna=True) <= 1:
            design.dropped[str(col)] = "constant"
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            design.datetime.append(col)
            continue
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            design.numeric.append(col)
            continue
        if to_numeric_if_numeric(series) is not None:
            design.numeric.append(col)
            continue
        text = series.astype("string").str.strip()
        text = text.fillna(MISSING_LEVEL).mask(text == "", MISSING_LEVEL)
        counts = level_counts(text)
        if len(counts) > max_levels and counts.iloc[:max_levels].sum() < 0.5 * len(text):
            # the kept levels would cover under half the rows: names or free text, not a category
            design.dropped[str(col)] = f"free text ({len(counts)} distinct values)"
            continue
        levels = [str(v) for v in counts.index[:max_levels]]
        if len(counts) > max_levels:
            levels.append(OTHER_LEVEL)
        design.categorical[col] = levels
    return design
