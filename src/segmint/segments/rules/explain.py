"""Explanations: which features a rule reads, and their values as text ("mrr=620, seats=12")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.segments.rules.ast import Call, Feature, Node, feature_order, features_of
from segmint.segments.rules.compiler import as_of_date, days_since
from segmint.segments.rules.parser import parse_rule


def rule_features(rule: str | Node) -> set[str]:
    """Return the names of the features a rule reads."""
    node = parse_rule(rule) if isinstance(rule, str) else rule
    return features_of(node)


def value_text(value: ir.Value) -> ir.StringValue:
    """Return a column rendered as text the same way on DuckDB and Spark ('null' when missing).

    Floats go through DECIMAL(38, 4) with trailing zeros stripped, because the engines print
    doubles differently (Spark writes 1.0E7 where DuckDB writes 10000000.0).
    """
    dtype = value.type()
    expr: Any = value
    if dtype.is_floating() or dtype.is_decimal():
        text = expr.cast("decimal(38, 4)").cast("string").re_replace(r"\.?0+$", "")
    elif dtype.is_timestamp() or dtype.is_date():
        text = expr.cast("timestamp").date().cast("string")
    elif dtype.is_boolean():
        text = ibis.ifelse(expr, "true", "false")
    else:
        text = expr.cast("string")
    return text.fill_null("null")


def reason_expr(
    rule: str | Node,
    table: ir.Table,
    *,
    as_of: date | datetime | str | pd.Timestamp | None = None,
) -> ir.StringValue:
    """Return "feature=value, ..." for every feature (and days_since(...)) the rule reads."""
    node = parse_rule(rule) if isinstance(rule, str) else rule
    parts: list[tuple[str, ir.Value]] = []
    for name in feature_order(node):
        parts.append((name, table[name]))
    for call in (n for n in node.walk() if isinstance(n, Call) and n.name == "days_since"):
        arg = call.args[0]
        marker = as_of_date(as_of)
        if isinstance(arg, Feature) and marker is not None:
            parts.append((call.to_text(), days_since(table[arg.name], marker)))
    if not parts:
        return ibis.literal("", type="string")
    text: Any = None
    for label, value in parts:
        piece = ibis.literal(f"{label}=" if text is None else f", {label}=") + value_text(value)
        text = piece if text is None else text + piece
    return text
