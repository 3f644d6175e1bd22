"""Segment validation: distinct, measurable, accessible, substantial, actionable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.segments.validation import (
    CRITERIA,
    summary_table,
    validate_segments,
    validation_to_json,
)


@pytest.fixture
def customers() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = {"power": 300, "casual": 300, "tiny": 5}
    segment = np.repeat(list(n), list(n.values()))
    usage = np.r_[rng.normal(50, 10, 300), rng.normal(50, 10, 300), rng.normal(50, 10, 5)]
    usage[:300] += 20  # only "power" differs
    email = np.array([f"u{i}@x.com" for i in range(len(segment))], dtype=object)
    email[300:500] = None  # most of "casual" has no email
    usage_missing = usage.copy()
    usage_missing[300:360] = np.nan  # "casual" usage 80% complete
    return pd.DataFrame(
        {
            "segment": segment,
            "usage": usage_missing,
            "plan": rng.choice(["a", "b"], len(segment)),
            "email": email,
            "email_consent": True,
            "revenue": np.r_[np.full(300, 100.0), np.full(300, 10.0), np.full(5, 1.0)],
        }
    )


def _status(table: pd.DataFrame, segment: str, criterion: str) -> tuple[str, float | None]:
    row = table[(table["segment"] == segment) & (table["criterion"] == criterion)].iloc[0]
    return row["status"], row["value"]


def test_one_row_per_segment_and_criterion(customers: pd.DataFrame) -> None:
    table = validate_segments(customers, segment_col="segment", features=["usage", "plan"])
    assert len(table) == 3 * len(CRITERIA)
    assert set(table["status"]) <= {"pass", "warn", "fail"}


def test_distinct_uses_effect_size_and_test(customers: pd.DataFrame) -> None:
    table = validate_segments(customers, segment_col="segment", features=["usage", "plan"])
    status, value = _status(table, "power", "distinct")
    assert status == "pass" and value > 1.5
    assert (
        "usage: d=+"
        in table.set_index(["segment", "criterion"]).loc[("power", "distinct"), "detail"]
    )
    # "tiny" is not different from the rest beyond chance.
    assert _status(table, "tiny", "distinct")[0] == "fail"


def test_measurable_accessible_substantial_actionable(customers: pd.DataFrame) -> None:
    table = validate_segments(
        customers,
        segment_col="segment",
        features=["usage"],
        value_col="revenue",
        playbooks={"power": {"action": "upsell"}},
        min_size_share=0.02,
        min_revenue_share=0.05,
    )
    assert _status(table, "power", "measurable") == ("pass", 1.0)
    status, value = _status(table, "casual", "measurable")
    assert status == "warn" and value == pytest.approx(0.8)
    status, value = _status(table, "casual", "accessible")
    assert status == "warn" and value == pytest.approx(100 / 300)  # 0.2 ≤ 33% < 0.5
    assert _status(table, "power", "accessible") == ("pass", 1.0)
    assert _status(table, "tiny", "substantial")[0] == "fail"
    assert _status(table, "casual", "substantial")[0] == "pass"  # 49.6% of customers, 9.0% revenue
    assert _status(table, "power", "actionable")[0] == "pass"
    assert _status(table, "casual", "actionable")[0] == "fail"


def test_no_contacts_or_playbooks_warn(customers: pd.DataFrame) -> None:
    frame = customers.drop(columns=["email", "email_consent"])
    table = validate_segments(frame, segment_col="segment", features=["usage"])
    assert _status(table, "power", "accessible")[0] == "warn"
    assert _status(table, "power", "actionable")[0] == "warn"


def test_consent_is_required_when_present(customers: pd.DataFrame) -> None:
    frame = customers.assign(email_consent=False)
    table = validate_segments(frame, segment_col="segment", features=["usage"])
    assert _status(table, "power", "accessible") == ("fail", 0.0)


def test_summary_and_json(customers: pd.DataFrame) -> None:
    table = validate_segments(customers, segment_col="segment", features=["usage"])
    summary = summary_table(table)
    assert list(summary.columns) == ["size", *CRITERIA]
    assert summary.loc["power", "distinct"].startswith("pass (")
    payload = validation_to_json(table, scheme="lifecycle")
    assert payload["scheme"] == "lifecycle"
    assert [s["segment"] for s in payload["segments"]] == ["casual", "power", "tiny"]
    first = payload["segments"][1]
    assert first["segment"] == "power" and first["size"] == 300
    assert set(first["criteria"]) == set(CRITERIA)
    assert set(first["criteria"]["distinct"]) == {"status", "value", "detail"}
