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
from segmint.i18n import detect_lang
from segmint.progress import StagePlan

METRICS = {
    "aggregate_pct_error": "err %",
    "rmse": "RMSE",
    "mae": "MAE",
    "mae_median": "MAE med",
    "poisson_deviance": "dev",
    "spearman_r": "rank r",
    "interval_80_coverage": "in 80%",
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
) -> None:
    """Fit BG/NBD, Pareto/NBD, MBG/NBD, Gamma-Gamma and a supervised model on the calibration period; score holdout purchases."""
    from segmint.scores.clv import evaluate_clv
    from segmint.sources import read_source

    cal = parse_cli_date(calibration_end, option="--calibration-end")
    hold = parse_cli_date(holdout_end, option="--holdout-end")
    assert cal is not None and hold is not None
    if hold <= cal:
        fail("--holdout-end must be after --calibration-end")
    with user_errors():
        options = build_read_options(
            customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            quantity_col=quantity_col, price_col=price_col, invoice_col=invoice_col,
            encoding=encoding, date_format=date_format, dayfirst=dayfirst, delimiter=delimiter,
        )  # fmt: skip
        with progress_steps(detect_lang(), quiet=json_output) as step:
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
    _print_result(file, result)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _metric(name: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if name == "aggregate_pct_error" else f"{value:.3f}"


def _print_result(file: Path, result: dict[str, Any]) -> None:
    console.print(
        f"[bold]{file.name}[/]: {result['customers']:,} customers · calibration to "
        f"{result['calibration_end']} · holdout {result['holdout_weeks']:g} weeks to "
        f"{result['holdout_end']} · {result['rows_rejected']:,} rows rejected, "
        f"{result['rows_not_purchases']:,} negative amounts left out"
    )
    actual = next((m["sum_actual"] for m in result["models"].values() if "sum_actual" in m), None)
    table = Table(
        title=f"Holdout purchases per customer (one per customer-day; {_fmt(actual)} in total)"
    )
    table.add_column("model", no_wrap=True)
    for header in METRICS.values():
        table.add_column(header, justify="right", no_wrap=True)
    notes = []
    for name, entry in result["models"].items():
        label = f"[bold green]{name} *[/]" if name == result["best"] else name
        params = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in entry.get("params", {}).items()
        )
        if entry.get("forecast") == "nbd_limit":
            table.add_row(label, *[_metric(m, entry.get(m)) for m in METRICS])
            notes.append(f"[yellow]{entry['note']}[/] ({entry['diagnosis']})")
        elif "mae" not in entry:
            table.add_row(label, *["failed"] + [""] * (len(METRICS) - 1))
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
            f"Gamma-Gamma ({params}): mean spend per purchase predicted "
            f"{_fmt(err['mean_predicted'])} vs actual {_fmt(err['mean_actual'])} "
            f"({_fmt(err['aggregate_pct_error'])}%), MAE {_fmt(err['mae'])}, "
            f"r {_fmt(err['pearson_r'])} over {err['customers']:,} customers"
        )
    else:
        console.print(f"[yellow]Gamma-Gamma:[/] {spend.get('diagnosis')}")
    console.print(result["seasonality"]["note"], highlight=False)
    console.print(f"best (lowest RMSE): [bold]{result['best']}[/]")
