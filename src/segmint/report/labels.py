"""Table headers in words and per-column number formats, shared by every report table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from segmint.i18n import has_message, segment_label, t
from segmint.report.charts import Formatter
from segmint.report.formatting import MISSING, format_auto, format_number, format_percent
from segmint.segments.personas import feature_name

# Columns holding a 0..1 share, shown as a percentage.
PERCENT_COLUMNS = frozenset(
    {
        "share", "revenue_share", "value_share", "capacity_used", "success_rate",
        "success_rate_matched", "success_rate_unmatched", "positive_rate", "moved_share",
        "churn_probability", "avg_p_alive",
    }
)  # fmt: skip
# Counts and money shown without decimals.
WHOLE_COLUMNS = frozenset(
    {
        "customers", "accounts", "capacity", "matched", "rows", "moved", "compared", "revenue",
        "value_sum", "mrr", "revenue_365d", "total_amount", "train_rows", "test_rows", "line",
    }
)  # fmt: skip
# Scores on 0..100 and similar measures: one decimal.
ONE_DECIMAL_COLUMNS = frozenset(
    {
        "health_score", "health_before", "health_change", "mean_icp_score", "mean_similarity",
        "cutoff_value", "icp_score", "avg_recency",
    }
)  # fmt: skip
# Ratios shown as "2.10×" and model weights with two decimals.
TIMES_COLUMNS = frozenset({"lift"})
TWO_DECIMAL_COLUMNS = frozenset({"importance"})
SIGNED_COLUMNS = frozenset({"health_change"})
# Ids and short labels that should never wrap inside a cell.
NOWRAP_COLUMNS = frozenset(
    {"customer_id", "at_risk", "scheme", "segment", "from_segment", "to_segment", "channel", "tier"}
)
# Columns whose values are segment or band names (translated for display).
SEGMENT_VALUE_COLUMNS = frozenset(
    {"segment", "from_segment", "to_segment", "health_band", "icp_band", "churn_risk"}
)


def column_header(column: str, lang: str) -> str:
    """Return the header of `column` in words: the catalogue's label, else the column humanised."""
    key = f"col.{column}"
    return t(key, lang) if has_message(key) else feature_name(str(column), lang)


def headers_for(columns: Iterable[Any], lang: str) -> dict[Any, str]:
    """Return a header in words for every column."""
    return {c: column_header(str(c), lang) for c in columns}


def column_format(column: str) -> Formatter:
    """Return the number format of a column by what it holds (share, count, score)."""
    if column in PERCENT_COLUMNS:
        return format_percent
    if column in TIMES_COLUMNS:
        return lambda v: MISSING if format_auto(v) == MISSING else format_number(v, 2) + "×"
    if column in TWO_DECIMAL_COLUMNS:
        return lambda v: format_number(v, 2)
    if column in SIGNED_COLUMNS:
        return _signed
    if column in WHOLE_COLUMNS:
        return _whole
    if column in ONE_DECIMAL_COLUMNS:
        return lambda v: format_number(v, 1)
    return format_auto


def formats_for(columns: Iterable[Any]) -> dict[Any, Formatter]:
    """Return a formatter for every column."""
    return {c: column_format(str(c)) for c in columns}


def display_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return `frame` with segment and band names translated for display."""
    out = frame.copy()
    for column in out.columns:
        if column in SEGMENT_VALUE_COLUMNS:
            out[column] = [
                MISSING if v is None or v != v else segment_label(str(v), lang) for v in out[column]
            ]
    return out


def value_columns_text(value: Any, lang: str = "en") -> str:
    """Return a tier's per-input totals ({col: {sum, share}}) as words: "mrr 573,343 (23.1%)"."""
    if not isinstance(value, Mapping):
        return format_auto(value)
    parts = []
    for column, totals in value.items():
        if isinstance(totals, Mapping):
            amount = format_number(totals.get("sum"), 0)
            share = format_percent(totals.get("share"))
            parts.append(f"{feature_name(str(column), lang)} {amount} ({share})")
        else:
            parts.append(f"{feature_name(str(column), lang)} {format_auto(totals)}")
    return " · ".join(parts)


def _whole(value: Any) -> str:
    return format_number(value, 0)


def _signed(value: Any) -> str:
    text = format_number(value, 1)
    if text == MISSING:
        return text
    return text.replace("-", "−") if float(value) < 0 else f"+{text}" if float(value) > 0 else text
