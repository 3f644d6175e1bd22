"""What the run report leads with: at-risk accounts, accounts due an action, movements, health changes."""

from __future__ import annotations

import pandas as pd
import pytest

from segmint.config import parse_config
from segmint.report.rfm_playbooks import rfm_playbooks
from segmint.workspace.run_attention import (
    accounts_due,
    actions_by_segment,
    at_risk_mask,
    health_changes,
    segment_movements,
)


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
            "mrr": [100.0, 900.0, 50.0, 3000.0, 0.0],
            "health_score": [30.0, 80.0, 45.0, 90.0, None],
            "health_band": ["red", "green", "red", "green", None],
            "churn_risk": ["low", "high", "low", "low", None],
        }
    )


@pytest.fixture
def segments() -> pd.DataFrame:
    rows = [
        ("a", "health", "red"), ("b", "health", "green"), ("c", "health", "red"),
        ("d", "health", "green"), ("e", "health", "unscored"),
        ("a", "lifecycle", "at risk"), ("b", "lifecycle", "established"),
        ("c", "lifecycle", "onboarding"), ("d", "lifecycle", "established"),
        ("e", "lifecycle", "at risk"),
        ("d", "value", "strategic"), ("b", "value", "core"), ("a", "value", "small"),
        ("c", "value", "small"), ("e", "value", "no revenue"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["customer_id", "scheme", "segment"])


PLAYBOOKS = {
    "at risk": {"action": "CSM call", "channel": "phone", "owner": "CSM"},
    "red": {"action": "Recovery plan", "channel": "meeting", "owner": "CS lead"},
    "strategic": {"action": "QBR", "channel": "meeting", "owner": "AM"},
}


def test_at_risk_means_lowest_band_churn_risk_or_an_at_risk_segment(customers, segments) -> None:
    mask = at_risk_mask(customers, segments, lowest_health_band="red")
    # a: red + at risk; b: high churn risk; c: red; d: healthy; e: lifecycle "at risk"
    assert list(mask) == [True, True, True, False, True]
    without_health = at_risk_mask(
        customers.drop(columns=["health_band"]), segments, lowest_health_band="red"
    )
    assert list(without_health) == [True, True, False, False, True]


def test_accounts_due_take_the_first_playbook_and_put_at_risk_first(customers, segments) -> None:
    mask = at_risk_mask(customers, segments, lowest_health_band="red")
    due = accounts_due(customers, segments, PLAYBOOKS, at_risk=mask, value_col="mrr")
    # b (core, green, established) has no playbook; d is only "strategic"
    assert list(due["customer_id"]) == ["a", "c", "e", "d"]
    first = due.set_index("customer_id")
    assert first.loc["a", "segment"] == "at risk"  # "at risk" comes before "red" in the config
    assert first.loc["c", "action"] == "Recovery plan"
    assert first.loc["d", "at_risk"] == False  # noqa: E712 (numpy bool)
    assert due["customer_id"].is_unique


def test_actions_by_segment_count_every_member(customers, segments) -> None:
    table = actions_by_segment(customers, segments, PLAYBOOKS, value_col="mrr")
    rows = {(r.scheme, r.segment): (r.accounts, r.mrr) for r in table.itertuples()}
    assert rows == {
        ("lifecycle", "at risk"): (2, 100.0),
        ("health", "red"): (2, 150.0),
        ("value", "strategic"): (1, 3000.0),
    }
    assert list(table["segment"]) == ["at risk", "red", "strategic"]  # config order


def test_movements_count_changes_per_scheme_and_the_flows(segments) -> None:
    before = segments.copy()
    before.loc[(before.customer_id == "a") & (before.scheme == "health"), "segment"] = "green"
    before.loc[(before.customer_id == "c") & (before.scheme == "health"), "segment"] = "green"
    before.loc[(before.customer_id == "b") & (before.scheme == "value"), "segment"] = "small"
    before = before[before.customer_id != "e"]  # e is new in this run
    tags = pd.DataFrame([("a", "tag:x", "x")], columns=["customer_id", "scheme", "segment"])
    moves = segment_movements(pd.concat([segments, tags]), before)
    by_scheme = moves.by_scheme.set_index("scheme")
    assert by_scheme.loc["health", "moved"] == 2 and by_scheme.loc["health", "compared"] == 4
    assert by_scheme.loc["value", "moved"] == 1 and by_scheme.loc["lifecycle", "moved"] == 0
    assert "tag:x" not in by_scheme.index
    assert moves.flows.iloc[0].to_dict() == {
        "scheme": "health",
        "from_segment": "green",
        "to_segment": "red",
        "customers": 2,
    }
    assert moves.moved_customers == 3 and moves.new_customers == 1


def test_health_changes_list_drops_and_rises(customers) -> None:
    frame = customers.assign(health_change=[-20.0, 5.0, -3.0, 12.0, None])
    drops, rises = health_changes(frame, top=5)
    assert list(drops["customer_id"]) == ["a", "c"]
    assert drops.loc[0, "health_before"] == 50.0
    assert list(rises["customer_id"]) == ["d", "b"]


def test_rfm_playbooks_default_per_segment_and_config_overrides() -> None:
    defaults = rfm_playbooks("en")
    assert len(defaults) == 11 and all(defaults.values())
    assert rfm_playbooks("ko")["Champions"] != defaults["Champions"]
    config = parse_config({"rfm": {"playbooks": {"Champions": "VIP dinner"}}})
    merged = rfm_playbooks("en", config.rfm.playbooks)
    assert merged["Champions"] == "VIP dinner" and merged["Lost"] == defaults["Lost"]


def test_rfm_playbooks_key_is_strict() -> None:
    from segmint.errors import ConfigError

    with pytest.raises(ConfigError, match="rfm.playbooks"):
        parse_config({"rfm": {"playbooks": ["not", "a", "mapping"]}})
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config({"rfm": {"playbook": {"Champions": "x"}}})
