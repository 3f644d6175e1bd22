"""`segmint experiment assign|analyze|list`: A/B tests inside segments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from segmint.cli.app import (
    app,
    console,
    err_console,
    fail,
    parse_cli_date,
    plain,
    print_json,
    resolve_lang,
    user_errors,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, Workspace
from segmint.i18n import t
from segmint.report.experiment_sections import warning_text

experiment_app = typer.Typer(
    help="A/B tests inside segments: assign, analyze, list.", no_args_is_help=True
)
app.add_typer(experiment_app, name="experiment")

MetricOption = Annotated[
    str | None,
    typer.Option(
        "--metric",
        help="conversion, revenue, orders, or an event name (did it: 0/1); default: the "
        "experiment's metric (files: conversion).",
    ),
]


@experiment_app.command("assign")
def assign(
    name: Annotated[str, typer.Argument(help="Experiment name (letters, digits, _ . -).")],
    variants: Annotated[
        str, typer.Option("--variants", help="Variants and weights: control:50,treatment:50.")
    ],
    workspace: Workspace = Path("."),
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Scheme of --segment (and of the results).")
    ] = None,
    segment: Annotated[
        str | None, typer.Option("--segment", help="Assign only this segment of --scheme.")
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", help="Assign only customers with this tag.")
    ] = None,
    stratify: Annotated[
        str | None,
        typer.Option("--stratify", help="Balance the variants within each segment of this scheme."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="CSV of the assignments (default: experiments/NAME.csv)."
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Assignment time recorded for new customers (default: now)."),
    ] = None,
    metric: Annotated[
        str,
        typer.Option("--metric", help="Primary metric (analyze and the run report default to it)."),
    ] = "conversion",
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Assign a segment's customers to variants by a hash of (experiment, customer id)."""
    from segmint.analysis.experiments import assign_experiment
    from segmint.store import open_store

    chosen = resolve_lang(lang)
    when = parse_cli_date(at, option="--at") or datetime.now(UTC).replace(tzinfo=None)
    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database) as store:
            result = assign_experiment(
                workspace, store, name, variants=variants, assigned_at=when, scheme=scheme,
                segment=segment, tag=tag, stratify=stratify, metric=metric, output=output,
            )  # fmt: skip
    if json_output:
        print_json(result)
        return
    console.print(
        t("exp.assigned", chosen, experiment=result["experiment"], new=f"{result['assigned_new']:,}",
          users=f"{result['users']:,}", population=result["population"]),
        highlight=False,
    )  # fmt: skip
    table = Table()
    table.add_column(t("exp.col.variant", chosen))
    table.add_column(t("exp.col.weight", chosen), justify="right")
    table.add_column(t("exp.col.users", chosen), justify="right")
    for variant, weight in result["variants"].items():
        table.add_row(plain(variant), f"{weight:.0%}", f"{result['users_per_variant'][variant]:,}")
    console.print(table)
    console.print(t("cli.wrote", chosen, path=result["file"]), highlight=False, soft_wrap=True)


@experiment_app.command("list")
def list_command(
    workspace: Workspace = Path("."), lang: Lang = None, json_output: JsonFlag = False
) -> None:
    """List the workspace's experiments: variants, weights, population and users."""
    from segmint.analysis.experiments import list_experiments
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            result = list_experiments(store)
    if json_output:
        print_json(result)
        return
    if not result["experiments"]:
        console.print(t("exp.none", chosen), highlight=False)
        return
    table = Table()
    for key in ("experiment", "variants", "population", "users", "started"):
        table.add_column(t(f"exp.col.{key}", chosen), justify="right" if key == "users" else "left")
    for item in result["experiments"]:
        weights = ", ".join(f"{v} {w:.0%}" for v, w in item["variants"].items())
        table.add_row(
            plain(item["experiment"]), plain(weights), plain(item["population"]),
            f"{item['users']:,}", (item["first_assigned_at"] or "")[:10],
        )  # fmt: skip
    console.print(table)


