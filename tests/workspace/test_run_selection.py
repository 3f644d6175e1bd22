"""Which run a command shows: the newest as_of (not the newest run id), or the `--run` named."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.config import SegmintConfig, load_config
from segmint.errors import InputError
from segmint.store import open_store
from segmint.workspace import load_snapshot_features
from segmint.workspace.customer import customer_profile
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import RunResult, default_run_as_of, run_workspace
from segmint.workspace.segment_review import validate_workspace_segments

_register_commands()
runner = CliRunner()


def _without_churn(config: SegmintConfig) -> SegmintConfig:
    # The churn model is not what these tests are about; leaving it out keeps them fast.
    return config.model_copy(update={"churn": config.churn.model_copy(update={"enabled": False})})


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult, RunResult]:
    """A workspace with a run for the newest date, then a backfill run for an earlier date."""
    root = tmp_path_factory.mktemp("selection")
    init_workspace(root, example="saas", n_accounts=200, seed=11)
    config = _without_churn(load_config(root))
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        newest_as_of = default_run_as_of(store)
        newest = run_workspace(root, config, store, as_of=newest_as_of)
        older = run_workspace(root, config, store, as_of=newest_as_of - timedelta(days=60))
    return root, newest, older


def test_an_older_as_of_does_not_become_latest(runs: tuple[Path, RunResult, RunResult]) -> None:
    root, newest, older = runs
    assert older.run_id > newest.run_id
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        assert store.latest_snapshot_run() == newest.run_id
        assert store.snapshot_run() == (newest.run_id, newest.as_of)
        assert store.snapshot_run(older.run_id) == (older.run_id, older.as_of)
        assert store.previous_snapshot_run(newest.as_of) == older.run_id
        assert store.previous_snapshot_run(older.as_of) is None


def test_backfill_report_does_not_overwrite_report_html(
    runs: tuple[Path, RunResult, RunResult],
) -> None:
    root, newest, older = runs
    assert newest.report_path == root / "report.html"
    assert older.report_path is not None and older.report_path.parent == root / "reports"
    assert older.report_path.name.startswith(f"run-{older.run_id:04d}-")
    latest_html = (root / "report.html").read_text(encoding="utf-8")
    assert f"Run {newest.run_id} · as of {newest.as_of:%Y-%m-%d}" in latest_html
    assert f"Run {older.run_id} ·" not in latest_html
    backfill_html = older.report_path.read_text(encoding="utf-8")
    assert f"Run {older.run_id} · as of {older.as_of:%Y-%m-%d}" in backfill_html
    assert any(
        "report.html still shows run" in note and str(older.report_path) in note
        for note in older.notes
    )


def test_services_read_the_newest_as_of_or_the_named_run(
    runs: tuple[Path, RunResult, RunResult],
) -> None:
    root, newest, older = runs
    config = load_config(root)
    some_id = str(newest.customers["customer_id"].iloc[0])
    with open_store(root / config.database, read_only=True) as store:
        default = customer_profile(store, some_id)
        named = customer_profile(store, some_id, run=older.run_id)
        validated = validate_workspace_segments(config, store, scheme="lifecycle")
        validated_older = validate_workspace_segments(
            config, store, scheme="lifecycle", run=older.run_id
        )
        with pytest.raises(InputError, match=r"run 999 has no stored snapshot; runs: "):
            customer_profile(store, some_id, run=999)
    assert (default["run_id"], default["as_of"][:10]) == (newest.run_id, f"{newest.as_of:%Y-%m-%d}")
    assert (named["run_id"], named["as_of"][:10]) == (older.run_id, f"{older.as_of:%Y-%m-%d}")
    assert validated[0]["run_id"] == newest.run_id
    assert validated_older[0]["run_id"] == older.run_id
    assert load_snapshot_features(root).run_id == newest.run_id
    assert load_snapshot_features(root, run=older.run_id).run_id == older.run_id


def _cli(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def test_cli_says_which_run_it_shows(runs: tuple[Path, RunResult, RunResult]) -> None:
    root, newest, older = runs
    some_id = str(newest.customers["customer_id"].iloc[0])
    shown = _cli("customer", some_id, "-w", root)
    assert shown.exit_code == 0, shown.output
    assert f"showing run {newest.run_id} (as of {newest.as_of:%Y-%m-%d})" in shown.output
    named = _cli("customer", some_id, "-w", root, "--run", older.run_id, "--json")
    assert named.exit_code == 0, named.output
    assert json.loads(named.output)["run_id"] == older.run_id
    review = _cli("validate-segments", "-w", root, "--scheme", "lifecycle", "--run", older.run_id)
    assert review.exit_code == 0, review.output
    assert f"showing run {older.run_id} (as of {older.as_of:%Y-%m-%d})" in review.output


@pytest.mark.parametrize(
    "command",
    [
        ["customer", "X", "--run", "999"],
        ["validate-segments", "--run", "999"],
        ["personas", "--run", "999"],
        ["discover", "--run", "999"],
    ],
)
def test_unknown_run_is_one_line_with_the_runs_there_are(
    runs: tuple[Path, RunResult, RunResult], command: list[str]
) -> None:
    root, newest, older = runs
    if command[0] == "discover":
        result = _cli("discover", "--workspace", root, *command[1:])
    else:
        result = _cli(*command, "-w", root)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "run 999 has no stored snapshot" in message
    assert f"{newest.run_id} (as of {newest.as_of:%Y-%m-%d})" in message
    assert f"{older.run_id} (as of {older.as_of:%Y-%m-%d})" in message
    assert "Traceback" not in result.output


def test_discover_save_keeps_clusters_with_the_run_they_came_from(
    runs: tuple[Path, RunResult, RunResult],
) -> None:
    from segmint.workspace.discovery import discovery_view

    root, newest, older = runs
    saved = _cli("discover", "-w", root, "--run", older.run_id, "--k", "2", "--save", "--json")
    assert saved.exit_code == 0, saved.output
    payload = json.loads(saved.output)
    assert payload["saved"] is True and payload["run"]["run_id"] == older.run_id
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        shown = discovery_view(store)
        assert shown["run"]["run_id"] == older.run_id  # the only run with clusters
        assert shown["latest_run_id"] == newest.run_id
        assert shown["clusters"][0]["label"] == payload["clusters"][0]["label"]
        assert [c["size"] for c in shown["clusters"]] == [c["size"] for c in payload["clusters"]]
        assert shown["options"] == {"features": None, "k": "2", "method": "kmeans", "seed": 0}
        with pytest.raises(InputError, match=rf"run {newest.run_id} has no stored cluster"):
            discovery_view(store, newest.run_id)
    korean = _cli("discover", "-w", root, "--k", "2", "--save", "--lang", "ko")
    assert korean.exit_code == 0, korean.output
    assert f"군집 프로필을 실행 {newest.run_id}에 저장했습니다" in korean.output
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        assert store.discovery_runs() == sorted([newest.run_id, older.run_id], reverse=True)
        assert discovery_view(store)["run"]["run_id"] == newest.run_id
        en, ko = discovery_view(store), discovery_view(store, lang="ko")
    assert [c["size"] for c in en["clusters"]] == [c["size"] for c in ko["clusters"]]
    assert all(
        a["label"] != b["label"] for a, b in zip(en["clusters"], ko["clusters"], strict=True)
    )


def test_discover_save_needs_a_workspace(tmp_path: Path) -> None:
    table = tmp_path / "c.csv"
    table.write_text("customer_id,x\na,1\nb,2\n", encoding="utf-8")
    result = _cli("discover", table, "--save")
    assert result.exit_code == 2
    assert "--save applies only with --workspace" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_discovery_config_rejects_k_below_two(tmp_path: Path) -> None:
    from segmint.errors import ConfigError

    init_workspace(tmp_path, example="saas", n_accounts=20, seed=1)
    config_file = tmp_path / "segmint.yaml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + "\ndiscovery: {k: 1}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="discovery"):
        load_config(tmp_path)
