"""Compiler: rules evaluated on a small DuckDB table, type errors and unknown-feature hints."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest

from segmint.engine import duckdb_backend
from segmint.segments.rules import (
    RuleError,
    RuleTypeError,
    UnknownFeatureError,
    check_features,
    compile_rule,
    parse_rule,
    reason_expr,
)

AS_OF = date(2024, 6, 1)


@pytest.fixture(scope="module")
def features() -> ibis.Table:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "mrr": [2400.0, 620.0, np.nan, 0.0, 150.5],
            "seats": pd.array([40, 12, 3, 0, None], dtype="Int64"),
            "plan": ["Enterprise", "pro", "starter", "pro", None],
            "country": ["KR", "US", "KR", "DE", "JP"],
            "segment_ko": ["이탈 위험", "성장", "신규", "성장", None],
            "churned": pd.array([False, False, True, None, False], dtype="boolean"),
            "created_at": pd.to_datetime(
                [
                    "2023-01-05 10:00",
                    "2024-05-31 23:59",
                    "2024-05-20 00:00",
                    None,
                    "2024-04-01 00:00",
                ]
            ),
        }
    )
    con = duckdb_backend()
    return con.create_table("features", frame)


def members(table: ibis.Table, rule: str) -> list[str]:
    expr = table.filter(compile_rule(rule, table, as_of=AS_OF)).customer_id
    return sorted(expr.to_pandas().tolist())


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("mrr >= 500", ["a", "b"]),
        ("mrr < 500", ["d", "e"]),  # c has no mrr: unknown, so not a member
        ("not mrr >= 500", ["d", "e"]),  # not(unknown) is still unknown
        ("mrr is null", ["c"]),
        ("mrr is not null and seats > 5", ["a", "b"]),
        ("coalesce(mrr, 0) = 0", ["c", "d"]),
        ("plan in ('pro', 'starter')", ["b", "c", "d"]),
        ("plan not in ('pro')", ["a", "c"]),  # e has no plan
        ("lower(plan) = 'enterprise'", ["a"]),
        ("upper(country) = 'KR' or seats between 10 and 12", ["a", "b", "c"]),
        ("seats not between 1 and 20", ["a", "d"]),
        ("mrr / seats > 55", ["a"]),  # d divides by zero → unknown, not an error
        ("mrr - 600 > 0 and abs(mrr - 600) < 100", ["b"]),
        ("mrr * 2 + 1 > 1200", ["a", "b"]),
        ("ln(mrr) > 6", ["a", "b"]),  # ln(0) is unknown, not an error
        ("churned", ["c"]),
        ("not churned", ["a", "b", "e"]),
        ("churned = false", ["a", "b", "e"]),
        ("days_since(created_at) <= 1", ["b"]),
        ("days_since(created_at) between 1 and 30", ["b", "c"]),
        ("created_at >= '2024-05-20'", ["b", "c"]),
        ("created_at < date '2024-05-20'", ["a", "e"]),
        ("created_at >= '2024-05-31 12:00:00'", ["b"]),
        ("segment_ko = '성장'", ["b", "d"]),
        ("country = \"KR\" and segment_ko != '신규'", ["a"]),
        ("-mrr < -1000", ["a"]),
        ("1 = 1", ["a", "b", "c", "d", "e"]),
        ("true", ["a", "b", "c", "d", "e"]),
    ],
)
def test_rule_memberships(features: ibis.Table, rule: str, expected: list[str]) -> None:
    assert members(features, rule) == expected


def test_a_parsed_node_compiles_like_its_text(features: ibis.Table) -> None:
    node = parse_rule("mrr >= 500 and country = 'KR'")
    assert members(features, node.to_text()) == ["a"]
    expr = features.filter(compile_rule(node, features)).customer_id.to_pandas()
    assert expr.tolist() == ["a"]


def test_unknown_feature_suggests_the_nearest_name(features: ibis.Table) -> None:
    with pytest.raises(UnknownFeatureError) as caught:
        compile_rule("mrrr > 1", features)
    assert str(caught.value) == "unknown feature 'mrrr' at column 1 — did you mean 'mrr'?"
    with pytest.raises(UnknownFeatureError, match="at column 12 — did you mean 'country'"):
        compile_rule("mrr > 1 or contry = 'KR'", features)
    with pytest.raises(UnknownFeatureError, match="did you mean 'plan'"):
        compile_rule("PLAN = 'pro'", features)
    with pytest.raises(UnknownFeatureError) as far:
        compile_rule("zzzzzz = 1", features)
    assert "did you mean" not in str(far.value)


@pytest.mark.parametrize(
    ("rule", "column", "fragment"),
    [
        ("plan > 5", 6, "cannot compare plan (text) with 5 (number)"),
        ("mrr = 'high'", 5, "cannot compare mrr (number) with 'high' (text)"),
        ("mrr", 1, "a rule must be a condition"),
        ("mrr = null", 5, "comparing with null is never true"),
        ("mrr + plan > 1", 7, "'+' needs numbers, but plan is text"),
        ("not mrr", 5, "'not' needs a condition, but mrr is a number"),
        ("mrr > 1 and seats", 13, "'and' needs conditions on both sides"),
        ("created_at > 'soon'", 14, "'soon' is not a date"),
        ("created_at + 1 > 2", 12, "use days_since"),
        ("days_since(plan) > 1", 1, "days_since() needs a date or timestamp"),
        ("lower(mrr) = 'x'", 7, "lower() needs text"),
        ("abs(plan) > 1", 5, "abs() needs a number"),
        ("plan in ('pro', 3)", 17, "cannot compare plan (text) with 3 (number)"),
        ("plan in ('pro', null)", 17, "null in a list never matches"),
        ("churned > true", 9, "cannot order true/false"),
        ("coalesce(mrr, 'none') = 0", 15, "cannot compare mrr (number) with 'none' (text)"),
    ],
)
def test_type_errors_point_at_the_position(
    features: ibis.Table, rule: str, column: int, fragment: str
) -> None:
    with pytest.raises(RuleTypeError) as caught:
        compile_rule(rule, features, as_of=AS_OF)
    assert fragment in str(caught.value)
    assert caught.value.column == column


def test_days_since_needs_as_of(features: ibis.Table) -> None:
    with pytest.raises(RuleError, match="days_since\\(\\) needs an as_of date at column 13"):
        compile_rule("mrr > 0 and days_since(created_at) > 3", features)


def test_aware_as_of_is_converted_to_utc(features: ibis.Table) -> None:
    # 2024-06-01 08:00 in Seoul is 2024-05-31 23:00 UTC: b was created that same UTC day.
    seoul = pd.Timestamp("2024-06-01 08:00", tz="Asia/Seoul")
    expr = compile_rule("days_since(created_at) = 0", features, as_of=seoul)
    assert features.filter(expr).customer_id.to_pandas().tolist() == ["b"]


def test_compiled_rules_never_contain_the_rule_text(features: ibis.Table) -> None:
    sql = ibis.to_sql(features.filter(compile_rule("plan = 'x''; drop table t; --'", features)))
    assert "'x''; drop table t; --'" in sql  # quoted as one string literal by the SQL compiler
    assert members(features, "plan = 'x''; drop table t; --'") == []


def test_check_features_without_a_table() -> None:
    check_features(parse_rule("mrr > 1 and plan = 'pro'"), ["mrr", "plan"])
    with pytest.raises(UnknownFeatureError, match="did you mean 'tenure_days'"):
        check_features(
            parse_rule("tenure_dayz > 1"), ["tenure_days", "mrr"], rule="tenure_dayz > 1"
        )


def test_reason_lists_the_values_read(features: ibis.Table) -> None:
    rule = "mrr >= 500 and days_since(created_at) > 1 and churned = false and plan != 'x'"
    reasons = features.select(
        "customer_id", why=reason_expr(rule, features, as_of=AS_OF)
    ).to_pandas()
    by_id = dict(zip(reasons.customer_id, reasons.why, strict=True))
    assert by_id["a"] == (
        "mrr=2400, created_at=2023-01-05, churned=false, plan=Enterprise, "
        "days_since(created_at)=513"
    )
    assert by_id["c"].startswith("mrr=null, created_at=2024-05-20, churned=true")
    assert by_id["e"] == (
        "mrr=150.5, created_at=2024-04-01, churned=false, plan=null, days_since(created_at)=61"
    )
