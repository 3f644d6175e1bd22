"""The action queue planner: idempotent per as_of, cadence, cancellation, triggers, capacity."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
import pytest

from segmint.activation.changes import membership_changes
from segmint.activation.playbook_config import OwnerConfig, PlaybookConfig, TriggerConfig
from segmint.activation.queue import QueuePlan, empty_actions, plan_queue
from segmint.activation.triggers import RunState

AS_OF = datetime(2025, 7, 1)
NOW = datetime(2026, 1, 1, 12)


def _state(
    tiers: dict[str, str],
    *,
    health: dict[str, float] | None = None,
    owner: dict[str, str | None] | None = None,
    previous: RunState | None = None,
) -> RunState:
    customers = pd.DataFrame({"customer_id": list(tiers)})
    customers["name"] = [f"Company {c}" for c in tiers]
    customers["health_score"] = [float((health or {}).get(c, 50.0)) for c in tiers]
    customers["owner"] = [(owner or {}).get(c) for c in tiers]
    segments = pd.DataFrame(
        {"customer_id": list(tiers), "scheme": "tier", "segment": list(tiers.values())}
    )
    return RunState(
        customers=customers,
        segments=segments,
        changes=membership_changes(segments, previous.segments) if previous else None,
        previous_values=previous.customers if previous else None,
    )


def _plan(
    existing: pd.DataFrame,
    playbooks: dict[str, PlaybookConfig],
    state: RunState,
    *,
    as_of: datetime = AS_OF,
    owners: dict[str, OwnerConfig] | None = None,
    run_id: int = 1,
) -> QueuePlan:
    return plan_queue(
        existing, playbooks, state, run_id=run_id, as_of=as_of, owners=owners or {}, now=NOW
    )


QBR = PlaybookConfig(
    action="QBR",
    trigger=TriggerConfig(segment="A", scheme="tier"),
    channel="csm_task",
    owner="CSM team",
    cadence="every 90 days",
    priority=2,
    hours=3,
    message="QBR with {{ name }} (health {{ health_score | round | int }})",
)


def _status(plan: QueuePlan) -> dict[tuple[str, str], str]:
    return {
        (p, c): s
        for p, c, s in zip(
            plan.actions["playbook"],
            plan.actions["customer_id"],
            plan.actions["status"],
            strict=True,
        )
    }


def test_members_get_one_due_action_with_message_and_history() -> None:
    plan = _plan(empty_actions(), {"qbr": QBR}, _state({"c1": "A", "c2": "B", "c3": "A"}))
    assert _status(plan) == {("qbr", "c1"): "due", ("qbr", "c3"): "due"}
    first = plan.actions.set_index("customer_id").loc["c1"]
    assert first["message"] == "QBR with Company c1 (health 50)"
    assert first["owner"] == "CSM team" and first["channel"] == "csm_task"
    assert pd.Timestamp(first["due_at"]) == pd.Timestamp(AS_OF)
    assert list(plan.history["status"]) == ["due", "due"]
    assert plan.history["previous_status"].isna().all()


def test_a_second_plan_for_the_same_as_of_changes_nothing() -> None:
    state = _state({"c1": "A", "c2": "A"})
    first = _plan(empty_actions(), {"qbr": QBR}, state)
    second = _plan(first.actions, {"qbr": QBR}, state, run_id=2)
    assert second.history.empty
    pd.testing.assert_frame_equal(
        second.actions.drop(columns=["updated_run"]), first.actions.drop(columns=["updated_run"])
    )


def test_done_inside_the_cadence_is_not_due_again_but_is_after_it() -> None:
    state = _state({"c1": "A"})
    first = _plan(empty_actions(), {"qbr": QBR}, state)
    done = first.actions.assign(status="done")
    for days, expected in ((0, 1), (89, 1), (90, 2)):
        plan = _plan(done, {"qbr": QBR}, state, as_of=AS_OF + timedelta(days=days))
        assert len(plan.actions) == expected, days
    later = _plan(done, {"qbr": QBR}, state, as_of=AS_OF + timedelta(days=90))
    new = later.actions[later.actions["status"] == "due"].iloc[0]
    assert new["action_id"] != first.actions["action_id"].iloc[0]


def test_once_means_once_per_customer_even_when_skipped() -> None:
    once = QBR.model_copy(update={"cadence": "once"})
    state = _state({"c1": "A"})
    skipped = _plan(empty_actions(), {"qbr": once}, state).actions.assign(status="skipped")
    plan = _plan(skipped, {"qbr": once}, state, as_of=AS_OF + timedelta(days=3650))
    assert list(plan.actions["status"]) == ["skipped"]


def test_a_customer_who_left_the_segment_has_open_actions_cancelled_with_the_reason() -> None:
    first = _plan(empty_actions(), {"qbr": QBR}, _state({"c1": "A", "c2": "A"}))
    sent = first.actions.assign(
        status=["sent" if c == "c2" else "due" for c in first.actions["customer_id"]]
    )
    later = _plan(sent, {"qbr": QBR}, _state({"c1": "B", "c2": "B"}), as_of=AS_OF + timedelta(7))
    rows = later.actions.set_index("customer_id")
    assert rows.loc["c1", "status"] == "cancelled"
    assert rows.loc["c1", "reason_code"] == "left_segment"
    assert json.loads(rows.loc["c1", "reason_args"]) == {"segment": "A"}
    assert rows.loc["c2", "status"] == "sent"  # handled actions stay as they are
    assert list(later.history["previous_status"]) == ["due"]


def test_a_removed_playbook_and_a_vanished_customer_cancel_their_actions() -> None:
    other = QBR.model_copy(update={"trigger": TriggerConfig(segment="B", scheme="tier")})
    first = _plan(empty_actions(), {"qbr": QBR, "check": other}, _state({"c1": "A", "c2": "B"}))
    later = _plan(first.actions, {"check": other}, _state({"c1": "A"}))
    reasons = dict(zip(later.actions["customer_id"], later.actions["reason_code"], strict=True))
    assert reasons == {"c1": "playbook_removed", "c2": "customer_gone"}


def test_entered_fires_for_newcomers_only_and_holds_while_they_stay() -> None:
    book = QBR.model_copy(update={"trigger": TriggerConfig(entered="A", scheme="tier")})
    first_run = _state({"c1": "A", "c2": "B"})
    assert _plan(empty_actions(), {"up": book}, first_run).actions.empty  # nothing to compare
    second_run = _state({"c1": "A", "c2": "A", "c3": "A"}, previous=first_run)
    plan = _plan(empty_actions(), {"up": book}, second_run)
    assert set(plan.actions["customer_id"]) == {"c2", "c3"}  # c3 is new: it entered A
    third_run = _state({"c1": "A", "c2": "A", "c3": "B"}, previous=second_run)
    after = _plan(plan.actions, {"up": book}, third_run)
    assert _status(after) == {("up", "c2"): "due", ("up", "c3"): "cancelled"}


def test_left_fires_for_customers_who_left() -> None:
    book = QBR.model_copy(update={"trigger": TriggerConfig(left="A", scheme="tier")})
    before = _state({"c1": "A", "c2": "A"})
    plan = _plan(empty_actions(), {"gone": book}, _state({"c1": "B", "c2": "A"}, previous=before))
    assert list(plan.actions["customer_id"]) == ["c1"]


def test_score_crossing_needs_the_previous_value_on_the_other_side() -> None:
    book = QBR.model_copy(
        update={"trigger": TriggerConfig(score="health_score", crosses_below=40), "message": None}
    )
    before = _state({"c1": "A", "c2": "A", "c3": "A"}, health={"c1": 60, "c2": 30, "c3": 60})
    now = _state(
        {"c1": "A", "c2": "A", "c3": "A"}, health={"c1": 35, "c2": 20, "c3": 45}, previous=before
    )
    plan = _plan(empty_actions(), {"drop": book}, now)
    assert list(plan.actions["customer_id"]) == ["c1"]
    recovered = _state({"c1": "A"}, health={"c1": 55}, previous=now)
    after = _plan(plan.actions, {"drop": book}, recovered)
    row = after.actions.iloc[0]
    assert row["status"] == "cancelled" and row["reason_code"] == "score_back"
    assert json.loads(row["reason_args"]) == {
        "score": "health_score",
        "threshold": 40.0,
        "value": 55.0,
    }


def test_owner_comes_from_the_customer_column_else_the_fixed_owner() -> None:
    book = QBR.model_copy(update={"owner_column": "owner"})
    state = _state({"c1": "A", "c2": "A"}, owner={"c1": "Sarah Chen", "c2": None})
    owners = dict(
        zip(
            *[
                _plan(empty_actions(), {"qbr": book}, state).actions[c]
                for c in ("customer_id", "owner")
            ],
            strict=True,
        )
    )
    assert owners == {"c1": "Sarah Chen", "c2": "CSM team"}


def test_capacity_keeps_the_highest_priority_and_drops_the_rest_in_order() -> None:
    urgent = QBR.model_copy(
        update={"trigger": TriggerConfig(segment="B", scheme="tier"), "priority": 1, "hours": 2}
    )
    light = QBR.model_copy(update={"priority": 5, "hours": 0.5, "cadence": "monthly"})
    books = {"qbr": QBR, "urgent": urgent, "light": light}
    state = _state({"c1": "A", "c2": "B", "c3": "B"})
    owners = {"CSM team": OwnerConfig(hours_per_week=5)}
    plan = _plan(empty_actions(), books, state, owners=owners)
    # urgent (priority 1, 2 h each) first: 4 h; the QBR (3 h) no longer fits, and the light
    # action after it waits too although its half hour would fit: priority order is never jumped.
    assert _status(plan) == {
        ("urgent", "c2"): "due",
        ("urgent", "c3"): "due",
        ("qbr", "c1"): "dropped",
        ("light", "c1"): "dropped",
    }
    dropped = plan.actions[plan.actions["status"] == "dropped"].iloc[0]
    assert dropped["reason_code"] == "over_capacity"
    assert json.loads(dropped["reason_args"]) == {
        "owner": "CSM team",
        "capacity": 5.0,
        "hours": 7.5,
    }
    # With more hours, the dropped actions come back as due (recorded in the history).
    roomy = _plan(plan.actions, books, state, owners={})
    assert set(_status(roomy).values()) == {"due"}
    assert list(roomy.history["previous_status"]) == ["dropped", "dropped"]


def test_the_queue_does_not_depend_on_row_order() -> None:
    tiers = {f"c{i:02d}": "AB"[i % 2] for i in range(30)}
    state = _state(tiers, owner={c: f"csm{i % 3}" for i, c in enumerate(tiers)})
    shuffled = RunState(
        customers=state.customers.sample(frac=1, random_state=3),
        segments=state.segments.sample(frac=1, random_state=4),
    )
    book = QBR.model_copy(update={"owner_column": "owner"})
    owners = {"csm0": OwnerConfig(hours_per_week=7)}
    a = _plan(empty_actions(), {"qbr": book}, state, owners=owners).actions
    b = _plan(empty_actions(), {"qbr": book}, shuffled, owners=owners).actions
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("text", "days"),
    [("once", None), ("quarterly", 90), ("every 2 weeks", 14), ("Every 45 days", 45)],
)
def test_cadences(text: str, days: int | None) -> None:
    assert QBR.model_copy(update={"cadence": text}).cadence_days == days


def test_the_run_report_section_shows_the_queue_in_both_languages() -> None:
    from segmint.activation.actions import summarise_queue
    from segmint.report import render_report
    from segmint.report.context import ReportContext
    from segmint.workspace.action_report import action_queue_section

    urgent = QBR.model_copy(update={"priority": 1, "hours": 2, "cadence": "monthly"})
    owners = {"CSM team": OwnerConfig(hours_per_week=4)}
    plan = _plan(
        empty_actions(),
        {"qbr": QBR, "urgent": urgent},
        _state({"c1": "A", "c2": "A"}),
        owners=owners,
    )
    summary = summarise_queue(plan.actions, owners, as_of="2025-07-01").to_dict()
    assert summary["statuses"]["due"] == 2 and summary["statuses"]["dropped"] == 2
    assert summary["owners"] == [
        {"owner": "CSM team", "due": 2, "dropped": 2, "hours_due": 4.0, "hours_wanted": 10.0,
         "hours_per_week": 4.0, "over_capacity": True}
    ]  # fmt: skip
    assert [r["playbook"] for r in summary["top_due"]] == ["urgent", "urgent"]
    for lang, heading, intro in (
        ("en", "Action queue", "2 actions due, 2 dropped for lack of capacity"),
        ("ko", "조치 대기열", "예정 2건, 처리 용량 부족으로 보류 2건"),
    ):
        html = render_report(
            ReportContext(title="t", sections=[action_queue_section(summary, lang)]), lang=lang
        )
        assert heading in html and intro in html
        assert "QBR with Company c1 (health 50)" in html


def test_a_score_this_run_did_not_produce_prints_as_nothing() -> None:
    book = QBR.model_copy(update={"message": "{{ name }}: churn risk {{ churn_risk }}."})
    plan = _plan(empty_actions(), {"qbr": book}, _state({"c1": "A"}))
    assert plan.actions["message"].tolist() == ["Company c1: churn risk ."]
