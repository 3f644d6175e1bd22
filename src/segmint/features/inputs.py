"""Checks on the Ibis tables handed to the feature builders."""

from __future__ import annotations

import ibis.expr.types as ir

from segmint.contract import contract_for
from segmint.errors import MissingColumnError


def require_columns(table: ir.Table, name: str) -> None:
    """Raise MissingColumnError when `table` lacks a required canonical column of `name`."""
    found = list(table.columns)
    for column in contract_for(name).required:
        if column not in found:
            raise MissingColumnError(name, column, found)


def has_column(table: ir.Table, column: str) -> bool:
    """Return True when `table` has `column`."""
    return column in table.columns
