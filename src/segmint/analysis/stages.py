"""Run stage `history`: the run's segment changes, and segment validity and goals for its report.

Listed in `segmint.workspace.stages.RUN_STAGES` after the KPIs: every run records who entered
and left each segment against the snapshot before it (the `segment_changes` table) and stores
its KPI payloads (`snapshot_kpis`) for the history and goals to read. A run that
writes a report also judges the validity of each scheme over the churn horizon and the goals of
`segmint.yaml`; they land in `ctx.outputs["history"]` for the report. Neither fails a run: a
problem becomes a note.
"""

from __future__ import annotations

from typing import Any

from segmint.analysis.changes import record_segment_changes
from segmint.analysis.workspace import kpi_options, options_key
from segmint.errors import SegmintError
from segmint.run_context import RunContext
from segmint.workspace_data import default_run_as_of


def segment_history(ctx: RunContext) -> None:
    """Record the run's segment changes; judge validity and goals when the run writes a report."""
    changes = record_segment_changes(ctx.store, ctx.run_id)
    if ctx.kpis:
        # Stored so that `segmint history` and goals read each run's KPIs instead of recomputing.
        key = options_key(kpi_options(ctx.config), ctx.config.seed)
        ctx.store.save_run_kpis(ctx.run_id, ctx.kpis, options=key)
    outputs: dict[str, Any] = {"segment_changes": changes}
    if ctx.write_report:
        outputs["validity"] = scheme_validity(ctx)
        outputs["goals"] = goal_status(ctx)
    ctx.outputs["history"] = outputs


def scheme_validity(ctx: RunContext) -> list[dict[str, Any]]:
    """Return the validity payload of every scheme of the run that has a snapshot old enough."""
    from segmint.analysis.validity import workspace_validity

    data_end = default_run_as_of(ctx.store)
    payloads = []
    for scheme in dict.fromkeys(map(str, ctx.segments["scheme"])):
        if scheme.startswith("tag:"):
            continue
        try:
            payloads.append(
                workspace_validity(
                    ctx.store,
                    scheme=scheme,
                    horizon_days=ctx.config.churn.horizon_days,
                    seed=ctx.config.seed,
                    data_end=data_end,
                )
            )
        except SegmintError:
            continue  # no snapshot of this scheme is old enough for the horizon yet
    return payloads


def goal_status(ctx: RunContext) -> dict[str, Any] | None:
    """Return the goals payload (None without `goals:`; a note when they cannot be judged)."""
    from segmint.analysis.goals import workspace_goals
    from segmint.analysis.history import workspace_history

    if not ctx.config.goals:
        return None
    tables = dict(ctx.tables)
    try:
        return workspace_goals(
            ctx.config,
            lambda scheme: workspace_history(
                ctx.root, ctx.config, ctx.store, scheme=scheme, tables=tables
            ),
        )
    except SegmintError as exc:
        ctx.notes.append(f"goals not judged: {exc}")
        return None
