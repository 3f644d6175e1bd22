"""Workspace commands: init, ingest, run, customer, validate, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
    fail,
    parse_cli_date,
    print_json,
    progress_steps,
    user_errors,
)

Workspace = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (holds segmint.yaml).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command("init")
def init(
    folder: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    example: Annotated[
        str, typer.Option(help="Sample data and config: saas or commerce.")
    ] = "saas",
    force: Annotated[bool, typer.Option(help="Overwrite an existing segmint.yaml.")] = False,
) -> None:
    """Create a workspace: a commented segmint.yaml and sample data."""
    from segmint.workspace.init import EXAMPLES, init_workspace

    if example not in EXAMPLES:
        fail(f"--example: unknown example {example!r}; allowed: {', '.join(EXAMPLES)}")
    with user_errors():
        path = init_workspace(folder, example=example, force=force)
    console.print(f"created {path} and sample data in {folder / 'data'}")
    console.print(f"next: segmint ingest -w {folder} && segmint run -w {folder}")


@app.command("ingest")
def ingest(workspace: Workspace = Path("."), json_output: JsonFlag = False) -> None:
    """Load every configured source into the workspace; bad rows are quarantined, ids stitched."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.ingest import ingest_workspace

    with user_errors():
        config = load_config(workspace)
        with (
            open_store(workspace / config.database) as store,
            progress_steps("ingest", quiet=json_output) as step,
        ):
            summary = ingest_workspace(workspace, config, store, on_step=step)
    if json_output:
        print_json(summary.to_dict())
        return
    print_ingest(summary)


def print_ingest(summary: Any) -> None:
    """Print one line per source with the row accounting, then the totals."""
    table = Table(title="ingest")
    for column in ("source", "table", "rows read", "loaded", "rejected", "note"):
        table.add_column(
            column, justify="left" if column in ("source", "table", "note") else "right"
        )
    for s in summary.sources:
        note = "unchanged, skipped" if s.skipped else (s.encoding or "")
        table.add_row(
            s.source,
            s.table,
            f"{s.rows_read:,}",
            f"{s.rows_loaded:,}",
            f"{s.rows_rejected:,}",
            note,
        )
    console.print(table)
    for s in summary.sources:
        findings = quality_findings(s.quality)
        if findings:
            console.print(f"[yellow]quality[/] {s.source}: " + "; ".join(findings), highlight=False)
    console.print(
        f"rows read = loaded + rejected: {summary.rows_read:,} = {summary.rows_loaded:,} + "
        f"{summary.rows_rejected:,} · {summary.customers:,} customers · rejected rows: {summary.rejected_csv}"
    )


def quality_findings(quality: dict[str, Any]) -> list[str]:
    """Return the data-quality facts worth a user's attention, one short phrase each."""
    if not quality:
        return []
    found = []
    for reason, count in (quality.get("rejected_reasons") or {}).items():
        found.append(f"{count:,} rejected: {reason}")
    gaps = {c: v for c, v in (quality.get("null_share") or {}).items() if v and v >= 0.05}
    if gaps:
        found.append("mostly empty: " + ", ".join(f"{c} {v:.0%}" for c, v in sorted(gaps.items())))
    for column, count in (quality.get("duplicates") or {}).items():
        if count:
            found.append(
                f"{count:,} duplicate {'rows' if column == 'rows' else column + ' values'}"
            )
    for column, count in (quality.get("future_dates") or {}).items():
        if count:
            found.append(f"{count:,} future {column}")
    for column, count in (quality.get("negative_amounts") or {}).items():
        if count:
            found.append(f"{count:,} negative {column}")
    return found


