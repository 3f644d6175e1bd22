"""The CLI as a user runs it: outputs, --json, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app

_register_commands()
runner = CliRunner()

KOREAN_ORDERS = """고객번호,주문일자,결제금액,상품명
C001,2024.03.15,"￦12,300",커피
C001,2024.04.01,"￦8,000",머그컵
C002,2024/03/20,"15,000원",커피
C003,20240401,"￦-3,000",환불
,2024.04.02,"￦1,000",이름없음
C004,2024-13-45,"￦5,000",잘못된날짜
"""


@pytest.fixture()
def korean_csv(tmp_path: Path) -> Path:
    path = tmp_path / "주문내역.csv"
    path.write_bytes(KOREAN_ORDERS.encode("cp949"))
    return path


def test_analyze_korean_cp949_export_without_flags(korean_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(korean_csv), "-o", str(out), "--no-clv", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows_read"] == 6
    assert summary["rows_loaded"] == 4
    assert summary["rows_rejected"] == 2
    assert summary["customers"] == 2  # C003 only has a refund: no order, so no RFM row
    assert summary["amount_total"] == "32300.00"  # exact decimal text, never a float
    assert summary["first_date"] == "2024-03-15" and summary["last_date"] == "2024-04-01"
    assert summary["as_of"] == "2024-04-02"
    customers = pd.read_csv(out / "customers.csv", dtype={"customer_id": str})
    assert list(customers.columns[:10]) == [
        "customer_id", "recency_days", "frequency", "monetary", "total_amount",
        "r_score", "f_score", "m_score", "rfm_score", "rfm_segment",
    ]  # fmt: skip
    c001 = customers.set_index("customer_id").loc["C001"]
    assert c001["frequency"] == 2 and c001["total_amount"] == pytest.approx(20300.0)
    assert c001["recency_days"] == 1
    rejected = pd.read_csv(out / "rejected.csv")
    assert list(rejected.columns) == ["line", "column", "reason", "raw"]
    assert sorted(rejected["line"]) == [6, 7]
    assert "2024-13-45" in rejected.loc[rejected["line"] == 7, "raw"].iloc[0]
    assert (out / "report.html").stat().st_size > 1000


def test_analyze_missing_column_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,amount\nA,10\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    message = result.output.strip()
    assert "\n" not in message.replace("\n ", " ").strip() or message.count("error:") == 1
    assert "occurred_at" in message or "date" in message
    assert "customer_id" in message  # the columns found are listed


def test_run_with_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "segmint.yaml").write_text("engine: polars\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "engine" in result.output and "duckdb, spark" in result.output


def test_unknown_customer_exits_2(tmp_path: Path) -> None:
    (tmp_path / "segmint.yaml").write_text("sources: []\n", encoding="utf-8")
    from segmint.store import open_store

    with open_store(tmp_path / "segmint.duckdb"):
        pass
    result = runner.invoke(app, ["customer", "nobody", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_entry_point_runs_and_lists_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "segmint", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    for command in ("init", "ingest", "run", "analyze", "customer", "demo", "evaluate"):
        assert command in done.stdout
