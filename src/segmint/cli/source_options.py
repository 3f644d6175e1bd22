"""Column and format options shared by every command that reads a transactions file."""

from __future__ import annotations

from typing import Annotated, Any

import typer

CustomerCol = Annotated[
    str | None, typer.Option(help="Column holding the customer id (default: detected).")
]
DateCol = Annotated[
    str | None, typer.Option(help="Column holding the order date (default: detected).")
]
AmountCol = Annotated[
    str | None, typer.Option(help="Column holding the amount (default: detected).")
]
QuantityCol = Annotated[
    str | None, typer.Option(help="Quantity column of line items (amount = quantity × price).")
]
PriceCol = Annotated[str | None, typer.Option(help="Unit price column of line items.")]
CategoryCol = Annotated[
    str | None, typer.Option(help="Column holding the product category (default: detected).")
]
ProductCol = Annotated[
    str | None, typer.Option(help="Column holding the product or SKU (default: detected).")
]
DiscountCol = Annotated[
    list[str] | None,
    typer.Option(
        help="Column holding the money saved on a line; repeat to sum several (default: detected)."
    ),
]
InvoiceCol = Annotated[str | None, typer.Option(help="Invoice/order column grouping line items.")]
Encoding = Annotated[
    str | None, typer.Option(help="File encoding, e.g. utf-8, cp949 (default: detected).")
]
DateFormat = Annotated[
    str | None, typer.Option(help="strftime date format, e.g. %d/%m/%Y (default: detected).")
]
DayFirst = Annotated[
    bool | None,
    typer.Option(
        "--dayfirst/--monthfirst", help="Order of day and month in dates like 03/04/2024."
    ),
]
Delimiter = Annotated[str | None, typer.Option(help="Field delimiter (default: sniffed).")]
Decimal = Annotated[
    str | None,
    typer.Option(
        "--decimal", help="Decimal separator of amounts: '.' or ',' (default: decided per column)."
    ),
]


def build_read_options(
    *,
    customer_col: str | None = None,
    date_col: str | None = None,
    amount_col: str | None = None,
    quantity_col: str | None = None,
    price_col: str | None = None,
    invoice_col: str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    category_col: str | None = None,
    product_col: str | None = None,
    discount_col: list[str] | None = None,
) -> Any:
    """Return ReadOptions for a transactions file from the CLI's column and format options."""
    from segmint.sources import ReadOptions

    columns: dict[str, str | list[str]] = {
        canonical: header
        for canonical, header in (
            ("customer_id", customer_col),
            ("occurred_at", date_col),
            ("amount", amount_col),
            ("category", category_col),
            ("product", product_col),
        )
        if header
    }
    if discount_col:
        columns["discount"] = discount_col[0] if len(discount_col) == 1 else list(discount_col)
    return ReadOptions(
        columns=columns or None,
        encoding=encoding,
        date_format=date_format,
        dayfirst=dayfirst,
        delimiter=delimiter,
        decimal=decimal,
        quantity_col=quantity_col,
        price_col=price_col,
        invoice_col=invoice_col,
    )
