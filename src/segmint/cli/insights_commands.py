"""`segmint insights ...`: what each segment prefers, how price-sensitive it is, when it buys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

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
from segmint.i18n import t

insights_app = typer.Typer(
    help="Understand segments: preferences, price, timing, channels, behaviours, survival.",
    no_args_is_help=True,
)
app.add_typer(insights_app, name="insights")

SchemeOption = Annotated[
    str | None, typer.Option("--scheme", help="Scheme (or tag:NAME); default: the first one.")
]
RunOption = Annotated[int | None, typer.Option("--run", help="Run id (default: the latest).")]


def _in_workspace(
    workspace: Path, lang: str | None, work: Callable[[Path, Any, Any], dict[str, Any]]
) -> tuple[dict[str, Any], str]:
    """Load the workspace config and store (read-only), run `work`, return its payload."""
    from segmint.store import open_store

    with workspace_session(workspace, lang) as session:
        config, chosen = session.config, session.lang
        with open_store(workspace / config.database, read_only=True) as store:
            return work(workspace, config, store), chosen
    raise AssertionError("unreachable")


@insights_app.command("preferences")
def preferences_command(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    run: RunOption = None,
    level: Annotated[
        str, typer.Option("--level", help="category, product or department.")
    ] = "category",
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Items shown per segment (default: all).")
    ] = None,
    min_support: Annotated[
        float, typer.Option("--min-support", min=0.0, max=1.0, help="Least share of baskets.")
    ] = 0.01,
    max_basket_size: Annotated[
        int,
        typer.Option("--max-basket-size", min=2, help="Baskets with more items are left out."),
    ] = 50,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Each segment's share of revenue per category, lift with 95% interval, basket pairs."""
    from segmint.analysis.preferences import PreferenceOptions
    from segmint.analysis.understand import workspace_preferences

    options = PreferenceOptions(
        level=level, top=top, min_support=min_support, max_basket_size=max_basket_size
    )
    result, chosen = _in_workspace(
        workspace,
        lang,
        lambda root, config, store: workspace_preferences(
            root, config, store, scheme=scheme, run_id=run, options=options
        ),
    )
    if json_output:
        print_json(result)
        return
    print_preferences(result, chosen)


def print_preferences(result: dict[str, Any], lang: str) -> None:
    """Print the top items of every segment with lift and interval, then the strongest pairs."""
    console.print(plain(t("insights.head", lang, scheme=result["scheme"], run=result["run_id"],
                          as_of=result["as_of"][:10])))  # fmt: skip
    table = Table(title=t("insights.preferences.title", lang, level=result["level"]))
    for key in ("segment", "item", "buyers", "share", "population", "lift", "interval", "p_adj"):
        table.add_column(
            t(f"insights.col.{key}", lang),
            justify="left" if key in ("segment", "item") else "right",
            no_wrap=key != "segment",
            overflow="ellipsis",
            max_width=28 if key == "item" else None,
        )
    for seg in result["segments"]:
        shown = seg["categories"][:3]
        for i, c in enumerate(shown):
            interval = _interval(c["lift_ci_low"], c["lift_ci_high"], "{:.2f}")
            table.add_row(
                plain(seg["segment"] if i == 0 else ""),
                plain(c["category"] + ("" if c["ranked"] else " †")),
                f"{c['buyers']:,}",
                _pct(c["revenue_share"]),
                _pct(c["population_share"]),
                _num(c["lift"], "{:.2f}"),
                interval,
                _p(c["p_value_adjusted"]),
                end_section=i == len(shown) - 1,
            )
    console.print(table)
    console.print(plain(t("insights.preferences.unranked", lang, n=result["min_buyers"])))
    if result["pairs"]:
        pairs = Table(title=t("insights.pairs.title", lang, baskets=f"{result['baskets']:,}"))
        for key in ("antecedent", "consequent", "support", "confidence", "lift", "p_adj"):
            pairs.add_column(
                t(f"insights.col.{key}", lang),
                justify="left" if key in ("antecedent", "consequent") else "right",
                no_wrap=True,
                overflow="ellipsis",
                max_width=30,
            )
        for p in result["pairs"][:10]:
            pairs.add_row(
                plain(p["antecedent"]), plain(p["consequent"]), _pct(p["support"]),
                _pct(p["confidence"]), _num(p["lift"], "{:.2f}"),
                _p(p["p_value_adjusted"]),
            )  # fmt: skip
        console.print(pairs)
    if result["baskets_left_out"]:
        console.print(plain(t("insights.pairs.left_out", lang, n=f"{result['baskets_left_out']:,}",
                              size=result["max_basket_size"])))  # fmt: skip


