"""Recursive-descent (Pratt) parser: rule text → syntax tree, with positions in every error."""

from __future__ import annotations

import difflib
import math
from datetime import date

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
from segmint.segments.rules.errors import RuleSyntaxError
from segmint.segments.rules.lexer import Token, tokenize

# name → (minimum, maximum) number of arguments; None means any number.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "coalesce": (2, None),
    "days_since": (1, 1),
    "ln": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
}
COMPARISONS = frozenset({"=", "==", "!=", "<>", "<", "<=", ">", ">="})
# Binding powers, loosest first: or < and < not < comparisons < + - < * / < unary minus.
_OR, _AND, _NOT, _COMPARE, _ADD, _MULTIPLY, _NEGATE = 1, 2, 3, 4, 5, 6, 7
MAX_DEPTH = 100
MAX_RULE_LENGTH = 10_000
_INT64_MAX = 2**63 - 1


def parse_rule(text: str) -> Node:
    """Return the syntax tree of a rule; raise RuleSyntaxError (with the position) if it is invalid."""
    if not isinstance(text, str):
        raise RuleSyntaxError(f"a rule must be text, got {type(text).__name__}")
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(
            f"rule is {len(text):,} characters long; the limit is {MAX_RULE_LENGTH:,}",
            rule=text,
            position=MAX_RULE_LENGTH,
            hint="split it into several tags or segments",
        )
    return _Parser(text).parse()


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "end of rule"
    if token.kind == "string":
        return f"string '{token.text}'"
    return f"'{token.text}'"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def is_keyword(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind == "keyword" and token.text == word

    def error(self, message: str, token: Token, hint: str = "") -> RuleSyntaxError:
        return RuleSyntaxError(message, rule=self.text, position=token.position, hint=hint)

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.error(f"expected {what}, found {_describe(token)}", token)
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        token = self.peek()
        if not self.is_keyword(word):
            raise self.error(f"expected '{word}', found {_describe(token)}", token)
        return self.advance()

    # -- grammar ---------------------------------------------------------------------------------
    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error("empty rule", self.peek())
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise self.error(
                f"unexpected {_describe(token)}", token, hint="combine conditions with 'and' / 'or'"
            )
        return node

    def expression(self, min_power: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"rule is nested deeper than {MAX_DEPTH} levels", self.peek())
        try:
            left = self.prefix()
            compared = False
            while True:
                power = self.infix_power()
                if power is None or power < min_power:
                    break
                if power == _COMPARE:
                    if compared:
                        raise self.error(
                            "comparisons cannot be chained",
                            self.peek(),
                            hint="write 'a < b and b < c'",
                        )
                    compared = True
                if power in (_OR, _AND):
                    left = self.chain(left, power)
                    continue
                left = self.infix(left, power)
            return left
        finally:
            self.depth -= 1

    def infix_power(self) -> int | None:
        token = self.peek()
        if token.kind == "op":
            if token.text in COMPARISONS:
                return _COMPARE
            return _ADD if token.text in "+-" else _MULTIPLY
        if token.kind == "keyword":
            if token.text == "or":
                return _OR
            if token.text == "and":
                return _AND
            if token.text in ("in", "between", "is"):
                return _COMPARE
            if token.text == "not" and (self.is_keyword("in", 1) or self.is_keyword("between", 1)):
                return _COMPARE
        return None

    def chain(self, first: Node, power: int) -> Node:
        """Parse `a or b or c ...` (or `and`) into a balanced tree, so long chains stay shallow."""
        word = self.peek().text
        operands = [first]
        operators: list[int] = []
        while self.infix_power() == power and self.peek().text == word:
            operators.append(self.advance().position)
            operands.append(self.expression(power + 1))
        # Pairwise merging keeps the depth at log2(n); and/or are associative, so the meaning
        # (SQL three-valued logic included) is that of the flat chain.
        groups: list[tuple[Node, int]] = [(node, index) for index, node in enumerate(operands)]
        while len(groups) > 1:
            merged: list[tuple[Node, int]] = []
            for k in range(0, len(groups) - 1, 2):
                (left, left_end), (right, right_end) = groups[k], groups[k + 1]
                merged.append((Binary(word, left, right, position=operators[left_end]), right_end))
            if len(groups) % 2:
                merged.append(groups[-1])
            groups = merged
        return groups[0][0]

    def infix(self, left: Node, power: int) -> Node:
        token = self.advance()
        position = token.position  # errors about an operation point at its operator
        if token.kind == "op":
            op = {"==": "=", "<>": "!="}.get(token.text, token.text)
            right = self.expression(power + 1)
            return Binary(op, left, right, position=position)
        if token.text in ("and", "or"):
            right = self.expression(power + 1)
            return Binary(token.text, left, right, position=position)
        negated = False
        if token.text == "not":
            negated = True
            token = self.advance()
        if token.text == "in":
            return InList(left, self.in_items(), negated, position=position)
        if token.text == "between":
            low = self.expression(_ADD)
            self.expect_keyword("and")
            high = self.expression(_ADD)
            return Between(left, low, high, negated, position=position)
        # token.text == "is"
        is_not = False
        if self.is_keyword("not"):
            self.advance()
            is_not = True
        null = self.peek()
        if not self.is_keyword("null"):
            raise self.error(f"expected 'null' after 'is', found {_describe(null)}", null)
        self.advance()
        return IsNull(left, is_not, position=position)

    def in_items(self) -> tuple[Node, ...]:
        self.expect("lparen", "'(' after 'in'")
        if self.peek().kind == "rparen":
            raise self.error("empty list after 'in'", self.peek())
        items = [self.expression(_ADD)]
        while self.peek().kind == "comma":
            self.advance()
            items.append(self.expression(_ADD))
        self.expect("rparen", "',' or ')' in the list")
        return tuple(items)

    def prefix(self) -> Node:
        token = self.advance()
        position = token.position
        if token.kind == "number":
            try:
                return _number(token, position)
            except (ValueError, OverflowError):
                raise self.error(
                    "number is out of range", token, hint="numbers must be below about 1e308"
                ) from None
        if token.kind == "string":
            return Literal(token.text, "string", position=position)
        if token.kind == "lparen":
            inner = self.expression(0)
            self.expect("rparen", "')'")
            return inner
        if token.kind == "op" and token.text == "-":
            operand = self.expression(_NEGATE)
            if isinstance(operand, Literal) and operand.kind == "number":
                assert isinstance(operand.value, int | float)
                return Literal(-operand.value, "number", position=position)
            return Unary("-", operand, position=position)
        if token.kind == "name":
            if self.peek().kind == "lparen":
                return self.call(token)
            return Feature(token.text, position=position)
        if token.kind == "keyword":
            if token.text == "not":
                return Unary("not", self.expression(_NOT), position=position)
            if token.text in ("true", "false"):
                return Literal(token.text == "true", "boolean", position=position)
            if token.text == "null":
                return Literal(None, "null", position=position)
            if token.text == "date":
                return self.date_literal(position)
        raise self.error(f"expected a value, found {_describe(token)}", token)

    def date_literal(self, position: int) -> Literal:
        token = self.peek()
        if token.kind != "string":
            raise self.error(
                f"expected a quoted date after 'date', found {_describe(token)}", token
            )
        self.advance()
        try:
            value = date.fromisoformat(token.text)
        except ValueError:
            raise self.error(
                f"invalid date '{token.text}'", token, hint="write dates as 'YYYY-MM-DD'"
            ) from None
        return Literal(value, "date", position=position)

    def call(self, name_token: Token) -> Call:
        name = name_token.text.lower()
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else ""
            hint = (hint + " " if hint else "") + "allowed: " + ", ".join(sorted(FUNCTIONS))
            raise self.error(f"unknown function '{name_token.text}'", name_token, hint=hint)
        self.advance()  # '('
        args: list[Node] = []
        if self.peek().kind != "rparen":
            args.append(self.expression(_OR))
            while self.peek().kind == "comma":
                self.advance()
                args.append(self.expression(_OR))
        self.expect("rparen", f"',' or ')' closing {name}(")
        low, high = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = str(low) if low == high else f"at least {low}"
            raise self.error(
                f"{name}() takes {expected} argument{'s' if expected != '1' else ''}, got {len(args)}",
                name_token,
            )
        return Call(name, tuple(args), position=name_token.position)


def _number(token: Token, position: int) -> Literal:
    text = token.text
    value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, int) and value > _INT64_MAX:
        value = float(value)  # beyond 64-bit integers, compare as a float (OverflowError if huge)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(text)
    return Literal(value, "number", position=position)
