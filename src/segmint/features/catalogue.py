"""The feature catalogue: every feature `build_features` can produce, its unit and source table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class FeatureSpec:
    """One feature: snake_case name, what it measures, its unit and the table it comes from."""

    name: str
    description: str
    unit: str
    table: str


FEATURE_CATALOGUE: tuple[FeatureSpec, ...] = (
    # transactions
    FeatureSpec("recency_days", "days from the last order to as_of", "days", "transactions"),
    FeatureSpec(
        "frequency",
        "orders before as_of (distinct invoice_id, else rows with amount > 0); refunds are not orders",
        "orders",
        "transactions",
    ),
    FeatureSpec("monetary", "net amount (refunds netted) per order", "money", "transactions"),
    FeatureSpec("total_amount", "net amount of all rows before as_of", "money", "transactions"),
    FeatureSpec("orders_30d", "orders in the 30 days before as_of", "orders", "transactions"),
    FeatureSpec("orders_90d", "orders in the 90 days before as_of", "orders", "transactions"),
    FeatureSpec("orders_365d", "orders in the 365 days before as_of", "orders", "transactions"),
    FeatureSpec("revenue_30d", "net amount in the 30 days before as_of", "money", "transactions"),
    FeatureSpec("revenue_90d", "net amount in the 90 days before as_of", "money", "transactions"),
    FeatureSpec("revenue_365d", "net amount in the 365 days before as_of", "money", "transactions"),
    FeatureSpec(
        "avg_order_value",
        "gross amount of orders (before refunds) per order",
        "money",
        "transactions",
    ),
    FeatureSpec(
        "mean_interpurchase_days",
        "days from first to last order / (orders - 1); null below 2 orders",
        "days",
        "transactions",
    ),
    FeatureSpec(
        "days_since_first_order", "days from the first order to as_of", "days", "transactions"
    ),
    FeatureSpec(
        "refunds_count",
        "refund or cancellation rows (distinct invoice_id when present) before as_of",
        "count",
        "transactions",
    ),
    # subscriptions
    FeatureSpec(
        "mrr", "MRR of subscriptions active at as_of (0 if none)", "money", "subscriptions"
    ),
    FeatureSpec(
        "mrr_change_90d", "MRR at as_of minus MRR 90 days earlier", "money", "subscriptions"
    ),
    FeatureSpec(
        "plan",
        "plan of the newest subscription active at as_of (else of the newest one)",
        "category",
        "subscriptions",
    ),
    FeatureSpec("seats", "seats of subscriptions active at as_of", "seats", "subscriptions"),
    FeatureSpec(
        "subscription_tenure_months",
        "months from the first start to as_of (to the last end if churned)",
        "months",
        "subscriptions",
    ),
    FeatureSpec(
        "is_active_subscriber", "a subscription is active at as_of", "flag", "subscriptions"
    ),
    FeatureSpec(
        "expansion_90d", "MRR grew over the last 90 days (was > 0 before)", "flag", "subscriptions"
    ),
    FeatureSpec(
        "contraction_90d",
        "MRR shrank over the last 90 days but is still > 0",
        "flag",
        "subscriptions",
    ),
    FeatureSpec(
        "churned", "no active subscription and one ended before as_of", "flag", "subscriptions"
    ),
    # events
    FeatureSpec(
        "active_days_30d", "days with an event in the 30 days before as_of", "days", "events"
    ),
    FeatureSpec("events_30d", "events in the 30 days before as_of", "events", "events"),
    FeatureSpec(
        "usage_trend",
        "events in the last 30 days / events in the 30 days before those (null if 0)",
        "ratio",
        "events",
    ),
    FeatureSpec(
        "features_adopted",
        "distinct features used before as_of (distinct event names without a feature column)",
        "features",
        "events",
    ),
    FeatureSpec("days_since_last_activity", "days from the last event to as_of", "days", "events"),
    # tickets
    FeatureSpec("tickets_90d", "tickets opened in the 90 days before as_of", "tickets", "tickets"),
    FeatureSpec(
        "open_tickets", "tickets opened before as_of and not closed by then", "tickets", "tickets"
    ),
    FeatureSpec(
        "high_priority_tickets_90d",
        "high/urgent/critical/blocker/p0/p1 tickets opened in the 90 days before as_of",
        "tickets",
        "tickets",
    ),
    FeatureSpec("csat_mean", "mean CSAT of tickets closed before as_of", "rating", "tickets"),
    # customers
    FeatureSpec("tenure_days", "days from created_at to as_of", "days", "customers"),
)


def feature_catalogue() -> pd.DataFrame:
    """Return the catalogue as a DataFrame (name, description, unit, table) for docs and the CLI."""
    return pd.DataFrame(
        [(f.name, f.description, f.unit, f.table) for f in FEATURE_CATALOGUE],
        columns=["name", "description", "unit", "table"],
    )
