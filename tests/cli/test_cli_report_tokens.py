"""`segmint report` and `segmint token` through the CLI, in English and Korean."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from segmint.cli import app


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_report_writes_one_file_in_the_chosen_language(cli_workspace: Any, tmp_path: Path) -> None:
    target = tmp_path / "out" / "summary.html"
    result = invoke("report", "-w", cli_workspace.root, "-o", target, "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"보고서: {target}"
    html = target.read_text(encoding="utf-8")
    assert '<html lang="ko">' in html and "세분화 체계: lifecycle" in html
    as_json = invoke("report", "-w", cli_workspace.root, "-o", tmp_path / "en.html", "--json")
    payload = json.loads(as_json.stdout)
    assert payload["lang"] == "en" and payload["bytes"] == len((tmp_path / "en.html").read_bytes())


def test_report_on_an_unknown_run_is_one_line_exit_2(cli_workspace: Any, tmp_path: Path) -> None:
    result = invoke("report", "-w", cli_workspace.root, "-o", tmp_path / "x.html", "--run", 999)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "999" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_token_commands_speak_korean(cli_workspace: Any, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "segmint.yaml").write_text(
        (Path(cli_workspace.root) / "segmint.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    created = invoke("token", "create", "운영팀", "-w", root, "--lang", "ko")
    assert created.exit_code == 0, created.output
    assert re.fullmatch(r"sgm_[\w-]{40,}", created.stdout.strip())
    assert "한 번만" in created.stderr
    listed = invoke("token", "list", "-w", root, "--lang", "ko")
    assert "운영팀" in listed.stdout and "권한" in listed.stdout
    assert created.stdout.strip() not in listed.stdout
