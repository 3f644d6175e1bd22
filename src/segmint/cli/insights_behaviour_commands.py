"""`segmint insights channels | behaviours | hypothesis | survival`: thin shells over analysis services."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import console, print_json, workspace_session
from segmint.cli.insights_commands import insights_app
from segmint.cli.workspace_commands import JsonFlag, Lang, RunOption, Workspace
from segmint.i18n import t

Outcome = Annotated[
    str,
    typer.Option("--outcome", help="churned, retained, converted or an event name."),
]
First = Annotated[str | None, typer.Option("--first", help="First days after signup, e.g. 7d.")]
Horizon = Annotated[
    str | None, typer.Option("--horizon", help="Outcome horizon after signup, e.g. 180d.")
]
AdjustFor = Annotated[
    str | None,
    typer.Option("--adjust-for", help="Customer attributes to adjust for, comma-separated."),
]


def _days(text: str | None, option: str) -> int | None:
    from segmint.analysis.workspace import parse_window
    from segmint.errors import InputError

    if text is None:
        return None
    try:
        return parse_window(text)
    except InputError:
        raise InputError(
            f"{option}: expected a number of days like 7d or 26w, got {text!r}"
        ) from None


def _columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


@insights_app.command("behaviours")
def behaviours(
    workspace: Workspace = Path("."),
    outcome: Outcome = "retained",
    first: First = None,
    horizon: Horizon = None,
    adjust_for: AdjustFor = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Which behaviours of the first days after signup go with the outcome (associations)."""
    from segmint.analysis.insights_workspace import behaviour_options, workspace_behaviours
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        options = behaviour_options(
            config,
            outcome=outcome,
            first_days=_days(first, "--first"),
            horizon_days=_days(horizon, "--horizon"),
            adjust_for=_columns(adjust_for),
        )
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_behaviours(workspace, config, store, options=options)
    if json_output:
        print_json(result)
        return
    print_behaviours(result, chosen)


