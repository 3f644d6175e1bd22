"""Run stage `kpis`: the KPIs of every segment of the run's schemes, with their evidence."""

from __future__ import annotations

from segmint.errors import SegmintError
from segmint.run_context import RunContext


def segment_kpis(ctx: RunContext) -> None:
    """Compute the KPIs per segment of every scheme the run assigned (a note if they cannot be)."""
    from segmint.analysis.workspace import run_kpis

    schemes = list(dict.fromkeys(str(s) for s in ctx.segments["scheme"]))
    try:
        ctx.kpis = run_kpis(
            ctx.config,
            ctx.store,
            dict(ctx.tables),
            run_id=ctx.run_id,
            as_of=ctx.as_of,
            schemes=schemes,
        )
    except (SegmintError, ValueError) as exc:
        ctx.notes.append(f"KPIs not computed: {exc}")
