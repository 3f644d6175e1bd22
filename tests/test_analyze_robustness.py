"""`segmint analyze` under attack and faults: exact money, safe CSV cells, whole files, one-line errors."""

from __future__ import annotations

import errno
import json
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app

_register_commands()
runner = CliRunner()
HEADER = "customer_id,order_date,amount"


def _analyze(path: Path, out: Path, *extra: str):
    return runner.invoke(app, ["analyze", str(path), "-o", str(out), "--no-clv", *extra])


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    # stderr also carries the progress lines ("analyze 1/3: reading a.csv"); the error is one line
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not re.match(r"^\w+ \d+/\d+: ", line)
    ]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_money_totals_are_exact_decimal_strings(tmp_path: Path) -> None:
    rows = ["A,2024-01-05,9999999999999.99"] * 9 + ["B,2024-01-06,0.08"]
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    result = _analyze(path, tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    expected = Decimal("9999999999999.99") * 9 + Decimal("0.08")
    assert summary["amount_total"] == str(expected)  # a float would print ...99.98
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written["amount_total"] == "89999999999999.99"


def test_refund_amount_is_a_decimal_string(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\nA,2024-01-05,10\nA,2024-01-06,-2.50\n")
    result = _analyze(path, tmp_path / "out", "--json")
    assert json.loads(result.stdout)["stats"]["refund_amount"] == "-2.50"


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1+1", "'+1+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("+7", "+7"),
        ("plain", "plain"),
    ],
)
def test_formula_cells_are_neutralised_but_numbers_are_not(value: str, safe: str) -> None:
    from segmint.safe_output import neutralise_cell

    assert neutralise_cell(value) == safe


def test_analyze_outputs_never_hold_a_live_formula(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "customer_id,order_date,amount,category\n"
        '"=1+2",2024-01-05,10,"@evil"\n'
        "B,2024-01-06,5,=cmd\n"
        "C,2024-01-07,7,books\n"
        "B,2024-01-08,3,books\n"
        "-D,2024-01-09,oops,books\n"
    )
    result = _analyze(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name in ("customers.csv", "rejected.csv"):
        frame = pd.read_csv(tmp_path / "out" / name, dtype=str, keep_default_na=False)
        cells = [c for column in frame.columns for c in frame[column]]
        live = [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and c[1:2].isalpha())]
        assert live == [], name
    customers = pd.read_csv(tmp_path / "out" / "customers.csv", dtype=str)
    assert "'=1+2" in set(customers["customer_id"])
    rejected = pd.read_csv(tmp_path / "out" / "rejected.csv", dtype=str)
    assert rejected["raw"].str.startswith("'-D").all()


@pytest.mark.parametrize(
    ("rows", "extra"),
    [
        ("A,2024-01-05,-10\n", []),  # only refunds
        ("A,2024-03-05,10\n", ["--as-of", "2024-01-01"]),  # as_of before the first purchase
    ],
)
def test_nothing_to_score_is_a_one_line_error(tmp_path: Path, rows: str, extra: list[str]) -> None:
    path = tmp_path / "n.csv"
    path.write_text(f"{HEADER}\n{rows}")
    line = _one_line_error(_analyze(path, tmp_path / "out", *extra))
    assert "no purchases before" in line


def test_output_that_is_an_existing_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER}\nA,2024-01-05,10\n")
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    assert "not a folder" in _one_line_error(_analyze(path, taken))
    assert taken.read_text() == "keep me"


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--lang", "xx"], "--lang"), (["--delimiter", "ab"], "delimiter must be one character")],
)
def test_bad_options_are_one_line_errors(tmp_path: Path, extra: list[str], message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER}\nA,2024-01-05,10\n")
    assert message in _one_line_error(_analyze(path, tmp_path / "out", *extra))


def test_a_full_disk_leaves_no_truncated_output_and_says_so(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER}\nA,2024-01-05,10\nB,2024-01-06,5\n")
    out = tmp_path / "out"

    def full_disk(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full_disk)
    line = _one_line_error(_analyze(path, out))
    assert "No space left on device" in line
    monkeypatch.undo()
    # customers.csv and rejected.csv were written whole; the rest never appeared half-written.
    assert not (out / "summary.json").exists()
    assert not list(out.glob(".*.tmp"))
    assert len(pd.read_csv(out / "customers.csv")) == 2


def test_ambiguous_decimals_name_the_option_and_decimal_resolves_them(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "customer_id;order_date;amount\nA;2024-01-05;12.300\nB;2024-01-06;150.000\n"
        "C;2024-01-07;5.000\n"
    )
    assert "--decimal" in _one_line_error(_analyze(path, tmp_path / "out"))
    result = _analyze(path, tmp_path / "out", "--decimal", ",", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["amount_total"] == "167300.00"
    assert summary["stats"]["formats"]["amount.decimal"].startswith("','")
