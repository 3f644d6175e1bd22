"""History commands: changes (entered/exited), migration, history over runs, backfill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
    parse_cli_date,
    plain,
    print_json,
    progress_steps,
    resolve_lang,
    user_errors,
    with_language,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, RunOption, Workspace
from segmint.i18n import segment_label, t

SchemeOption = Annotated[
    str | None, typer.Option("--scheme", help="Scheme (or tag:NAME); default: the first one.")
]
CHANGES_SHOWN = 40
HISTORY_KPIS_SHOWN = ("churn_rate", "revenue_per_customer", "health_score")
_PERCENT_KPIS = {"revenue_share", "retention_rate", "churn_rate", "conversion_rate",
                 "engagement_rate", "activation_rate", "nrr", "grr"}  # fmt: skip


@app.command("changes")
def changes(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    run: RunOption = None,
    segment: Annotated[
        str | None, typer.Option("--segment", help="Only customers entering or leaving it.")
    ] = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Who entered and left each segment at a run, against the snapshot before it."""
    from segmint.analysis.history import workspace_changes
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_changes(
                store, scheme=scheme, run_id=run, segment=segment, config=config
            )
    if json_output:
        print_json(result)
        return
    print_changes(result, chosen)


def print_changes(result: dict[str, Any], lang: str) -> None:
    """Print entered/exited per segment, then the first changed customers."""
    if result["previous_run"] is None:
        console.print(
            t("history.changes.first", lang, run=result["run_id"], as_of=result["as_of"][:10]),
            markup=False,
        )
        return
    console.print(
        t(
            "history.changes.header",
            lang,
            scheme=result["scheme"],
            run=result["run_id"],
            as_of=result["as_of"][:10],
            previous=result["previous_run"],
            previous_as_of=str(result["previous_as_of"])[:10],
        ),
        markup=False,
    )
    summary = Table(title=t("history.changes.summary_title", lang))
    for key in ("segment", "entered", "exited", "net"):
        summary.add_column(
            t(f"history.col.{key}", lang), justify="left" if key == "segment" else "right"
        )
    for row in result["summary"]:
        net = f"{'+' if row['net'] > 0 else ''}{row['net']:,}"
        summary.add_row(
            plain(segment_label(row["segment"], lang)),
            f"{row['entered']:,}",
            f"{row['exited']:,}",
            net,
        )
    console.print(summary)
    rows = result["changes"]
    if not rows:
        console.print(t("history.changes.none", lang), markup=False)
        return
    table = Table(title=t("history.changes.customers_title", lang, count=f"{len(rows):,}"))
    for key in ("customer_id", "from_segment", "to_segment"):
        table.add_column(t(f"history.col.{key}", lang))
    for row in rows[:CHANGES_SHOWN]:
        table.add_row(
            plain(row["customer_id"]),
            plain(
                segment_label(row["from_segment"], lang)
                if row["from_segment"]
                else t("history.new", lang)
            ),
            plain(
                segment_label(row["to_segment"], lang)
                if row["to_segment"]
                else t("history.gone", lang)
            ),
        )
    console.print(table)
    if len(rows) > CHANGES_SHOWN:
        console.print(
            t("history.more_rows", lang, count=f"{len(rows) - CHANGES_SHOWN:,}"), markup=False
        )


