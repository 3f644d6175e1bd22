"""Recognising identifier and row-index columns, which must never be clustered on."""

from __future__ import annotations

import numpy as np
import pandas as pd

_ID_WORDS = ("id", "key", "uuid", "code", "number", "no")


def is_id_like_name(column: object) -> bool:
    """True for names such as customer_id, id, CustomerID, account_key, 'Customer ID'."""
    name = str(column).strip().lower().replace(" ", "_").replace("-", "_")
    tokens = name.split("_")
    return (
        name in ("id", "customer", "customerid") or tokens[-1] in _ID_WORDS or name.endswith("id")
    )


def is_row_index(series: pd.Series) -> bool:
    """True for a column holding 0..n-1 or 1..n in order (a saved DataFrame index, 'Unnamed: 0')."""
    if str(series.name).startswith("Unnamed:"):
        return True
    if not pd.api.types.is_integer_dtype(series) or series.isna().any() or len(series) < 3:
        return False
    values = series.to_numpy()
    return bool(np.all(np.diff(values) == 1) and values[0] in (0, 1))


def detect_id_column(frame: pd.DataFrame) -> str | None:
    """The first column with unique non-null values and an id-like name, else None."""
    for col in frame.columns:
        if is_id_like_name(col):
            series = frame[col]
            if series.notna().all() and series.is_unique:
                return str(col)
    return None


def id_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Columns to leave out of clustering because they identify rows, with the reason."""
    out: dict[str, str] = {}
    for col in frame.columns:
        series = frame[col]
        if is_row_index(series):
            out[str(col)] = "row index"
        elif is_id_like_name(col) and series.notna().all() and series.is_unique:
            out[str(col)] = "identifier (unique values, id-like name)"
    return out
