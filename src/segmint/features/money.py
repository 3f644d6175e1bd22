"""Exact money arithmetic: sum as DECIMAL, divide as float, guard every ratio."""

from __future__ import annotations

import ibis.expr.types as ir

from segmint.contract import MONEY_TYPE_SQL

# DECIMAL(18,2): the store's money type. Sums of DECIMAL are exact on every engine, so totals
# and the means derived from them are identical on DuckDB and Spark (float sums are not).
MONEY = "decimal(18, 2)"
assert MONEY.replace(" ", "").upper() == MONEY_TYPE_SQL.replace(" ", "")


def to_money(value: ir.Value) -> ir.DecimalValue:
    """Return `value` cast to DECIMAL(18,2).

    Canonical float money is already rounded to cents, so the cast is exact on every engine
    (a float half-way between two cents could round differently on DuckDB and Spark).
    """
    return value.cast(MONEY)


def to_float(value: ir.Value) -> ir.FloatingValue:
    """Return `value` as float64 (used after an exact DECIMAL sum, never before)."""
    return value.cast("float64")


def safe_ratio(numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    """Return numerator / denominator as float64, null where the denominator is 0 or null."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0)
