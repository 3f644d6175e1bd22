"""Tokenizer for the rule language: a hand-written scanner that accepts only the documented tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from segmint.segments.rules.errors import RuleSyntaxError

TokenKind = Literal["number", "string", "name", "keyword", "op", "lparen", "rparen", "comma", "end"]

KEYWORDS = frozenset({"and", "or", "not", "in", "between", "is", "null", "true", "false", "date"})
# Longest first so that '<=' wins over '<'.
OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/")
MAX_RULE_LENGTH = 10_000


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text (keywords lower-cased, strings unquoted) and its offset."""

    kind: TokenKind
    text: str
    position: int


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_name_start(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def _is_name_part(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


def tokenize(text: str) -> list[Token]:
    """Return the tokens of `text` ending with an 'end' token; raise RuleSyntaxError on anything else."""
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(f"rule is longer than {MAX_RULE_LENGTH} characters", rule=text[:80])
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if _is_digit(ch) or (ch == "." and i + 1 < n and _is_digit(text[i + 1])):
            i = _scan_number(text, i)
            tokens.append(Token("number", text[start:i], start))
        elif ch in "'\"":
            value, i = _scan_string(text, i)
            tokens.append(Token("string", value, start))
        elif _is_name_start(ch):
            while i < n and _is_name_part(text[i]):
                i += 1
            word = text[start:i]
            if word.lower() in KEYWORDS:
                tokens.append(Token("keyword", word.lower(), start))
            else:
                tokens.append(Token("name", word, start))
        elif ch == "(":
            tokens.append(Token("lparen", ch, start))
            i += 1
        elif ch == ")":
            tokens.append(Token("rparen", ch, start))
            i += 1
        elif ch == ",":
            tokens.append(Token("comma", ch, start))
            i += 1
        else:
            op = next((o for o in OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise RuleSyntaxError(f"unexpected character {ch!r}", rule=text, position=start)
            tokens.append(Token("op", op, start))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


def _scan_number(text: str, i: int) -> int:
    n = len(text)
    start = i
    while i < n and _is_digit(text[i]):
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and _is_digit(text[i]):
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and _is_digit(text[j]):
            i = j
            while i < n and _is_digit(text[i]):
                i += 1
    if i < n and _is_name_part(text[i]):
        raise RuleSyntaxError(f"invalid number {text[start : i + 1]!r}", rule=text, position=start)
    return i


def _scan_string(text: str, i: int) -> tuple[str, int]:
    """Scan a quoted string starting at `i`; a doubled quote inside stands for one quote."""
    quote = text[i]
    start = i
    i += 1
    parts: list[str] = []
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == quote:
            if i + 1 < n and text[i + 1] == quote:
                parts.append(quote)
                i += 2
                continue
            return "".join(parts), i + 1
        parts.append(ch)
        i += 1
    raise RuleSyntaxError("unterminated string", rule=text, position=start)
