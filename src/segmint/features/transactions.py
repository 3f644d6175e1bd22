"""Purchase features from the transactions table, as of a date."""

from __future__ import annotations

import functools
import operator
from datetime import datetime

import ibis
import ibis.expr.types as ir

from segmint.engine import trimmed
from segmint.features.inputs import has_column, require_columns
from segmint.features.money import safe_ratio, to_float, to_money
from segmint.features.point_in_time import cutoff, days_between, days_until
from segmint.features.price import has_price_columns, price_features

# Values of `status` (lower-cased, trimmed) that mark a row as a refund or cancellation.
REFUND_STATUSES: tuple[str, ...] = (
    "refund",
    "refunded",
    "cancel",
    "cancelled",
    "canceled",
    "return",
    "returned",
    "chargeback",
    "reversed",
)
WINDOWS_DAYS: tuple[int, ...] = (30, 90, 365)

# Features that are a count or a sum: 0 (not null) for a customer without transactions.
ZERO_FILLED: tuple[str, ...] = (
    "frequency",
    "total_amount",
    "refunds_count",
    *(f"orders_{d}d" for d in WINDOWS_DAYS),
    *(f"revenue_{d}d" for d in WINDOWS_DAYS),
)


def visible_transactions(transactions: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return rows strictly before `as_of` with `net_amount` (DECIMAL), `is_refund_row`, `is_order_row`.

    A row is a refund when its amount is negative, `is_refund` is true or `status` is a refund or
    cancellation; its net amount is minus its absolute amount. An order row is a non-refund row
    with a positive amount (zero-amount rows are neither).
    """
    require_columns(transactions, "transactions")
    t = transactions.filter(transactions.occurred_at.cast("timestamp") < cutoff(as_of))
    amount = to_money(t.amount)
    flags: list[ir.BooleanValue] = []
    if has_column(t, "is_refund"):
        flags.append(t.is_refund.cast("boolean").fill_null(False))
    if has_column(t, "status"):
        status = trimmed(t.status.cast("string")).lower()
        flags.append(status.isin(REFUND_STATUSES).fill_null(False))
    if flags:
        flagged = functools.reduce(operator.or_, flags)
        refund = (amount < 0) | flagged
        net = ibis.ifelse(flagged, -amount.abs(), amount)
        is_order = ~refund & (amount > 0)
    else:
        # Without refund flags a refund is a negative amount, already netted as it is.
        refund, net, is_order = amount < 0, amount, amount > 0
    return t.mutate(
        customer_id=t.customer_id.cast("string"),
        occurred_at=t.occurred_at.cast("timestamp"),
        money_amount=amount,
        net_amount=net,
        is_refund_row=refund,
        is_order_row=is_order,
    )


def _order_count(t: ir.Table, where: ir.BooleanValue) -> ir.IntegerScalar:
    """Count orders: distinct invoices when `invoice_id` exists, else order rows."""
    if has_column(t, "invoice_id"):
        return t.invoice_id.nunique(where=where).cast("int64")
    return t.count(where=where).cast("int64")


def _invoice_days(t: ir.Table) -> ir.Table:
    """Collapse line items to one row per customer, day and invoice (orders flagged, sums kept).

    The distinct-invoice count then runs on these rows instead of on every line item: with ~2
    lines per invoice it hashes half as many values, and the sums and maxima are unchanged.
    """
    return t.group_by(
        customer_id=t.customer_id, order_day=t.occurred_at.date(), invoice_id=t.invoice_id
    ).aggregate(
        occurred_at=t.occurred_at.max(where=t.is_order_row),
        is_order_row=t.is_order_row.any(),
        net_amount=t.net_amount.sum(),
    )


def rfm_base(transactions: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return customer_id, recency_days, frequency, monetary, total_amount per customer with an order."""
    t = visible_transactions(transactions, as_of=as_of)
    if has_column(t, "invoice_id"):
        t = _invoice_days(t)
    agg = t.group_by("customer_id").aggregate(
        last_order_at=t.occurred_at.max(where=t.is_order_row),
        frequency=_order_count(t, t.is_order_row),
        net_total=t.net_amount.sum(),
    )
    agg = agg.filter(agg.frequency > 0)
    return agg.select(
        "customer_id",
        recency_days=days_until(as_of, agg.last_order_at),
        frequency=agg.frequency,
        monetary=safe_ratio(agg.net_total, agg.frequency),
        total_amount=to_float(agg.net_total),
    )


def transaction_features(transactions: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return one row per customer with a transaction before `as_of` and its purchase features."""
    t = visible_transactions(transactions, as_of=as_of)
    order = t.is_order_row
    metrics: dict[str, ir.Scalar] = {
        "first_order_at": t.occurred_at.min(where=order),
        "last_order_at": t.occurred_at.max(where=order),
        "frequency": _order_count(t, order),
        "net_total": t.net_amount.sum(),
        "gross_order_total": t.money_amount.sum(where=order),
        "refunds_count": _order_count(t, t.is_refund_row),
    }
    for days in WINDOWS_DAYS:
        in_window = t.occurred_at >= cutoff(as_of, days_before=days)
        metrics[f"orders_{days}d"] = _order_count(t, order & in_window)
        metrics[f"net_{days}d"] = t.net_amount.sum(where=in_window)
    agg = t.group_by("customer_id").aggregate(**metrics)
    frequency = agg.frequency
    columns: dict[str, ir.Value] = {
        "recency_days": days_until(as_of, agg.last_order_at),
        "frequency": frequency,
        "monetary": safe_ratio(agg.net_total, frequency),
        "total_amount": to_float(agg.net_total),
    }
    for days in WINDOWS_DAYS:
        columns[f"orders_{days}d"] = agg[f"orders_{days}d"]
    for days in WINDOWS_DAYS:
        columns[f"revenue_{days}d"] = to_float(agg[f"net_{days}d"]).fill_null(0.0)
    columns["avg_order_value"] = safe_ratio(agg.gross_order_total, frequency)
    columns["mean_interpurchase_days"] = safe_ratio(
        days_between(agg.last_order_at, agg.first_order_at), frequency - 1
    )
    columns["days_since_first_order"] = days_until(as_of, agg.first_order_at)
    columns["refunds_count"] = agg.refunds_count
    features = agg.select("customer_id", **columns)
    if not has_price_columns(t):
        return features
    price = price_features(t, as_of=as_of).rename(_price_id="customer_id")
    joined = features.left_join(price, features.customer_id == price._price_id)
    return joined.drop("_price_id")
