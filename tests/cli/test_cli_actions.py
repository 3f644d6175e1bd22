"""`segmint run` computes the action queue of the SaaS example; `segmint actions` reads it."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from segmint.cli import app


def invoke(*args: object) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_run_prints_the_queue_and_actions_lists_it(cli_workspace: Any) -> None:
    text = " ".join(cli_workspace.run.stdout.split())
    assert "Action queue as of " in text and " due, " in text
    listed = invoke("actions", "-w", cli_workspace.root, "--json")
    assert listed.exit_code == 0, listed.output
    payload = json.loads(listed.stdout)
    playbooks = {row["playbook"] for row in payload["data"]}
    assert {"a_tier_qbr", "b_tier_checkin", "at_risk_call"} <= playbooks
    counts = payload["summary"]["statuses"]
    assert counts["due"] + counts["dropped"] == payload["total"]
    # the same numbers as the run's own summary line
    assert f"Action queue as of {payload['as_of']}: {counts['due']:,} due" in text