@insights_app.command("price")
def price_command(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    run: RunOption = None,
    full_price_below: Annotated[float, typer.Option("--full-price-below", min=0.0, max=1.0)] = 0.1,
    deal_seeker_from: Annotated[float, typer.Option("--deal-seeker-from", min=0.0, max=1.0)] = 0.5,
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Price sensitivity per segment: discount shares with 95% intervals, deal seekers."""
    from segmint.analysis.price_sensitivity import PriceOptions
    from segmint.analysis.understand import workspace_price

    options = PriceOptions(full_price_below=full_price_below, deal_seeker_from=deal_seeker_from)
    result, chosen = _in_workspace(
        workspace,
        lang,
        lambda root, config, store: workspace_price(
            root, config, store, scheme=scheme, run_id=run, options=options
        ),
    )
    if json_output:
        print_json(result)
        return
    print_price(result, chosen)


def print_price(result: dict[str, Any], lang: str) -> None:
    """Print each segment's discount figures and its mix of deal seekers and full-price buyers."""
    console.print(plain(t("insights.head", lang, scheme=result["scheme"], run=result["run_id"],
                          as_of=result["as_of"][:10])))  # fmt: skip
    table = Table(title=t("insights.price.title", lang))
    offers = any("redemption_rate" in seg for seg in result["segments"])
    rates: tuple[str, ...] = ("discount_share", "discounted_order_share", "coupon_order_share")
    rates += ("redemption_rate",) if offers else ()
    keys = ("segment", "customers", *rates, "deal_seekers", "full_price")
    for key in keys:
        table.add_column(
            t(f"insights.col.{key}", lang), justify="left" if key == "segment" else "right"
        )
    for seg in result["segments"]:
        cells: list[Text | str] = [plain(seg["segment"]), f"{seg['customers']:,}"]
        for name in rates:
            m = seg.get(name)
            if m is None or m["value"] is None:
                cells.append("–")
                continue
            interval = _interval(m["ci_low"], m["ci_high"], "{:.0%}")
            cells.append(f"{_pct(m['value'])} {interval}")
        for label in ("deal seeker", "full price"):
            cells.append(_pct(seg["labels"][label]["share"]))
        table.add_row(*cells)
    console.print(table)
    console.print(plain(t("insights.price.note", lang, n=result["min_orders"])))


@insights_app.command("timing")
def timing_command(
    workspace: Workspace = Path("."),
    scheme: SchemeOption = None,
    run: RunOption = None,
    backtest: Annotated[
        bool,
        typer.Option("--backtest", help="Compare forecasts with what happened after a cut-off."),
    ] = False,
    holdout: Annotated[
        str, typer.Option("--holdout", help="Backtest holdout before as_of, e.g. 90d.")
    ] = "90d",
    lang: Lang = None,
    json_output: JsonFlag = False,
) -> None:
    """Purchase rhythm per segment; with --backtest, forecasts against the naive rule."""
    from segmint.analysis.understand import workspace_timing, workspace_timing_backtest
    from segmint.analysis.workspace import parse_window

    if backtest:
        with user_errors(resolve_lang(lang)):
            days = parse_window(holdout)
        result, chosen = _in_workspace(
            workspace,
            lang,
            lambda root, config, store: workspace_timing_backtest(
                root, config, store, run_id=run, holdout_days=days
            ),
        )
        if json_output:
            print_json(result)
            return
        print_backtest(result, chosen)
        return
    result, chosen = _in_workspace(
        workspace,
        lang,
        lambda root, config, store: workspace_timing(
            root, config, store, scheme=scheme, run_id=run
        ),
    )
    if json_output:
        print_json(result)
        return
    print_timing(result, chosen)


_WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "ko": ["월", "화", "수", "목", "금", "토", "일"],
}


def print_timing(result: dict[str, Any], lang: str) -> None:
    """Print each segment's median cycle, buying chance, overdue customers and busiest times."""
    console.print(plain(t("insights.head", lang, scheme=result["scheme"], run=result["run_id"],
                          as_of=result["as_of"][:10])))  # fmt: skip
    table = Table(title=t("insights.timing.title", lang))
    keys = ("segment", "customers", "median_cycle", "p30", "overdue", "weekday", "hour", "month")
    for key in keys:
        table.add_column(
            t(f"insights.col.{key}", lang), justify="left" if key == "segment" else "right"
        )
    for seg in result["segments"]:
        weekday = seg["orders_by_weekday"]
        hour = seg["orders_by_hour"]
        month = seg["revenue_by_month"]
        table.add_row(
            plain(seg["segment"]),
            f"{seg['customers']:,}",
            _num(seg["median_cycle_days"], "{:.0f}"),
            _pct(seg["p_purchase_30d_mean"]),
            f"{seg['overdue_customers']:,}",
            _WEEKDAYS[lang][weekday.index(max(weekday))] if any(weekday) else "–",
            f"{hour.index(max(hour)):02d}" if any(hour) else "–",
            f"{month.index(max(month)) + 1}" if any(month) else "–",
        )
    console.print(table)


def print_backtest(result: dict[str, Any], lang: str) -> None:
    """Print the model and naive rows of the timing backtest in one table."""
    console.print(plain(t("insights.backtest.head", lang, cutoff=result["cutoff"],
                          as_of=result["as_of"], days=result["holdout_days"])))  # fmt: skip
    table = Table(title=t("insights.backtest.title", lang))
    keys = ("method", "customers", "mae", "coverage", "brier")
    for key in keys:
        table.add_column(
            t(f"insights.col.{key}", lang), justify="left" if key == "method" else "right"
        )
    for row in result["rows"]:
        table.add_row(
            t(f"insights.method.{row['method']}", lang),
            f"{row['customers']:,}",
            f"{_num(row['mae'], '{:.1f}')} ({row['mae_customers']:,})",
            f"{_pct(row['coverage_80'])} ({row['coverage_customers']:,})",
            _num(row["brier_30d"], "{:.4f}"),
        )
    console.print(table)
    console.print(plain(t("insights.backtest.note", lang)))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


def _interval(low: float | None, high: float | None, fmt: str) -> str:
    if low is None or high is None:
        return "–"
    return f"[{fmt.format(low)}, {fmt.format(high)}]"