@experiment_app.command("analyze")
def analyze(
    name: Annotated[
        str | None, typer.Argument(help="Experiment name (in the workspace, or in the file).")
    ] = None,
    workspace: Workspace = Path("."),
    assignments: Annotated[
        Path | None, typer.Option("--assignments", help="Assignments CSV: customer_id, variant.")
    ] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option(
            "--outcomes", help="Transactions or events export: customer_id, occurred_at[, amount]."
        ),
    ] = None,
    pre: Annotated[
        Path | None,
        typer.Option("--pre", help="CSV of customer_id and a pre-period value (CUPED)."),
    ] = None,
    segment_col: Annotated[
        str | None,
        typer.Option("--segment-col", help="Column of --assignments holding the segment."),
    ] = None,
    variants: Annotated[
        str | None,
        typer.Option("--variants", help="With files: the configured weights (default: equal)."),
    ] = None,
    metric: MetricOption = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Window start (default: assignment).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Window end, exclusive (default: end of data).")
    ] = None,
    pre_start: Annotated[
        str | None,
        typer.Option(
            "--pre-start", help="CUPED pre-period start (default: window length before --start)."
        ),
    ] = None,
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Results per segment of this scheme.")
    ] = None,
    control: Annotated[
        str | None,
        typer.Option("--control", help="Control variant (default: control, else the first)."),
    ] = None,
    sequential: Annotated[
        bool, typer.Option("--sequential", help="Always-valid intervals: safe to look every day.")
    ] = False,
    cuped: Annotated[
        bool, typer.Option("--cuped/--no-cuped", help="Adjust by the pre-period.")
    ] = True,
    min_users: Annotated[
        int, typer.Option("--min-users", min=2, help="Warn for segments with fewer users per arm.")
    ] = 100,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Results of an experiment per variant and segment: uplift, interval, p, chance to win, SRM."""
    from segmint.analysis.experiments import AnalysisOptions, analyze_files

    chosen = resolve_lang(lang)
    window = {
        "start": parse_cli_date(start, option="--start"),
        "end": parse_cli_date(end, option="--end"),
        "pre_start": parse_cli_date(pre_start, option="--pre-start"),
    }
    options = AnalysisOptions(
        control=control, cuped=cuped, sequential=sequential, min_users=min_users
    )
    with user_errors(chosen):
        if assignments is not None or outcomes is not None:
            if assignments is None or outcomes is None:
                fail(t("exp.files_pair", chosen), lang=chosen)
            assert assignments is not None and outcomes is not None
            result = analyze_files(
                assignments, outcomes, experiment=name, metric=metric or "conversion", pre_path=pre,
                segment_col=segment_col, variants=variants, options=options, **window,
            )  # fmt: skip
        else:
            result = _analyze_workspace(workspace, name, metric, scheme, options, window, lang)
            chosen = result.pop("_lang")
    if json_output:
        print_json(result)
        return
    print_results(result, chosen)


def _analyze_workspace(
    workspace: Path,
    name: str | None,
    metric: str | None,
    scheme: str | None,
    options: Any,
    window: dict[str, Any],
    lang: str | None,
) -> dict[str, Any]:
    from segmint.analysis.experiments import analyze_experiment
    from segmint.config import load_config
    from segmint.store import open_store

    config = load_config(workspace)
    chosen = resolve_lang(lang, config)
    if name is None:
        fail(t("exp.name_needed", chosen), lang=chosen)
    assert name is not None
    with open_store(workspace / config.database, read_only=True) as store:
        result = analyze_experiment(
            workspace, config, store, name, metric=metric, scheme=scheme, options=options, **window
        )
    return result | {"_lang": chosen}


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:+.{digits}%}"


def _p(value: float | None) -> str:
    return "–" if value is None else ("<0.001" if value < 0.001 else f"{value:.3f}")


def _mean(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def print_results(result: dict[str, Any], lang: str) -> None:
    """Print the SRM check, one row per segment and variant, CUPED and the warnings."""
    window = result["window"]
    method = t(f"exp.method.{result['method']}", lang)
    console.print(
        t("exp.header", lang, experiment=result["experiment"], metric=result["metric"],
          start=window["start"][:10], end=window["end"][:10], method=method),
        highlight=False, soft_wrap=True,
    )  # fmt: skip
    if result["srm_flag"]:
        srm = t("exp.srm_bad", lang, p=f"{result['srm_p_value']:.2g}")
        err_console.print(
            f"[bold red]{escape(srm)}[/]",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
    else:
        console.print(t("exp.srm_ok", lang, p=f"{result['srm_p_value']:.3f}"), highlight=False)
    table = Table(
        title=t("exp.table_title", lang, control=result["control"]),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    keys = ("variant", "users", "mean", "uplift", "interval", "p", "p_adj", "win", "loss")
    for key in keys:
        table.add_column(
            t(f"exp.col.{key}", lang), justify="left" if key == "variant" else "right", no_wrap=True
        )
    previous = None
    for row in result["results"]:
        if row["segment"] != previous:
            # the segment as a heading row: the table stays readable in 80 columns
            name = t("exp.all", lang) if row["segment"] == "all" else str(row["segment"])
            table.add_row(Text(name, style="bold"))
            previous = row["segment"]
        interval = "" if row["ci_low"] is None else f"{_pct(row['ci_low'])}…{_pct(row['ci_high'])}"
        table.add_row(
            plain(f"  {row['variant']}"),
            f"{row['users']:,}",
            _mean(row["mean"]),
            _pct(row["uplift_rel"]),
            interval,
            _p(row["p_value"]),
            _p(row["p_value_adjusted"]),
            "" if row["chance_to_win"] is None else f"{row['chance_to_win']:.1%}",
            "" if row["expected_loss"] is None else f"{row['expected_loss']:.2%}",
        )
    console.print(table)
    for row in result["results"]:
        if row["segment"] == "all" and row["cuped"]:
            reduction = row["cuped"]["variance_reduction"]
            console.print(
                t("exp.cuped", lang, variant=row["variant"], theta=f"{row['cuped']['theta']:.3f}",
                  reduction="–" if reduction is None else f"{reduction:.0%}",
                  unadjusted=_pct(row["cuped"]["uplift_rel_unadjusted"])),
                highlight=False,
            )  # fmt: skip
    for warning in result["warnings"]:
        if warning["code"] == "srm":
            continue
        err_console.print(
            f"[yellow]{t('exp.warning', lang)}[/] {escape(warning['code'])}: "
            f"{escape(warning_text(warning, lang))}",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
