"""Webhook destinations with `actions: true`, against a real receiver on 127.0.0.1 that fails on
purpose: each action's status arrives once by key, in order, signed; failed batches are resent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner
from webhook_receiver import Receiver

from segmint.activation.actions import compute_action_queue, list_actions, set_action_status
from segmint.activation.checks import destination_problems
from segmint.activation.sync import DestinationSync, sync_destinations, sync_status
from segmint.activation.webhook import verify_signature
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.errors import ConfigError, InputError
from segmint.store import open_store

SECRET = "queue-secret"
_register_commands()

CONFIG = """
name: action hook test
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


def snapshot_and_queue(root: Path, as_of: datetime, tiers: dict[str, str]) -> int:
    """Store a snapshot with these tiers and compute the run's action queue; return the run id."""
    config = load_config(root)
    customers = pd.DataFrame(
        {
            "customer_id": list(tiers),
            "name": [f"Company {c}" for c in tiers],
            "mrr": [100.0 * (i + 1) for i in range(len(tiers))],
        }
    )
    segments = pd.DataFrame(
        {"customer_id": list(tiers), "scheme": "tier", "segment": list(tiers.values())}
    ).assign(rule="", reason="")
    with open_store(root / config.database) as store:
        run_id = store.start_run("run", as_of=as_of, config_hash="x", version="test")
        store.save_snapshot(run_id, segments=segments, values=customers)
        compute_action_queue(
            store, config, run_id=run_id, as_of=as_of, customers=customers, segments=segments
        )
        store.finish_run(run_id, counts={})
    return run_id


