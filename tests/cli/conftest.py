"""A small SaaS workspace ingested and run through the CLI once, shared by the CLI tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from segmint.cli import _register_commands, app
from segmint.workspace.init import init_workspace

_register_commands()


@dataclass
class CliWorkspace:
    """A workspace folder and the CLI results of `segmint ingest` and `segmint run` on it."""

    root: Path
    ingest: Result
    run: Result


def invoke(*args: object) -> Result:
    """Run the segmint CLI in-process with `args`; stdout and stderr are captured apart."""
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="session")
def cli_workspace(tmp_path_factory: pytest.TempPathFactory) -> CliWorkspace:
    root = tmp_path_factory.mktemp("cli") / "saas"
    init_workspace(root, example="saas", n_accounts=300, seed=3)
    ingest = invoke("ingest", "-w", str(root), "--lang", "en")
    assert ingest.exit_code == 0, ingest.output
    run = invoke("run", "-w", str(root), "--lang", "en")
    assert run.exit_code == 0, run.output
    return CliWorkspace(root, ingest, run)
