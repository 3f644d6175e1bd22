"""Run stage `report`: the run's HTML report, and report.html when it is the newest snapshot."""

from __future__ import annotations

from segmint.run_context import RunContext


def write_run_report(ctx: RunContext) -> None:
    """Write reports/run-<id>-<as_of>.html; copy it to report.html only if this run is the newest.

    report.html always shows the snapshot with the newest as_of: a run for an earlier date (a
    backfill) keeps its own file and says so in the notes.
    """
    from segmint.workspace.run_report import previous_run_of, workspace_report

    store = ctx.store
    previous = previous_run_of(store, store.previous_snapshot_run(ctx.as_of))
    reports = ctx.root / "reports"
    reports.mkdir(exist_ok=True)
    path = reports / f"run-{ctx.run_id:04d}-{ctx.as_of:%Y-%m-%d}.html"
    newest_run, newest_as_of = store.snapshot_run()
    if newest_run != ctx.run_id:
        ctx.notes.append(
            f"run {ctx.run_id} is as of {ctx.as_of:%Y-%m-%d}, before run {newest_run} "
            f"(as of {newest_as_of:%Y-%m-%d}): report.html still shows run {newest_run}; "
            f"this run's report is {path}"
        )
    html = workspace_report(ctx.config, ctx.result(), lang=ctx.language, previous=previous)
    path.write_text(html, encoding="utf-8")
    ctx.report_path = path
    if newest_run == ctx.run_id:
        latest = ctx.root / "report.html"
        latest.write_text(html, encoding="utf-8")
        ctx.report_path = latest
