"""Checking commands: validate (config), validate-segments (five criteria), health backtest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import app, console, parse_cli_date, print_json, user_errors
from segmint.cli.workspace_commands import JsonFlag, RunOption, Workspace, shown_run_line

health_app = typer.Typer(help="Health score tools.", no_args_is_help=True)
app.add_typer(health_app, name="health")


@app.command("validate")
def validate(workspace: Workspace = Path("."), json_output: JsonFlag = False) -> None:
    """Check segmint.yaml: keys, sources, rules (syntax, features, types), scorecard, playbooks."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.validate import validate_workspace

    with user_errors():
        config = load_config(workspace)
        database = workspace / config.database
        if database.exists():
            with open_store(database, read_only=True) as store:
                problems = validate_workspace(workspace, config, store)
        else:
            problems = validate_workspace(workspace, config)
    if json_output:
        print_json({"ok": not problems, "problems": problems})
    else:
        for problem in problems:
            console.print(f"[red]✗[/] {problem}", highlight=False)
        if not problems:
            console.print(
                f"[green]✓[/] {workspace / 'segmint.yaml'}: {len(config.sources)} sources, "
                f"{len(config.schemes)} schemes, {len(config.tags)} tags — all valid"
            )
    if problems:
        raise typer.Exit(2)


@health_app.command("backtest")
def health_backtest(
    workspace: Workspace = Path("."),
    days: Annotated[
        int,
        typer.Option(help="Horizon: score N days before as_of, observe churn until as_of.", min=1),
    ] = 90,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="End of the observation window.")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """How well the health score separates customers who churned in the following N days."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.run import health_backtest_workspace

    end = parse_cli_date(as_of, option="--as-of")
    with user_errors():
        config = load_config(workspace)
        with open_store(workspace / config.database, read_only=True) as store:
            report = health_backtest_workspace(workspace, config, store, days=days, as_of=end)
    if json_output:
        print_json(report)
        return
    console.print(
        f"health scored as of {report['scored_as_of']}, churn observed until {report['outcome_until']}"
    )
    for key in ("auc_retained", "auc_churn", "customers", "churned", "churn_rate"):
        if key in report:
            console.print(f"{key:>14}: {report[key]}")
    bands = report.get("by_band") or report.get("bands")
    if isinstance(bands, list) and bands:
        table = Table(title="churn rate by health band")
        for column in bands[0]:
            table.add_column(str(column))
        for row in bands:
            table.add_row(*[_cell(v) for v in row.values()])
        console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@app.command("validate-segments")
def validate_segments(
    workspace: Workspace = Path("."),
    scheme: Annotated[str | None, typer.Option(help="One scheme (default: every scheme).")] = None,
    run_id: RunOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Judge each segment: distinct, measurable, accessible, substantial, actionable (pass/warn/fail)."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.segment_review import validate_workspace_segments

    with user_errors():
        config = load_config(workspace)
        with open_store(workspace / config.database, read_only=True) as store:
            results = validate_workspace_segments(config, store, scheme=scheme, run=run_id)
    if json_output:
        print_json(results if scheme is None else results[0])
        return
    if results:
        console.print(shown_run_line(results[0]["run_id"], results[0]["as_of"]), highlight=False)
    colour = {"pass": "green", "warn": "yellow", "fail": "red"}
    for result in results:
        table = Table(title=f"scheme {result['scheme']} (run {result['run_id']})")
        table.add_column("segment")
        table.add_column("size", justify="right")
        criteria = ("distinct", "measurable", "accessible", "substantial", "actionable")
        for name in criteria:
            table.add_column(name)
        for seg in result["segments"]:
            cells = []
            for name in criteria:
                c = seg["criteria"].get(name, {})
                value = c.get("value")
                shown = f"{c.get('status', '')}" + (
                    f" {value:.2f}" if isinstance(value, float) else ""
                )
                cells.append(f"[{colour.get(c.get('status', ''), 'white')}]{shown}[/]")
            table.add_row(str(seg["segment"]), f"{seg['size']:,}", *cells)
        console.print(table)


@app.command("personas")
def personas(
    workspace: Workspace = Path("."),
    scheme: Annotated[str | None, typer.Option(help="One scheme (default: every scheme).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the cards: en or ko.")] = "en",
    run_id: RunOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Persona cards: size, revenue share, the traits that set each segment apart, its playbook."""
    from segmint.config import load_config
    from segmint.store import open_store
    from segmint.workspace.segment_review import workspace_personas

    with user_errors():
        config = load_config(workspace)
        with open_store(workspace / config.database, read_only=True) as store:
            cards = workspace_personas(config, store, scheme=scheme, lang=lang, run=run_id)
            shown = store.snapshot_run(run_id)
    if json_output:
        print_json({name: [c.to_dict() for c in group] for name, group in cards.items()})
        return
    console.print(shown_run_line(*shown), highlight=False)
    for name, group in cards.items():
        console.rule(f"scheme {name}")
        for card in group:
            console.print(card.to_markdown(), highlight=False)
