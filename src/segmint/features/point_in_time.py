"""Point-in-time helpers: the `as_of` cut-off as a UTC literal and whole-day differences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd


def normalise_as_of(as_of: datetime | date | str | pd.Timestamp) -> datetime:
    """Return `as_of` as a naive UTC datetime (aware values are converted, dates mean midnight)."""
    if isinstance(as_of, str):
        as_of = pd.Timestamp(as_of)
    if isinstance(as_of, pd.Timestamp):
        as_of = as_of.to_pydatetime()
    if not isinstance(as_of, datetime):
        if isinstance(as_of, date):
            return datetime(as_of.year, as_of.month, as_of.day)
        raise TypeError(f"as_of must be a datetime or date, got {type(as_of).__name__}")
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    return as_of


def cutoff(as_of: datetime, *, days_before: int = 0) -> ir.TimestampScalar:
    """Return the timestamp literal `as_of - days_before` (rows strictly before it are visible)."""
    return ibis.literal(as_of - timedelta(days=days_before), type="timestamp")


def days_until(as_of: datetime, moment: ir.Value) -> ir.IntegerValue:
    """Return whole calendar days from the date of `moment` to the date of `as_of` (UTC)."""
    as_of_date = ibis.literal(as_of.date(), type="date")
    return as_of_date.delta(moment.cast("timestamp").date(), unit="day").cast("int64")


def days_between(later: ir.Value, earlier: ir.Value) -> ir.IntegerValue:
    """Return whole calendar days between the dates of two timestamps (later - earlier)."""
    return (
        later.cast("timestamp")
        .date()
        .delta(earlier.cast("timestamp").date(), unit="day")
        .cast("int64")
    )
