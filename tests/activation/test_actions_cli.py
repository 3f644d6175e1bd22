"""`segmint actions` on a workspace with stored snapshots: list, filters, set, history, errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result
from typer.testing import CliRunner

from segmint.activation.action_store import load_actions, load_history
from segmint.activation.actions import (
    QueueSummary,
    action_history,
    compute_action_queue,
    set_action_status,
)
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.store import open_store

_register_commands()

CONFIG = """
name: actions test
sources:
  - {name: crm, table: customers, path: customers.csv}
schemes:
  - name: tier
    rules:
      - {segment: A, when: "employees >= 100"}
    default: B
playbooks:
  a_qbr:
    trigger: {segment: A, scheme: tier}
    action: Quarterly business review
    channel: csm_task
    owner_column: owner
    owner: CSM team
    cadence: quarterly
    priority: 2
    hours: 3
    message: "QBR with {{ name }}"
  b_checkin:
    trigger: {segment: B, scheme: tier}
    action: Monthly check-in
    channel: call
    owner: CSM team
    cadence: monthly
    priority: 3
    hours: 1
owners:
  CSM team: {hours_per_week: 4}
"""


def invoke(*args: object) -> Result:
    """Run the CLI in-process; stdout and stderr apart."""
    return CliRunner().invoke(app, [str(a) for a in args])


def _snapshot_and_queue(root: Path, as_of: datetime, tiers: dict[str, str]) -> QueueSummary | None:
    config = load_config(root)
    customers = pd.DataFrame(
        {
            "customer_id": list(tiers),
            "name": [f"Company {c}" for c in tiers],
            "owner": ["Sarah Chen" if c == "c1" else None for c in tiers],
        }
    )
    segments = pd.DataFrame(
        {
            "customer_id": list(tiers),
            "scheme": "tier",
            "segment": list(tiers.values()),
            "rule": "",
            "reason": "",
        }
    )
    with open_store(root / config.database) as store:
        run_id = store.start_run("run", as_of=as_of, config_hash="x", version="test")
        store.save_snapshot(run_id, segments=segments, values=customers)
        summary = compute_action_queue(
            store, config, run_id=run_id, as_of=as_of, customers=customers, segments=segments
        )
        store.finish_run(run_id, counts={})
    return summary


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "segmint.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "customers.csv").write_text("customer_id,employees\nc1,500\n", encoding="utf-8")
    _snapshot_and_queue(
        tmp_path, datetime(2025, 6, 1), {"c1": "A", "c2": "A", "c3": "B", "c4": "B"}
    )
    return tmp_path


def _listed(root: Path, *options: object) -> list[dict[str, object]]:
    result = invoke("actions", "-w", root, "--json", *options)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["count"] == len(payload["data"])
    return list(payload["data"])


def test_list_shows_every_action_with_its_fields(workspace: Path) -> None:
    rows = _listed(workspace)
    assert {(r["playbook"], r["customer_id"], r["status"]) for r in rows} == {
        ("a_qbr", "c1", "due"),  # Sarah Chen has no capacity limit
        ("a_qbr", "c2", "due"),  # CSM team, 4 h: the QBR (priority 2, 3 h) first,
        ("b_checkin", "c3", "due"),  # then one check-in (priority 3, 1 h),
        ("b_checkin", "c4", "dropped"),  # and the second no longer fits
    }
    first = rows[0]
    assert list(first)[:10] == [
        "action_id", "customer_id", "playbook", "action", "channel", "owner", "priority",
        "due_at", "status", "reason",
    ]  # fmt: skip
    assert first["message"] == "QBR with Company c1" and first["owner"] == "Sarah Chen"
    dropped = next(r for r in rows if r["status"] == "dropped")
    assert dropped["reason"] == "over capacity: CSM team has 4 h/week, 5 h wanted"


def test_filters(workspace: Path) -> None:
    assert {r["customer_id"] for r in _listed(workspace, "--status", "due")} == {"c1", "c2", "c3"}
    assert {r["customer_id"] for r in _listed(workspace, "--owner", "Sarah Chen")} == {"c1"}
    assert [
        r["status"] for r in _listed(workspace, "--playbook", "b_checkin", "--status", "open")
    ] == [
        "due",
        "dropped",
    ]
    assert len(_listed(workspace, "--limit", "2")) == 2


def test_text_output_names_who_is_over_capacity(workspace: Path) -> None:
    result = invoke("actions", "-w", workspace)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())  # Rich wraps long lines at the terminal width
    assert "Action queue as of 2025-06-01: 3 due, 1 dropped, 0 cancelled, 0 handled" in text
    assert (
        "CSM team is over capacity: 5 h wanted, 4 h/week; dropped (lowest priority first): 1"
        in text
    )
    korean = invoke("actions", "-w", workspace, "--lang", "ko")
    assert "조치 대기열(2025-06-01 기준): 예정 3, 보류 1, 취소 0, 처리 0" in korean.stdout
    assert "처리 용량 초과" in korean.stdout


def test_set_records_the_change_with_a_note_and_keeps_the_history(workspace: Path) -> None:
    action = next(r for r in _listed(workspace) if r["customer_id"] == "c1")
    result = invoke(
        "actions", "set", action["action_id"], "done", "-w", workspace, "--note", "QBR held"
    )
    assert result.exit_code == 0, result.output
    assert f"{action['action_id']}: due → done" in result.stdout
    again = next(r for r in _listed(workspace) if r["customer_id"] == "c1")
    assert again["status"] == "done" and again["note"] == "QBR held"
    history = json.loads(
        invoke("actions", "history", action["action_id"], "-w", workspace, "--json").stdout
    )
    assert [(h["by"], h["previous_status"], h["status"], h["note"]) for h in history["data"]] == [
        ("run 1", None, "due", None),
        ("user", "due", "done", "QBR held"),
    ]
    # Done inside the quarter: a run a month later does not make it due again.
    _snapshot_and_queue(
        workspace, datetime(2025, 7, 1), {"c1": "A", "c2": "A", "c3": "B", "c4": "B"}
    )
    c1 = [r for r in _listed(workspace) if r["customer_id"] == "c1"]
    assert [r["status"] for r in c1] == ["done"]


def test_a_change_stamped_before_the_runs_entry_still_comes_last(workspace: Path) -> None:
    config = load_config(workspace)
    with open_store(workspace / config.database) as store:
        action_id = str(load_actions(store)["action_id"].iloc[0])
        # A clock truncated to whole seconds (or set back) must not reorder the history.
        set_action_status(store, action_id, "skipped", at=datetime(2000, 1, 1))
        history = action_history(store, action_id)
    assert [(h["previous_status"], h["status"]) for h in history] == [
        (None, "due"),
        ("due", "skipped"),
    ]


def test_a_run_cancels_actions_of_customers_who_left_and_set_refuses_them(workspace: Path) -> None:
    _snapshot_and_queue(
        workspace, datetime(2025, 7, 1), {"c1": "A", "c2": "B", "c3": "B", "c4": "B"}
    )
    rows = {(r["playbook"], r["customer_id"]): r for r in _listed(workspace)}
    cancelled = rows[("a_qbr", "c2")]
    assert cancelled["status"] == "cancelled" and cancelled["reason"] == "left segment A"
    assert rows[("b_checkin", "c2")]["status"] in ("due", "dropped")
    result = invoke("actions", "set", cancelled["action_id"], "done", "-w", workspace)
    assert result.exit_code == 2
    assert (
        result.stderr.count("\n") == 1
        and "was cancelled by a run (left segment A)" in result.stderr
    )


def test_the_same_as_of_twice_creates_no_duplicates_and_a_backfill_leaves_the_queue(
    workspace: Path,
) -> None:
    config = load_config(workspace)
    with open_store(workspace / config.database, read_only=True) as store:
        before, history = load_actions(store), load_history(store)
    _snapshot_and_queue(
        workspace, datetime(2025, 6, 1), {"c1": "A", "c2": "A", "c3": "B", "c4": "B"}
    )
    backfill = _snapshot_and_queue(
        workspace, datetime(2025, 5, 1), {"c1": "B", "c2": "B", "c3": "A", "c4": "A"}
    )
    assert backfill is not None and backfill.skipped_reason == "2025-06-01"
    assert backfill.as_of == "2025-06-01"
    with open_store(workspace / config.database, read_only=True) as store:
        after, history_after = load_actions(store), load_history(store)
    pd.testing.assert_frame_equal(
        before.drop(columns="updated_run"), after.drop(columns="updated_run")
    )
    assert len(history_after) == len(history)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "A000", "done"), "no action 'A000' in this workspace"),
        (("set", "A000", "finished"), "unknown status 'finished'; allowed: sent, done, skipped"),
        (("history", "A000"), "no action 'A000' in this workspace"),
        (("--status", "open-ish"), "--status: unknown status 'open-ish'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    workspace: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke("actions", *args, "-w", workspace)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_workspace_without_a_queue_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "segmint.yaml").write_text("name: empty\n", encoding="utf-8")
    with open_store(tmp_path / "segmint.duckdb"):
        pass
    result = invoke("actions", "-w", tmp_path)
    assert result.exit_code == 0
    assert "No action queue yet" in result.stdout
    assert json.loads(invoke("actions", "-w", tmp_path, "--json").stdout)["count"] == 0
