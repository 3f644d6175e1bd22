"""The rule syntax tree: small frozen dataclasses, each remembering where it starts in the text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal as TypingLiteral

LiteralKind = TypingLiteral["number", "string", "boolean", "null", "date"]


@dataclass(frozen=True)
class Node:
    """Base class of every syntax-tree node; `position` is the 0-based offset in the rule text."""

    position: int = field(default=0, kw_only=True, compare=False)

    def children(self) -> tuple[Node, ...]:
        """Return the direct sub-expressions of this node."""
        return ()

    def walk(self) -> Iterator[Node]:
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()

    def to_text(self) -> str:
        """Return the node as normalised rule text (round-trips through the parser)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Literal(Node):
    """A constant: number, string, boolean, null or date."""

    value: int | float | str | bool | date | None
    kind: LiteralKind

    def to_text(self) -> str:
        """Return the literal as rule text."""
        if self.kind == "null":
            return "null"
        if self.kind == "boolean":
            return "true" if self.value else "false"
        if self.kind == "date":
            return f"date '{self.value}'"
        if self.kind == "string":
            return "'" + str(self.value).replace("'", "''") + "'"
        return repr(self.value)


@dataclass(frozen=True)
class Feature(Node):
    """A reference to a column of the feature table."""

    name: str

    def to_text(self) -> str:
        """Return the feature name."""
        return self.name


@dataclass(frozen=True)
class Unary(Node):
    """`not x` or `-x`."""

    op: str
    operand: Node

    def children(self) -> tuple[Node, ...]:
        """Return the operand."""
        return (self.operand,)

    def to_text(self) -> str:
        """Return the negation as rule text."""
        if self.op == "not":
            return f"not {_wrap(self.operand, 3)}"
        return f"-{_wrap(self.operand, 7)}"


@dataclass(frozen=True)
class Binary(Node):
    """A binary operation: and, or, a comparison (= != < <= > >=) or arithmetic (+ - * /)."""

    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        """Return both operands."""
        return (self.left, self.right)

    def to_text(self) -> str:
        """Return the operation as rule text, parenthesising compound operands."""
        own = precedence(self)
        # Comparisons do not chain, so a comparison operand on the left needs parentheses too.
        left_needed = own + 1 if own == 4 else own
        # and/or are associative: a right operand with the same operator needs no parentheses.
        associative = self.op in ("and", "or") and getattr(self.right, "op", None) == self.op
        right_needed = own if associative else own + 1
        return f"{_wrap(self.left, left_needed)} {self.op} {_wrap(self.right, right_needed)}"


@dataclass(frozen=True)
class InList(Node):
    """`x in (a, b, ...)` or `x not in (...)`."""

    operand: Node
    items: tuple[Node, ...]
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        """Return the operand and the list items."""
        return (self.operand, *self.items)

    def to_text(self) -> str:
        """Return the membership test as rule text."""
        keyword = "not in" if self.negated else "in"
        items = ", ".join(_wrap(item, 5) for item in self.items)
        return f"{_wrap(self.operand, 5)} {keyword} ({items})"


@dataclass(frozen=True)
class Between(Node):
    """`x between low and high` (inclusive) or `x not between ...`."""

    operand: Node
    low: Node
    high: Node
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        """Return the operand and both bounds."""
        return (self.operand, self.low, self.high)

    def to_text(self) -> str:
        """Return the range test as rule text."""
        keyword = "not between" if self.negated else "between"
        low, high = _wrap(self.low, 5), _wrap(self.high, 5)
        return f"{_wrap(self.operand, 5)} {keyword} {low} and {high}"


@dataclass(frozen=True)
class IsNull(Node):
    """`x is null` or `x is not null`."""

    operand: Node
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        """Return the operand."""
        return (self.operand,)

    def to_text(self) -> str:
        """Return the null test as rule text."""
        return f"{_wrap(self.operand, 5)} is {'not ' if self.negated else ''}null"


@dataclass(frozen=True)
class Call(Node):
    """A call of one of the built-in functions (see `segmint.segments.rules.FUNCTIONS`)."""

    name: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        """Return the arguments."""
        return self.args

    def to_text(self) -> str:
        """Return the call as rule text."""
        return f"{self.name}({', '.join(arg.to_text() for arg in self.args)})"


_BINARY_PRECEDENCE = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6}


def precedence(node: Node) -> int:
    """Return how tightly a node binds: or 1, and 2, not 3, comparisons 4, + - 5, * / 6, atoms 8."""
    if isinstance(node, Binary):
        return _BINARY_PRECEDENCE.get(node.op, 4)
    if isinstance(node, Unary):
        return 3 if node.op == "not" else 7
    if isinstance(node, InList | Between | IsNull):
        return 4
    if isinstance(node, Literal) and isinstance(node.value, int | float) and node.value < 0:
        return 7
    return 8


def _wrap(node: Node, needed: int) -> str:
    """Return a node's text, parenthesised when it binds less tightly than `needed`."""
    text = node.to_text()
    return text if precedence(node) >= needed else f"({text})"


def features_of(node: Node) -> set[str]:
    """Return the names of every feature the expression reads."""
    return {n.name for n in node.walk() if isinstance(n, Feature)}


def feature_order(node: Node) -> list[str]:
    """Return the feature names in the order they first appear in the rule."""
    seen: dict[str, None] = {}
    for n in node.walk():
        if isinstance(n, Feature):
            seen.setdefault(n.name, None)
    return list(seen)
