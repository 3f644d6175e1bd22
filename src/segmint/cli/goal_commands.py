"""Judging commands: segment predictive validity and goals per segment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
    plain,
    print_json,
    resolve_lang,
    user_errors,
    workspace_session,
)
from segmint.cli.workspace_commands import JsonFlag, Lang, Workspace

_PERCENT_KPIS = {"revenue_share", "retention_rate", "churn_rate", "conversion_rate",
                 "engagement_rate", "activation_rate", "nrr", "grr"}  # fmt: skip


@app.command("validity")
def validity(
    workspace: Workspace = Path("."),
    scheme: Annotated[str, typer.Option("--scheme", help="Scheme to judge.")] = "",
    horizon: Annotated[
        str, typer.Option("--horizon", help="Outcome window after each as_of, e.g. 90d or 12w.")
    ] = "90d",
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Do a scheme's past segments predict churn and revenue? Rates with intervals, chi-square, AUC."""
    from segmint.analysis.validity import workspace_validity
    from segmint.analysis.workspace import parse_window
    from segmint.config import load_config
    from segmint.errors import InputError
    from segmint.store import open_store
    from segmint.workspace_data import default_run_as_of

    chosen = resolve_lang(lang)
    with user_errors(chosen):
        days = parse_window(horizon, option="--horizon")
        config = load_config(workspace)
        chosen = resolve_lang(lang, config)
        if not scheme:
            raise InputError(
                "validity needs --scheme; schemes: " + ", ".join(s.name for s in config.schemes)
            )
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_validity(
                store,
                scheme=scheme,
                horizon_days=days,
                seed=config.seed,
                data_end=default_run_as_of(store),
            )
    if json_output:
        print_json(result)
        return
    print_validity(result, chosen)


def print_validity(result: dict[str, Any], lang: str) -> None:
    """Print the churn rate and revenue per segment at each judged as_of, then the summary."""
    from segmint.i18n import segment_label, t

    for entry in result["as_ofs"]:
        table = Table(
            title=t(
                "validity.title",
                lang,
                scheme=result["scheme"],
                as_of=entry["as_of"][:10],
                days=result["horizon_days"],
            )
        )
        for key in ("segment", "customers", "at_risk", "churn_rate", "interval", "revenue"):
            table.add_column(
                t(f"validity.col.{key}", lang), justify="left" if key == "segment" else "right"
            )
        for seg in entry["segments"]:
            rate = seg["churn_rate"]
            money = seg["revenue_per_customer"]
            table.add_row(
                plain(segment_label(seg["segment"], lang)),
                f"{seg['customers']:,}",
                f"{seg['at_risk']:,}",
                "–" if rate is None else f"{rate:.1%}",
                "" if seg["ci_low"] is None else f"{seg['ci_low']:.1%} – {seg['ci_high']:.1%}",
                "–" if money is None or money["value"] is None else f"{money['value']:,.2f}",
            )
        console.print(table)
    summary = result["summary"]
    chi = summary["chi_square"] or {}
    console.print(
        t(
            "validity.summary",
            lang,
            definition=t(
                "validity.definition.subscription"
                if result["churn_definition"] == "subscription ends"
                else "validity.definition.purchase",
                lang,
            ),
            n=f"{summary['observations']:,}",
            churned=f"{summary['churned']:,}",
            chi="–" if chi.get("statistic") is None else f"{chi['statistic']:.1f}",
            dof=chi.get("dof", 0),
            p=_p(chi.get("p_value")),
            auc="–" if summary["auc"] is None else f"{summary['auc']:.3f}",
        ),
        markup=False,
    )
    if result["unobserved"]:
        dates = ", ".join(u["as_of"][:10] for u in result["unobserved"])
        console.print(t("validity.unobserved", lang, dates=dates), markup=False)


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


@app.command("goals")
def goals(
    workspace: Workspace = Path("."),
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Each goal of segmint.yaml: latest value with its interval, trend, and whether on track."""
    from segmint.analysis.goals import workspace_goals
    from segmint.analysis.history import workspace_history
    from segmint.store import open_store
    from segmint.workspace_data import engine_tables

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            tables = engine_tables(config, store, workspace)
            result = workspace_goals(
                config,
                lambda scheme: workspace_history(
                    workspace, config, store, scheme=scheme, tables=tables
                ),
            )
    if json_output:
        print_json(result)
        return
    print_goals(result, chosen)


def print_goals(result: dict[str, Any], lang: str) -> None:
    """Print one row per goal: latest value and interval, target, projection and verdict."""
    from segmint.i18n import t

    table = Table(title=t("goals.title", lang))
    for key in ("goal", "latest", "interval", "target", "projected", "runs", "status"):
        table.add_column(
            t(f"goals.col.{key}", lang),
            justify="left" if key == "goal" else "right",
            no_wrap=key in ("goal", "status"),
        )
    for goal in result["goals"]:
        fmt = (lambda v: f"{v:.1%}") if goal["kpi"] in _PERCENT_KPIS else (lambda v: f"{v:,.2f}")
        latest = goal["latest"] or {}
        value = latest.get("value")
        interval = (
            ""
            if latest.get("ci_low") is None
            else f"{fmt(latest['ci_low'])} – {fmt(latest['ci_high'])}"
        )
        sign = "≤" if goal["direction"] == "below" else "≥"
        table.add_row(
            plain(goal["name"]),
            "–" if value is None else fmt(value),
            interval,
            f"{sign} {fmt(goal['target'])} · {goal['by']}",
            "–" if goal["projected"] is None else fmt(goal["projected"]),
            str(sum(p["value"] is not None for p in goal["trend"])),
            t(_status_key(goal), lang),
        )
    console.print(table)
    for goal in result["goals"]:
        if goal["reason_code"]:
            reason = t(f"goals.reason.{goal['reason_code']}", lang, by=goal["by"])
            console.print(f"{goal['name']}: {reason}", markup=False)
    if result.get("recomputed_runs"):
        runs = ", ".join(str(r) for r in result["recomputed_runs"])
        console.print(t("goals.recomputed", lang, runs=runs), markup=False)


def _status_key(goal: dict[str, Any]) -> str:
    if goal["on_track"] is None:
        return "goals.status.unknown"
    return "goals.status.on_track" if goal["on_track"] else "goals.status.off_track"
