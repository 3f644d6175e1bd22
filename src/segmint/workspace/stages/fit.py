"""Run stages `icp` and `tiers`: how well each account fits, and the service tier it gets."""

from __future__ import annotations

from segmint.run_context import RunContext
from segmint.workspace.stages.json_ready import json_ready


def add_icp(ctx: RunContext) -> None:
    """Add the rule-based ICP fit and, when configured, the learned ICP similarity."""
    from segmint.scores.icp import ICPScorer

    icp = ctx.config.icp
    assert icp is not None
    scored = ICPScorer(icp).fit(ctx.customers).score(ctx.customers)
    ctx.add_customer_columns(scored)
    if icp.similarity is None:
        return
    from segmint.scores.icp_similarity import ICPSimilarityModel, compare_with_rules

    model = ICPSimilarityModel.from_config(icp.similarity)
    if "random_state" not in icp.similarity.model_fields_set:
        model.random_state = ctx.config.seed  # seeded from the workspace seed
    model = model.fit(ctx.customers)
    similarity = model.score(ctx.customers)
    ctx.diagnostics["icp_similarity"] = json_ready(
        {
            "cv_auc": model.cv_auc_,
            "drivers": model.drivers_,
            **compare_with_rules(scored, similarity),
        }
    )
    ctx.add_customer_columns(similarity[["customer_id", "icp_similarity"]])


def add_tiers(ctx: RunContext) -> None:
    """Add each account's capacity-aware service tier (A/B/C by value) and why."""
    from segmint.segments.tiers import TierAssigner

    tiers = ctx.config.tiers
    assert tiers is not None
    assigner = TierAssigner(
        value=tiers.value,
        capacity={
            k: (v.model_dump() if hasattr(v, "model_dump") else v)
            for k, v in tiers.capacity.items()
        },
        tier_names=tiers.tier_names,
        min_value=tiers.min_value,
        near_cutoff=tiers.near_cutoff,
    ).fit(ctx.customers)
    assigned = assigner.assign(ctx.customers)
    ctx.diagnostics["tiers"] = json_ready(assigner.report(ctx.customers))
    ctx.add_customer_columns(assigned)
