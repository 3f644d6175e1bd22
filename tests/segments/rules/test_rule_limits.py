"""Rules at the limits: long and/or chains, huge numbers, long rules in error messages."""

from __future__ import annotations

import ibis
import pytest

from segmint.segments.rules import RuleError, compile_rule, parse_rule
from segmint.segments.scheme_config import validate_rules

TABLE = ibis.table({"mrr": "float64", "seats": "int64"}, name="features")


@pytest.mark.parametrize("word", ["or", "and"])
def test_a_chain_of_500_conditions_compiles_and_prints_back(word: str) -> None:
    rule = f" {word} ".join(["mrr > 0"] * 500)
    assert len(rule) > 4_500
    node = parse_rule(rule)
    assert node.to_text() == rule
    expr = compile_rule(rule, TABLE)
    frame = ibis.memtable({"mrr": [1.0, -1.0, None], "seats": [1, 2, 3]})
    matched = (
        ibis.duckdb.connect().execute(frame.select(hit=compile_rule(rule, frame)).hit).tolist()
    )
    assert matched == [True, False, False]
    assert expr is not None


def test_a_chain_keeps_three_valued_logic_of_the_flat_rule() -> None:
    frame = ibis.memtable({"mrr": [None, 5.0, None], "seats": [1, None, None]})
    rule = "mrr > 1 or seats > 0 or mrr < 0 or seats < 0"
    hit = ibis.duckdb.connect().execute(frame.select(hit=compile_rule(rule, frame)).hit)
    assert hit.tolist() == [True, True, False]


@pytest.mark.parametrize(
    "number", ["999999999999999999999999999999999999999", "1" + "0" * 30, "123456789012345678901"]
)
def test_integers_beyond_64_bits_are_compared_as_floats(number: str) -> None:
    frame = ibis.memtable({"mrr": [1.0, 1e40], "seats": [1, 2]})
    rule = f"mrr > {number}"
    hit = ibis.duckdb.connect().execute(frame.select(hit=compile_rule(rule, frame)).hit)
    assert hit.tolist() == [False, float(number) < 1e40]


@pytest.mark.parametrize("number", ["1e999", "1" + "0" * 400])
def test_numbers_beyond_float_range_are_rule_errors(number: str) -> None:
    with pytest.raises(RuleError, match="out of range at column 7"):
        parse_rule(f"mrr > {number}")


def test_rules_longer_than_the_limit_are_refused() -> None:
    with pytest.raises(RuleError, match="limit is 10,000"):
        parse_rule(" or ".join(["mrr > 0"] * 2_000))


def test_errors_show_at_most_about_200_characters_with_the_caret_in_place() -> None:
    rule = " or ".join(["mrr > 0"] * 400) + " or nope > 1"
    with pytest.raises(RuleError) as caught:
        compile_rule(rule, TABLE)
    shown, caret = caught.value.pointer().split("\n")
    assert len(shown) <= 202
    assert shown[caret.index("^") :].startswith("nope")


def test_validate_reports_a_long_rule_in_one_short_line() -> None:
    rule = " or ".join(["mrr > 0"] * 500) + " or nope > 1"
    problems = validate_rules(
        [], dict(TABLE.schema().items()), tag_configs=[{"name": "t", "when": rule}]
    )
    [problem] = problems
    assert "unknown feature 'nope'" in problem
    assert len(problem) < 400
