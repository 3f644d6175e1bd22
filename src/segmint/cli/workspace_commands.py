"""Workspace commands: init, ingest, run, customer, validate, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from segmint.cli.app import (
    app,
    console,
    fail,
    parse_cli_date,
    plain,
    print_json,
    progress_steps,
    resolve_lang,
    user_errors,
    with_language,
    workspace_session,
)
from segmint.i18n import has_message, segment_label, t
from segmint.report.churn_drivers import churn_driver_text

Workspace = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (holds segmint.yaml).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
RunOption = Annotated[
    int | None,
    typer.Option(
        "--run", help="Stored run id to show (default: the run with the newest as_of).", min=1
    ),
]


def shown_run_line(run_id: int, as_of: Any, lang: str = "en") -> str:
    """Return "showing run 7 (as of 2025-06-30)" for the run a command reads, in `lang`."""
    return t("cli.shown_run", lang, run=run_id, as_of=str(as_of)[:10])


Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of messages and reports: en or ko (default: segmint.yaml `language`, "
        "else SEGMINT_LANG/LANG).",
    ),
]


@app.command("init")
def init(
    folder: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    example: Annotated[
        str, typer.Option(help="Sample data and config: saas, commerce or shop.")
    ] = "saas",
    force: Annotated[bool, typer.Option(help="Overwrite an existing segmint.yaml.")] = False,
    lang: Lang = None,
) -> None:
    """Create a workspace: a commented segmint.yaml and sample data."""
    from segmint.workspace.init import EXAMPLES, init_workspace

    chosen = resolve_lang(lang)
    if example not in EXAMPLES:
        fail(f"--example: unknown example {example!r}; allowed: {', '.join(EXAMPLES)}")
    with user_errors(chosen):
        path = init_workspace(folder, example=example, force=force)
    console.print(plain(t("cli.init.created", chosen, path=path, data=folder / "data")))
    command = f"segmint ingest -w {folder} && segmint run -w {folder}"
    console.print(plain(t("cli.init.next", chosen, command=command)))


@app.command("ingest")
def ingest(
    workspace: Workspace = Path("."), lang: Lang = None, json_output: JsonFlag = False
) -> None:
    """Load every configured source into the workspace; bad rows are quarantined, ids stitched."""
    from segmint.store import open_store
    from segmint.workspace.ingest import ingest_workspace

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with (
            open_store(workspace / config.database) as store,
            progress_steps(chosen, quiet=json_output) as step,
        ):
            summary = ingest_workspace(workspace, config, store, on_step=step)
    if json_output:
        print_json(summary.to_dict())
        return
    print_ingest(summary, chosen)


def print_ingest(summary: Any, lang: str) -> None:
    """Print one line per source with the row accounting, then the totals."""
    table = Table(title=t("cli.ingest.title", lang))
    for key in ("source", "table", "rows_read", "loaded", "rejected", "note"):
        table.add_column(
            t(f"cli.col.{key}", lang),
            justify="left" if key in ("source", "table", "note") else "right",
        )
    for s in summary.sources:
        note = t("cli.ingest.skipped", lang) if s.skipped else (s.encoding or "")
        table.add_row(
            plain(s.source),
            plain(s.table),
            f"{s.rows_read:,}",
            f"{s.rows_loaded:,}",
            f"{s.rows_rejected:,}",
            plain(note),
        )
    console.print(table)
    for s in summary.sources:
        findings = quality_findings(s.quality, lang)
        if findings:
            console.print(
                f"[yellow]{t('cli.quality', lang)}[/] ",
                plain(f"{s.source}: " + "; ".join(findings)),
                sep="",
                highlight=False,
            )
    suppressed = [s for s in summary.sources if getattr(s, "rows_suppressed", 0)]
    if suppressed:
        console.print(
            f"[yellow]{t('cli.note', lang)}[/] ",
            plain(
                t(
                    "cli.ingest.suppressed",
                    lang,
                    count=f"{sum(s.rows_suppressed for s in suppressed):,}",
                    sources=", ".join(s.source for s in suppressed),
                )
            ),
            sep="",
            highlight=False,
        )
    console.print(
        t(
            "cli.ingest.totals_suppressed" if suppressed else "cli.ingest.totals",
            lang,
            suppressed=f"{summary.rows_suppressed:,}",
            read=f"{summary.rows_read:,}",
            loaded=f"{summary.rows_loaded:,}",
            rejected=f"{summary.rows_rejected:,}",
            customers=f"{summary.customers:,}",
            path=summary.rejected_csv,
        ),
        markup=False,
    )


def quality_findings(quality: dict[str, Any], lang: str = "en") -> list[str]:
    """Return the data-quality facts worth a user's attention, one short phrase each."""
    if not quality:
        return []
    found = []
    for reason, count in (quality.get("rejected_reasons") or {}).items():
        found.append(t("cli.quality.rejected", lang, count=f"{count:,}", reason=reason))
    gaps = {c: v for c, v in (quality.get("null_share") or {}).items() if v and v >= 0.05}
    if gaps:
        columns = ", ".join(f"{c} {v:.0%}" for c, v in sorted(gaps.items()))
        found.append(t("cli.quality.mostly_empty", lang, columns=columns))
    for column, count in (quality.get("duplicates") or {}).items():
        if count:
            if column == "rows":
                found.append(t("cli.quality.duplicate_rows", lang, count=f"{count:,}"))
            else:
                found.append(
                    t("cli.quality.duplicate_values", lang, count=f"{count:,}", column=column)
                )
    for column, count in (quality.get("future_dates") or {}).items():
        if count:
            found.append(t("cli.quality.future", lang, count=f"{count:,}", column=column))
    for column, count in (quality.get("negative_amounts") or {}).items():
        if count:
            found.append(t("cli.quality.negative", lang, count=f"{count:,}", column=column))
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
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Compute features, scores, schemes and tags as of a date; store a snapshot; write the report."""
    from segmint.store import open_store
    from segmint.workspace.run import run_workspace

    chosen = resolve_lang(lang)
    cutoff = parse_cli_date(as_of, option="--as-of")
    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        config = with_language(config, chosen)
        with (
            open_store(workspace / config.database) as store,
            progress_steps(chosen, quiet=json_output) as step,
        ):
            result = run_workspace(workspace, config, store, as_of=cutoff, on_step=step)
    if json_output:
        print_json(result.to_dict())
        return
    print_run(result, chosen)


def print_notes(notes: list[str], lang: str) -> None:
    """Print each note on its own line after a yellow "note:" marker."""
    for note in notes:
        console.print(f"[yellow]{t('cli.note', lang)}[/] ", plain(note), sep="")


def print_run(result: Any, lang: str) -> None:
    """Print the segment sizes of every scheme, notes and the report path."""
    console.print(
        t(
            "cli.run.header",
            lang,
            run=result.run_id,
            as_of=f"{result.as_of:%Y-%m-%d}",
            customers=f"{len(result.customers):,}",
        ),
        markup=False,
    )
    table = Table(title=t("cli.run.segments_title", lang))
    for key in ("scheme", "segment", "customers", "share"):
        table.add_column(
            t(f"cli.col.{key}", lang), justify="right" if key in ("customers", "share") else "left"
        )
    previous = None
    for row in result.scheme_sizes().itertuples(index=False):
        table.add_row(
            plain(scheme_label(row.scheme, lang) if row.scheme != previous else ""),
            plain(segment_label(str(row.segment), lang)),
            f"{row.customers:,}",
            f"{row.share:.1%}",
        )
        previous = row.scheme
    console.print(table)
    if result.diagnostics.get("actions"):
        from segmint.cli.action_commands import print_queue_header

        print_queue_header(result.diagnostics["actions"], lang)
    print_notes(result.notes, lang)
    if result.report_path:
        console.print(t("cli.report_path", lang, path=result.report_path), markup=False)


def scheme_label(scheme: str, lang: str) -> str:
    """Return a scheme name for display; tag pseudo-schemes ("tag:x") get the word for tag."""
    if scheme.startswith("tag:"):
        return t("cli.tag_scheme", lang, name=scheme.removeprefix("tag:"))
    return scheme


@app.command("customer")
def customer(
    customer_id: Annotated[
        str, typer.Argument(help="A customer id, or any source id merged into one.")
    ],
    workspace: Workspace = Path("."),
    run_id: RunOption = None,
    export: Annotated[
        bool,
        typer.Option(
            "--export", help="Access request: everything held about the customer, as JSON."
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="With --export: write the JSON here.")
    ] = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Show one customer: merged source records and why, segments with reasons, scores."""
    from segmint.store import open_store
    from segmint.workspace.customer import customer_profile

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        if export:
            from segmint.activation.access import write_access_record

            with open_store(workspace / config.database, read_only=output is None) as store:
                record = write_access_record(store, customer_id, output)
            if output is None:
                print_json(record)
            else:
                console.print(
                    t("cli.customer.exported", chosen, id=record["customer_id"], path=output),
                    markup=False,
                )
            return
        with open_store(workspace / config.database, read_only=True) as store:
            profile = customer_profile(store, customer_id, run=run_id)
    if json_output:
        print_json(profile)
        return
    print_customer(profile, chosen)


