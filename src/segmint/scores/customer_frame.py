"""Checks and conversions of the one-row-per-customer frames that scorers and segmenters take."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmint.errors import InputError, MissingColumnError


def numeric_column(frame: pd.DataFrame, column: str, *, source: str) -> np.ndarray:
    """Return a column as float64 (missing → NaN); raise InputError if it is not numeric."""
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object:
        converted = pd.to_numeric(series, errors="coerce")
        bad = series.notna() & converted.isna()
        if bad.any():
            example = series[bad].iloc[0]
            raise InputError(
                f"{source}: column {column!r} must be numeric; found {example!r} "
                f"in {int(bad.sum())} rows"
            )
        series = converted
    try:
        return series.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: column {column!r} must be numeric ({exc})") from None


def check_customer_frame(frame: pd.DataFrame, *, source: str) -> None:
    """Raise if the frame has no `customer_id` column or repeats a customer."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    if "customer_id" not in frame.columns:
        raise MissingColumnError(source, "customer_id", [str(c) for c in frame.columns])
    duplicated = frame["customer_id"].duplicated()
    if duplicated.any():
        raise InputError(
            f"{source}: expected one row per customer; customer_id "
            f"{frame['customer_id'][duplicated].iloc[0]!r} appears more than once"
        )
