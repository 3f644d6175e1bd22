"""A small SaaS workspace, ingested and run once, with one stratified experiment assigned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.workspace.init import init_workspace

_register_commands()


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="session")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exp") / "saas"
    init_workspace(root, example="saas", n_accounts=300, seed=5)
    for command in (["ingest"], ["run"]):
        result = invoke(*command, "-w", root, "--lang", "en")
        assert result.exit_code == 0, result.output
    result = invoke(
        "experiment", "assign", "welcome", "-w", root, "--variants", "control:50,treatment:50",
        "--stratify", "lifecycle", "--at", "2025-01-01", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return root
