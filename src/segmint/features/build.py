"""Assemble the per-customer feature table from whichever logical tables are given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

import ibis
import ibis.expr.types as ir
import ibis.selectors
import pandas as pd

from segmint.contract import LOGICAL_TABLES
from segmint.features import events, subscriptions, tickets, transactions
from segmint.features.customers import customer_features, customers_created_later
from segmint.features.point_in_time import normalise_as_of

Builder = Callable[..., ir.Table]

# Source table -> (builder, columns filled with 0, columns filled with False).
_BUILDERS: dict[str, tuple[Builder, tuple[str, ...], tuple[str, ...]]] = {
    "transactions": (transactions.transaction_features, transactions.ZERO_FILLED, ()),
    "subscriptions": (
        subscriptions.subscription_features,
        subscriptions.ZERO_FILLED,
        subscriptions.FALSE_FILLED,
    ),
    "events": (events.event_features, events.ZERO_FILLED, ()),
    "tickets": (tickets.ticket_features, tickets.ZERO_FILLED, ()),
}
FEATURE_TABLES: tuple[str, ...] = ("customers", *_BUILDERS)


def build_features(
    tables: Mapping[str, ir.Table], *, as_of: datetime | date | pd.Timestamp | str
) -> ir.Table:
    """Return an Ibis table with one row per customer and its features as of `as_of`.

    Customers are the union of ids seen before `as_of` in the given tables, minus customers
    created on or after `as_of`. Counts and sums are 0 for a customer absent from their table.
    A customer attribute whose name clashes with a computed feature is renamed `customer_<name>`.
    """
    unknown = sorted(set(tables) - set(LOGICAL_TABLES))
    if unknown:
        raise ValueError(f"unknown tables {unknown}; allowed: {', '.join(LOGICAL_TABLES)}")
    given = [name for name in FEATURE_TABLES if name in tables]
    if not given:
        raise ValueError(f"build_features needs at least one of: {', '.join(FEATURE_TABLES)}")
    cut = normalise_as_of(as_of)

    parts: list[ir.Table] = []
    zero_filled: list[str] = []
    false_filled: list[str] = []
    for name, (builder, zeros, falses) in _BUILDERS.items():
        if name in tables:
            parts.append(builder(tables[name], as_of=cut))
            zero_filled += zeros
            false_filled += falses
    computed = {col for part in parts for col in part.columns if col != "customer_id"}

    excluded = None
    if "customers" in tables:
        attributes = customer_features(tables["customers"], as_of=cut)
        renames = {f"customer_{c}": c for c in attributes.columns if c in computed}
        parts.insert(0, attributes.rename(renames))
        excluded = customers_created_later(tables["customers"], as_of=cut)

    # Full outer joins on customer_id: every customer seen in any table, each part computed once.
    result = parts[0]
    for part in parts[1:]:
        right = part.rename(_right_id="customer_id")
        joined = result.outer_join(right, result.customer_id == right._right_id)
        result = joined.select(
            ~ibis.selectors.cols("customer_id", "_right_id"),
            customer_id=joined.customer_id.coalesce(joined._right_id),
        ).relocate("customer_id")
    if excluded is not None:
        result = result.anti_join(excluded, "customer_id")
    fills: dict[str, ir.Value] = {}
    for col in zero_filled:
        if col in result.columns:
            fills[col] = result[col].fill_null(0)
    for col in false_filled:
        if col in result.columns:
            fills[col] = result[col].fill_null(False)
    return result.mutate(**fills) if fills else result


def compute_features(
    tables: Mapping[str, ir.Table], *, as_of: datetime | date | pd.Timestamp | str
) -> pd.DataFrame:
    """Return `build_features(...)` executed as a pandas DataFrame sorted by customer_id."""
    frame = build_features(tables, as_of=as_of).to_pandas()
    return frame.sort_values("customer_id", kind="stable").reset_index(drop=True)


__all__ = ["FEATURE_TABLES", "build_features", "compute_features"]