@insights_app.command("hypothesis")
def hypothesis(
    rule: Annotated[str, typer.Argument(help='A condition, e.g. "did(sync) within 7d of signup".')],
    workspace: Workspace = Path("."),
    outcome: Outcome = "retained",
    horizon: Horizon = None,
    adjust_for: AdjustFor = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Test one written condition against the outcome, the same way as `insights behaviours`."""
    from segmint.analysis.insights_workspace import behaviour_options, workspace_hypothesis
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        options = behaviour_options(
            config,
            outcome=outcome,
            horizon_days=_days(horizon, "--horizon"),
            adjust_for=_columns(adjust_for),
        )
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_hypothesis(workspace, config, store, rule, options=options)
    if json_output:
        print_json(result)
        return
    print_behaviours(result, chosen)


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value >= 0.001 else "<0.001"


def _with_interval(value: float, low: float, high: float) -> str:
    """Return "+4.1 (+1.0…+7.2)" in percentage points."""
    return f"{value * 100:+.1f} ({low * 100:+.1f}…{high * 100:+.1f})"


def print_behaviours(result: dict[str, Any], lang: str) -> None:
    """Print the behaviours table: doers, rates, raw and adjusted differences with intervals."""
    console.print(
        t(
            "insights.behaviours.intro",
            lang,
            outcome=result["outcome"],
            first=result["first_days"],
            horizon=result["horizon_days"],
            population=f"{result['population']:,}",
            baseline=_pct(result["baseline_rate"]),
        ),
        highlight=False,
    )
    table = Table(title=t("insights.behaviours.title", lang), expand=False)
    headers = ("behaviour", "did", "rate_did", "rate_did_not", "difference", "p_adj", "adjusted")
    for key in headers:
        table.add_column(
            t(f"insights.col.{key}", lang),
            justify="left" if key == "behaviour" else "right",
            no_wrap=key == "behaviour",
        )
    for row in result["behaviours"]:
        diff = "–"
        if row["difference"] is not None:
            diff = _with_interval(row["difference"], row["ci_low"], row["ci_high"])
        adjusted = "–"
        if row["adjusted_difference"] is not None:
            adjusted = _with_interval(
                row["adjusted_difference"], row["adjusted_ci_low"], row["adjusted_ci_high"]
            )
        table.add_row(
            row["behaviour"],
            f"{row['customers_did']:,} ({_pct(row['share_did'])})",
            _pct(row["rate_did"]),
            _pct(row["rate_did_not"]),
            diff,
            _p(row["p_value_adjusted"]),
            adjusted,
        )
    console.print(table)
    for row in result["behaviours"]:
        if row["reason"]:
            console.print(
                t(
                    "insights.behaviours.too_few",
                    lang,
                    behaviour=row["behaviour"],
                    n=min(row["customers_did"], result["population"] - row["customers_did"]),
                    min=result["min_doers"],
                ),  # fmt: skip
                style="dim",
                highlight=False,
            )
    if result["adjusted_for"]:
        console.print(
            t("insights.behaviours.adjusted", lang, columns=", ".join(result["adjusted_for"])),
            highlight=False,
        )
    console.print(t("insights.behaviours.note", lang), style="dim", highlight=False)


@insights_app.command("survival")
def survival(
    workspace: Workspace = Path("."),
    by_attribute: Annotated[
        str, typer.Option("--by-attribute", help="Customer attribute to split by.")
    ] = "plan",
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Kaplan–Meier subscriber retention by a customer attribute, with log-rank tests."""
    from segmint.analysis.insights_workspace import workspace_survival
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_survival(workspace, config, store, attribute=by_attribute)
    if json_output:
        print_json(result)
        return
    print_survival(result, chosen)


def print_survival(result: dict[str, Any], lang: str) -> None:
    """Print retention at each checkpoint per group with 95% intervals, median and log-rank p."""
    days = [r["day"] for r in result["groups"][0]["retention"]] if result["groups"] else []
    table = Table(
        title=t(
            "insights.survival.title",
            lang,
            attribute=result["attribute"],
            customers=f"{result['customers']:,}",
        )  # fmt: skip
    )
    table.add_column(result["attribute"])
    table.add_column(t("insights.col.customers", lang), justify="right")
    table.add_column(t("insights.col.churned", lang), justify="right")
    for day in days:
        table.add_column(t("insights.col.day", lang, day=day), justify="right")
    table.add_column(t("insights.col.median", lang), justify="right")
    table.add_column(t("insights.col.p_adj", lang), justify="right")
    for g in result["groups"]:
        cells = []
        for r in g["retention"]:
            if r["retention"] is None:
                cells.append("–")
            elif r["ci_low"] == r["ci_high"]:  # before the first churn: no uncertainty to show
                cells.append(f"{r['retention']:.0%}")
            else:
                cells.append(f"{r['retention']:.0%} ({r['ci_low']:.0%}–{r['ci_high']:.0%})")
        median = "–" if g["median_days"] is None else f"{g['median_days']:.0f}"
        table.add_row(
            g["group"], f"{g['customers']:,}", f"{g['churned']:,}", *cells, median,
            _p(g.get("p_value_adjusted")),
        )  # fmt: skip
    console.print(table)
    console.print(t("insights.survival.note", lang), style="dim", highlight=False)


@insights_app.command("channels")
def channels(
    workspace: Workspace = Path("."),
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Scheme (or tag:NAME); default: the first one.")
    ] = None,
    run: RunOption = None,
    by: Annotated[str, typer.Option("--by", help="channel or campaign.")] = "channel",
    window: Annotated[
        str | None, typer.Option("--window", help="Conversion window, e.g. 7d (default: config).")
    ] = None,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Open, click and conversion rates per segment × channel (or campaign), and preferred channels."""
    from segmint.analysis.insights_workspace import workspace_channels
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            result = workspace_channels(
                workspace, config, store, scheme=scheme, run_id=run, by=by,
                window_days=_days(window, "--window"),
            )  # fmt: skip
    if json_output:
        print_json(result)
        return
    print_channels(result, chosen)


def print_channels(result: dict[str, Any], lang: str) -> None:
    """Print the rates per segment × channel, the fatigue table and the preferred-channel counts."""
    console.print(
        t(
            "insights.channels.intro",
            lang,
            scheme=result["scheme"],
            run=result["run_id"],
            touches=f"{result['touches']:,}",
            pending=f"{result['pending_touches']:,}",
            window=result["window_days"],
        ),  # fmt: skip
        highlight=False,
    )
    by = result["by"]
    table = Table(title=t("insights.channels.title", lang))
    table.add_column(t("insights.col.segment", lang), no_wrap=True)
    table.add_column(t(f"insights.col.{by}", lang), no_wrap=True)
    for key in ("touches", "open_rate", "click_rate", "conversion_rate", "revenue_per_touch"):
        table.add_column(t(f"insights.col.{key}", lang), justify="right", no_wrap=True)
    for seg in result["segments"]:
        for i, row in enumerate(seg["rows"]):
            table.add_row(
                seg["segment"] if i == 0 else "",
                row[by],
                f"{row['touches']:,}",
                _rate_cell(row["open_rate"]),
                _rate_cell(row["click_rate"]),
                _rate_cell(row["conversion_rate"], counts=True),
                "–" if row["revenue_per_touch"] is None else f"{row['revenue_per_touch']:,.2f}",
                end_section=i == len(seg["rows"]) - 1,
            )
    console.print(table)
    fatigue = Table(
        title=t(
            "insights.channels.fatigue",
            lang,
            days=result["fatigue"][0]["days"] if result["fatigue"] else 30,
        )
    )
    fatigue.add_column(t("insights.col.earlier", lang), justify="right")
    fatigue.add_column(t("insights.col.conversion_rate", lang), justify="right")
    for row in result["fatigue"]:
        fatigue.add_row(row["earlier_touches"], _rate_cell(row["conversion_rate"], counts=True))
    console.print(fatigue)
    from segmint.report.engagement_sections import backtest_text, preferred_name

    counts = ", ".join(
        f"{preferred_name(k, lang)} {v:,}" for k, v in result["preferred_channel"].items()
    )
    console.print(t("insights.channels.preferred", lang, counts=counts), highlight=False)
    if result.get("backtest"):
        console.print(backtest_text(result["backtest"], lang), highlight=False)
    console.print(t("insights.channels.note", lang), style="dim", highlight=False)


def _rate_cell(rate: dict[str, Any] | None, *, counts: bool = False) -> str:
    """Return "6.7% (6.1–7.4) *", with "364/5,416" after the value when `counts`."""
    if rate is None:
        return "–"
    star = " *" if rate["p_value_adjusted"] is not None and rate["p_value_adjusted"] < 0.05 else ""
    shown = f"{rate['value']:.1%}"
    if counts:
        shown += f" {rate['numerator']:,}/{rate['denominator']:,}"
    return f"{shown} ({rate['ci_low']:.1%}–{rate['ci_high']:.1%}){star}"