def print_customer(profile: dict[str, Any], lang: str) -> None:
    """Print a customer profile: identity records, rows per source, segments with why, values."""
    header = t("cli.customer.header", lang, id=profile["customer_id"])
    if profile.get("as_of"):
        as_of = str(profile["as_of"]).removesuffix(" 00:00:00")
        header += " " + t("cli.customer.as_of", lang, as_of=as_of)
    if profile.get("run_id") is not None:
        header += " · " + shown_run_line(profile["run_id"], profile["as_of"], lang)
    console.print(plain(header), style="bold")
    ids = Table(title=t("cli.customer.identity_title", lang))
    for key in ("namespace", "source_id", "linked_by"):
        ids.add_column(t(f"cli.col.{key}", lang))
    for rec in profile["identity"]:
        linked_by = str(rec["linked_by"])
        if has_message(f"cli.linked_by.{linked_by}"):
            linked_by = t(f"cli.linked_by.{linked_by}", lang)
        ids.add_row(plain(rec["namespace"]), plain(rec["source_id"]), plain(linked_by))
    console.print(ids)
    items = [
        t("cli.customer.rows_item", lang, table=r["table"], source=r["source"], rows=r["rows"])
        for r in profile["source_rows"]
    ]
    console.print(plain(f"{t('cli.customer.rows', lang)}: " + ", ".join(items)))
    if profile["segments"]:
        seg = Table(title=t("cli.customer.segments_title", lang))
        for key in ("scheme", "segment", "why"):
            seg.add_column(t(f"cli.col.{key}", lang))
        for s in profile["segments"]:
            why = f"{s['rule']}: {s['reason']}" if s["reason"] else s["rule"]
            seg.add_row(
                plain(scheme_label(s["scheme"], lang)),
                plain(segment_label(str(s["segment"]), lang)),
                plain(why),
            )
        console.print(seg)
    elif profile.get("run_id") is None:
        console.print(t("cli.customer.no_run", lang), markup=False)
    if profile["values"]:
        vals = Table(title=t("cli.customer.values_title", lang))
        vals.add_column(t("cli.col.name", lang))
        vals.add_column(t("cli.col.value", lang), justify="right")
        # Values that are segment names (rfm_segment, health_band, ...) are shown like segments.
        segment_valued = {"rfm_segment", *(s["scheme"] for s in profile["segments"])}
        for name, value in profile["values"].items():
            if isinstance(value, str) and (name in segment_valued or name.endswith("_band")):
                value = segment_label(value, lang)
            elif name.startswith("churn_driver_"):
                value = churn_driver_text(value, lang)
            vals.add_row(plain(name), plain(value))
        console.print(vals)


