"""Run stage `health`: the health score, its band and its trend since the previous snapshot."""

from __future__ import annotations

from segmint.run_context import RunContext


def add_health(ctx: RunContext) -> None:
    """Add the health score, band, components and trend of every customer."""
    from segmint.scores.health import HealthScorer

    health = ctx.config.health
    assert health is not None
    previous = ctx.previous
    prior = previous if previous is not None and "health_score" in previous.columns else None
    scored = HealthScorer(health).fit(ctx.customers).score(ctx.customers, previous=prior)
    ctx.add_customer_columns(scored)
