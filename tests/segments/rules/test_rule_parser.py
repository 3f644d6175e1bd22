"""Parser and lexer: accepted syntax, normalised text, and errors that point at the position."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segmint.errors import SegmintError
from segmint.segments.rules import (
    Between,
    Binary,
    Call,
    Feature,
    InList,
    IsNull,
    Literal,
    RuleSyntaxError,
    Unary,
    parse_rule,
    rule_features,
)


def test_precedence_and_binds_tighter_than_or() -> None:
    node = parse_rule("a = 1 or b = 2 and c = 3")
    assert isinstance(node, Binary) and node.op == "or"
    assert isinstance(node.right, Binary) and node.right.op == "and"


def test_not_applies_to_the_whole_comparison() -> None:
    node = parse_rule("not mrr > 5")
    assert isinstance(node, Unary) and node.op == "not"
    assert isinstance(node.operand, Binary) and node.operand.op == ">"


def test_arithmetic_precedence_and_left_associativity() -> None:
    node = parse_rule("a - b - c * 2 > 0")
    assert isinstance(node, Binary) and node.op == ">"
    minus = node.left
    assert isinstance(minus, Binary) and minus.op == "-"
    assert isinstance(minus.left, Binary) and minus.left.op == "-"  # (a - b) - (c * 2)
    assert isinstance(minus.right, Binary) and minus.right.op == "*"


def test_every_construct_parses_to_its_node() -> None:
    node = parse_rule(
        "plan in ('pro', \"team\") and seats not between 1 and 5 and csat_mean is not null "
        "and coalesce(mrr, 0) >= -10 and created_at >= date '2024-03-15' and flag = true"
    )
    kinds = {type(n) for n in node.walk()}
    assert {InList, Between, IsNull, Call, Literal, Feature, Binary} <= kinds
    in_list = next(n for n in node.walk() if isinstance(n, InList))
    assert [i.value for i in in_list.items if isinstance(i, Literal)] == ["pro", "team"]
    between = next(n for n in node.walk() if isinstance(n, Between))
    assert between.negated
    dates = [n.value for n in node.walk() if isinstance(n, Literal) and n.kind == "date"]
    assert dates == [date(2024, 3, 15)]
    negative = [n.value for n in node.walk() if isinstance(n, Literal) and n.kind == "number"]
    assert -10 in negative


def test_operator_spellings_are_normalised() -> None:
    assert parse_rule("a == 1") == parse_rule("a = 1")
    assert parse_rule("a <> 1") == parse_rule("a != 1")
    assert parse_rule("A = 1 AND B = 2") != parse_rule("a = 1 and b = 2")  # names keep case
    assert parse_rule("a = 1 AND b = 2") == parse_rule("a = 1 and b = 2")  # keywords do not


@pytest.mark.parametrize(
    "text",
    [
        "mrr >= 500 and days_since_last_activity > 30",
        "industry in ('manufacturing', 'finance')",
        "not a = 1 or b between 1 and 2 and c is not null",
        "-a * (b + 2) / 3 > 1",
        "a - (b - c) = 2",
        "(a or b) and c",
        "not (a and b)",
        "(a = 1) = true",
        "x not in (1, 2.5, -3)",
        "name = 'it''s'",
        "country = '한국' and segment_name != '이탈 위험'",
        "days_since(created_at) between 0 and 30",
    ],
)
def test_normalised_text_parses_back_to_the_same_tree(text: str) -> None:
    node = parse_rule(text)
    assert parse_rule(node.to_text()) == node


def test_strings_keep_unicode_and_doubled_quotes() -> None:
    node = parse_rule("country = '대한민국' or note = 'it''s'")
    values = [n.value for n in node.walk() if isinstance(n, Literal)]
    assert values == ["대한민국", "it's"]


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("x = 1; DROP TABLE customers", 6, "unexpected character ';'"),
        ("__import__('os')", 1, "unknown function '__import__'"),
        ("`mrr` > 1", 1, "unexpected character '`'"),
        ("mrr > 1 /* x */", 10, "expected a value, found '*'"),
        ("system('rm -rf /')", 1, "unknown function 'system'"),
        ("mrr > 1 union select 1", 9, "unexpected 'union'"),
        ("a < b < c", 7, "comparisons cannot be chained"),
        ("mrr >", 6, "expected a value, found end of rule"),
        ("plan in ()", 10, "empty list"),
        ("name = 'open", 8, "unterminated string"),
        ("created_at > date '2024-13-01'", 19, "invalid date"),
        ("a = 1 b = 2", 7, "unexpected 'b'"),
        ("abs(1, 2) > 0", 1, "abs() takes 1 argument"),
        ("coalesce(a) > 0", 1, "coalesce() takes at least 2 arguments"),
        ("mrr is 5", 8, "expected 'null' after 'is'"),
        ("a between 1 or 2", 13, "expected 'and'"),
        ("", 1, "empty rule"),
        ("12abc > 1", 1, "invalid number"),
        ("mrr > 1 # x", 9, "unexpected character '#'"),
        ("mrr[0] > 1", 4, "unexpected character '['"),
    ],
)
def test_invalid_rules_raise_with_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule(text)
    error = caught.value
    assert isinstance(error, SegmintError)
    assert fragment in str(error)
    assert error.column == column
    assert f"at column {column}" in str(error)


def test_unknown_function_suggests_the_nearest_one() -> None:
    with pytest.raises(RuleSyntaxError, match="did you mean 'coalesce'"):
        parse_rule("coalsce(mrr, 0) > 1")


def test_pointer_shows_a_caret_under_the_error() -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule("mrr > 1; drop")
    assert caught.value.pointer() == "mrr > 1; drop\n       ^"


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(RuleSyntaxError, match="nested deeper"):
        parse_rule("(" * 500 + "a" + ")" * 500 + " = 1")


def test_rule_features_lists_every_feature_read() -> None:
    text = "coalesce(mrr, 0) > 0 and days_since(created_at) < 30 or plan in ('a') and not churned"
    assert rule_features(text) == {"mrr", "created_at", "plan", "churned"}
    assert rule_features(parse_rule("1 = 1")) == set()


ALPHABET = st.sampled_from(
    list("abcmr_ 019.'\"()=<>!+-*/,;`#")
    + ["and ", "or ", "not ", " in ", " between ", " is null", "날"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_any_text_parses_or_raises_a_rule_syntax_error(text: str) -> None:
    try:
        node = parse_rule(text)
    except RuleSyntaxError as error:
        assert error.position is not None and 0 <= error.position <= len(text)
        return
    assert parse_rule(node.to_text()) == node
