"""History on a real workspace: backfill, segment_changes, changes, migration, history; bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.analysis.changes import run_segment_changes
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.i18n import MESSAGES
from segmint.store import open_store
from segmint.workspace.backfill import backfill_workspace, parse_every
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace

runner = CliRunner()
BACKFILL = (datetime(2025, 5, 1), datetime(2025, 6, 1))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A SaaS workspace run as of its data end, then backfilled monthly for the two months before."""
    _register_commands()
    root = tmp_path_factory.mktemp("history")
    init_workspace(root, example="saas", n_accounts=200, seed=5)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        latest = run_workspace(root, config, store, write_report=False)
        backfill = backfill_workspace(
            root, config, store, start=BACKFILL[0], end=BACKFILL[1], every=parse_every("1mo")
        )
    return {"root": root, "config": config, "latest": latest, "backfill": backfill}


def _cli(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _json(*args: object) -> dict[str, Any]:
    result = _cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _sizes(root: Path, run_id: int, scheme: str) -> dict[str, int]:
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        frame = store.snapshot_segments(run_id)
    return frame[frame["scheme"] == scheme]["segment"].value_counts().to_dict()


def test_backfill_stores_one_snapshot_per_date_and_changes_against_the_previous(workspace) -> None:
    root, config = workspace["root"], workspace["config"]
    runs = [r["run_id"] for r in workspace["backfill"].dates]
    assert [r["as_of"][:10] for r in workspace["backfill"].dates] == ["2025-05-01", "2025-06-01"]
    with open_store(root / config.database, read_only=True) as store:
        snapshots = store.snapshot_runs()
        assert len(snapshots) == 3
        assert store.segment_changes(runs[0]).empty  # the earliest snapshot: nothing before it
        for run in (runs[1], workspace["latest"].run_id):
            stored = store.segment_changes(run)
            fresh = run_segment_changes(store, run)
            assert len(stored) > 0
            pd.testing.assert_frame_equal(
                stored.reset_index(drop=True).astype(str), fresh.reset_index(drop=True).astype(str)
            )
        # The run made before the backfill is now compared with the backfilled 2025-06-01 run.
        latest = store.segment_changes(workspace["latest"].run_id)
        assert set(latest["as_of"].astype(str).str[:10]) == {"2025-07-01"}


def test_changes_net_equals_the_size_difference_between_the_runs(workspace) -> None:
    root = workspace["root"]
    payload = _json("changes", "-w", root, "--scheme", "lifecycle")
    assert set(payload) == {
        "scheme", "run_id", "as_of", "previous_run", "previous_as_of", "summary", "changes"
    }  # fmt: skip
    assert payload["run_id"] == workspace["latest"].run_id
    assert payload["previous_run"] == workspace["backfill"].dates[-1]["run_id"]
    before = _sizes(root, payload["previous_run"], "lifecycle")
    after = _sizes(root, payload["run_id"], "lifecycle")
    for row in payload["summary"]:
        assert row["net"] == after.get(row["segment"], 0) - before.get(row["segment"], 0)
        assert row["entered"] == sum(c["to_segment"] == row["segment"] for c in payload["changes"])
    assert all(c["from_segment"] != c["to_segment"] for c in payload["changes"])
    one = payload["summary"][0]["segment"]
    only = _json("changes", "-w", root, "--scheme", "lifecycle", "--segment", one)
    assert only["changes"] and all(
        one in (c["from_segment"], c["to_segment"]) for c in only["changes"]
    )


def test_migration_json_rows_sum_to_the_earlier_sizes(workspace) -> None:
    root = workspace["root"]
    payload = _json("migration", "-w", root, "--scheme", "value")
    assert set(payload) == {"scheme", "from_run", "to_run", "matrix"}
    assert (payload["from_run"], payload["to_run"]) == (
        workspace["backfill"].dates[-1]["run_id"],
        workspace["latest"].run_id,
    )
    for cell in payload["matrix"]:
        assert set(cell) == {"from", "to", "customers", "share"}
    before = _sizes(root, payload["from_run"], "value")
    after = _sizes(root, payload["to_run"], "value")
    for segment, size in before.items():
        assert sum(c["customers"] for c in payload["matrix"] if c["from"] == segment) == size
    for segment, size in after.items():
        assert sum(c["customers"] for c in payload["matrix"] if c["to"] == segment) == size
    first = workspace["backfill"].dates[0]["run_id"]
    same = _json("migration", "-w", root, "--scheme", "value", "--from", first, "--to", first)
    assert all(c["customers"] == 0 for c in same["matrix"] if c["from"] != c["to"])
    text = _cli("migration", "-w", root, "--scheme", "value", "--shares")
    assert text.exit_code == 0 and "%" in text.stdout


def test_history_lists_every_run_oldest_first_with_kpis(workspace) -> None:
    root = workspace["root"]
    payload = _json("history", "-w", root, "--scheme", "value")
    dates = [r["as_of"][:10] for r in payload["runs"]]
    assert dates == ["2025-05-01", "2025-06-01", "2025-07-01"]
    for entry in payload["runs"]:
        assert sum(s["customers"] for s in entry["segments"]) == entry["customers"]
        assert entry["population"]["kpis"]["churn_rate"]["value"] is not None
        assert entry["segments"] == [
            s for s in entry["segments"] if set(s) >= {"segment", "customers", "share", "kpis"}
        ]
        assert {s["segment"]: s["customers"] for s in entry["segments"] if s["customers"]} == (
            _sizes(root, entry["run_id"], "value")
        )
    sizes_only = _json("history", "-w", root, "--scheme", "value", "--sizes-only")
    assert [r["customers"] for r in sizes_only["runs"]] == [r["customers"] for r in payload["runs"]]
    assert "kpis" not in sizes_only["runs"][0]["segments"][0]


def test_backfilling_a_date_again_replaces_its_snapshot(workspace) -> None:
    root, config = workspace["root"], workspace["config"]
    old_run = workspace["backfill"].dates[-1]["run_id"]
    with open_store(root / config.database, read_only=True) as store:
        old_changes = store.segment_changes(old_run).drop(columns="run_id")
        old_segments = store.snapshot_segments(old_run)
    result = _json("backfill", "-w", root, "--from", "2025-06-01", "--to", "2025-06-01")
    (entry,) = result["runs"]
    assert entry["replaced_runs"] == [old_run]
    with open_store(root / config.database, read_only=True) as store:
        snapshots = store.snapshot_runs()
        assert len(snapshots) == 3  # replaced, not duplicated
        assert old_run not in set(snapshots["run_id"])
        status = store.frame("SELECT status FROM runs WHERE run_id = ?", [old_run])["status"]
        assert status.tolist() == ["replaced"]
        new_changes = store.segment_changes(entry["run_id"]).drop(columns="run_id")
        pd.testing.assert_frame_equal(old_changes, new_changes)  # same input, same output
        pd.testing.assert_frame_equal(old_segments, store.snapshot_segments(entry["run_id"]))
        assert store.segment_changes(old_run).empty


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["migration", "--scheme", "nope"], "schemes: churn_risk, health, lifecycle"),
        (["changes", "--scheme", "value", "--segment", "nope"], "segments: core, no revenue"),
        (["changes", "--run", "999"], "runs: "),
        (["migration", "--from", "999"], "has no stored snapshot; runs: "),
        (["history", "--scheme", "nope"], "schemes: churn_risk"),
        (["history", "--window", "soon"], "--window: expected a number of days"),
        (["history", "--kpi", "joy"], "--kpi: unknown KPI 'joy'; KPIs: revenue"),
        (["backfill", "--from", "2025-06-01", "--to", "2025-05-01"], "is after --to"),
        (["backfill", "--from", "2025-05-01", "--to", "2025-06-01", "--every", "2q"], "--every"),
        (["backfill", "--from", "2025-05-01", "--to", "2031-01-01"], "after the data ends"),
        (["backfill", "--from", "May", "--to", "2025-06-01"], "--from: expected a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(workspace, args: list[str], fragment: str) -> None:
    result = _cli(*args, "-w", workspace["root"])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_from_after_to_names_both_runs(workspace) -> None:
    early = workspace["backfill"].dates[0]["run_id"]
    late = workspace["latest"].run_id
    result = _cli("migration", "-w", workspace["root"], "--from", late, "--to", early)
    assert result.exit_code == 2
    assert f"--from run {late} (as of 2025-07-01) is after --to run {early}" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["changes", "--scheme", "value"],
        ["migration", "--scheme", "value"],
        ["history", "--sizes-only"],
    ],
)
def test_history_commands_speak_korean(workspace, command: list[str]) -> None:
    result = _cli(*command, "-w", workspace["root"], "--lang", "ko")
    assert result.exit_code == 0, result.output
    english = [
        entry["en"].split("{")[0].strip()
        for key, entry in MESSAGES.items()
        if key.startswith("history.") and len(entry["en"].split("{")[0].strip()) > 4
    ]
    assert not [phrase for phrase in english if phrase in result.stdout], result.stdout
    assert any("\uac00" <= ch <= "\ud7a3" for ch in result.stdout)
