"""`segmint evaluate churn`: JSON and table output, encodings, one-line user errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

import segmint.cli.evaluate_churn_command  # noqa: F401  (registers the command)
from segmint.cli.app import app


def _korean_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    months = rng.integers(1, 60, n)
    churn = rng.random(n) < 1 / (1 + np.exp(-(1.5 - 0.08 * months)))
    frame = pd.DataFrame(
        {
            "고객번호": [f"K{i:04d}" for i in range(n)],
            "가입개월": months,
            "요금제": rng.choice(["기본", "프리미엄"], n),
            "이탈여부": np.where(churn, "예", "아니오"),
        }
    )
    path = tmp_path / "churn_kr.csv"
    frame.to_csv(path, index=False, encoding="cp949")
    return path


def test_json_output_on_a_cp949_korean_file(tmp_path):
    path = _korean_csv(tmp_path)
    result = CliRunner().invoke(
        app,
        ["evaluate", "churn", str(path), "--label", "이탈여부", "--folds", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["rows"] == 300 and payload["folds"] == 3
    assert set(payload["models"]) == {"logistic", "spline_logistic", "gbm", "average"}
    assert payload["best"] in payload["models"]
    assert payload["models"]["logistic"]["roc_auc"] > 0.7
    assert payload["features"]["dropped"] == {"고객번호": "identifier"}


def test_table_output_and_missing_label(tmp_path):
    path = _korean_csv(tmp_path)
    ok = CliRunner().invoke(
        app, ["evaluate", "churn", str(path), "--label", "이탈여부", "--folds", "2", "--seed", "3"]
    )
    assert ok.exit_code == 0 and "ROC AUC" in ok.stdout and "(best)" in ok.stdout
    bad = CliRunner().invoke(app, ["evaluate", "churn", str(path), "--label", "churn"])
    assert bad.exit_code == 2
    message = bad.output.strip()
    assert "\n" not in message and "Traceback" not in message
    assert "'churn' not found" in message and "'이탈여부'" in message


def test_korean_table(tmp_path):
    path = _korean_csv(tmp_path)
    result = CliRunner().invoke(
        app,
        ["evaluate", "churn", str(path), "--label", "이탈여부", "--folds", "3", "--lang", "ko"],
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "이탈 모형" in flat and "3겹 교차 검증" in flat and "(최적)" in flat
    assert "제외한 열: 고객번호" in flat
    for english in ("churn models on", "(best)", "dropped columns", "top-decile lift", "ranks"):
        assert english not in flat
    bad = CliRunner().invoke(app, ["evaluate", "churn", str(path), "--label", "x", "--lang", "fr"])
    assert bad.exit_code == 2
