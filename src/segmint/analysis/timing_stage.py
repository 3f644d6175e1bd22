"""Run stage `timing`: each customer's next-purchase forecast, before the segments are assigned.

The columns (`p_purchase_7d` … `_90d`, `expected_next_purchase` with its 80% interval,
`overdue_days`, `days_since_last_order`) join the customer table ahead of the `segments` stage so
that rules and playbook triggers can read them ("overdue_days > 0"). Segments do not exist yet,
so each customer's rhythm is shrunk toward the whole population's: the model the timing backtest
checks. The `understand` stage and `segmint insights timing` summarise these same forecasts.
"""

from __future__ import annotations

from segmint.run_context import RunContext

TIMING_COLUMNS: dict[str, str] = {
    "p_purchase_7d": "float64",
    "p_purchase_14d": "float64",
    "p_purchase_30d": "float64",
    "p_purchase_60d": "float64",
    "p_purchase_90d": "float64",
    "expected_next_purchase": "date",
    "next_purchase_low": "date",
    "next_purchase_high": "date",
    "overdue_days": "int64",
    "days_since_last_order": "int64",
}


def add_timing(ctx: RunContext) -> None:
    """Join each customer's timing forecast (see TIMING_COLUMNS) onto the customer table."""
    from segmint.analysis.timing import customer_timing

    forecasts = customer_timing(ctx.tables["transactions"], as_of=ctx.as_of)
    new = [c for c in forecasts.columns if c == "customer_id" or c not in ctx.customers.columns]
    ctx.add_customer_columns(forecasts[new])
    # customers who never bought have no forecast: keep the day counts integers, null for them
    for column in ("overdue_days", "days_since_last_order"):
        if column in new:
            ctx.customers[column] = ctx.customers[column].astype("Int64")


__all__ = ["TIMING_COLUMNS", "add_timing"]
