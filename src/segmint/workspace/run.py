"""`segmint run`: features, scores and segments as of a date, stored as a snapshot, with a report.

A run goes through the named stages of `segmint.workspace.stages.RUN_STAGES`; this module
prepares the run's context, runs the stages in order and records how the run ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from segmint import __version__
from segmint.config import SegmintConfig, config_hash
from segmint.errors import InputError, SegmintError
from segmint.progress import OnStage, StagePlan
from segmint.run_context import RunContext, RunPlanInputs, RunResult
from segmint.store import Store
from segmint.workspace.stages import planned_stages
from segmint.workspace.stages.churn import churn_label_fn, churn_outcomes, model_inputs
from segmint.workspace.stages.features import decimals_to_float
from segmint.workspace.stages.json_ready import json_ready
from segmint.workspace_data import data_end, default_run_as_of, engine_tables


def run_stages(
    config: SegmintConfig, tables: Mapping[str, Any], *, write_report: bool = True
) -> list[str]:
    """Return the names of the stages a run of `config` on `tables` goes through, in order."""
    inputs = RunPlanInputs(config, frozenset(tables), write_report)
    return [stage.name for stage in planned_stages(inputs)]


def run_workspace(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    as_of: datetime | None = None,
    on_step: OnStage | None = None,
    write_report: bool = True,
) -> RunResult:
    """Compute features, scores, schemes and tags as of `as_of`; store a snapshot; write a report."""
    if store.unfinished_ingest():
        raise InputError("the last ingest did not finish; run `segmint ingest` again")
    tables = engine_tables(config, store, root)
    if not tables:
        raise InputError("the workspace has no data; run `segmint ingest` first")
    stages = planned_stages(RunPlanInputs(config, frozenset(tables), write_report))
    plan = StagePlan("run", [stage.name for stage in stages], on_step)
    cutoff = as_of or (
        pd.Timestamp(config.as_of).to_pydatetime() if config.as_of else default_run_as_of(store)
    )
    run_id = store.start_run(
        "run", as_of=cutoff, config_hash=config_hash(config), version=__version__
    )
    ctx = RunContext(root, config, store, tables, cutoff, run_id, write_report=write_report)
    stage_name = ""
    try:
        for stage in stages:
            stage_name = stage.name
            if ctx.customers.empty:
                plan.start(stage.name)
            else:
                plan.start(stage.name, customers=len(ctx.customers))
            stage.run(ctx)
        result = ctx.result()
        store.finish_run(run_id, counts=result.to_dict(outputs=False))
        return result
    except SegmintError as exc:
        _record_failure(store, run_id, stage_name, exc)
        raise
    except Exception as exc:
        _record_failure(store, run_id, stage_name, exc)
        exc.add_note(f"segmint run: stage '{stage_name}' failed")
        raise


def _record_failure(store: Store, run_id: int, stage_name: str, exc: BaseException) -> None:
    message = f"stage {stage_name}: {exc}"[:500]
    store.finish_run(run_id, status="failed", counts={}, message=message)


def health_backtest_workspace(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    days: int = 90,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Score health `days` before `as_of` and report how well it separated who churned by `as_of`."""
    from segmint.features import compute_features
    from segmint.scores.health import HealthScorer
    from segmint.scores.health_backtest import health_backtest

    if config.health is None:
        raise InputError("segmint.yaml has no `health:` section to backtest")
    end = as_of or default_run_as_of(store)
    start = end - timedelta(days=days)
    features = compute_features(engine_tables(config, store, root), as_of=start).sort_values(
        "customer_id", ignore_index=True
    )
    scores = HealthScorer(config.health).fit(features).score(features)
    report = health_backtest(scores, churn_outcomes(store, start, end), horizon_days=days)
    return {
        "scored_as_of": start.date().isoformat(),
        "outcome_until": end.date().isoformat(),
        **json_ready(report),
    }


__all__ = [
    "RunResult",
    "data_end",
    "churn_label_fn",
    "churn_outcomes",
    "decimals_to_float",
    "default_run_as_of",
    "engine_tables",
    "model_inputs",
    "run_stages",
    "run_workspace",
]
