"""Price features (discounted and coupon order shares, discount share) as of a date.

Present only when the transactions carry a discount or coupon column. Order shares are shrunk
toward the whole population with a beta prior fitted by the method of moments, so a customer
with two orders, one discounted, is not called a deal seeker on that alone. (`segmint insights
price` shrinks toward each segment instead; segments do not exist yet when features are built.)
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir

from segmint.engine import trimmed
from segmint.features.money import safe_ratio, to_float, to_money
from segmint.features.point_in_time import cutoff

WINDOW_DAYS = 365
PRICE_FEATURES: tuple[str, ...] = (
    "price_orders_365d",
    "discounted_orders_365d",
    "coupon_orders_365d",
    "discount_365d",
    "discount_share",
    "discounted_order_share",
    "coupon_order_share",
)
_NO_COUPON = ("", "0", "false", "no", "n", "none", "null", "nan", "없음")


def not_nan(value: ir.Value) -> ir.Value:
    """Return a float column with NaN as null (Parquet keeps NaN; a DECIMAL cast refuses it)."""
    if value.type().is_floating():
        return ibis.ifelse(value.isnan(), ibis.null(value.type()), value)
    return value


def has_price_columns(transactions: ir.Table) -> bool:
    """Return whether the transactions carry a discount or coupon column."""
    return "discount" in transactions.columns or "coupon" in transactions.columns


def price_features(t: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return customer_id and PRICE_FEATURES from visible transactions (see visible_transactions)."""
    t = t.filter(
        (t.is_order_row | (t.money_amount == 0))
        & (t.occurred_at >= cutoff(as_of, days_before=WINDOW_DAYS))
    )
    zero = ibis.literal(0).cast("decimal(18, 2)")
    discount = to_money(not_nan(t.discount)).fill_null(zero) if "discount" in t.columns else zero
    if "coupon" in t.columns:
        coupon = ~trimmed(t.coupon.cast("string")).lower().fill_null("").isin(_NO_COUPON)
    else:
        coupon = ibis.literal(False)
    order = (
        t.invoice_id.cast("string")
        if "invoice_id" in t.columns
        else t.occurred_at.date().cast("string")
    )
    t = t.mutate(order_key=order, line_discount=discount, line_coupon=coupon)
    orders = t.group_by(["customer_id", "order_key"]).aggregate(
        paid=t.money_amount.sum(),
        discount=t.line_discount.sum(),
        has_discount=(t.line_discount > 0).any(),
        has_coupon=t.line_coupon.any(),
    )
    orders = orders.filter((orders.paid > 0) | (orders.discount > 0))
    per = orders.group_by("customer_id").aggregate(
        n=orders.count(),
        k_discount=orders.has_discount.cast("int64").sum(),
        k_coupon=orders.has_coupon.cast("int64").sum(),
        discount=orders.discount.sum(),
        gross=(orders.paid + orders.discount).sum(),
    )
    a_d, b_d = _beta_prior(per, per.k_discount)
    a_c, b_c = _beta_prior(per, per.k_coupon)
    share = safe_ratio(per.discount, per.gross)
    a_s, b_s = _beta_prior(per, share.fill_null(0) * per.n.cast("float64"))
    n = per.n.cast("float64")
    return per.select(
        "customer_id",
        price_orders_365d=per.n.cast("int64"),
        discounted_orders_365d=per.k_discount.cast("int64"),
        coupon_orders_365d=per.k_coupon.cast("int64"),
        discount_365d=to_float(per.discount),
        discount_share=(share.fill_null(0) * n + a_s) / (n + a_s + b_s),
        discounted_order_share=(per.k_discount.cast("float64") + a_d) / (n + a_d + b_d),
        coupon_order_share=(per.k_coupon.cast("float64") + a_c) / (n + a_c + b_c),
    )


def _beta_prior(per: ir.Table, successes: ir.Value) -> tuple[ir.FloatingScalar, ir.FloatingScalar]:
    """Return (a, b) scalars of a beta-binomial prior (method of moments, order-weighted).

    Same estimator as segmint.analysis.price_sensitivity.beta_prior, written as aggregates.
    """
    n = per.n.cast("float64")
    k = successes.cast("float64")
    total_n = n.sum()
    mean = (k.sum() / total_n).clip(1e-6, 1 - 1e-6)
    var = ((k * k / n).sum() - 2 * mean * k.sum() + mean * mean * total_n) / total_n
    c = per.count().cast("float64") / total_n
    rho = (var / (mean * (1 - mean)) - c) / (1 - c).nullif(0)
    strength = ibis.ifelse(rho > 0, (1 / rho - 1).clip(0.5, 1e4), 1e4).fill_null(1e4)
    return mean * strength, (1 - mean) * strength


__all__ = ["PRICE_FEATURES", "has_price_columns", "not_nan", "price_features"]
