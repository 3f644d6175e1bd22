"""Diagnostics as plain JSON data: frames become records, numpy scalars Python numbers."""

from __future__ import annotations

from typing import Any

import pandas as pd


def json_ready(value: Any) -> Any:
    """Return JSON-ready data (frames become records, numpy scalars become Python numbers)."""
    if isinstance(value, pd.DataFrame):
        return [json_ready(r) for r in value.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