@app.command("demo")
def demo(
    folder: Annotated[Path, typer.Argument(help="Where to build the demo.")] = Path("segmint-demo"),
    accounts: Annotated[
        int,
        typer.Option(
            help="Number of synthetic SaaS accounts (the shop gets half as many customers).",
            min=50,
        ),
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 0,
    lang: Lang = None,
) -> None:
    """Build SaaS and shop workspaces from generated data, analyse a real commerce export, print segments and reports."""
    from segmint.demo.run_demo import run_demo

    chosen = resolve_lang(lang)
    with user_errors(chosen), progress_steps(chosen) as step:
        result = run_demo(folder, n_accounts=accounts, seed=seed, lang=chosen, on_step=step)
    console.rule(t("cli.demo.saas_rule", chosen))
    print_ingest(result.ingest, chosen)
    print_run(result.run, chosen)
    if result.actions:
        from segmint.cli.action_commands import print_queue

        print_queue(result.actions, chosen, by_playbook=True, header=False)
    console.rule(t("cli.demo.commerce_rule", chosen))
    s = result.commerce.summary
    console.print(
        t(
            "cli.analyze.summary",
            chosen,
            read=f"{s['rows_read']:,}",
            loaded=f"{s['rows_loaded']:,}",
            rejected=f"{s['rows_rejected']:,}",
            customers=f"{s['customers']:,}",
        )
        + " · "
        + t("cli.analyze.as_of", chosen, as_of=s["as_of"]),
        markup=False,
    )
    print_rfm_segments(result.commerce.segments, chosen)
    print_notes(s.get("notes", []), chosen)
    console.rule(t("cli.demo.shop_rule", chosen))
    print_run(result.shop.run, chosen)
    console.print(t("cli.demo.saas_report", chosen, path=result.run.report_path), markup=False)
    console.print(
        t("cli.demo.commerce_report", chosen, path=result.commerce.files["report"]), markup=False
    )
    console.print(t("cli.demo.shop_report", chosen, path=result.shop.run.report_path), markup=False)


def print_rfm_segments(segments: Any, lang: str, *, revenue_share: bool = False) -> None:
    """Print the RFM segment table: customers, share, revenue (and revenue share)."""
    keys = ["segment", "customers", "share", "revenue"] + (
        ["revenue_share"] if revenue_share else []
    )
    table = Table(title=t("cli.analyze.rfm_title", lang))
    for key in keys:
        table.add_column(t(f"cli.col.{key}", lang), justify="left" if key == "segment" else "right")
    for row in segments.itertuples(index=False):
        cells: list[Text | str] = [
            plain(segment_label(str(row.segment), lang)),
            f"{row.customers:,}",
            f"{row.share:.1%}",
            f"{row.revenue:,.2f}",
        ]
        if revenue_share:
            cells.append(f"{row.revenue_share:.1%}")
        table.add_row(*cells)
    console.print(table)
