"""Run stage `understand`: preferences, price sensitivity and timing of the run's first scheme."""

from __future__ import annotations

from segmint.errors import SegmintError
from segmint.run_context import RunContext


def add_understand(ctx: RunContext) -> None:
    """Add the Understand block (for the report) and per-customer timing and price columns."""
    from segmint.analysis.timing_stage import TIMING_COLUMNS
    from segmint.analysis.understand import file_understand, offer_touches

    if ctx.segments.empty or "transactions" not in ctx.tables:
        return
    scheme = str(ctx.segments["scheme"].iloc[0])
    labels = ctx.segments.loc[ctx.segments["scheme"] == scheme, ["customer_id", "segment"]]
    labels = labels.assign(segment=labels["segment"].astype(str))
    counts = labels["segment"].value_counts()
    order = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
    # the forecasts the `timing` stage joined before the segments: the ones rules have read
    timing_columns = [c for c in TIMING_COLUMNS if c in ctx.customers.columns]
    forecasts = None
    if len(timing_columns) == len(TIMING_COLUMNS):
        forecasts = ctx.customers[["customer_id", *timing_columns]]
        forecasts = forecasts[forecasts["days_since_last_order"].notna()]
    try:
        touches = offer_touches(ctx.tables, ctx.config, as_of=ctx.as_of)
        block, features = file_understand(
            ctx.tables["transactions"],
            labels,
            as_of=ctx.as_of,
            segments=order,
            seed=ctx.config.seed,
            forecasts=forecasts,
            touches=touches,
        )
    except (SegmintError, ValueError) as exc:
        ctx.notes.append(f"Understand not computed: {exc}")
        return
    block["scheme"] = scheme
    ctx.outputs["understand"] = block
    new = [c for c in features.columns if c == "customer_id" or c not in ctx.customers.columns]
    ctx.add_customer_columns(features[new])
