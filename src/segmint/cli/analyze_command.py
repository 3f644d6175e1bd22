"""`segmint analyze FILE`: the one-command path for a single transactions export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from segmint.cli.app import (
    app,
    console,
    parse_cli_date,
    plain,
    print_json,
    progress_steps,
    resolve_lang,
    user_errors,
)
from segmint.cli.source_options import (
    AmountCol,
    CategoryCol,
    CustomerCol,
    DateCol,
    DateFormat,
    DayFirst,
    Decimal,
    Delimiter,
    DiscountCol,
    Encoding,
    InvoiceCol,
    PriceCol,
    ProductCol,
    QuantityCol,
    build_read_options,
)
from segmint.cli.workspace_commands import Lang, print_notes, print_rfm_segments
from segmint.i18n import t


@app.command("analyze")
def analyze(
    file: Annotated[
        Path, typer.Argument(help="Transactions export: CSV (.csv/.csv.gz/.tsv) or Parquet.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default: <file name>-segmint)."),
    ] = None,
    customer_col: CustomerCol = None,
    date_col: DateCol = None,
    amount_col: AmountCol = None,
    quantity_col: QuantityCol = None,
    price_col: PriceCol = None,
    invoice_col: InvoiceCol = None,
    category_col: CategoryCol = None,
    product_col: ProductCol = None,
    discount_col: DiscountCol = None,
    encoding: Encoding = None,
    date_format: DateFormat = None,
    dayfirst: DayFirst = None,
    delimiter: Delimiter = None,
    decimal: Decimal = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Cut-off date (default: the day after the last transaction)."),
    ] = None,
    bins: Annotated[
        int, typer.Option(help="Quantile bins for R, F and M scores.", min=2, max=10)
    ] = 5,
    clv: Annotated[
        bool, typer.Option("--clv/--no-clv", help="Add P(alive), expected purchases and CLV.")
    ] = True,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="duckdb (default) or spark: read and score on PySpark (local[2], or the "
            "cluster in SEGMINT_SPARK_MASTER).",
        ),
    ] = "duckdb",
    lang: Lang = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print summary.json to stdout.")
    ] = False,
) -> None:
    """Detect columns, ingest with quarantine, score RFM (+ CLV), write customers.csv, rejected.csv, summary.json, report.html."""
    from segmint.analyze import analyze_file

    chosen = resolve_lang(lang)
    cutoff = parse_cli_date(as_of, option="--as-of")
    out_dir = out or Path(f"{_stem(file)}-segmint")
    with user_errors(chosen):
        engine = _engine(engine)
        options = build_read_options(
            customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            quantity_col=quantity_col, price_col=price_col, invoice_col=invoice_col,
            encoding=encoding, date_format=date_format, dayfirst=dayfirst, delimiter=delimiter,
            decimal=decimal, category_col=category_col, product_col=product_col,
            discount_col=discount_col,
        )  # fmt: skip
        with progress_steps(chosen, quiet=json_output) as step:
            result = analyze_file(
                file,
                out_dir=out_dir,
                options=options,
                as_of=cutoff,
                bins=bins,
                with_clv=clv,
                lang=chosen,
                on_step=step,
                engine=engine,
            )
    if json_output:
        print_json(result.summary)
        return
    s = result.summary
    line = " · ".join(
        [
            t(
                "cli.analyze.summary",
                chosen,
                read=f"{s['rows_read']:,}",
                loaded=f"{s['rows_loaded']:,}",
                rejected=f"{s['rows_rejected']:,}",
                customers=f"{s['customers']:,}",
            ),
            t("cli.analyze.period", chosen, first=s["first_date"], last=s["last_date"]),
            t("cli.analyze.as_of", chosen, as_of=s["as_of"]),
        ]
    )
    console.print(Text(file.name, style="bold"), plain(f": {line}"), sep="")
    print_notes(s.get("notes", []), chosen)
    print_rfm_segments(result.segments, chosen, revenue_share=True)
    width = max(len(t(f"cli.file.{name}", chosen)) for name in result.files)
    for name, path in result.files.items():
        console.print(plain(f"{t(f'cli.file.{name}', chosen):>{width}}: {path}"))


def _engine(value: str) -> str:
    """Return the engine name, or raise InputError naming the allowed engines."""
    from segmint.engine import check_engine
    from segmint.errors import InputError

    try:
        return check_engine(value)
    except ValueError as exc:
        raise InputError(f"--engine: {exc}") from None


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".parquet"):
        name = name.removesuffix(suffix)
    return name
