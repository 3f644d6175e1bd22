"""Product usage features from the events table, as of a date."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir

from segmint.features.inputs import has_column, require_columns
from segmint.features.money import safe_ratio
from segmint.features.point_in_time import cutoff, days_until

ZERO_FILLED: tuple[str, ...] = ("active_days_30d", "events_30d", "features_adopted")


def event_features(events: ir.Table, *, as_of: datetime) -> ir.Table:
    """Return one row per customer with an event before `as_of` and its usage features.

    `features_adopted` counts distinct `feature` values, or distinct `event` names when the table
    has no `feature` column.
    """
    require_columns(events, "events")
    e = events.mutate(
        customer_id=events.customer_id.cast("string"),
        occurred_at=events.occurred_at.cast("timestamp"),
    )
    e = e.filter(e.occurred_at < cutoff(as_of))
    last_30 = e.occurred_at >= cutoff(as_of, days_before=30)
    prior_30 = (e.occurred_at >= cutoff(as_of, days_before=60)) & ~last_30
    feature = e.feature if has_column(e, "feature") else e.event
    agg = e.group_by("customer_id").aggregate(
        active_days_30d=e.occurred_at.date().nunique(where=last_30).cast("int64"),
        events_30d=e.count(where=last_30).cast("int64"),
        events_prior_30d=e.count(where=prior_30).cast("int64"),
        features_adopted=feature.cast("string").nunique().cast("int64"),
        last_event_at=e.occurred_at.max(),
    )
    return agg.select(
        "customer_id",
        "active_days_30d",
        "events_30d",
        usage_trend=safe_ratio(agg.events_30d, agg.events_prior_30d),
        features_adopted=agg.features_adopted,
        days_since_last_activity=days_until(as_of, agg.last_event_at),
    )
