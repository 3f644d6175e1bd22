"""Workspace faults: an unfinished ingest, a second writer, broken database files, bad config values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.errors import ConfigError, InputError
from segmint.store import Store, open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.run import run_workspace

_register_commands()
runner = CliRunner()

CONFIG = """\
version: 1
sources:
  - name: orders
    table: transactions
    path: {path}
"""


def _workspace(root: Path, rows: str = "A,2024-01-05,10\nB,2024-02-06,5\n") -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "orders.csv").write_text(f"customer_id,order_date,amount\n{rows}")
    (root / "segmint.yaml").write_text(CONFIG.format(path="data/orders.csv"))
    return root


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_run_refuses_after_an_ingest_that_did_not_finish(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        # An ingest killed after committing a source but before stitching leaves this behind.
        store.start_run("ingest", as_of=None, config_hash="x", version="0")
        with pytest.raises(InputError, match="the last ingest did not finish"):
            run_workspace(root, config, store, write_report=False)
        ingest_workspace(root, config, store)
        assert run_workspace(root, config, store, write_report=False).run_id > 0


def test_a_second_writer_is_told_another_process_is_writing(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
         " time.sleep(60)", str(root / "segmint.duckdb")],
        stdout=subprocess.PIPE, text=True, env={**os.environ},
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        line = _one_line_error(runner.invoke(app, ["ingest", "-w", str(root)]))
        assert "another segmint process is writing this workspace" in line
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("content", [b"not a database at all\n" * 100, b""])
def test_a_database_that_is_not_duckdb_is_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    root = _workspace(tmp_path)
    (root / "segmint.duckdb").write_bytes(content or b"DUCK" + bytes(4000))
    line = _one_line_error(runner.invoke(app, ["ingest", "-w", str(root)]))
    assert "segmint.duckdb" in line


def test_read_only_commands_need_no_write_access(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    with open_store(root / "segmint.duckdb") as store:
        ingest_workspace(root, load_config(root), store)
    with pytest.raises(InputError, match="no workspace database yet"):
        Store(tmp_path / "missing.duckdb", read_only=True)
    with open_store(root / "segmint.duckdb", read_only=True) as reader:
        assert reader.has_table("transactions")


def test_a_read_only_folder_is_a_one_line_error(tmp_path: Path, monkeypatch) -> None:
    import duckdb

    root = _workspace(tmp_path)

    def refuse(path: str, **_kwargs):
        # What DuckDB raises in a folder the user may not write (root ignores chmod, so fake it).
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(duckdb, "connect", refuse)
    line = _one_line_error(runner.invoke(app, ["ingest", "-w", str(root)]))
    assert "permission denied" in line


@pytest.mark.parametrize(
    ("source_line", "message"),
    [
        ('    delimiter: ";;"', "delimiter must be one character"),
        ('    date_format: "%Q%Q"', "not a usable strftime format"),
        ("    decimal: x", "decimal"),
        ("    path: ../../secret.txt", "leaves the workspace folder"),
    ],
)
def test_config_values_that_would_crash_later_are_refused(
    tmp_path: Path, source_line: str, message: str
) -> None:
    root = _workspace(tmp_path)
    text = CONFIG.format(path="data/orders.csv")
    if source_line.strip().startswith("path:"):
        text = text.replace("    path: data/orders.csv", source_line)
    else:
        text += source_line + "\n"
    (root / "segmint.yaml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(root)
    assert message.split()[0] in _one_line_error(runner.invoke(app, ["validate", "-w", str(root)]))


@pytest.mark.parametrize(
    ("line", "message"),
    [("as_of: not-a-date", "expected a date"), ("database: ../outside.duckdb", "leaves the")],
)
def test_top_level_values_are_checked(tmp_path: Path, line: str, message: str) -> None:
    root = _workspace(tmp_path)
    (root / "segmint.yaml").write_text(line + "\n" + CONFIG.format(path="data/orders.csv"))
    assert message in _one_line_error(runner.invoke(app, ["ingest", "-w", str(root)]))
    assert not (tmp_path.parent / "outside.duckdb").exists()


def test_absolute_source_paths_are_allowed_and_checked(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws")
    elsewhere = tmp_path / "exports" / "orders.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_text("customer_id,order_date,amount\nA,2024-01-05,10\n")
    (root / "segmint.yaml").write_text(CONFIG.format(path=str(elsewhere)))
    assert runner.invoke(app, ["validate", "-w", str(root)]).exit_code == 0
    elsewhere.unlink()
    result = runner.invoke(app, ["validate", "-w", str(root)])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_a_rule_on_next_purchase_dates_runs_when_nobody_has_a_forecast(tmp_path: Path) -> None:
    root = _workspace(tmp_path)  # one purchase each: no rhythm, so every forecast date is empty
    rules = (
        "schemes:\n  - name: reorder\n    rules:\n"
        "      - {segment: due, when: \"expected_next_purchase <= '2024-03-01'\"}\n"
        "    default: not due\n"
    )
    (root / "segmint.yaml").write_text(CONFIG.format(path="data/orders.csv") + rules)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        result = run_workspace(root, config, store, write_report=False)
    assert result.customers["expected_next_purchase"].isna().all()
    reorder = result.segments[result.segments["scheme"] == "reorder"]
    assert sorted(reorder["segment"]) == ["not due", "not due"]
