"""Turn a source frame into canonical columns of a logical table, rejecting rows that can't be used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from segmint.contract import SOURCE_LINE_COLUMN, contract_for
from segmint.errors import InputError, MissingColumnError
from segmint.safe_output import money_text
from segmint.sources import parsing
from segmint.sources.columns import detect_columns, snake_case, summed_headers
from segmint.sources.result import ReadOptions

ID_COLUMNS = frozenset(
    {"customer_id", "transaction_id", "invoice_id", "user_id", "ticket_id", "subscription_id"}
)
_REFUND_STATUS = r"(?i)refund|cancel|return|chargeback|환불|취소|반품"
_MISSING_REASON = {
    "customer_id": "missing customer id",
    "occurred_at": "missing date",
    "amount": "missing amount",
}
_KIND_WORD = {"timestamp": "date", "money": "amount", "float": "number", "bool": "yes/no value"}
_SAMPLE_ROWS = 500


@dataclass
class Normalised:
    """Canonical rows, rejected rows and what was learned about the source."""

    loaded: pd.DataFrame
    rejected: pd.DataFrame
    column_map: dict[str, str]
    stats: dict[str, Any]


def unique_headers(headers: list[str]) -> list[str]:
    """Return headers with blanks named `column_N` and repeats suffixed `_2`, `_3`, ..."""
    seen: dict[str, int] = {}
    out = []
    for position, header in enumerate(headers, start=1):
        name = header.strip() or f"column_{position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def overrides_from(options: ReadOptions) -> dict[str, str | list[str]]:
    """Return the canonical → header(s) overrides named in the options."""
    overrides: dict[str, str | list[str]] = dict(options.columns or {})
    for canonical, header in (
        ("quantity", options.quantity_col),
        ("unit_price", options.price_col),
        ("invoice_id", options.invoice_col),
    ):
        if header:
            overrides.setdefault(canonical, header)
    return overrides


def normalise(
    frame: pd.DataFrame,
    lines: np.ndarray,
    raw: Callable[[int], str],
    *,
    table: str,
    options: ReadOptions,
    source: str,
    delimiter: str | None = None,
) -> Normalised:
    """Return canonical rows (+ `_line`) and rejected rows for one source frame."""
    contract = contract_for(table)
    headers = list(frame.columns)
    column_map = detect_columns(
        headers,
        frame.head(_SAMPLE_ROWS),
        table,
        overrides=overrides_from(options),
        source=source,
    )
    line_items = (
        table == "transactions"
        and "amount" not in column_map
        and {"quantity", "unit_price"} <= column_map.keys()
    )
    for canonical in contract.required:
        if canonical not in column_map and not (canonical == "amount" and line_items):
            hint = f"name it with columns: {{{canonical}: <header>}}"
            if canonical == "amount" and table == "transactions":
                hint += " or give quantity and unit price columns"
            raise MissingColumnError(source, canonical, headers, hint=hint)

    reasons = pd.Series(None, index=frame.index, dtype="object")
    columns = pd.Series(None, index=frame.index, dtype="object")
    out: dict[str, pd.Series] = {}
    stats: dict[str, Any] = {}
    ordered = [c for c in contract.columns if c in column_map]
    for canonical in ordered:
        header = column_map[canonical]
        values = frame[header]
        kind = contract.columns[canonical]
        try:
            parsed = _parse(canonical, kind, values, options, delimiter)
        except InputError as exc:
            raise InputError(f"{source}: column {header!r}: {exc}") from None
        for key, note in parsed.notes.items():
            stats.setdefault("formats", {})[f"{canonical}.{key}"] = note
        if parsed.reasons is not None:
            _mark_reasons(reasons, columns, parsed.reasons, header)
        _mark(reasons, columns, parsed.bad, header, values, _KIND_WORD.get(kind, kind))
        if canonical in contract.required:
            missing = parsed.values.isna() & ~parsed.bad
            _mark_missing(reasons, columns, missing, header, canonical)
        out[canonical] = parsed.values

    discount_parts: list[tuple[str, pd.Series]] = []
    if "discount" in out:
        given = overrides_from(options).get("discount", column_map["discount"])
        discount_parts = [(column_map["discount"], out["discount"])]
        for header in summed_headers(table, "discount", given)[1:]:
            parsed = _parse("discount", "money", frame[header], options, delimiter)
            if parsed.reasons is not None:
                _mark_reasons(reasons, columns, parsed.reasons, header)
            _mark(reasons, columns, parsed.bad, header, frame[header], "amount")
            discount_parts.append((header, parsed.values))
        if len(discount_parts) > 1:
            parts = pd.concat([v for _h, v in discount_parts], axis=1)
            out["discount"] = parsing.round_cents(parts.sum(axis=1, min_count=1))
            stats["discount_from"] = " + ".join(h for h, _v in discount_parts)

    if table == "transactions":
        _quarantine_negative_discounts(discount_parts, reasons, columns)
        try:
            _transactions(out, column_map, reasons, columns, options, line_items, stats)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None

    if table == "touches":
        _touches(out, column_map, reasons, columns)

    ok = reasons.isna().to_numpy()
    loaded = pd.DataFrame({c: s[ok] for c, s in out.items()})
    if table == "customers":
        # Extras never take a canonical name, so the store's contract types can't clash.
        reserved = set(loaded.columns) | set(contract.columns)
        for name, values in _extra_columns(frame, column_map, reserved).items():
            loaded[name] = values[ok]
    loaded[SOURCE_LINE_COLUMN] = lines[ok]
    loaded = loaded.reset_index(drop=True)

    bad_positions = np.flatnonzero(~ok)
    rejected = pd.DataFrame(
        {
            "file": source,
            "line": lines[~ok].astype("int64"),
            "column": columns[~ok].to_numpy(),
            "reason": reasons[~ok].to_numpy(),
            "raw": [raw(int(p)) for p in bad_positions],
        }
    )
    if len(rejected):
        by_column = rejected.groupby("column", dropna=False).size()
        stats["rejected_by_column"] = {str(k): int(v) for k, v in by_column.items()}
    return Normalised(loaded, rejected, column_map, stats)


def _parse(
    canonical: str, kind: str, values: pd.Series, options: ReadOptions, delimiter: str | None
) -> parsing.Parsed:
    if canonical in ID_COLUMNS:
        return parsing.parse_ids(values)
    if kind == "timestamp":
        return parsing.parse_dates(
            values, date_format=options.date_format, dayfirst=options.dayfirst
        )
    if kind == "money":
        return parsing.parse_amounts(
            values, decimal=options.decimal, delimiter=delimiter, strict=True
        )
    if kind == "float":
        return parsing.parse_numbers(values)
    if kind == "bool":
        return parsing.parse_flags(values)
    return parsing.parse_strings(values)


def _mark(
    reasons: pd.Series,
    columns: pd.Series,
    bad: pd.Series,
    header: str,
    values: pd.Series,
    word: str,
) -> None:
    """Record 'unparseable <word> <value>' for rows not already rejected."""
    new = bad.to_numpy() & reasons.isna().to_numpy()
    if not new.any():
        return
    shown = values[new].astype("string").str.strip().fillna("")
    reasons[new] = [f"unparseable {word} {v!r}" for v in shown]
    columns[new] = header


def _mark_reasons(reasons: pd.Series, columns: pd.Series, specific: pd.Series, header: str) -> None:
    """Record the parser's own reasons (out of range, control character) for rows not yet rejected."""
    new = specific.notna().to_numpy() & reasons.isna().to_numpy()
    if new.any():
        reasons[new] = specific[new].to_numpy()
        columns[new] = header