@app.command("migration")
def migration(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    from_run: Annotated[
        int | None, typer.Option("--from", help="Earlier run id (default: the one before --to).")
    ] = None,
    to_run: Annotated[
        int | None, typer.Option("--to", help="Later run id (default: the newest as_of).")
    ] = None,
    shares: Annotated[
        bool, typer.Option("--shares", help="Show row shares instead of customer counts.")
    ] = False,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Transition matrix of a scheme between two runs, with new and gone customers."""
    from segmint.analysis.history import workspace_migration
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_migration(
                store, scheme=scheme, from_run=from_run, to_run=to_run, config=config
            )
    if json_output:
        print_json(result)
        return
    print_migration(result, chosen, shares=shares)


def print_migration(result: dict[str, Any], lang: str, *, shares: bool = False) -> None:
    """Print the matrix: one row per earlier segment (and new), one column per later one (and gone)."""
    rows = list(dict.fromkeys(cell["from"] for cell in result["matrix"]))
    cols = list(dict.fromkeys(cell["to"] for cell in result["matrix"]))
    cells = {(c["from"], c["to"]): c for c in result["matrix"]}
    table = Table(
        title=t(
            "history.migration.title",
            lang,
            scheme=result["scheme"],
            from_run=result["from_run"],
            to_run=result["to_run"],
        )
    )
    table.add_column(t("history.col.from_to", lang))
    for col in cols:
        table.add_column(
            plain(col if col is not None else t("history.gone", lang)), justify="right"
        )
    table.add_column(t("history.col.total", lang), justify="right")
    for row in rows:
        row_cells = [cells.get((row, col)) for col in cols]
        total = sum(cell["customers"] for cell in row_cells if cell is not None)
        if row is None and total == 0:
            continue  # no new customers: the JSON keeps the row, the table need not
        shown = [_matrix_cell(cell, shares=shares) for cell in row_cells]
        label = segment_label(row, lang) if row is not None else t("history.new", lang)
        table.add_row(plain(label), *shown, f"{total:,}")
    console.print(table)
    legend = "history.migration.legend_shares" if shares else "history.migration.legend"
    console.print(t(legend, lang), markup=False)


def _matrix_cell(cell: dict[str, Any] | None, *, shares: bool) -> str:
    if cell is None or not cell["customers"]:
        return "·"
    if shares and cell["share"] is not None:
        return f"{cell['share']:.0%}"
    return f"{cell['customers']:,}"


@app.command("history")
def history(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="KPI to show per run (repeatable; --json holds every KPI)."),
    ] = None,
    window: Annotated[
        str | None, typer.Option("--window", help="KPI window, e.g. 90d (default: config).")
    ] = None,
    no_kpis: Annotated[
        bool, typer.Option("--sizes-only", help="Only segment sizes (no KPI computation).")
    ] = False,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Segment sizes and KPIs of a scheme at every stored run, oldest first."""
    from segmint.analysis.history import workspace_history
    from segmint.analysis.kpis import KPI_ORDER
    from segmint.analysis.workspace import parse_window
    from segmint.config import load_config
    from segmint.errors import InputError
    from segmint.store import open_store

    chosen = resolve_lang(lang)
    with user_errors(chosen):
        days = parse_window(window) if window is not None else None
        unknown = [k for k in kpi or [] if k not in KPI_ORDER]
        if unknown:
            raise InputError(f"--kpi: unknown KPI {unknown[0]!r}; KPIs: {', '.join(KPI_ORDER)}")
        config = load_config(workspace)
        chosen = resolve_lang(lang, config)
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_history(
                workspace, config, store, scheme=scheme, with_kpis=not no_kpis, window_days=days
            )
    if json_output:
        print_json(result)
        return
    print_history(result, chosen, kpis=tuple(kpi or HISTORY_KPIS_SHOWN))


def print_history(result: dict[str, Any], lang: str, *, kpis: tuple[str, ...]) -> None:
    """Print one table of sizes (runs × segments), then one per KPI that has values."""
    runs = result["runs"]
    segments = list(
        dict.fromkeys(s["segment"] for r in reversed(runs) for s in r["segments"] if s["customers"])
    )
    header = [t("history.col.run", lang), t("history.col.as_of", lang)]

    def table_of(title: str, cell: Any) -> Table:
        table = Table(title=title)
        for name in header:
            table.add_column(name, justify="right" if name == header[0] else "left", no_wrap=True)
        for name in segments:
            table.add_column(plain(segment_label(name, lang)), justify="right")
        for r in runs:
            by_name = {s["segment"]: s for s in r["segments"]}
            table.add_row(
                str(r["run_id"]), r["as_of"][:10], *[cell(r, by_name.get(n)) for n in segments]
            )
        return table

    console.print(
        table_of(
            t("history.sizes_title", lang, scheme=result["scheme"]),
            lambda r, s: "" if s is None else f"{s['customers']:,} ({s['share'] or 0:.0%})",
        )
    )
    if not runs or "population" not in runs[0]:
        return
    for name in kpis:
        values = [
            s["kpis"].get(name) for r in runs for s in r["segments"] if s.get("kpis") is not None
        ]
        if all(v is None or v.get("value") is None for v in values):
            continue
        fmt = (lambda v: f"{v:.1%}") if name in _PERCENT_KPIS else (lambda v: f"{v:,.2f}")

        def kpi_cell(_r: Any, s: Any, name: str = name, fmt: Any = fmt) -> str:
            value = None if s is None else (s["kpis"].get(name) or {}).get("value")
            return "–" if value is None else fmt(value)

        console.print(
            table_of(t("history.kpi_title", lang, kpi=name, days=result["window_days"]), kpi_cell)
        )


@app.command("backfill")
def backfill(
    workspace: Workspace = Path("."),
    start: Annotated[str, typer.Option("--from", help="First as_of date, e.g. 2024-01-01.")] = "",
    end: Annotated[
        str, typer.Option("--to", help="Last as_of date (included when on a step).")
    ] = "",
    every: Annotated[str, typer.Option("--every", help="Step: 1mo, 1w, 2w, 7d, ...")] = "1mo",
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Run the pipeline as of each date of a range; same date and config replace, never duplicate."""
    from segmint.config import load_config
    from segmint.errors import InputError
    from segmint.store import open_store
    from segmint.workspace.backfill import backfill_workspace, parse_every

    chosen = resolve_lang(lang)
    with user_errors(chosen):
        if not start or not end:
            raise InputError(
                "backfill needs --from and --to dates, e.g. --from 2024-01-01 --to 2024-06-01"
            )
        first = parse_cli_date(start, option="--from")
        last = parse_cli_date(end, option="--to")
        step = parse_every(every)
        assert first is not None and last is not None
        config = load_config(workspace)
        chosen = resolve_lang(lang, config)
        config = with_language(config, chosen)
        with (
            open_store(workspace / config.database) as store,
            progress_steps(chosen, quiet=json_output) as on_step,
        ):
            result = backfill_workspace(
                workspace, config, store, start=first, end=last, every=step, on_step=on_step
            )
    if json_output:
        print_json(result.to_dict())
        return
    table = Table(title=t("history.backfill.title", chosen))
    for key in ("as_of", "run", "customers", "segment_changes", "replaced"):
        table.add_column(
            t(f"history.col.{key}", chosen), justify="left" if key == "as_of" else "right"
        )
    for row in result.dates:
        table.add_row(
            row["as_of"][:10],
            str(row["run_id"]),
            f"{row['customers']:,}",
            f"{row['segment_changes']:,}",
            ", ".join(str(r) for r in row["replaced_runs"]) or "–",
        )
    console.print(table)
