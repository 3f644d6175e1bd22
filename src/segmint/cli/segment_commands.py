"""Checking commands: validate (config), validate-segments (five criteria), health backtest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from segmint.cli.app import (
    app,
    console,
    parse_cli_date,
    plain,
    print_json,
    resolve_lang,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, RunOption, Workspace, shown_run_line
from segmint.i18n import has_message, segment_label, t

health_app = typer.Typer(help="Health score tools.", no_args_is_help=True)
app.add_typer(health_app, name="health")


@app.command("validate")
def validate(
    workspace: Workspace = Path("."), lang: Lang = None, json_output: JsonFlag = False
) -> None:
    """Check segmint.yaml: keys, sources, rules (syntax, features, types), scorecard, playbooks."""
    from segmint.store import open_store
    from segmint.workspace.validate import validate_workspace

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        database = workspace / config.database
        if database.exists():
            with open_store(database, read_only=True) as store:
                problems = validate_workspace(workspace, config, store, lang=chosen)
        else:
            problems = validate_workspace(workspace, config, lang=chosen)
    if json_output:
        print_json({"ok": not problems, "problems": problems})
    else:
        for problem in problems:
            console.print("[red]✗[/] ", plain(problem), sep="", highlight=False)
        if not problems:
            message = t(
                "cli.config_ok",
                chosen,
                path=workspace / "segmint.yaml",
                sources=len(config.sources),
                schemes=len(config.schemes),
                tags=len(config.tags),
            )
            console.print("[green]✓[/] ", plain(message), sep="", highlight=False)
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
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """How well the health score separates customers who churned in the following N days."""
    from segmint.store import open_store
    from segmint.workspace.run import health_backtest_workspace

    chosen = resolve_lang(lang)
    end = parse_cli_date(as_of, option="--as-of")
    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            report = health_backtest_workspace(workspace, config, store, days=days, as_of=end)
    if json_output:
        print_json(report)
        return
    window = t(
        "cli.backtest.window", chosen, scored=report["scored_as_of"], until=report["outcome_until"]
    )
    console.print(plain(window))
    for key in ("auc_retained", "auc_churn", "customers", "churned", "churn_rate"):
        if key in report:
            console.print(plain(f"{t(f'cli.backtest.{key}', chosen):>14}: {report[key]}"))
    bands = report.get("by_band") or report.get("bands")
    if isinstance(bands, list) and bands:
        table = Table(title=t("cli.backtest.bands_title", chosen))
        for column in bands[0]:
            key = next(
                (k for k in (f"cli.backtest.{column}", f"cli.col.{column}") if has_message(k)), ""
            )
            table.add_column(t(key, chosen) if key else str(column))
        for row in bands:
            cells = (
                {**row, "band": segment_label(str(row["band"]), chosen)} if "band" in row else row
            )
            table.add_row(*[_cell(v) for v in cells.values()])
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
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Judge each segment: distinct, measurable, accessible, substantial, actionable (pass/warn/fail)."""
    from segmint.store import open_store
    from segmint.workspace.segment_review import validate_workspace_segments

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            results = validate_workspace_segments(config, store, scheme=scheme, run=run_id)
    if json_output:
        print_json(results if scheme is None else results[0])
        return
    if results:
        console.print(
            shown_run_line(results[0]["run_id"], results[0]["as_of"], chosen), highlight=False
        )
    print_segment_validation(results, chosen)


def print_segment_validation(results: list[dict[str, Any]], lang: str) -> None:
    """Print one table per scheme: segments × the five criteria, each pass/warn/fail (value)."""
    from segmint.segments.validation import CRITERIA

    colour = {"pass": "green", "warn": "yellow", "fail": "red"}
    for result in results:
        table = Table(
            title=t("cli.validate.title", lang, scheme=result["scheme"], run=result["run_id"])
        )
        table.add_column(t("cli.col.segment", lang), no_wrap=True)
        table.add_column(t("cli.col.size", lang), justify="right")
        for name in CRITERIA:
            table.add_column(t(f"cli.criterion.{name}", lang))
        for seg in result["segments"]:
            cells = []
            for name in CRITERIA:
                c = seg["criteria"].get(name, {})
                status = c.get("status", "")
                value = c.get("value")
                shown = t(f"cli.status.{status}", lang) if status in colour else status
                if isinstance(value, float):
                    shown += f" {value:.2f}"
                cells.append(Text(shown, style=colour.get(status, "")))
            table.add_row(
                plain(segment_label(str(seg["segment"]), lang)), f"{seg['size']:,}", *cells
            )
        console.print(table)
    console.print(t("cli.validate.legend", lang), markup=False, style="dim")


@app.command("personas")
def personas(
    workspace: Workspace = Path("."),
    scheme: Annotated[str | None, typer.Option(help="One scheme (default: every scheme).")] = None,
    run_id: RunOption = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Persona cards: size, revenue share, the traits that set each segment apart, its playbook."""
    from segmint.store import open_store
    from segmint.workspace.segment_review import workspace_personas

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            cards = workspace_personas(config, store, scheme=scheme, lang=chosen, run=run_id)
            shown = store.snapshot_run(run_id)
    if json_output:
        print_json({name: [c.to_dict() for c in group] for name, group in cards.items()})
        return
    console.print(shown_run_line(*shown, chosen), highlight=False)
    for name, group in cards.items():
        console.rule(plain(t("cli.personas.scheme", chosen, name=name)))
        for card in group:
            console.print(plain(persona_text(card, chosen)), highlight=False)


def persona_text(card: Any, lang: str) -> str:
    """Return a persona card as short Markdown-like text in `lang`."""
    from segmint.segments.clustering.labels import human_name

    lines = [f"### {segment_label(str(card.segment), lang)}", ""]
    size = t("cli.personas.customers", lang, size=f"{card.size:,}", share=f"{card.share:.1%}")
    lines.append(f"- {size}")
    if card.revenue is not None and card.revenue_share is not None:
        revenue = t(
            "cli.personas.revenue",
            lang,
            revenue=f"{card.revenue:,.2f}",
            share=f"{card.revenue_share:.1%}",
        )
        lines.append(f"- {revenue}")
    lines.append(f"- {t('cli.personas.traits', lang)}:")
    lines.extend(f"  - {trait.text}" for trait in card.traits)
    if card.typical:
        # Feature names stay as written in rules in Korean; English gets the readable form.
        values = ", ".join(
            f"{human_name(k) if lang == 'en' else k} {_number(v)}" for k, v in card.typical.items()
        )
        lines.append(f"- {t('cli.personas.typical', lang)}: {values}")
    if card.playbook:
        desc = ", ".join(
            f"{t(f'cli.playbook.{k}', lang) if has_message(f'cli.playbook.{k}') else k}: {v}"
            for k, v in card.playbook.items()
            if v is not None
        )
        lines.append(f"- {t('cli.personas.playbook', lang)}: {desc}")
    else:
        lines.append(f"- {t('cli.personas.playbook', lang)}: {t('cli.personas.no_playbook', lang)}")
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
