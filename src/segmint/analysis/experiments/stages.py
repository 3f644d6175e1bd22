"""The experiments stage of a workspace run: every experiment's results as of the run's date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.analysis.experiments.workspace import analyze_experiment
from segmint.config import SegmintConfig
from segmint.errors import SegmintError
from segmint.run_context import RunContext
from segmint.store import Store


def run_experiments(
    root: Path,
    config: SegmintConfig,
    store: Store,
    tables: Mapping[str, Any],
    *,
    as_of: datetime,
    notes: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Return the results of every experiment that started before `as_of`, measured until then.

    Each uses its recorded metric and its segments at assignment; one that cannot be analysed
    (no outcome table, an empty window) is skipped with a note instead of failing the run.
    """
    payloads = []
    for row in store.experiments().to_dict(orient="records"):
        started = row["first_assigned_at"]
        if started is None or pd.isna(started) or pd.Timestamp(started) >= pd.Timestamp(as_of):
            continue
        try:
            payloads.append(
                analyze_experiment(
                    root, config, store, str(row["experiment"]), end=as_of, tables=dict(tables)
                )
            )
        except SegmintError as exc:
            if notes is not None:
                notes.append(f"experiment {row['experiment']} not analysed: {exc}")
    return payloads


def experiments_stage(ctx: RunContext) -> None:
    """Run stage `experiments`: every experiment's results as of the run, for the report."""
    payloads = run_experiments(
        ctx.root, ctx.config, ctx.store, ctx.tables, as_of=ctx.as_of, notes=ctx.notes
    )
    if payloads:
        ctx.outputs["experiments"] = payloads
