"""`segmint discover` on a file: CSV output, JSON shape, option errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands
from segmint.cli.app import app

from .planted import planted_customers

_register_commands()
runner = CliRunner()


@pytest.fixture(scope="module")
def customers_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame, _ = planted_customers(3, n_rows=600, seed=5)
    path = tmp_path_factory.mktemp("discover") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def test_writes_assignments_and_prints_tables(customers_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    result = runner.invoke(app, ["discover", str(customers_csv), "--k", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "choosing k" in result.output and "3 clusters" in result.output
    assigned = pd.read_csv(out)
    assert list(assigned.columns) == ["customer_id", "cluster", "cluster_label"]
    assert len(assigned) == 600 and set(assigned["cluster"]) == {0, 1, 2}
    assert assigned.groupby("cluster")["cluster_label"].nunique().eq(1).all()


def test_json_output(customers_csv: Path) -> None:
    result = runner.invoke(
        app,
        [
            "discover",
            str(customers_csv),
            "--json",
            "--features",
            "revenue_365d,orders_90d,tickets_90d,tenure_days",
            "--seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {"k", "method", "scores", "stability_ari", "clusters"} <= set(payload)
    assert payload["k"] == len(payload["clusters"])
    assert [c["cluster"] for c in payload["clusters"]] == list(range(payload["k"]))
    assert payload["scores"][str(payload["k"])]["chosen"] is True
    assert payload["preprocessing"]["categorical"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--k", "one"], "--k must be 'auto'"),
        (["--method", "dbscan"], "method must be one of"),
        (["--id-col", "nope"], "--id-col 'nope' not found"),
        (["--features", "revenue_365d,missing_col"], "missing_col"),
    ],
)
def test_bad_options_exit_2(customers_csv: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["discover", str(customers_csv), *args])
    assert result.exit_code == 2
    assert message in result.output.replace("\n", " ") or message in (result.stderr or "")


def test_needs_file_or_workspace() -> None:
    result = runner.invoke(app, ["discover"])
    assert result.exit_code == 2
