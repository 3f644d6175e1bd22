"""`segmint evaluate clv FILE`: backtest the CLV models on a calibration/holdout split."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segmint.cli.app import (
    console,
    evaluate_app,
    fail,
    parse_cli_date,
    print_json,
    progress_steps,
    resolve_lang,
    user_errors,
)
from segmint.cli.source_options import (
    AmountCol,
    CustomerCol,
    DateCol,
    DateFormat,
    DayFirst,
    Delimiter,
    Encoding,
    InvoiceCol,
    PriceCol,
    QuantityCol,
    build_read_options,
)
from segmint.cli.workspace_commands import Lang
from segmint.i18n import t
from segmint.progress import StagePlan

# metric -> catalogue key of its column header; RMSE and MAE are symbols, the same in every language
METRICS = {
    "aggregate_pct_error": "cli.eval.col.err_pct",
    "rmse": None,
    "mae": None,
    "mae_median": "cli.eval.col.mae_median",
    "poisson_deviance": "cli.eval.col.deviance",
    "spearman_r": "cli.eval.col.rank_r",
    "interval_80_coverage": "cli.eval.col.in_80",
}


@evaluate_app.command("clv")
def evaluate_clv_command(
    file: Annotated[Path, typer.Argument(help="Transactions file: CSV or Parquet.")],
    calibration_end: Annotated[
        str, typer.Option("--calibration-end", help="Last day of the calibration period.")
    ],
    holdout_end: Annotated[
        str, typer.Option("--holdout-end", help="Last day of the holdout period.")
    ],
    customer_col: CustomerCol = None,
    date_col: DateCol = None,
    amount_col: AmountCol = None,
    quantity_col: QuantityCol = None,
    price_col: PriceCol = None,
    invoice_col: InvoiceCol = None,
    encoding: Encoding = None,
    date_format: DateFormat = None,
    dayfirst: DayFirst = None,
    delimiter: Delimiter = None,
    seed: Annotated[int, typer.Option(help="Random seed (starts, gradient boosting).")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    lang: Lang = None,
) -> None:
    """Fit BG/NBD, Pareto/NBD, MBG/NBD, Gamma-Gamma and a supervised model on the calibration period; score holdout purchases."""
    from segmint.scores.clv import evaluate_clv
    from segmint.sources import read_source

    lang = resolve_lang(lang)
    cal = parse_cli_date(calibration_end, option="--calibration-end")
    hold = parse_cli_date(holdout_end, option="--holdout-end")
    assert cal is not None and hold is not None
    if hold <= cal:
        fail("--holdout-end must be after --calibration-end", lang=lang)
    with user_errors(lang):
        options = build_read_options(
            customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            quantity_col=quantity_col, price_col=price_col, invoice_col=invoice_col,
            encoding=encoding, date_format=date_format, dayfirst=dayfirst, delimiter=delimiter,
        )  # fmt: skip
        with progress_steps(lang, quiet=json_output) as step:
            plan = StagePlan("evaluate_clv", ["read", "fit"], step)
            plan.start("read", subject=file.name)
            ingest = read_source(file, table="transactions", options=options)
            loaded = ingest.loaded
            # returns and cancellations (negative amounts) are not purchases; $0 orders are
            purchases = loaded[loaded["amount"] >= 0][["customer_id", "occurred_at", "amount"]]
            plan.start("fit", rows=int(ingest.rows_read))
            result = evaluate_clv(purchases, calibration_end=cal, holdout_end=hold, seed=seed)
    result["rows_read"] = int(ingest.rows_read)
    result["rows_rejected"] = int(len(ingest.rejected))
    result["rows_not_purchases"] = int(len(loaded) - len(purchases))
    if json_output:
        print_json(result)
        return
    _print_result(file, result, lang)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _param_text(key: str, value: Any) -> str:
    """Return "key=value" for the notes under the table (floats to 4 digits, dicts flattened)."""
    if isinstance(value, float):
        return f"{key}={value:.4g}"
    if isinstance(value, dict):
        return f"{key}=(" + "; ".join(_param_text(k, v) for k, v in value.items()) + ")"
    return f"{key}={value}"


def _metric(name: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if name == "aggregate_pct_error" else f"{value:.3f}"


def _season_note(season: dict[str, Any], lang: str) -> str:
    """The seasonality line of the service's result, in `lang`."""
    if season.get("factor") is not None:
        return t(
            "cli.eval.clv.season_factor", lang, factor=f"{season['factor']:.3f}",
            backtest=season.get("backtest", ""),
        )  # fmt: skip
    if "needed_weeks" in season:
        return t(
            "cli.eval.clv.season_short", lang, weeks=f"{season['history_weeks']:.0f}",
            needed=season["needed_weeks"],
        )  # fmt: skip
    return t("cli.eval.clv.season_empty", lang)


def _print_result(file: Path, result: dict[str, Any], lang: str) -> None:
    console.print(
        t(
            "cli.eval.clv.header",
            lang,
            file=f"[bold]{file.name}[/]",
            customers=f"{result['customers']:,}",
            cal=result["calibration_end"],
            weeks=f"{result['holdout_weeks']:g}",
            hold=result["holdout_end"],
            rejected=f"{result['rows_rejected']:,}",
            negative=f"{result['rows_not_purchases']:,}",
        )  # fmt: skip
    )
    actual = next((m["sum_actual"] for m in result["models"].values() if "sum_actual" in m), None)
    table = Table(title=t("cli.eval.clv.title", lang, total=_fmt(actual)))
    table.add_column(t("cli.eval.col.model", lang), no_wrap=True)
    for metric, key in METRICS.items():
        header = t(key, lang) if key else metric.upper()
        table.add_column(header, justify="right", no_wrap=True)
    notes = []
    for name, entry in result["models"].items():
        label = f"[bold green]{name} *[/]" if name == result["best"] else name
        params = ", ".join(_param_text(k, v) for k, v in entry.get("params", {}).items())
        if entry.get("forecast") == "nbd_limit":
            table.add_row(label, *[_metric(m, entry.get(m)) for m in METRICS])
            note = t("cli.eval.clv.nbd_limit", lang, name=name)
            notes.append(f"[yellow]{note}[/] ({entry['diagnosis']})")
        elif "mae" not in entry:
            table.add_row(label, *[t("cli.eval.failed", lang)] + [""] * (len(METRICS) - 1))
            notes.append(f"[yellow]{name}:[/] {entry['diagnosis']}")
        else:
            table.add_row(label, *[_metric(m, entry.get(m)) for m in METRICS])
            if params:
                notes.append(f"{name}: {params}")
    console.print(table)
    for note in notes:
        console.print(note, highlight=False)
    spend = result["gamma_gamma"]
    if "spend_error" in spend:
        err = spend["spend_error"]
        params = ", ".join(f"{k}={v:.4g}" for k, v in spend["params"].items())
        console.print(
            t(
                "cli.eval.clv.gamma_gamma",
                lang,
                params=params,
                predicted=_fmt(err["mean_predicted"]),
                actual=_fmt(err["mean_actual"]),
                error=_fmt(err["aggregate_pct_error"]),
                mae=_fmt(err["mae"]),
                r=_fmt(err["pearson_r"]),
                customers=f"{err['customers']:,}",
            )  # fmt: skip
        )
    else:
        console.print(f"[yellow]Gamma-Gamma:[/] {spend.get('diagnosis')}")
    console.print(_season_note(result["seasonality"], lang), highlight=False)
    console.print(t("cli.eval.clv.best", lang, best=f"[bold]{result['best']}[/]"))
