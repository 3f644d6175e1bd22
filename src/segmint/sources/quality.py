"""Data quality report of one ingested source: counts, nulls, duplicates, dates, negatives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from segmint.contract import SOURCE_LINE_COLUMN, contract_for
from segmint.sources.result import IngestResult

# Ids that should be unique within a table (invoice ids repeat across line items by design).
_UNIQUE_IDS = {
    "customers": "customer_id",
    "transactions": "transaction_id",
    "subscriptions": "subscription_id",
    "tickets": "ticket_id",
}
_MONEY_COLUMNS = ("amount", "mrr", "annual_revenue", "unit_price")


def quality_report(
    result: IngestResult, *, as_of: date | datetime | str | None = None
) -> dict[str, Any]:
    """Return a JSON-ready quality report: rows, null shares, duplicates, date ranges, negatives."""
    loaded = result.loaded
    data = loaded.drop(columns=[SOURCE_LINE_COLUMN], errors="ignore")
    n = len(data)
    report: dict[str, Any] = {
        "table": result.table,
        "source": result.source,
        "rows": {
            "read": int(result.rows_read),
            "loaded": n,
            "rejected": len(result.rejected),
        },
        "rejected_share": round(len(result.rejected) / result.rows_read, 6)
        if result.rows_read
        else 0.0,
        "null_share": {
            str(c): round(float(data[c].isna().mean()), 6) if n else 0.0 for c in data.columns
        },
    }
    if len(result.rejected):
        reasons = result.rejected["reason"].astype(str).str.replace(r" '.*'$", "", regex=True)
        report["rejected_reasons"] = {
            str(k): int(v) for k, v in reasons.value_counts().head(10).items()
        }
    duplicates: dict[str, int] = {}
    id_column = _UNIQUE_IDS.get(result.table)
    if id_column and id_column in data.columns:
        ids = data[id_column].dropna()
        duplicates[id_column] = int(ids.duplicated().sum())
    duplicates["rows"] = int(data.duplicated().sum()) if n else 0
    report["duplicates"] = duplicates

    cutoff = pd.Timestamp(as_of) if as_of is not None else None
    if cutoff is not None and cutoff.tzinfo is not None:
        cutoff = cutoff.tz_convert("UTC").tz_localize(None)
    contract = contract_for(result.table)
    ranges: dict[str, dict[str, str | None]] = {}
    future: dict[str, int] = {}
    for column, kind in contract.columns.items():
        if kind != "timestamp" or column not in data.columns:
            continue
        stamps = pd.to_datetime(data[column], errors="coerce")
        ranges[column] = {
            "min": _iso(stamps.min()),
            "max": _iso(stamps.max()),
        }
        if cutoff is not None:
            future[column] = int((stamps > cutoff).sum())
    report["date_range"] = ranges
    if cutoff is not None:
        report["as_of"] = cutoff.isoformat()
        report["future_dates"] = future
    negatives = {
        c: int((pd.to_numeric(data[c], errors="coerce") < 0).sum())
        for c in _MONEY_COLUMNS
        if c in data.columns
    }
    report["negative_amounts"] = negatives
    return report


def _iso(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).isoformat()
