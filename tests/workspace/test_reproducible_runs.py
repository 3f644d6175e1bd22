"""Same data and config, same run: every stored score and segment is identical, whatever the row
order of the source files, the engine's thread count or how often the run is repeated."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import default_run_as_of, run_workspace


def _shuffle_csv_rows(path: Path, *, seed: int) -> None:
    """Rewrite a CSV with its data rows in a seeded random order (header first, bytes untouched)."""
    lines = path.read_bytes().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    if rows and not rows[-1].endswith(b"\n"):
        rows[-1] += b"\r\n" if header.endswith(b"\r\n") else b"\n"
    order = np.random.default_rng(seed).permutation(len(rows))
    path.write_bytes(header + b"".join(rows[i] for i in order))


def _ingest(root: Path, *, threads: int | None = None) -> None:
    config = load_config(root)
    with open_store(root / config.database) as store:
        if threads is not None:
            store.con.execute(f"SET threads = {int(threads)}")
        ingest_workspace(root, config, store)


def _run(root: Path, *, threads: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    config = load_config(root)
    with open_store(root / config.database) as store:
        if threads is not None:
            store.con.execute(f"SET threads = {int(threads)}")
        result = run_workspace(
            root, config, store, as_of=default_run_as_of(store), write_report=False
        )
        values = store.snapshot_values(result.run_id)
        segments = store.snapshot_segments(result.run_id)
    return values, segments, result.to_dict()


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    original = tmp_path_factory.mktemp("original")
    init_workspace(original, example="saas", n_accounts=300, seed=5)
    shuffled = tmp_path_factory.mktemp("shuffled")
    shutil.copytree(original, shuffled, dirs_exist_ok=True)
    for k, csv in enumerate(sorted((shuffled / "data").glob("*.csv"))):
        _shuffle_csv_rows(csv, seed=k)
    _ingest(original)
    _ingest(shuffled, threads=1)
    return original, shuffled


def _comparable(result: Any) -> Any:
    """The run summary without what differs by design: run ids (at any depth) and the report path."""
    if isinstance(result, dict):
        return {k: _comparable(v) for k, v in result.items() if k not in ("run_id", "report")}
    if isinstance(result, list):
        return [_comparable(v) for v in result]
    return result


def test_runs_store_identical_scores_and_segments(workspaces: tuple[Path, Path]) -> None:
    original, shuffled = workspaces
    first_values, first_segments, first = _run(original)
    again_values, again_segments, again = _run(original)
    other_values, other_segments, other = _run(shuffled, threads=1)

    assert "churn_probability" in first_values.columns  # the churn model did train
    assert first_values["churn_probability"].notna().sum() > 100
    for values, segments, summary in (
        (again_values, again_segments, again),
        (other_values, other_segments, other),
    ):
        pd.testing.assert_frame_equal(values, first_values, check_exact=True)
        pd.testing.assert_frame_equal(segments, first_segments, check_exact=True)
        assert _comparable(summary) == _comparable(first)
