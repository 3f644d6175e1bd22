"""Customer attributes passed through, plus tenure, as of a date."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir

from segmint.contract import SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN
from segmint.features.inputs import has_column, require_columns
from segmint.features.point_in_time import cutoff, days_until

# Ingestion bookkeeping, not customer attributes.
INTERNAL_COLUMNS: tuple[str, ...] = (SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN)


def existing_customers(customers: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return customers created before `as_of` (or with no `created_at`)."""
    require_columns(customers, "customers")
    c = customers.mutate(customer_id=customers.customer_id.cast("string"))
    if has_column(c, "created_at"):
        c = c.mutate(created_at=c.created_at.cast("timestamp"))
        c = c.filter(c.created_at.isnull() | (c.created_at < cutoff(as_of)))
    return c


def customers_created_later(customers: ir.Table, *, as_of: datetime) -> ir.Table | None:
    """Return customer_id of customers created on or after `as_of`, or None without `created_at`."""
    if not has_column(customers, "created_at"):
        return None
    created = customers.created_at.cast("timestamp")
    later = customers.filter(created.notnull() & (created >= cutoff(as_of)))
    return later.select(customer_id=later.customer_id.cast("string"))


def customer_features(customers: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return one row per customer existing at `as_of`: its attributes and `tenure_days`."""
    c = existing_customers(customers, as_of=as_of)
    # Bookkeeping columns (_source, _line, _source_id, ...) are not customer attributes.
    attributes = [
        col for col in c.columns if col not in INTERNAL_COLUMNS and not col.startswith("_")
    ]
    c = c.select(*attributes)
    if has_column(c, "created_at"):
        c = c.mutate(tenure_days=days_until(as_of, c.created_at))
    # customer_id is the table's key (ingest and identity stitching make it unique).
    return c
