"""Schemes (each customer in exactly one segment, first matching rule wins) and tags (overlapping).

Every assignment says why: the rule text that matched (or "default") and the values of the
features that rule read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.engine import duckdb_backend
from segmint.errors import ConfigError, InputError, MissingColumnError, NotFittedError
from segmint.segments.rules.ast import Node
from segmint.segments.rules.compiler import compile_rule
from segmint.segments.rules.errors import RuleError
from segmint.segments.rules.explain import reason_expr, rule_features
from segmint.segments.rules.parser import parse_rule

__all__ = [
    "RuleSegmenter",
    "Scheme",
    "SegmentRule",
    "Tag",
    "assign_scheme",
    "assign_tags",
]

AsOf = date | datetime | str | pd.Timestamp | None
DEFAULT_RULE = "default"
DEFAULT_REASON = "no rule matched"
ID_COLUMN = "customer_id"


def _in_context(error: RuleError, context: str) -> RuleError:
    """Return the same kind of error with `context` (scheme, segment, tag) in front."""
    return type(error)(
        f"{context}: {error.reason}", rule=error.rule, position=error.position, hint=error.hint
    )


def _check_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{what} must be a non-empty text, got {value!r}")
    return value


@dataclass(frozen=True)
class SegmentRule:
    """One prioritised rule of a scheme: customers for whom `when` is true go to `segment`."""

    segment: str
    when: str
    node: Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name(self.segment, "segment")
        if not isinstance(self.when, str):
            raise ConfigError(f"segment {self.segment!r}: 'when' must be text, got {self.when!r}")
        try:
            node = parse_rule(self.when)
        except RuleError as error:
            raise _in_context(error, f"segment '{self.segment}'") from None
        object.__setattr__(self, "node", node)


@dataclass(frozen=True)
class Scheme:
    """A named set of prioritised rules plus a default segment for everybody else."""

    name: str
    rules: Sequence[SegmentRule]
    default: str = "other"
    description: str = ""

    def __post_init__(self) -> None:
        _check_name(self.name, "scheme name")
        _check_name(self.default, f"scheme '{self.name}': default")
        rules = tuple(
            r if isinstance(r, SegmentRule) else SegmentRule(**dict(r)) for r in self.rules
        )
        object.__setattr__(self, "rules", rules)

    @property
    def segments(self) -> list[str]:
        """Return the segment names in priority order, the default last (each name once)."""
        return list(dict.fromkeys([*(r.segment for r in self.rules), self.default]))

    def features(self) -> set[str]:
        """Return every feature any rule of the scheme reads."""
        return set().union(*(rule_features(r.node) for r in self.rules))


@dataclass(frozen=True)
class Tag:
    """An overlapping yes/no segment: every customer for whom `when` is true carries the tag."""

    name: str
    when: str
    description: str = ""
    node: Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_name(self.name, "tag name")
        try:
            node = parse_rule(self.when)
        except RuleError as error:
            raise _in_context(error, f"tag '{self.name}'") from None
        object.__setattr__(self, "node", node)


def _require_id(features: ir.Table, id_column: str) -> None:
    if id_column not in features.columns:
        raise MissingColumnError("features", id_column, list(features.columns))


_MATCH = "__segmint_rule"


def _assign(
    features: ir.Table,
    scheme: Scheme,
    *,
    as_of: AsOf,
    id_column: str,
    keep: Sequence[str] = (),
) -> ir.Table:
    """Return `keep` columns + customer_id, scheme, segment, rule and reason for every row."""
    conditions: list[ir.BooleanValue] = []
    for number, rule in enumerate(scheme.rules, start=1):
        try:
            conditions.append(compile_rule(rule.node, features, as_of=as_of))
        except RuleError as error:
            context = f"scheme '{scheme.name}', segment '{rule.segment}' (rule {number})"
            raise _in_context(_with_rule(error, rule.when), context) from None
    # The number of the first rule that is true (0: none). ibis.cases keeps the order of its
    # branches, so the first matching rule wins; each condition is evaluated once.
    first_match = (
        ibis.cases(*((c, n) for n, c in enumerate(conditions, start=1)), else_=0)
        if conditions
        else ibis.literal(0)
    )
    staged = features.mutate(**{_MATCH: first_match})
    which: Any = staged[_MATCH]
    segment: Any = ibis.literal(scheme.default, type="string")
    rule_text: Any = ibis.literal(DEFAULT_RULE, type="string")
    reason: Any = ibis.literal(DEFAULT_REASON, type="string")
    if conditions:
        numbered = list(enumerate(scheme.rules, start=1))
        segment = ibis.cases(*((which == n, r.segment) for n, r in numbered), else_=segment)
        rule_text = ibis.cases(*((which == n, r.when) for n, r in numbered), else_=rule_text)
        reason = ibis.cases(
            *((which == n, reason_expr(r.node, staged, as_of=as_of)) for n, r in numbered),
            else_=reason,
        )
    return staged.select(
        *keep,
        customer_id=staged[id_column],
        scheme=ibis.literal(scheme.name, type="string"),
        segment=segment,
        rule=rule_text,
        reason=reason,
    )


def _with_rule(error: RuleError, text: str) -> RuleError:
    """Return the error carrying the rule's original text (positions refer to it)."""
    return type(error)(error.reason, rule=text, position=error.position, hint=error.hint)


