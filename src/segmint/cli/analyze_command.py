"""`segmint analyze FILE`: the one-command path for a single transactions export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from segmint.cli.app import (
    app,
    console,
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
    Decimal,
    Delimiter,
    Encoding,
    InvoiceCol,
    PriceCol,
    QuantityCol,
    build_read_options,
)


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
    lang: Annotated[str, typer.Option(help="Report language: en or ko.")] = "en",
    json_output: Annotated[
        bool, typer.Option("--json", help="Print summary.json to stdout.")
    ] = False,
) -> None:
    """Detect columns, ingest with quarantine, score RFM (+ CLV), write customers.csv, rejected.csv, summary.json, report.html."""
    from segmint.analyze import analyze_file

    cutoff = parse_cli_date(as_of, option="--as-of")
    if lang not in ("en", "ko"):
        fail(f"--lang: expected en or ko, got {lang!r}")
    out_dir = out or Path(f"{_stem(file)}-segmint")
    with user_errors():
        options = build_read_options(
            customer_col=customer_col, date_col=date_col, amount_col=amount_col,
            quantity_col=quantity_col, price_col=price_col, invoice_col=invoice_col,
            encoding=encoding, date_format=date_format, dayfirst=dayfirst, delimiter=delimiter,
            decimal=decimal,
        )  # fmt: skip
        with progress_steps(f"analyze {file.name}", quiet=json_output):
            result = analyze_file(
                file,
                out_dir=out_dir,
                options=options,
                as_of=cutoff,
                bins=bins,
                with_clv=clv,
                lang=lang,
            )
    if json_output:
        print_json(result.summary)
        return
    s = result.summary
    console.print(
        f"[bold]{file.name}[/]: {s['rows_read']:,} rows read = {s['rows_loaded']:,} loaded + "
        f"{s['rows_rejected']:,} rejected · {s['customers']:,} customers · "
        f"{s['first_date']} .. {s['last_date']} · as of {s['as_of']}"
    )
    for note in s.get("notes", []):
        console.print(f"[yellow]note:[/] {note}")
    table = Table(title="RFM segments", show_lines=False)
    for column in ("segment", "customers", "share", "revenue", "revenue_share"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for row in result.segments.itertuples(index=False):
        table.add_row(
            str(row.segment), f"{row.customers:,}", f"{row.share:.1%}", f"{row.revenue:,.2f}",
            f"{row.revenue_share:.1%}",
        )  # fmt: skip
    console.print(table)
    for name, path in result.files.items():
        console.print(f"{name:>9}: {path}")


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".parquet"):
        name = name.removesuffix(suffix)
    return name
