"""Compile a rule's syntax tree into an Ibis boolean expression over a feature table.

Nothing is pasted into SQL: every feature becomes a column reference, every constant an Ibis
literal, every operator an Ibis method, so the engine (DuckDB or Spark) binds values itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from typing import Literal as TypingLiteral

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from segmint.segments.rules.ast import (
    Between,
    Binary,
    Call,
    Feature,
    InList,
    IsNull,
    Literal,
    Node,
    Unary,
)
from segmint.segments.rules.errors import RuleError, RuleTypeError, UnknownFeatureError
from segmint.segments.rules.parser import COMPARISONS, parse_rule

Kind = TypingLiteral["number", "text", "boolean", "date", "timestamp", "null", "other"]
_KIND_WORDS = {
    "number": "a number",
    "text": "text",
    "boolean": "true/false",
    "date": "a date",
    "timestamp": "a timestamp",
    "null": "null",
    "other": "an unsupported type",
}
_KIND_NAMES = {
    "number": "number",
    "text": "text",
    "boolean": "true/false",
    "date": "date",
    "timestamp": "timestamp",
    "null": "null",
    "other": "unsupported type",
}
_TEMPORAL = ("date", "timestamp")


@dataclass(frozen=True)
class _Typed:
    expr: ir.Value
    kind: Kind
    node: Node


def kind_of(dtype: dt.DataType) -> Kind:
    """Return the rule-language kind of an Ibis data type."""
    if dtype.is_null():
        return "null"
    if dtype.is_boolean():
        return "boolean"
    if dtype.is_numeric():
        return "number"
    if dtype.is_string():
        return "text"
    if dtype.is_timestamp():
        return "timestamp"
    if dtype.is_date():
        return "date"
    return "other"


def as_of_date(as_of: date | datetime | str | pd.Timestamp | None) -> date | None:
    """Return the calendar date (UTC) of `as_of`, or None when it is None."""
    if as_of is None:
        return None
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.date()


def days_since(value: ir.Value, as_of: date) -> ir.IntegerValue:
    """Return whole calendar days from the date of `value` to `as_of` (null when value is null)."""
    moment: Any = value
    marker = ibis.literal(as_of, type="date")
    return marker.delta(moment.cast("timestamp").date(), unit="day").cast("int64")


def unknown_feature(name: str, candidates: Iterable[str], *, rule: str, position: int) -> RuleError:
    """Return the error for a feature that does not exist, suggesting the nearest name."""
    names = list(candidates)
    lowered = {c.lower(): c for c in names}
    if name.lower() in lowered:
        guess: str | None = lowered[name.lower()]
    else:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        guess = close[0] if close else None
    hint = f"did you mean '{guess}'?" if guess else ""
    return UnknownFeatureError(f"unknown feature '{name}'", rule=rule, position=position, hint=hint)


def check_features(node: Node, feature_names: Iterable[str], *, rule: str = "") -> None:
    """Raise UnknownFeatureError for the first feature of `node` not in `feature_names`."""
    names = set(feature_names)
    for n in node.walk():
        if isinstance(n, Feature) and n.name not in names:
            raise unknown_feature(n.name, sorted(names), rule=rule, position=n.position)


def compile_rule(
    rule: str | Node,
    table: ir.Table,
    *,
    as_of: date | datetime | str | pd.Timestamp | None = None,
) -> ir.BooleanValue:
    """Return the rule as an Ibis boolean column of `table`; a rule that is unknown (null) is False."""
    node = parse_rule(rule) if isinstance(rule, str) else rule
    text = rule if isinstance(rule, str) else node.to_text()
    compiler = _Compiler(table, text=text, as_of=as_of_date(as_of))
    typed = compiler.compile(node)
    if typed.kind == "null":
        return ibis.literal(False)
    if typed.kind != "boolean":
        raise RuleTypeError(
            f"a rule must be a condition (true/false), but this is {_KIND_WORDS[typed.kind]}",
            rule=text,
            position=node.position,
            hint="compare it, e.g. 'mrr > 0'",
        )
    # SQL three-valued logic: a comparison with a missing value is unknown (null); a customer
    # matches only when the rule is definitely true.
    return typed.expr.fill_null(False)


class _Compiler:
    def __init__(self, table: ir.Table, *, text: str, as_of: date | None) -> None:
        self.table = table
        self.text = text
        self.as_of = as_of
        self.columns = list(table.columns)

    def type_error(self, message: str, node: Node, hint: str = "") -> RuleTypeError:
        return RuleTypeError(message, rule=self.text, position=node.position, hint=hint)

    def compile(self, node: Node) -> _Typed:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, Feature):
            if node.name not in self.columns:
                raise unknown_feature(
                    node.name, self.columns, rule=self.text, position=node.position
                )
            column = self.table[node.name]
            return _Typed(column, kind_of(column.type()), node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            if node.op in ("and", "or"):
                return self.logical(node)
            if node.op in COMPARISONS or node.op in ("=", "!="):
                return self.comparison(node)
            return self.arithmetic(node)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, Between):
            return self.between(node)
        if isinstance(node, IsNull):
            operand = self.compile(node.operand)
            expr = operand.expr.notnull() if node.negated else operand.expr.isnull()
            return _Typed(expr, "boolean", node)
        if isinstance(node, Call):
            return self.call(node)
        raise RuleError(f"cannot compile {type(node).__name__}", rule=self.text)

    # -- leaves ----------------------------------------------------------------------------------
    def literal(self, node: Literal) -> _Typed:
        value = node.value
        if node.kind == "null":
            return _Typed(ibis.null(), "null", node)
        if node.kind == "boolean":
            return _Typed(ibis.literal(bool(value), type="boolean"), "boolean", node)
        if node.kind == "date":
            return _Typed(ibis.literal(value, type="date"), "date", node)
        if node.kind == "string":
            return _Typed(ibis.literal(str(value), type="string"), "text", node)
        dtype = "int64" if isinstance(value, int) else "float64"
        return _Typed(ibis.literal(value, type=dtype), "number", node)

    # -- operators -------------------------------------------------------------------------------
    def unary(self, node: Unary) -> _Typed:
        operand = self.compile(node.operand)
        if node.op == "not":
            operand = self.require(operand, "boolean", "'not' needs a condition")
            return _Typed(~operand.expr, "boolean", node)
        operand = self.require(operand, "number", "'-' needs a number")
        return _Typed(-operand.expr, "number", node)

    def require(self, typed: _Typed, kind: Kind, message: str) -> _Typed:
        if typed.kind == "null":
            return _Typed(ibis.null(_IBIS_TYPE[kind]), kind, typed.node)
        if typed.kind != kind:
            raise self.type_error(
                f"{message}, but {typed.node.to_text()} is {_KIND_WORDS[typed.kind]}", typed.node
            )
        return typed

    def logical(self, node: Binary) -> _Typed:
        word = f"'{node.op}' needs conditions on both sides"
        left = self.require(self.compile(node.left), "boolean", word)
        right = self.require(self.compile(node.right), "boolean", word)
        expr = left.expr & right.expr if node.op == "and" else left.expr | right.expr
        return _Typed(expr, "boolean", node)

    def arithmetic(self, node: Binary) -> _Typed:
        word = f"'{node.op}' needs numbers"
        left = self.compile(node.left)
        right = self.compile(node.right)
        for side in (left, right):
            if side.kind in _TEMPORAL:
                raise self.type_error(
                    f"{word}, but {side.node.to_text()} is {_KIND_WORDS[side.kind]}",
                    node,
                    hint="use days_since(...) to turn a date into a number of days",
                )
        left = self.require(left, "number", word)
        right = self.require(right, "number", word)
        a: Any = left.expr
        b: Any = right.expr
        if node.op == "/":
            # Cast before dividing (Spark would give DECIMAL) and guard against division by zero:
            # x / 0 is null (unknown), on DuckDB and on Spark alike.
            expr = a.cast("float64") / b.cast("float64").nullif(0)
        elif node.op == "+":
            expr = a + b
        elif node.op == "-":
            expr = a - b
        else:
            expr = a * b
        return _Typed(expr, "number", node)

    def comparable(self, left: _Typed, right: _Typed, node: Node) -> tuple[_Typed, _Typed]:
        """Return both operands made comparable, or raise a type error naming both sides."""
        left, right = self.untyped_column(left, right), self.untyped_column(right, left)
        if left.kind == "null" or right.kind == "null":
            raise self.type_error(
                "comparing with null is never true",
                node,
                hint="use 'is null' or 'is not null'",
            )
        left, right = self.coerce_temporal(left, right), self.coerce_temporal(right, left)
        same = left.kind == right.kind or {left.kind, right.kind} == {"date", "timestamp"}
        if not same or left.kind == "other":
            raise self.type_error(
                f"cannot compare {left.node.to_text()} ({_KIND_NAMES[left.kind]}) "
                f"with {right.node.to_text()} ({_KIND_NAMES[right.kind]})",
                node,
            )
        if {left.kind, right.kind} == {"date", "timestamp"}:
            left = _Typed(left.expr.cast("timestamp"), "timestamp", left.node)
            right = _Typed(right.expr.cast("timestamp"), "timestamp", right.node)
        return left, right

    def untyped_column(self, value: _Typed, other: _Typed) -> _Typed:
        """Give an all-missing column (Ibis type null) the type of the other side."""
        if value.kind != "null" or isinstance(value.node, Literal) or other.kind == "null":
            return value
        return _Typed(value.expr.cast(other.expr.type()), other.kind, value.node)

    def coerce_temporal(self, value: _Typed, other: _Typed) -> _Typed:
        """Turn an ISO string literal into a date/timestamp when compared with a temporal value."""
        if other.kind not in _TEMPORAL or value.kind != "text":
            return value
        node = value.node
        if not isinstance(node, Literal):
            return value
        try:
            stamp = pd.Timestamp(datetime.fromisoformat(str(node.value)))
        except ValueError:
            raise self.type_error(
                f"'{node.value}' is not a date", node, hint="write dates as 'YYYY-MM-DD'"
            ) from None
        if other.kind == "date" and stamp == stamp.normalize():
            return _Typed(ibis.literal(stamp.date(), type="date"), "date", node)
        return _Typed(ibis.literal(stamp.to_pydatetime(), type="timestamp"), "timestamp", node)

    def comparison(self, node: Binary) -> _Typed:
        left, right = self.comparable(self.compile(node.left), self.compile(node.right), node)
        a: Any = left.expr
        b: Any = right.expr
        if node.op in ("=", "=="):
            expr = a == b
        elif node.op in ("!=", "<>"):
            expr = a != b
        else:
            if left.kind == "boolean":
                raise self.type_error(f"'{node.op}' cannot order true/false values", node)
            expr = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[node.op]
        return _Typed(expr, "boolean", node)

    def in_list(self, node: InList) -> _Typed:
        operand = self.compile(node.operand)
        items = []
        for item_node in node.items:
            item = self.compile(item_node)
            if item.kind == "null":
                raise self.type_error(
                    "null in a list never matches", item_node, hint="use 'is null' instead"
                )
            items.append(self.comparable(operand, item, item_node)[1])
        operand = self.comparable(operand, items[0], node)[0]
        expr: Any = operand.expr.isin([item.expr for item in items])
        return _Typed(~expr if node.negated else expr, "boolean", node)

    def between(self, node: Between) -> _Typed:
        operand = self.compile(node.operand)
        low = self.compile(node.low)
        high = self.compile(node.high)
        operand_low, low = self.comparable(operand, low, node)
        operand_high, high = self.comparable(operand, high, node)
        if operand.kind == "boolean":
            raise self.type_error("'between' cannot order true/false values", node)
        expr: Any = operand_low.expr.between(low.expr, high.expr)
        return _Typed(~expr if node.negated else expr, "boolean", node)

    # -- functions -------------------------------------------------------------------------------
    def call(self, node: Call) -> _Typed:
        args = [self.compile(arg) for arg in node.args]
        name = node.name
        if name == "coalesce":
            return self.coalesce(node, args)
        (arg,) = args
        word = f"{name}() needs"
        if name == "days_since":
            if arg.kind not in _TEMPORAL and arg.kind != "null":
                raise self.type_error(
                    f"{word} a date or timestamp, but {arg.node.to_text()} is "
                    f"{_KIND_WORDS[arg.kind]}",
                    node,
                )
            if self.as_of is None:
                raise RuleError(
                    "days_since() needs an as_of date", rule=self.text, position=node.position
                )
            moment = arg.expr if arg.kind != "null" else ibis.null("timestamp")
            return _Typed(days_since(moment, self.as_of), "number", node)
        if name in ("lower", "upper"):
            text_arg: Any = self.require(arg, "text", f"{word} text").expr
            return _Typed(text_arg.lower() if name == "lower" else text_arg.upper(), "text", node)
        number: Any = self.require(arg, "number", f"{word} a number").expr
        if name == "abs":
            return _Typed(number.abs(), "number", node)
        # ln: the logarithm of zero or a negative number is null (DuckDB would raise, Spark gives null).
        positive = number.cast("float64")
        guarded = ibis.cases((positive > 0, positive), else_=ibis.null("float64"))
        return _Typed(guarded.ln(), "number", node)

    def coalesce(self, node: Call, args: list[_Typed]) -> _Typed:
        kinds = [a.kind for a in args if a.kind != "null"]
        if not kinds:
            return _Typed(ibis.null(), "null", node)
        first = next(a for a in args if a.kind != "null")
        converted: list[_Typed] = []
        for arg in args:
            if arg.kind == "null":
                converted.append(_Typed(ibis.null(first.expr.type()), first.kind, arg.node))
                continue
            converted.append(self.comparable(first, arg, arg.node)[1])
        exprs: list[Any] = [a.expr for a in converted]
        kind = "timestamp" if any(a.kind == "timestamp" for a in converted) else first.kind
        if kind == "timestamp":
            exprs = [e.cast("timestamp") for e in exprs]
        return _Typed(ibis.coalesce(*exprs), kind, node)


_IBIS_TYPE = {
    "number": "float64",
    "text": "string",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "null": "null",
    "other": "null",
}
