"""Schemes, tags, templates, config models, validate_rules and the RuleSegmenter estimator."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmint.engine import duckdb_backend
from segmint.errors import ConfigError, MissingColumnError, NotFittedError, SegmintError
from segmint.segments.rules import RuleSyntaxError, RuleTypeError, UnknownFeatureError
from segmint.segments.scheme_config import (
    SchemeConfig,
    TagConfig,
    scheme_from_config,
    tag_from_config,
    validate_rules,
)
from segmint.segments.schemes import (
    RuleSegmenter,
    Scheme,
    SegmentRule,
    Tag,
    assign_scheme,
    assign_tags,
)
from segmint.segments.templates import TEMPLATES, describe_templates, expand_template

AS_OF = date(2025, 7, 1)
CON = duckdb_backend()

VALUE = Scheme(
    "value",
    [
        SegmentRule("strategic", "mrr >= 2000"),
        SegmentRule("at risk", "mrr >= 500 and days_since_last_activity > 30"),
        SegmentRule("core", "mrr >= 500"),
        SegmentRule("small", "mrr > 0"),
    ],
    default="no revenue",
)


def saas_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["acme", "globex", "initech", "umbrella", "hooli", "soylent"],
            "mrr": [2400.0, 620.0, 540.0, 0.0, np.nan, 99.0],
            "days_since_last_activity": pd.array([3, 41, 7, 120, None, 15], dtype="Int64"),
            "seats": pd.array([45, 12, 8, 3, None, 2], dtype="Int64"),
            "country": ["KR", "US", "KR", "DE", "JP", "KR"],
            "tickets_90d": [1, 6, 0, 2, 0, 0],
        }
    )


def run(expr: ibis.Table) -> pd.DataFrame:
    return CON.execute(expr)


# -- schemes -------------------------------------------------------------------------------------
def test_first_matching_rule_wins_and_default_catches_the_rest() -> None:
    out = run(assign_scheme(ibis.memtable(saas_frame()), VALUE, as_of=AS_OF))
    out = out.set_index("customer_id")
    assert out.segment.to_dict() == {
        "acme": "strategic",  # also matches core and small: the first rule wins
        "globex": "at risk",
        "initech": "core",
        "umbrella": "no revenue",
        "hooli": "no revenue",  # null mrr matches no rule
        "soylent": "small",
    }
    assert out.loc["globex", "rule"] == "mrr >= 500 and days_since_last_activity > 30"
    assert out.loc["globex", "reason"] == "mrr=620, days_since_last_activity=41"
    assert out.loc["umbrella", "rule"] == "default"
    assert out.loc["umbrella", "reason"] == "no rule matched"
    assert set(out.scheme) == {"value"}
    assert list(out.reset_index().columns) == ["customer_id", "scheme", "segment", "rule", "reason"]


def test_scheme_without_rules_puts_everybody_in_the_default() -> None:
    out = run(assign_scheme(ibis.memtable(saas_frame()), Scheme("all", [], default="everyone")))
    assert set(out.segment) == {"everyone"} and len(out) == 6


def test_scheme_errors_name_the_scheme_segment_and_position() -> None:
    bad = Scheme("value", [SegmentRule("big", "mrr > 1"), SegmentRule("odd", "sets > 2")])
    with pytest.raises(UnknownFeatureError) as caught:
        assign_scheme(ibis.memtable(saas_frame()), bad)
    message = str(caught.value)
    assert message == (
        "scheme 'value', segment 'odd' (rule 2): unknown feature 'sets' at column 1 "
        "— did you mean 'seats'?"
    )
    with pytest.raises(RuleSyntaxError, match="segment 'x': unexpected character ';' at column 8"):
        SegmentRule("x", "mrr > 1; DROP TABLE customers")
    with pytest.raises(MissingColumnError, match="customer_id"):
        assign_scheme(ibis.memtable(saas_frame().drop(columns="customer_id")), VALUE)


def test_scheme_lists_segments_and_features() -> None:
    assert VALUE.segments == ["strategic", "at risk", "core", "small", "no revenue"]
    assert VALUE.features() == {"mrr", "days_since_last_activity"}
    rules = Scheme("s", [{"segment": "a", "when": "mrr > 1"}]).rules  # type: ignore[list-item]
    assert rules[0] == SegmentRule("a", "mrr > 1")


# -- tags ----------------------------------------------------------------------------------------
def test_tags_overlap_and_record_reasons() -> None:
    tags = [
        Tag("한국_고객", "country = 'KR'"),
        Tag("support_heavy", "tickets_90d >= 5 or seats < 3"),
        Tag("nobody", "mrr > 1000000"),
    ]
    out = run(assign_tags(ibis.memtable(saas_frame()), tags, as_of=AS_OF))
    members = out.groupby("tag").customer_id.apply(sorted).to_dict()
    assert members == {
        "한국_고객": ["acme", "initech", "soylent"],
        "support_heavy": ["globex", "soylent"],
    }
    soylent = out[(out.customer_id == "soylent") & (out.tag == "support_heavy")]
    assert soylent.reason.item() == "tickets_90d=0, seats=2"


def test_no_tags_gives_an_empty_table_and_duplicates_are_refused() -> None:
    empty = run(assign_tags(ibis.memtable(saas_frame()), []))
    assert list(empty.columns) == ["customer_id", "tag", "reason"] and empty.empty
    with pytest.raises(ConfigError, match="duplicate tag names: a"):
        assign_tags(ibis.memtable(saas_frame()), [Tag("a", "mrr > 1"), Tag("a", "mrr > 2")])


# -- RuleSegmenter ---------------------------------------------------------------------------
def test_rule_segmenter_follows_the_estimator_contract() -> None:
    frame = saas_frame().set_index(pd.Index([10, 11, 12, 13, 14, 15]))
    segmenter = RuleSegmenter(VALUE, as_of=AS_OF)
    assert segmenter.scheme is VALUE and segmenter.as_of == AS_OF
    with pytest.raises(NotFittedError):
        segmenter.predict(frame)
    assert segmenter.fit(frame) is segmenter
    assert segmenter.features_ == ["days_since_last_activity", "mrr"]
    assert segmenter.n_features_in_ == frame.shape[1]
    predicted = segmenter.predict(frame)
    assert predicted.name == "value"
    assert predicted.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert predicted.tolist() == [
        "strategic",
        "at risk",
        "core",
        "no revenue",
        "no revenue",
        "small",
    ]
    reversed_frame = frame.iloc[::-1]
    assert segmenter.predict(reversed_frame).tolist() == predicted.tolist()[::-1]
    table = segmenter.transform(frame)
    assert table.columns.tolist() == ["customer_id", "scheme", "segment", "rule", "reason"]


def test_rule_segmenter_fit_validates_features() -> None:
    frame = saas_frame().drop(columns="days_since_last_activity")
    with pytest.raises(UnknownFeatureError, match="did you mean 'days_since_last_activit'") as e:
        RuleSegmenter(VALUE).fit(
            saas_frame().rename(columns={"days_since_last_activity": "days_since_last_activit"})
        )
    assert "segment 'at risk'" in str(e.value)
    with pytest.raises(UnknownFeatureError):
        RuleSegmenter(VALUE).fit(frame)
    fitted = RuleSegmenter(VALUE).fit(saas_frame())
    with pytest.raises(MissingColumnError, match="days_since_last_activity"):
        fitted.predict(frame)
    with pytest.raises(RuleTypeError, match="cannot compare country"):
        RuleSegmenter(Scheme("t", [SegmentRule("x", "country > 5")])).fit(saas_frame())


# -- templates -------------------------------------------------------------------------------
LIFECYCLE_FRAME = pd.DataFrame(
    {
        "customer_id": ["churn", "fresh", "dorm", "risk", "onb", "est", "act", "never"],
        "churned": [True, False, False, False, False, False, False, None],
        "tenure_days": [400, 5, 300, 300, 40, 400, 90, 200],
        "days_since_last_activity": pd.array([200, 1, 75, 25, 2, 3, 4, None], dtype="Int64"),
        "features_adopted": [5, 0, 5, 5, 1, 4, 3, 0],
        "active_days_30d": [0, 3, 0, 5, 2, 20, 0, 0],
    }
)


def test_lifecycle_template_assigns_every_stage() -> None:
    scheme = expand_template("lifecycle", name="lifecycle")
    out = RuleSegmenter(scheme).fit(LIFECYCLE_FRAME).transform(LIFECYCLE_FRAME)
    assert dict(zip(out.customer_id, out.segment, strict=True)) == {
        "churn": "churned",
        "fresh": "new",
        "dorm": "dormant",
        "risk": "at risk",
        "onb": "onboarding",
        "est": "established",
        "act": "activated",
        "never": "dormant",  # never active: tenure counts as inactivity
    }
    assert set(out.segment) <= set(scheme.segments)


def test_template_params_override_defaults_and_are_checked() -> None:
    scheme = expand_template("lifecycle", params={"new_days": 60, "churned_when": "churned = true"})
    out = RuleSegmenter(scheme).fit(LIFECYCLE_FRAME).predict(LIFECYCLE_FRAME)
    assert out.tolist()[4] == "new"  # onb has 40 days of tenure
    with pytest.raises(
        ConfigError, match="unknown params 'new_dayz'; allowed: churned_when, new_days"
    ):
        expand_template("lifecycle", params={"new_dayz": 3})
    with pytest.raises(ConfigError, match="params.new_days must be a number"):
        expand_template("lifecycle", params={"new_days": "14"})
    with pytest.raises(
        ConfigError,
        match="unknown template 'lifecycl' \\(did you mean 'lifecycle'\\?\\); allowed: lifecycle, value_tier",
    ):
        expand_template("lifecycl")


@pytest.mark.parametrize(
    ("template", "column", "values", "expected"),
    [
        (
            "health_band",
            "health_score",
            [20.0, 50.0, 74.9, 75.0, np.nan],
            ["red", "yellow", "yellow", "green", "unscored"],
        ),
        (
            "churn_risk",
            "churn_probability",
            [0.7, 0.5, 0.3, 0.1, np.nan],
            ["high", "high", "medium", "low", "unscored"],
        ),
        (
            "value_tier",
            "revenue_365d",
            [20000.0, 10000.0, 999.0, 0.0, np.nan],
            ["high", "high", "low", "no revenue", "no revenue"],
        ),
    ],
)
def test_band_templates(
    template: str, column: str, values: list[float], expected: list[str]
) -> None:
    frame = pd.DataFrame({"customer_id": list("abcde"), column: values})
    assert RuleSegmenter(expand_template(template)).fit(frame).predict(frame).tolist() == expected


def test_rfm_segment_template_maps_names_including_quotes() -> None:
    frame = pd.DataFrame(
        {"customer_id": list("abcd"), "rfm_segment": ["Champions", "Can't Lose Them", "Lost", None]}
    )
    out = RuleSegmenter(expand_template("rfm_segment")).fit(frame).predict(frame)
    assert out.tolist() == ["Champions", "Can't Lose Them", "Lost", "unscored"]
    custom = expand_template("rfm_segment", params={"segments": ["Lost"]}, default="rest")
    assert RuleSegmenter(custom).fit(frame).predict(frame).tolist() == [
        "rest",
        "rest",
        "Lost",
        "rest",
    ]


def test_price_sensitivity_template() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "price_orders_365d": [10, 10, 10, 2, None],
            "discounted_order_share": [0.6, 0.2, 0.05, 0.9, None],
        }
    )
    out = RuleSegmenter(expand_template("price_sensitivity")).fit(frame).predict(frame)
    assert out.tolist() == [
        "deal seeker",
        "occasional",
        "full price",
        "insufficient",
        "insufficient",
    ]


def test_every_template_is_described_and_expands() -> None:
    described = {d["name"] for d in describe_templates()}
    assert described == set(TEMPLATES)
    for name in TEMPLATES:
        scheme = expand_template(name)
        assert scheme.rules and scheme.default and scheme.description


# -- config --------------------------------------------------------------------------------------
def test_scheme_config_from_rules_and_from_template() -> None:
    cfg = SchemeConfig.model_validate(
        {"name": "value", "rules": [{"segment": "big", "when": "mrr > 1"}], "default": "rest"}
    )
    scheme = scheme_from_config(cfg)
    assert scheme == Scheme("value", [SegmentRule("big", "mrr > 1")], default="rest")
    health = scheme_from_config(
        {"name": "health", "template": "health_band", "params": {"green_from": 80}}
    )
    assert health.name == "health"
    assert [r.when for r in health.rules][-1] == "health_score >= 80"
    assert (
        scheme_from_config({"name": "x", "rules": [{"segment": "a", "when": "b"}]}).default
        == "other"
    )
    assert tag_from_config(TagConfig(name="t", when="mrr > 0")) == Tag("t", "mrr > 0")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (
            {"name": "x", "template": "lifecylce"},
            "schemes[0].template: unknown template 'lifecylce' (did you mean 'lifecycle'?); allowed: lifecycle",
        ),
        ({"name": "x"}, "needs either 'template'"),
        (
            {"name": "x", "template": "lifecycle", "rules": [{"segment": "a", "when": "b"}]},
            "not both",
        ),
        (
            {"name": "x", "rules": [{"segment": "a", "when": "b", "then": 1}]},
            "schemes[0].rules.0.then: unknown key",
        ),
        ({"name": "x", "rule": []}, "schemes[0].rule: unknown key"),
        (
            {"name": "x", "rules": [{"segment": "a", "when": "b"}], "params": {"a": 1}},
            "'params' only applies",
        ),
    ],
)
def test_config_errors_name_the_key(raw: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        scheme_from_config(raw)
    assert fragment in str(caught.value)


def test_validate_rules_collects_every_problem() -> None:
    features = ["customer_id", "mrr", "seats", "tenure_days", "days_since_last_activity", "country"]
    schemes = [
        {
            "name": "value",
            "rules": [{"segment": "a", "when": "mrrr > 1"}, {"segment": "b", "when": "seats >"}],
        },
        {"name": "value", "template": "health_band"},
        {"name": "bad", "template": "nope"},
        SchemeConfig(name="ok", rules=[{"segment": "a", "when": "mrr > 1"}]),  # type: ignore[list-item]
    ]
    tags = [{"name": "kr", "when": "contry = 'KR'"}, {"name": "kr", "when": "1 = 1"}, {"name": "x"}]
    problems = validate_rules(schemes, features, tag_configs=tags)
    assert problems == [
        "scheme 'value', segment 'a' (rule 1): unknown feature 'mrrr' at column 1 — did you mean 'mrr'? in \"mrrr > 1\"",
        "scheme 'value', segment 'b' (rule 2): expected a value, found end of rule at column 8 in \"seats >\"",
        "schemes[1]: duplicate scheme name 'value'",
        "scheme 'value', segment 'red' (rule 1): unknown feature 'health_score' at column 1 in \"health_score < 50\"",
        "scheme 'value', segment 'yellow' (rule 2): unknown feature 'health_score' at column 1 in \"health_score < 75\"",
        "scheme 'value', segment 'green' (rule 3): unknown feature 'health_score' at column 1 in \"health_score >= 75\"",
        "schemes[2].template: unknown template 'nope'; allowed: lifecycle, value_tier, health_band, rfm_segment, churn_risk, price_sensitivity",
        "tag 'kr': unknown feature 'contry' at column 1 — did you mean 'country'? in \"contry = 'KR'\"",
        "tags[1]: duplicate tag name 'kr'",
        "tags[2].when: Field required",
    ]
    assert validate_rules(schemes[3:], features) == []


def test_validate_rules_type_checks_with_a_schema() -> None:
    schema = {
        "customer_id": "string",
        "mrr": "float64",
        "country": "string",
        "created_at": "timestamp",
    }
    problems = validate_rules(
        [
            {
                "name": "v",
                "rules": [
                    {"segment": "a", "when": "country > 5"},
                    {"segment": "b", "when": "days_since(created_at) < 3"},
                ],
            }
        ],
        schema,
    )
    assert problems == [
        "scheme 'v', segment 'a' (rule 1): cannot compare country (text) with 5 (number) at column 9 in \"country > 5\""
    ]


# -- properties ----------------------------------------------------------------------------------
NUMERIC = ("x", "y")


def _value(data: pd.Series, node: tuple) -> Any:
    """Evaluate a generated expression on one row with SQL three-valued logic (None = unknown)."""
    kind = node[0]
    if kind == "col":
        value = data[node[1]]
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
    if kind == "num":
        return node[1]
    if kind in ("cmp", "arith"):
        left, right = _value(data, node[2]), _value(data, node[3])
        if left is None or right is None:
            return None
        op = node[1]
        if op == "/":
            return None if right == 0 else left / right
        return {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
            "=": left == right,
            "!=": left != right,
            "+": left + right,
            "-": left - right,
            "*": left * right,
        }[op]
    if kind == "isnull":
        return _value(data, node[1]) is None
    if kind == "not":
        inner = _value(data, node[1])
        return None if inner is None else not inner
    left, right = _value(data, node[1]), _value(data, node[2])
    if kind == "and":
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if left is True or right is True:  # or
        return True
    return None if left is None or right is None else False


def _text(node: tuple) -> str:
    kind = node[0]
    if kind in ("col", "num"):
        return str(node[1])
    if kind in ("cmp", "arith"):
        return f"({_text(node[2])} {node[1]} {_text(node[3])})"
    if kind == "isnull":
        return f"({_text(node[1])} is null)"
    if kind == "not":
        return f"(not {_text(node[1])})"
    return f"({_text(node[1])} {kind} {_text(node[2])})"


numbers = st.one_of(
    st.tuples(st.just("col"), st.sampled_from(NUMERIC)),
    st.tuples(st.just("num"), st.integers(-3, 3)),
)
terms = st.one_of(numbers, st.tuples(st.just("arith"), st.sampled_from("+-*/"), numbers, numbers))
atoms = st.one_of(
    st.tuples(st.just("cmp"), st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), terms, terms),
    st.tuples(st.just("isnull"), numbers),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), inner, inner),
    ),
    max_leaves=6,
)
cells = st.one_of(st.none(), st.integers(-3, 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(conditions, min_size=0, max_size=4),
    rows=st.lists(st.tuples(cells, cells), min_size=1, max_size=25),
)
def test_every_customer_gets_exactly_the_first_true_rule(rules: list[tuple], rows: list) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(rows))],
            "x": pd.array([r[0] for r in rows], dtype="Int64"),
            "y": pd.array([r[1] for r in rows], dtype="Int64"),
        }
    )
    scheme = Scheme(
        "prop", [SegmentRule(f"s{i}", _text(rule)) for i, rule in enumerate(rules)], default="rest"
    )
    out = run(assign_scheme(ibis.memtable(frame), scheme)).sort_values("customer_id")
    assert sorted(out.customer_id) == sorted(frame.customer_id)  # exactly one row each
    assert out.segment.value_counts().sum() == len(frame)
    for _, row in frame.astype(object).where(frame.notna(), None).iterrows():
        expected = next(
            (f"s{i}" for i, rule in enumerate(rules) if _value(row, rule) is True), "rest"
        )
        assert out.set_index("customer_id").loc[row.customer_id, "segment"] == expected, (
            row.to_dict(),
            [_text(r) for r in rules],
        )


def test_errors_are_segmint_errors() -> None:
    for error in (RuleSyntaxError, RuleTypeError, UnknownFeatureError, ConfigError):
        assert issubclass(error, SegmintError)


def test_an_all_missing_column_matches_nothing_instead_of_failing() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "plan": [None, None], "mrr": [1.0, 2.0]})
    scheme = Scheme(
        "p",
        [SegmentRule("pro", "plan = 'pro'"), SegmentRule("unknown plan", "plan is null")],
    )
    assert RuleSegmenter(scheme).fit(frame).predict(frame).tolist() == ["unknown plan"] * 2
