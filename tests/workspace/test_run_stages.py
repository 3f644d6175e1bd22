"""A run is a list of named stages: each has a label in both languages and names itself on failure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from segmint.config import load_config
from segmint.i18n import t
from segmint.run_context import RunContext, RunStage
from segmint.store import open_store
from segmint.workspace import stages
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace


def test_every_stage_has_a_unique_name_and_a_label_in_both_languages() -> None:
    names = [stage.name for stage in stages.RUN_STAGES]
    assert len(names) == len(set(names))
    for name in names:
        english, korean = t(f"cli.stage.{name}", "en"), t(f"cli.stage.{name}", "ko")
        assert english != f"cli.stage.{name}" and korean != english, name


@pytest.fixture()
def ingested_workspace(tmp_path: Path) -> Path:
    init_workspace(tmp_path, example="saas", n_accounts=120, seed=5)
    config = load_config(tmp_path)
    with open_store(tmp_path / config.database) as store:
        ingest_workspace(tmp_path, config, store)
    return tmp_path


def test_a_failing_stage_names_itself_and_the_run_is_recorded_as_failed(
    ingested_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_ctx: RunContext) -> None:
        raise RuntimeError("disk on fire")

    patched = tuple(
        replace(stage, run=broken) if stage.name == "kpis" else stage for stage in stages.RUN_STAGES
    )
    monkeypatch.setattr(stages, "RUN_STAGES", patched)
    config = load_config(ingested_workspace)
    with open_store(ingested_workspace / config.database) as store:
        with pytest.raises(RuntimeError) as raised:
            run_workspace(ingested_workspace, config, store, write_report=False)
        assert "stage 'kpis' failed" in "".join(raised.value.__notes__)
        run = store.runs().iloc[0]
        assert run["status"] == "failed" and run["message"] == "stage kpis: disk on fire"


def test_adding_a_stage_is_one_entry(
    ingested_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []

    def count_segments(ctx: RunContext) -> None:
        seen.append(len(ctx.segments))
        ctx.outputs["counted"] = len(ctx.segments)

    monkeypatch.setattr(
        stages, "RUN_STAGES", (*stages.RUN_STAGES, RunStage("count", count_segments))
    )
    config = load_config(ingested_workspace)
    with open_store(ingested_workspace / config.database) as store:
        result = run_workspace(ingested_workspace, config, store, write_report=False)
    assert seen == [len(result.segments)] and result.outputs["counted"] == seen[0] > 0
