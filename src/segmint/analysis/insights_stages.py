"""Run stage `engagement`: channel response and early behaviours for the run report's Understand section."""

from __future__ import annotations

from segmint.errors import SegmintError
from segmint.run_context import RunContext, RunPlanInputs


def engagement_needed(inputs: RunPlanInputs) -> bool:
    """Return whether the workspace has what the Understand section reads (touches or events)."""
    return "touches" in inputs.tables or "events" in inputs.tables


def add_engagement(ctx: RunContext) -> None:
    """Compute the channels and behaviours payloads of the run into ctx.outputs["engagement"]."""
    from segmint.analysis.insights_workspace import understand_payloads

    try:
        payloads = understand_payloads(
            ctx.config, ctx.store, dict(ctx.tables), run_id=ctx.run_id, as_of=ctx.as_of
        )
    except (SegmintError, ValueError) as exc:
        ctx.notes.append(f"Understand section not computed: {exc}")
        return
    if payloads:
        ctx.outputs["engagement"] = payloads
