"""Run stage `sync`: hand the run's snapshot to the configured destinations."""

from __future__ import annotations

from segmint.errors import SegmintError
from segmint.i18n import t
from segmint.run_context import RunContext, RunPlanInputs


def destinations_configured(inputs: RunPlanInputs) -> bool:
    """Return whether the run has destinations to sync."""
    return bool(inputs.config.destinations)


def sync_run_destinations(ctx: RunContext) -> None:
    """Sync every destination with this run's snapshot; problems become notes, not a failed run.

    A run for an earlier date than the newest snapshot (a backfill) does not sync: the
    destinations keep the newest state.
    """
    from segmint.activation.sync import sync_destinations

    lang = ctx.language
    newest_run, _ = ctx.store.snapshot_run()
    if newest_run != ctx.run_id:
        ctx.notes.append(t("note.sync_skipped_backfill", lang, run=ctx.run_id, newest=newest_run))
        return
    try:
        results = sync_destinations(ctx.store, ctx.config, run=ctx.run_id)
    except SegmintError as exc:
        ctx.notes.append(t("note.sync_failed", lang, reason=exc))
        ctx.outputs["sync"] = {"error": str(exc)}
        return
    ctx.outputs["sync"] = [r.to_dict() for r in results]
    for r in results:
        if r.type == "webhook":
            key = "note.sync_webhook_pending" if r.batches_pending else "note.sync_webhook"
            ctx.notes.append(
                t(key, lang, name=r.destination, changes=r.changes, sent=r.batches_sent,
                  pending=r.batches_pending, error=r.message)
            )  # fmt: skip
        else:
            ctx.notes.append(
                t("note.sync_postgres", lang, name=r.destination, table=r.details["table"],
                  upserted=r.details["upserted"], deleted=r.details["deleted"])
            )  # fmt: skip
