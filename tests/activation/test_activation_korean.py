"""`--lang ko`: export, sync and erase speak Korean, with no English catalogue text left."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import configure, tag_pii
from segmint.cli import _register_commands, app
from segmint.i18n_activation import ACTIVATION_MESSAGES

_register_commands()


def english_phrases() -> set[str]:
    phrases = set()
    for entry in ACTIVATION_MESSAGES.values():
        for literal, *_ in string.Formatter().parse(entry["en"]):
            for piece in re.split(r"[:;()·,]", literal):
                piece = piece.strip(" .-")
                if " " in piece and re.search(r"[A-Za-z]{3}", piece):
                    phrases.add(piece)
    return phrases


def assert_korean(output: str) -> None:
    flat = " ".join(output.split())
    assert re.search(r"[가-힣]", flat), output
    found = sorted(p for p in english_phrases() if p in flat)
    assert not found, f"English in Korean output: {found}\n{output}"


def invoke(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_activation_commands_in_korean(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMINT_HOOK_SECRET", "s")
    configure(
        workspace,
        destinations={
            "crm_hook": {
                "type": "webhook", "url": "http://127.0.0.1:9/hook",
                "secret_env": "SEGMINT_HOOK_SECRET", "tag": "한국_고객", "max_attempts": 1,
            }
        },
    )  # fmt: skip
    tag_pii(workspace, "crm", ["email"])
    out = workspace / "kr.csv"
    result = invoke(
        "export",
        "-w",
        workspace,
        "--tag",
        "한국_고객",
        "--columns",
        "email",
        "-o",
        out,
        "--lang",
        "ko",
    )
    assert result.exit_code == 0, result.output
    assert_korean(result.output)
    assert "개인정보 열 제외: email" in result.output
    result = invoke("sync", "-w", workspace, "--lang", "ko")
    assert result.exit_code == 1
    assert_korean(result.output)
    assert "아웃박스" in result.output
    result = invoke("sync", "-w", workspace, "--status", "--lang", "ko")
    assert_korean(result.output)
    victim = out.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    result = invoke("erase", victim, "-w", workspace, "--yes", "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert_korean(result.output)
    assert "원본에 아직 이 고객이 있습니다" in result.output
