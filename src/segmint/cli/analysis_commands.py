"""Analysis commands: kpis (per segment, with evidence) and cohorts (acquisition retention)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.analysis.kpis import SHOWN_KPIS as _SHOWN
from segmint.cli.app import app, console, print_json, user_errors
from segmint.cli.workspace_commands import JsonFlag, Workspace

SchemeOption = Annotated[
    str | None, typer.Option("--scheme", help="Scheme (or tag:NAME); default: the first one.")
]

_PERCENT = {"revenue_share", "retention_rate", "churn_rate", "conversion_rate",
            "engagement_rate", "activation_rate", "nrr", "grr"}  # fmt: skip
COHORT_COLUMNS_SHOWN = 13


@app.command("kpis")
def kpis(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    run: Annotated[int | None, typer.Option("--run", help="Run id (default: the latest).")] = None,
    window: Annotated[
        str | None, typer.Option("--window", help="KPI window, e.g. 90d or 12w (default: config).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """KPIs of every segment of a scheme, with 95% intervals and tests against the rest."""
    from segmint.analysis.workspace import parse_window, workspace_kpis
    from segmint.config import load_config
    from segmint.store import open_store

    with user_errors():
        days = parse_window(window) if window is not None else None
        config = load_config(workspace)
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_kpis(
                workspace, config, store, scheme=scheme, run_id=run, window_days=days
            )
    if json_output:
        print_json(result)
        return
    print_kpis(result)


def print_kpis(result: dict[str, Any]) -> None:
    """Print each KPI per segment: value, 95% interval, difference from the rest, adjusted p."""
    console.print(
        f"scheme {result['scheme']} · run {result['run_id']} · as of {result['as_of'][:10]} · "
        f"window {result['window_days']} days"
    )
    segments = [result["population"], *result["segments"]]
    sizes = Table(title="segments")
    for column in ("segment", "customers", "share"):
        sizes.add_column(column, justify="left" if column == "segment" else "right")
    for seg in segments:
        share = "" if seg["share"] is None else f"{seg['share']:.1%}"
        sizes.add_row(_name(seg), f"{seg['customers']:,}", share)
    console.print(sizes)
    table = Table(title="KPIs (* = differs from the rest: Benjamini-Hochberg adjusted p < 0.05)")
    for column in ("KPI", "segment", "value", "95% interval", "vs rest", "p adj."):
        table.add_column(
            column, justify="left" if column in ("KPI", "segment") else "right", no_wrap=True
        )
    for name in _SHOWN:
        cells = [(seg, seg["kpis"].get(name)) for seg in segments]
        if all(kpi is None or kpi.get("value") is None for _seg, kpi in cells):
            continue
        for i, (seg, kpi) in enumerate(cells):
            table.add_row(
                name if i == 0 else "",
                _name(seg),
                *_cells(name, kpi),
                end_section=i == len(cells) - 1,
            )
    console.print(table)
    for name, kpi in result["population"]["kpis"].items():
        if kpi is not None and kpi.get("reason"):
            console.print(f"[dim]{name}: not computed ({kpi['reason']})[/]", highlight=False)


def _name(seg: dict[str, Any]) -> str:
    return "(all)" if seg["segment"] is None else str(seg["segment"])


def _cells(name: str, kpi: dict[str, Any] | None) -> list[str]:
    if kpi is None or kpi.get("value") is None:
        return ["–", "", "", ""]
    fmt = (lambda v: f"{v:.1%}") if name in _PERCENT else (lambda v: f"{v:,.2f}")
    interval = ""
    if kpi.get("ci_low") is not None and kpi.get("ci_high") is not None:
        interval = f"{fmt(kpi['ci_low'])} – {fmt(kpi['ci_high'])}"
    diff = (
        ""
        if kpi.get("diff_vs_rest") is None
        else f"{'+' if kpi['diff_vs_rest'] >= 0 else ''}{fmt(kpi['diff_vs_rest'])}"
    )
    p = kpi.get("p_value_adjusted")
    p_text = (
        ""
        if p is None
        else (f"{p:.3f}" if p >= 0.001 else "<0.001") + (" *" if kpi.get("significant") else "")
    )
    return [fmt(kpi["value"]), interval, diff, p_text]


@app.command("cohorts")
def cohorts(
    workspace: Workspace = Path("."),
    by: Annotated[str, typer.Option("--by", help="Cohort period: month or week.")] = "month",
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Split every cohort by this scheme's segments.")
    ] = None,
    segment_at: Annotated[
        str,
        typer.Option(
            "--segment-at", help="With --scheme: the segment at the latest run or at acquisition."
        ),
    ] = "latest",
    by_attribute: Annotated[
        str | None,
        typer.Option("--by-attribute", help="Split every cohort by a customer attribute."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Acquisition cohorts: share of each cohort active (and revenue kept) k periods later."""
    from segmint.analysis.workspace import workspace_cohorts
    from segmint.config import load_config
    from segmint.store import open_store

    with user_errors():
        config = load_config(workspace)
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_cohorts(
                workspace, config, store, by=by, scheme=scheme, segment_at=segment_at,
                by_attribute=by_attribute,
            )  # fmt: skip
    if json_output:
        print_json(result)
        return
    print_cohorts(result)


def print_cohorts(result: dict[str, Any]) -> None:
    """Print the customer-retention triangle (first periods), one row per cohort."""
    rows = result["cohorts"]
    width = min(COHORT_COLUMNS_SHOWN, max((len(c["retention"]) for c in rows), default=0))
    split = "segment" in (rows[0] if rows else {})
    table = Table(title=f"customer retention by {result['by']} of first {_acquired(result)}")
    if split:
        table.add_column("segment")
    table.add_column("cohort")
    table.add_column("size", justify="right")
    for k in range(width):
        table.add_column(str(k), justify="right")
    for c in rows:
        cells = ["" if v is None else f"{v:.0%}" for v in c["retention"][:width]]
        lead = [str(c["segment"] or "–")] if split else []
        table.add_row(*lead, c["cohort"], f"{c['size']:,}", *cells)
    console.print(table)
    if rows and rows[0]["partial_last"]:
        console.print("[dim]the last period is only partly observed (the data ends inside it)[/]")


def _acquired(result: dict[str, Any]) -> str:
    return "purchase" if result.get("source") == "transactions" else "subscription"
