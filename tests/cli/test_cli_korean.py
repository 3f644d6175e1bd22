"""`--lang ko` (and `language: ko`): no English text of the message catalogue reaches the terminal."""

from __future__ import annotations

import json
import re
import shutil
import string
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from segmint.cli import app
from segmint.config import load_config
from segmint.demo.run_demo import set_workspace_language
from segmint.i18n import MESSAGES
from segmint.workspace.init import commerce_sample_path, init_workspace

HEADER_ROW = "┃"  # Rich draws table headers with heavy bars, data rows with light ones


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def english_fragments() -> tuple[set[str], set[str]]:
    """Return (phrases of 2+ words, single words) from the English side of the catalogue."""
    phrases: set[str] = set()
    words: set[str] = set()
    for entry in MESSAGES.values():
        for literal, *_ in string.Formatter().parse(entry["en"]):
            for piece in re.split(r"[:;()·=+→←›\[\]]", literal):
                piece = piece.strip(" ,.-/'\"")
                if not re.search(r"[A-Za-z]{2}", piece):
                    continue
                (phrases if " " in piece else words).add(piece)
    return phrases, words


PHRASES, WORDS = english_fragments()


def assert_no_english(output: str, *, allowed: str = "") -> None:
    """Fail on any catalogue phrase anywhere (but in `allowed`), or catalogue word in a header."""
    # Rich wraps long lines: compare with runs of whitespace made single spaces.
    flat = " ".join(output.split()).replace(" ".join(allowed.split()), "")
    found = sorted(p for p in PHRASES if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", flat))
    headers = [line for line in output.splitlines() if HEADER_ROW in line]
    found += sorted(
        w
        for w in WORDS
        if any(re.search(rf"(?<![\w.:-]){re.escape(w)}(?![\w.-])", line) for line in headers)
    )
    assert not found, f"English catalogue text in Korean output: {found}\n{output}"


def test_the_check_catches_english(cli_workspace: Any) -> None:
    english = invoke("validate-segments", "-w", cli_workspace.root, "--lang", "en")
    with pytest.raises(AssertionError, match="measurable"):
        assert_no_english(english.stdout)
    with pytest.raises(AssertionError, match="features and scores"):
        assert_no_english(invoke("customer", "ACC-00002", "-w", cli_workspace.root).stdout)


@pytest.mark.parametrize(
    "command",
    [
        ["ingest"],
        ["customer", "ACC-00002"],
        ["personas"],
        ["validate-segments"],
        ["discover", "--k", "3"],
    ],
    ids=lambda c: c[0],
)
def test_workspace_commands_in_korean(cli_workspace: Any, command: list[str]) -> None:
    result = invoke(*command, "-w", cli_workspace.root, "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert re.search("[가-힣]", result.stdout)
    assert_no_english(result.output)


def test_churn_drivers_and_cluster_labels_are_said_in_korean(cli_workspace: Any) -> None:
    customer = invoke("customer", "ACC-00002", "-w", cli_workspace.root, "--lang", "ko")
    drivers = [line for line in customer.stdout.splitlines() if "churn_driver_" in line]
    # Rich wraps the long cells: compare the text with its line breaks and borders removed.
    flat = "".join(customer.stdout.replace("│", "").split())
    assert drivers and "riskby" not in flat and flat.count("이탈위험") >= len(drivers)
    english = invoke("customer", "ACC-00002", "-w", cli_workspace.root, "--lang", "en")
    assert "risk by" in english.stdout
    found = json.loads(
        invoke("discover", "--k", "3", "-w", cli_workspace.root, "--lang", "ko", "--json").stdout
    )
    labels = [cluster["label"] for cluster in found["clusters"]]
    assert all(re.search("[가-힣]", label) for label in labels), labels


def test_init_validate_and_health_backtest_in_korean(tmp_path: Path, cli_workspace: Any) -> None:
    created = invoke("init", tmp_path / "ws", "--lang", "ko")
    assert created.exit_code == 0 and "다음 단계" in created.stdout
    assert_no_english(created.stdout, allowed="segmint ingest")
    checked = invoke("validate", "-w", cli_workspace.root, "--lang", "ko")
    assert checked.exit_code == 0 and "모두 올바릅니다" in checked.stdout
    assert_no_english(checked.stdout)
    backtest = invoke("health", "backtest", "-w", cli_workspace.root, "--lang", "ko")
    assert backtest.exit_code == 0, backtest.output
    assert "이탈 관찰 종료일" in backtest.stdout
    assert_no_english(backtest.stdout)


def test_run_in_korean(cli_workspace: Any) -> None:
    result = invoke("run", "-w", cli_workspace.root, "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert re.search(r"실행 1/\d+: 특성 계산", result.stderr)
    assert "세분화 체계" in result.stdout and "보고서:" in result.stdout
    assert_no_english(result.output)


def test_analyze_in_korean_with_notes(tmp_path: Path) -> None:
    source = commerce_sample_path()
    result = invoke("analyze", source, "-o", tmp_path / "out", "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert "RFM 세그먼트" in result.stdout and "챔피언" in result.stdout
    assert "참고: 이탈이 관측되지 않아 CLV는 NBD 모델" in " ".join(result.stdout.split())
    assert f"분석 1/4: 읽는 중 {source.name}" in result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["notes"][0].startswith("이탈이 관측되지 않아")
    assert_no_english(result.output)


def test_language_in_config_applies_without_the_option(cli_workspace: Any, tmp_path: Path) -> None:
    copy = tmp_path / "ws"
    shutil.copytree(cli_workspace.root, copy)
    set_workspace_language(copy, "ko")
    assert load_config(copy).language == "ko"
    result = invoke("validate-segments", "-w", copy)
    assert result.exit_code == 0, result.output
    assert "차별성" in result.stdout
    assert_no_english(result.output)
    assert "distinct" in invoke("validate-segments", "-w", copy, "--lang", "en").stdout


def test_demo_writes_the_language_into_the_workspace_config(tmp_path: Path) -> None:
    init_workspace(tmp_path, example="saas", n_accounts=60, seed=1)
    before = (tmp_path / "segmint.yaml").read_text(encoding="utf-8")
    set_workspace_language(tmp_path, "ko")
    after = (tmp_path / "segmint.yaml").read_text(encoding="utf-8")
    assert load_config(tmp_path).language == "ko"
    assert "language: ko              # en | ko" in after
    assert len(after.splitlines()) == len(before.splitlines())


@pytest.mark.parametrize("command", [["run"], ["analyze", "x.csv"], ["customer", "A"], ["demo"]])
def test_unknown_language_is_one_line_exit_2(command: list[str], tmp_path: Path) -> None:
    result = invoke(*command, "--lang", "fr")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "'fr'" in lines[0] and "en, ko" in lines[0]


def test_an_error_inside_a_workspace_command_speaks_the_workspace_language(
    cli_workspace: Any, tmp_path: Path
) -> None:
    copy = tmp_path / "ws"
    shutil.copytree(cli_workspace.root, copy)
    set_workspace_language(copy, "ko")
    result = invoke("actions", "set", "no-such-action", "done", "-w", copy)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("오류:"), line
    assert invoke(
        "actions", "set", "no-such-action", "done", "-w", copy, "--lang", "en"
    ).stderr.startswith("error:")
