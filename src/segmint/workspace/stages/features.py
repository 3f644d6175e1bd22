"""Run stage `features`: the point-in-time customer table every later stage adds to."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from segmint.errors import InputError
from segmint.run_context import RunContext


def compute_customer_features(ctx: RunContext) -> None:
    """Fill `ctx.customers` with features as of the run, and `ctx.previous` for trends."""
    from segmint.features import compute_features

    customers = decimals_to_float(compute_features(ctx.tables, as_of=ctx.as_of))
    if customers.empty:
        raise InputError(f"no customers have data before {ctx.as_of:%Y-%m-%d}")
    # Sorted by id so that no model sees the engine's row order (it varies between queries).
    ctx.customers = customers.sort_values("customer_id", ignore_index=True)
    # Trends compare with the newest snapshot of an earlier date: re-running a date gives the
    # same result however often it is repeated.
    previous_run = ctx.store.previous_snapshot_run(ctx.as_of)
    ctx.previous = ctx.store.snapshot_values(previous_run) if previous_run else None


def decimals_to_float(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with DECIMAL (Python Decimal object) columns as float64 for modelling."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            non_null = out[column].dropna()
            if len(non_null) and all(isinstance(v, Decimal) for v in non_null.head(50)):
                out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out