@app.command("run")
def run(
    workspace: Workspace = Path("."),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Cut-off date (default: config as_of, else the day after the newest data).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Report language: en or ko (default: `language` in segmint.yaml)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Compute features, scores, schemes and tags as of a date; store a snapshot; write the report."""
    from segmint.config import load_config
    from segmint.i18n import LANGUAGES
    from segmint.store import open_store
    from segmint.workspace.run import run_workspace

    cutoff = parse_cli_date(as_of, option="--as-of")
    if lang is not None and lang not in LANGUAGES:
        fail(f"--lang: unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    with user_errors():
        config = load_config(workspace)
        if lang is not None:
            config = config.model_copy(update={"language": lang})
        with (
            open_store(workspace / config.database) as store,
            progress_steps("run", quiet=json_output) as step,
        ):
            result = run_workspace(workspace, config, store, as_of=cutoff, on_step=step)
    if json_output:
        print_json(result.to_dict())
        return
    print_run(result)


def print_run(result: Any) -> None:
    """Print the segment sizes of every scheme, notes and the report path."""
    console.print(
        f"run {result.run_id} as of {result.as_of:%Y-%m-%d}: {len(result.customers):,} customers"
    )
    table = Table(title="segments")
    for column in ("scheme", "segment", "customers", "share"):
        table.add_column(column, justify="right" if column in ("customers", "share") else "left")
    previous = None
    for row in result.scheme_sizes().itertuples(index=False):
        table.add_row(
            row.scheme if row.scheme != previous else "",
            str(row.segment),
            f"{row.customers:,}",
            f"{row.share:.1%}",
        )
        previous = row.scheme
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    if result.report_path:
        console.print(f"report: {result.report_path}")


@app.command("customer")
def customer(
    customer_id: Annotated[
        str, typer.Argument(help="A customer id, or any source id merged into one.")
    ],
    workspace: Workspace = Path("."),
    json_output: JsonFlag = False,
) -> None:
    """Show one customer: merged source records and why, segments with reasons, scores."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.customer import customer_profile

    with user_errors():
        config = load_config(workspace)
        with open_store(workspace / config.database, read_only=True) as store:
            profile = customer_profile(store, customer_id)
    if json_output:
        print_json(profile)
        return
    console.print(
        f"[bold]customer {profile['customer_id']}[/]"
        + (f" (as of {profile.get('as_of')})" if profile.get("as_of") else "")
    )
    ids = Table(title="source records merged into this customer")
    for column in ("namespace", "source id", "linked by"):
        ids.add_column(column)
    for rec in profile["identity"]:
        ids.add_row(rec["namespace"], rec["source_id"], rec["linked_by"])
    console.print(ids)
    console.print(
        "rows: "
        + ", ".join(f"{r['table']} from {r['source']}: {r['rows']}" for r in profile["source_rows"])
    )
    if profile["segments"]:
        seg = Table(title="segments (latest run)")
        for column in ("scheme", "segment", "why"):
            seg.add_column(column)
        for s in profile["segments"]:
            seg.add_row(
                s["scheme"],
                s["segment"],
                f"{s['rule']}: {s['reason']}" if s["reason"] else s["rule"],
            )
        console.print(seg)
    if profile["values"]:
        vals = Table(title="features and scores")
        vals.add_column("name")
        vals.add_column("value", justify="right")
        for name, value in profile["values"].items():
            vals.add_row(name, "" if value is None else str(value))
        console.print(vals)


@app.command("demo")
def demo(
    folder: Annotated[Path, typer.Argument(help="Where to build the demo.")] = Path("segmint-demo"),
    accounts: Annotated[
        int, typer.Option(help="Number of synthetic SaaS accounts.", min=50)
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 0,
    lang: Annotated[str, typer.Option(help="Report language: en or ko.")] = "en",
) -> None:
    """Build a SaaS workspace from generated data, analyse a real commerce export, print segments and reports."""
    from segmint.demo.run_demo import run_demo

    with user_errors(), progress_steps("demo") as step:
        result = run_demo(folder, n_accounts=accounts, seed=seed, lang=lang, on_step=step)
    console.rule("SaaS workspace (synthetic, seeded)")
    print_ingest(result.ingest)
    print_run(result.run)
    console.rule("Commerce export (UCI Online Retail II sample)")
    s = result.commerce.summary
    console.print(
        f"{s['rows_read']:,} rows read = {s['rows_loaded']:,} loaded + {s['rows_rejected']:,} rejected · "
        f"{s['customers']:,} customers · as of {s['as_of']}"
    )
    seg = Table(title="RFM segments")
    for column in ("segment", "customers", "share", "revenue"):
        seg.add_column(column, justify="left" if column == "segment" else "right")
    for row in result.commerce.segments.itertuples(index=False):
        seg.add_row(
            str(row.segment), f"{row.customers:,}", f"{row.share:.1%}", f"{row.revenue:,.2f}"
        )
    console.print(seg)
    for note in s.get("notes", []):
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"SaaS report:     {result.run.report_path}")
    console.print(f"commerce report: {result.commerce.files['report']}")