def _mark_missing(
    reasons: pd.Series, columns: pd.Series, missing: pd.Series, header: str, canonical: str
) -> None:
    new = missing.to_numpy() & reasons.isna().to_numpy()
    if new.any():
        reasons[new] = _MISSING_REASON.get(canonical, f"missing {canonical.replace('_', ' ')}")
        columns[new] = header


def _quarantine_negative_discounts(
    parts: list[tuple[str, pd.Series]], reasons: pd.Series, columns: pd.Series
) -> None:
    """Reject lines whose discount is below zero: a discount is money saved, never a surcharge."""
    for header, values in parts:
        negative = values.lt(0).fillna(False).to_numpy(bool) & reasons.isna().to_numpy()
        if negative.any():
            shown = values[negative].map(lambda v: f"{v:.2f}")
            reasons[negative] = [f"negative discount {v} (a discount is money saved, >= 0)"
                                 for v in shown]  # fmt: skip
            columns[negative] = header


def _transactions(
    out: dict[str, pd.Series],
    column_map: dict[str, str],
    reasons: pd.Series,
    columns: pd.Series,
    options: ReadOptions,
    line_items: bool,
    stats: dict[str, Any],
) -> None:
    """Compute line-item amounts, mark refunds and cancellations, collect transaction stats."""
    if line_items:
        quantity, price = out["quantity"], out["unit_price"]
        missing = quantity.isna() | price.isna()
        _mark_missing(
            reasons,
            columns,
            missing & price.isna(),
            column_map["unit_price"],
            "unit_price",
        )
        _mark_missing(reasons, columns, missing, column_map["quantity"], "quantity")
        out["amount"] = parsing.round_cents(quantity * price)
        stats["amount_from"] = f"{column_map['quantity']} × {column_map['unit_price']}"
    amount = out["amount"]
    refund = amount.lt(0).fillna(False).to_numpy()
    if "quantity" in out:
        refund |= out["quantity"].lt(0).fillna(False).to_numpy()
    cancelled = np.zeros(len(amount), dtype=bool)
    if "invoice_id" in out and options.cancel_prefix:
        invoice = out["invoice_id"]
        cancelled = invoice.str.startswith(options.cancel_prefix).fillna(False).to_numpy(bool)
        refund |= cancelled
    if "currency" in out:
        currencies = sorted(
            out["currency"][reasons.isna().to_numpy()].dropna().str.upper().unique()
        )
        if len(currencies) > 1:
            raise InputError(
                f"column {column_map['currency']!r} holds several currencies "
                f"({', '.join(currencies)}); segmint does not convert currencies: split the "
                "file by currency and analyse each part"
            )
    if "status" in out:
        refund |= out["status"].str.contains(_REFUND_STATUS).fillna(False).to_numpy(bool)
    if "is_refund" in out:
        refund |= out["is_refund"].fillna(False).to_numpy(bool)
    out["amount"] = amount.where(~refund, -amount.abs())
    out["is_refund"] = pd.Series(refund, index=amount.index)

    ok = reasons.isna().to_numpy()
    cents = (out["amount"][ok] * 100).round().astype("Int64")
    refund_ok = refund[ok]
    stats["refunds"] = int(refund_ok.sum())
    stats["refund_amount"] = money_text(Decimal(int(cents[refund_ok].sum())).scaleb(-2))
    stats["cancellations"] = int(cancelled[ok].sum())
    stats["zero_amount"] = int((cents == 0).sum())
    if "discount" in out:
        discounted = out["discount"][ok].fillna(0).gt(0)
        stats["discounted_lines"] = int(discounted.sum())
        saved = (out["discount"][ok].fillna(0) * 100).round().astype("int64").sum()
        stats["discount_amount"] = money_text(Decimal(int(saved)).scaleb(-2))
    if "invoice_id" in out:
        stats["line_items"] = int(ok.sum())
        stats["invoices"] = int(out["invoice_id"][ok].nunique())


