"""What `customer` and `discover --workspace` print: data shown literally, nothing lost or hidden."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from segmint.cli import app


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Collapse Rich's line wrapping and table borders so texts can be found whole."""
    return " ".join(text.replace("│", " ").split())


def test_customer_shows_the_icp_list_brackets_included(cli_workspace: Any) -> None:
    profile = json.loads(invoke("customer", "ACC-00001", "-w", cli_workspace.root, "--json").stdout)
    lists = [r.strip() for r in profile["values"]["icp_reasons"].split(";") if "[" in r]
    assert lists  # e.g. "country DE not in [KR, JP, SG] ✗": Rich used to eat "[KR, JP, SG]"
    result = invoke("customer", "ACC-00001", "-w", cli_workspace.root)
    assert result.exit_code == 0, result.output
    shown = flat(result.stdout)
    for reason in lists:
        assert reason in shown, reason


def test_discover_workspace_without_output_says_nothing_was_saved(cli_workspace: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw numpy warnings on the way
        result = invoke("discover", "-w", cli_workspace.root, "--k", "3")
    assert result.exit_code == 0, result.output
    assert "assignments not saved: add -o FILE.csv" in flat(result.stdout)
    assert result.stderr == ""


def test_discover_workspace_with_output_says_where(cli_workspace: Any, tmp_path: Path) -> None:
    target = tmp_path / "clusters.csv"
    result = invoke("discover", "-w", cli_workspace.root, "--k", "3", "-o", target)
    assert result.exit_code == 0, result.output
    assert f"wrote 300 rows to {target}" in flat(result.stdout)
    assert len(pd.read_csv(target)) == 300