def assign_scheme(
    features: ir.Table, scheme: Scheme, *, as_of: AsOf = None, id_column: str = ID_COLUMN
) -> ir.Table:
    """Return customer_id, scheme, segment, rule and reason: one row per customer of `features`."""
    _require_id(features, id_column)
    return _assign(features, scheme, as_of=as_of, id_column=id_column)


def assign_tags(
    features: ir.Table, tags: Iterable[Tag], *, as_of: AsOf = None, id_column: str = ID_COLUMN
) -> ir.Table:
    """Return customer_id, tag and reason: one row per (customer, tag) the customer carries."""
    _require_id(features, id_column)
    tags = list(tags)
    names = [t.name for t in tags]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"tags: duplicate tag names: {', '.join(duplicates)}")
    parts: list[ir.Table] = []
    for tag in tags:
        try:
            condition = compile_rule(tag.node, features, as_of=as_of)
            reason = reason_expr(tag.node, features, as_of=as_of)
        except RuleError as error:
            raise _in_context(_with_rule(error, tag.when), f"tag '{tag.name}'") from None
        parts.append(
            features.filter(condition).select(
                customer_id=features[id_column],
                tag=ibis.literal(tag.name, type="string"),
                reason=reason,
            )
        )
    if not parts:
        return features.filter(ibis.literal(False)).select(
            customer_id=features[id_column],
            tag=ibis.literal("", type="string"),
            reason=ibis.literal("", type="string"),
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


class RuleSegmenter:
    """Scikit-learn style segmenter for pandas frames: assigns each row one segment of a scheme."""

    def __init__(self, scheme: Scheme, *, as_of: AsOf = None, id_column: str = ID_COLUMN) -> None:
        self.scheme = scheme
        self.as_of = as_of
        self.id_column = id_column

    def fit(self, X: pd.DataFrame, y: Any = None) -> RuleSegmenter:
        """Check that every feature the rules read exists (and type-checks); return self."""
        frame = self._check_frame(X)
        # The whole frame, not head(0): an object column's type is inferred from its values.
        table = ibis.memtable(frame)
        _assign(table, self.scheme, as_of=self.as_of, id_column=self.id_column)
        self.feature_names_in_ = [str(c) for c in frame.columns]
        self.n_features_in_ = len(self.feature_names_in_)
        self.features_ = sorted(self.scheme.features())
        self.segments_ = self.scheme.segments
        return self

    def _check_frame(self, X: Any) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise InputError(f"RuleSegmenter needs a pandas DataFrame, got {type(X).__name__}")
        if self.id_column not in X.columns:
            raise MissingColumnError("features", self.id_column, [str(c) for c in X.columns])
        return X

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return customer_id, scheme, segment, rule and reason for every row of X, in order."""
        if not hasattr(self, "features_"):
            raise NotFittedError("RuleSegmenter is not fitted yet; call fit(features) first")
        frame = self._check_frame(X)
        found = [str(c) for c in frame.columns]
        missing = sorted(set(self.features_) - set(found))
        if missing:
            raise MissingColumnError("features", missing[0], found)
        row = "__segmint_row"
        data = frame.reset_index(drop=True).assign(**{row: range(len(frame))})
        table = ibis.memtable(data)
        assigned = _assign(
            table, self.scheme, as_of=self.as_of, id_column=self.id_column, keep=[row]
        )
        query = assigned.order_by(row)
        result = duckdb_backend().execute(query)
        result = result.drop(columns=[row])
        result.index = X.index
        return result

    def predict(self, X: pd.DataFrame) -> pd.Series:
        """Return the segment of every row of X (indexed like X, named after the scheme)."""
        return self.transform(X)["segment"].rename(self.scheme.name)

    def fit_predict(self, X: pd.DataFrame, y: Any = None) -> pd.Series:
        """Fit on X and return its segments."""
        return self.fit(X).predict(X)