def _touches(
    out: dict[str, pd.Series],
    column_map: dict[str, str],
    reasons: pd.Series,
    columns: pd.Series,
) -> None:
    """Reject touches opened, clicked or converted on a day before the message was sent."""
    sent_day = out["sent_at"].dt.normalize()
    for canonical in ("opened_at", "clicked_at", "converted_at"):
        if canonical not in out:
            continue
        # Compared by day: a date-only conversion on the day of a 14:00 send is not "before".
        early = (out[canonical].dt.normalize() < sent_day).fillna(False).to_numpy(bool)
        new = early & reasons.isna().to_numpy()
        if new.any():
            word = canonical.removesuffix("_at").replace("_", " ")
            reasons[new] = [
                f"{word} {when:%Y-%m-%d} before the touch was sent ({sent:%Y-%m-%d})"
                for when, sent in zip(out[canonical][new], out["sent_at"][new], strict=True)
            ]
            columns[new] = column_map[canonical]


def _extra_columns(
    frame: pd.DataFrame, column_map: dict[str, str], taken: set[str]
) -> dict[str, pd.Series]:
    """Return the unmapped source columns under snake_case names, numbers typed as numbers."""
    used = set(column_map.values())
    extras: dict[str, pd.Series] = {}
    for header in frame.columns:
        if header in used:
            continue
        name = snake_case(header)
        base, n = name, 1
        while name in taken or name in extras or name.startswith("_"):
            n += 1
            name = f"{base}_{n}".lstrip("_")
        extras[name] = parsing.infer_column(frame[header])
    return extras