def hook(root: Path, url: str, **options: Any) -> None:
    """Write CONFIG with an `actions: true` webhook destination."""
    data = yaml.safe_load(CONFIG)
    data["destinations"] = {
        "queue_hook": {
            "type": "webhook", "url": url, "secret_env": "SEGMINT_HOOK_SECRET", "actions": True,
            "batch_size": 2, "backoff_seconds": 0.01, "timeout_seconds": 0.5, **options,
        }
    }  # fmt: skip
    (root / "segmint.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("SEGMINT_HOOK_SECRET", SECRET)
    server = Receiver(SECRET.encode("utf-8"))
    yield server
    server.close()


@pytest.fixture
def workspace(tmp_path: Path, receiver: Receiver) -> Path:
    hook(tmp_path, receiver.url)
    (tmp_path / "customers.csv").write_text("customer_id,employees\nc1,500\n", encoding="utf-8")
    snapshot_and_queue(tmp_path, datetime(2025, 6, 1), {"c1": "A", "c2": "A", "c3": "B", "c4": "B"})
    return tmp_path


def sync(root: Path) -> DestinationSync:
    config = load_config(root)
    with open_store(root / config.database) as store:
        return sync_destinations(store, config, sleep=lambda _s: None)[0]


def queue(root: Path, status: str | None = None) -> list[dict[str, Any]]:
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        return list_actions(store, status=status)


def events(receiver: Receiver) -> list[dict[str, Any]]:
    return receiver.changes()


def test_open_actions_arrive_once_by_key_through_a_flaky_receiver(
    workspace: Path, receiver: Receiver
) -> None:
    receiver.plan = ["500", "timeout", "drop"]
    result = sync(workspace)
    assert result.status == "ok" and result.details["kind"] == "actions"
    open_actions = queue(workspace, "open")
    # c1 and c2 want 3 h each, c3 and c4 1 h: a 4-hour week leaves some dropped.
    assert {a["status"] for a in open_actions} == {"due", "dropped"}
    got = events(receiver)
    assert [e["action_id"] for e in got] == [a["action_id"] for a in open_actions]
    assert [e["event_id"] for e in got] == [f"{a['action_id']}.{a['status']}" for a in open_actions]
    assert all(e["previous_status"] is None for e in got)
    first = got[0]
    assert {k: first[k] for k in ("customer_id", "playbook", "channel", "owner", "status")} == {
        k: open_actions[0][k] for k in ("customer_id", "playbook", "channel", "owner", "status")
    }
    assert "message" not in first and "note" not in first  # free text is dropped by default
    # Batches of two, each signed, one body per key, retried with the same key.
    assert result.changes == len(open_actions) and result.batches_sent == 2
    by_key: dict[str, set[bytes]] = {}
    for attempt in receiver.attempts:
        by_key.setdefault(attempt.key, set()).add(attempt.body)
        assert verify_signature(attempt.body, attempt.signature, SECRET.encode())
    assert all(len(bodies) == 1 for bodies in by_key.values()) and receiver.bad_signatures == 0
    assert len(receiver.attempts) > len(receiver.accepted)
    assert {b["kind"] for b in receiver.accepted.values()} == {"actions"}

    # The same state again: nothing is queued or sent.
    again = sync(workspace)
    assert again.changes == 0 and again.batches_sent == 0
    assert len(receiver.attempts) == len(by_key) + 3  # three failures, then one per batch


def test_status_changes_are_sent_once_and_a_failed_batch_goes_first_next_time(
    workspace: Path, receiver: Receiver
) -> None:
    sync(workspace)
    (done,) = queue(workspace, "due")  # c1's QBR; the rest is over capacity
    with open_store(workspace / "segmint.duckdb") as store:
        set_action_status(store, done["action_id"], "done", note="called", at=datetime(2025, 6, 2))
    hook(workspace, receiver.url, max_attempts=2)
    receiver.plan = ["500", "500"]
    failed = sync(workspace)
    assert failed.status == "pending" and failed.changes == 1 and "HTTP 500" in failed.message
    config = load_config(workspace)
    with open_store(workspace / config.database, read_only=True) as store:
        waiting = sync_status(store, config)["destinations"][0]["outbox"]
    assert len(waiting) == 1 and waiting[0]["attempts"] == 2
    key = waiting[0]["idempotency_key"]

    # A later run: c2 leaves A (its QBR is cancelled) and enters B.
    snapshot_and_queue(
        workspace, datetime(2025, 7, 1), {"c1": "A", "c2": "B", "c3": "B", "c4": "B"}
    )
    later = sync(workspace)
    assert later.status == "ok" and list(receiver.accepted)[-later.batches_sent] == key
    by_event = {e["event_id"]: e for e in events(receiver)}
    assert len(by_event) == len(events(receiver))  # no event twice
    changed = by_event[f"{done['action_id']}.done"]
    assert changed["previous_status"] == "due" and changed["status"] == "done"
    cancelled = [e for e in events(receiver) if e["status"] == "cancelled"]
    assert [(e["customer_id"], e["playbook"]) for e in cancelled] == [("c2", "a_qbr")]
    assert cancelled[0]["reason"] == "left segment A" and cancelled[0]["reason_code"]
    # With c2's QBR gone the week has room: the dropped check-ins become due (a new event each).
    back = [e for e in events(receiver) if e["previous_status"] == "dropped"]
    assert {(e["customer_id"], e["status"]) for e in back} >= {("c3", "due"), ("c4", "due")}
    # The receiver's view of every action it was sent equals the queue now.
    final: dict[str, str] = {}
    for event in events(receiver):
        final[event["action_id"]] = event["status"]
    now = {a["action_id"]: a["status"] for a in queue(workspace) if a["action_id"] in final}
    assert final == now
    assert sync(workspace).changes == 0


def test_message_note_and_columns_follow_the_destination_settings(
    workspace: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(workspace, receiver.url, message="keep", columns=["mrr", "name"], playbooks=["a_qbr"])
    data = yaml.safe_load((workspace / "segmint.yaml").read_text(encoding="utf-8"))
    data["sources"][0]["pii"] = ["name"]
    (workspace / "segmint.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    sync(workspace)
    got = events(receiver)
    assert {e["playbook"] for e in got} == {"a_qbr"} and len(got) == 2
    assert got[0]["message"] == f"QBR with Company {got[0]['customer_id']}"
    assert set(got[0]["attributes"]) == {"mrr"}  # name is PII: dropped by `pii: drop`

    other = workspace / "hashed"
    other.mkdir()
    (other / "customers.csv").write_text("customer_id,employees\n", encoding="utf-8")
    hook(other, receiver.url, message="hash", channels=["csm_task"])
    snapshot_and_queue(other, datetime(2025, 6, 1), {"c7": "A", "c8": "B"})
    with pytest.raises(ConfigError, match="SEGMINT_PII_SALT"):
        sync(other)
    monkeypatch.setenv("SEGMINT_PII_SALT", "pepper")
    sync(other)
    hashed = events(receiver)[-1]
    assert hashed["channel"] == "csm_task" and hashed["customer_id"] == "c7"
    assert events(receiver)[-2]["customer_id"] != "c8"  # the check-in's channel is not wanted
    assert len(hashed["message"]) == 64 and "c7" not in hashed["message"]


def test_bad_action_destinations_are_one_line_errors(
    workspace: Path, receiver: Receiver, tmp_path: Path
) -> None:
    hook(workspace, receiver.url, playbooks=["a_qbr", "nope"], message="hash")
    config = load_config(workspace)
    problems = destination_problems(config, [])
    assert any("destinations.queue_hook.playbooks: unknown playbook 'nope'" in p for p in problems)
    assert any(".message: hash needs a salt" in p for p in problems)
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace)])
    assert result.exit_code == 2 and "unknown playbook(s) 'nope'" in result.output
    assert "Traceback" not in result.output and receiver.attempts == []

    bare = tmp_path / "bare"
    bare.mkdir()
    hook(bare, receiver.url)
    data = yaml.safe_load((bare / "segmint.yaml").read_text(encoding="utf-8"))
    del data["playbooks"], data["owners"]
    (bare / "segmint.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    config = load_config(bare)
    assert any("has no playbooks:" in p for p in destination_problems(config, []))
    with open_store(bare / config.database) as store:
        store.start_run("run", as_of=datetime(2025, 6, 1), config_hash="x", version="test")
        with pytest.raises(InputError, match="no action queue in this workspace yet"):
            sync_destinations(store, config)


def test_cli_sync_status_shows_waiting_action_batches(workspace: Path, receiver: Receiver) -> None:
    hook(workspace, receiver.url, max_attempts=1)
    receiver.plan = ["500"]
    result = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--lang", "en"])
    assert result.exit_code == 1 and "actions new or changed since the last sync" in result.output
    status = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--status", "--json"])
    outbox = json.loads(status.stdout)["destinations"][0]["outbox"]
    assert [b["seq"] for b in outbox] == [1, 2] and outbox[0]["last_error"].startswith("HTTP 500")
    ko = CliRunner().invoke(app, ["sync", "-w", str(workspace), "--lang", "ko"])
    assert ko.exit_code == 0 and "지난 동기화 이후 새로 생기거나 바뀐 액션" in ko.output
    assert len(receiver.accepted) == 2
