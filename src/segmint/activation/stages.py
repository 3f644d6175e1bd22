"""Run stage `actions`: the action queue of the run's snapshot (one line in RUN_STAGES)."""

from __future__ import annotations

from segmint.activation.actions import compute_action_queue
from segmint.run_context import RunContext


def action_queue_stage(ctx: RunContext) -> None:
    """Update the action queue for the run; its summary goes to diagnostics["actions"].

    Runs after the snapshot is stored (entered/left compare with the previous one) and before
    the report, which shows the summary. A workspace without playbooks and without a queue
    skips it in no time.
    """
    summary = compute_action_queue(
        ctx.store,
        ctx.config,
        run_id=ctx.run_id,
        as_of=ctx.as_of,
        customers=ctx.customers,
        segments=ctx.segments,
    )
    if summary is not None:
        ctx.diagnostics["actions"] = summary.to_dict()
