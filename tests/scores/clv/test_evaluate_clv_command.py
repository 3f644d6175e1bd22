"""`segmint evaluate clv`: JSON shape, readable table, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from clv_data import DATA
from typer.testing import CliRunner

from segmint.cli import _register_commands
from segmint.cli.app import app

pytest.importorskip("segmint.sources")


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = pd.read_csv(DATA / "cdnow_sample_2357.csv", dtype={"master_id": str})
    path = tmp_path_factory.mktemp("clv") / "cdnow.csv"
    raw[raw["master_id"] < "08000"].to_csv(path, index=False)
    return path


ARGS = ["--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30",
        "--customer-col", "master_id", "--date-col", "date", "--amount-col", "dollar_value",
        "--date-format", "%Y%m%d"]  # fmt: skip


def test_json_output(small_csv: Path) -> None:
    _register_commands()
    result = CliRunner().invoke(app, ["evaluate", "clv", str(small_csv), *ARGS, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"customers", "holdout_weeks", "models", "gamma_gamma", "best"}
    assert payload["holdout_weeks"] == 39.0
    assert payload["best"] in payload["models"]


def test_table_and_errors(small_csv: Path) -> None:
    _register_commands()
    result = CliRunner().invoke(app, ["evaluate", "clv", str(small_csv), *ARGS])
    assert result.exit_code == 0, result.output
    assert "best (lowest RMSE)" in result.stdout and "naive_same" in result.stdout
    bad = [*ARGS]
    bad[3] = "1997-01-01"  # holdout before calibration end
    result = CliRunner().invoke(app, ["evaluate", "clv", str(small_csv), *bad])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["evaluate", "clv", "missing.csv", *ARGS])
    assert result.exit_code == 2


def test_korean_table(small_csv: Path) -> None:
    _register_commands()
    result = CliRunner().invoke(app, ["evaluate", "clv", str(small_csv), *ARGS, "--lang", "ko"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "최적 모형 (RMSE 최소)" in flat and "검증 기간 고객별 구매 횟수" in flat
    assert "예측에 계절성을 반영하지 않았습니다" in flat
    for english in ("best (lowest RMSE)", "Holdout purchases", "customers ·", "in 80%", "err %"):
        assert english not in flat
    bad = [*ARGS]
    bad[3] = "1997-01-01"
    error = CliRunner().invoke(app, ["evaluate", "clv", str(small_csv), *bad, "--lang", "ko"])
    assert error.exit_code == 2 and "오류" in error.output
