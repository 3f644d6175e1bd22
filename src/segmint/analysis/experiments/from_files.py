"""`segmint experiment analyze --assignments FILE --outcomes FILE`: an experiment read from files."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.analysis.experiments.analysis import AnalysisOptions
from segmint.analysis.experiments.assignment import parse_variants
from segmint.analysis.experiments.files import read_assignments, read_outcomes, read_pre_values
from segmint.analysis.experiments.metrics import (
    check_metric,
    metric_kind,
    metric_table,
    outcome_span,
)
from segmint.analysis.experiments.units import (
    analyze,
    default_end,
    experiment_units,
    measurement_window,
)
from segmint.errors import InputError


def analyze_files(
    assignments_path: Path,
    outcomes_path: Path,
    *,
    experiment: str | None = None,
    metric: str = "conversion",
    start: datetime | None = None,
    end: datetime | None = None,
    pre_start: datetime | None = None,
    pre_path: Path | None = None,
    segment_col: str | None = None,
    variants: str | None = None,
    options: AnalysisOptions | None = None,
) -> dict[str, Any]:
    """Return the results of an experiment given as an assignments file and an outcomes export."""
    metric = check_metric(metric)
    parsed = parse_variants(variants) if variants else None
    assignments = read_assignments(
        assignments_path,
        experiment=experiment,
        segment_col=segment_col,
        variants=parsed.names if parsed else None,
    )
    if assignments.empty:
        raise InputError(f"{assignments_path}: no assignments")
    outcomes, info = read_outcomes(outcomes_path, table=metric_table(metric))
    if start is None:
        if assignments["assigned_at"].isna().all():
            raise InputError(
                f"--start is needed: {assignments_path} has no assigned_at column to start from"
            )
        start = pd.Timestamp(assignments["assigned_at"].min()).to_pydatetime()
    window = measurement_window(start, end or default_end(outcome_span(outcomes)[1]), pre_start)
    pre = read_pre_values(pre_path) if pre_path is not None else None
    units, unassigned = experiment_units(assignments, outcomes, metric, window, pre_values=pre)
    notes = []
    if info["rows_rejected"]:
        notes.append(
            {
                "code": "outcomes_rejected",
                "message": f"{outcomes_path}: {info['rows_rejected']:,} of {info['rows_read']:,} "
                f"rows could not be read and are left out (first: {info['first_rejected']})",
                "rows": info["rows_rejected"],
            }
        )
    base = options or AnalysisOptions()
    weights = dict(zip(parsed.names, parsed.weights, strict=True)) if parsed else None
    chosen = dataclasses.replace(base, kind=metric_kind(metric), weights=weights)
    name = experiment or assignments_path.stem
    return analyze(name, metric, units, chosen, window, unassigned=unassigned, notes=notes)
