"""The stages of `segmint run`, in order: adding a stage is one line in `RUN_STAGES`.

Each stage is a `RunStage(name, function, needed)`: the function takes the `RunContext`
(segmint.run_context) and adds its tables to it; `needed` says from the config and the
workspace's table names whether a run goes through it (default: always). The name is the
progress label's catalogue key `cli.stage.<name>` (English and Korean, segmint.i18n) and names
the stage when it fails. A stage function may live in the package it belongs to (analysis,
activation, ...); the ones here are the glue between the store and the scorers.
"""

from __future__ import annotations

from collections.abc import Callable

from segmint.activation.stages import action_queue_stage
from segmint.activation.sync_stage import destinations_configured, sync_run_destinations
from segmint.analysis.experiments.stages import experiments_stage
from segmint.analysis.insights_stages import add_engagement, engagement_needed
from segmint.analysis.stages import segment_history
from segmint.analysis.timing_stage import add_timing
from segmint.analysis.understand_stage import add_understand
from segmint.run_context import RunPlanInputs, RunStage
from segmint.workspace.stages.churn import add_churn, churn_needed
from segmint.workspace.stages.discovery import add_discovery, discovery_needed
from segmint.workspace.stages.features import compute_customer_features
from segmint.workspace.stages.fit import add_icp, add_tiers
from segmint.workspace.stages.health import add_health
from segmint.workspace.stages.kpis import segment_kpis
from segmint.workspace.stages.report import write_run_report
from segmint.workspace.stages.segments import assign_segments
from segmint.workspace.stages.value import add_clv, add_contractual_clv, add_rfm, clv_needed


def _has(table: str) -> Callable[[RunPlanInputs], bool]:
    def needed(inputs: RunPlanInputs) -> bool:
        return table in inputs.tables

    return needed


RUN_STAGES: tuple[RunStage, ...] = (
    RunStage("features", compute_customer_features),
    RunStage("rfm", add_rfm, _has("transactions")),
    RunStage("clv", add_clv, clv_needed),
    RunStage("contractual_clv", add_contractual_clv, _has("subscriptions")),
    RunStage("icp", add_icp, lambda inputs: inputs.config.icp is not None),
    RunStage("health", add_health, lambda inputs: inputs.config.health is not None),
    RunStage("churn", add_churn, churn_needed),
    RunStage("tiers", add_tiers, lambda inputs: inputs.config.tiers is not None),
    RunStage("timing", add_timing, _has("transactions")),
    RunStage("segments", assign_segments),
    RunStage("kpis", segment_kpis),
    RunStage("history", segment_history),
    RunStage("discovery", add_discovery, discovery_needed),
    RunStage("experiments", experiments_stage),
    RunStage("actions", action_queue_stage),
    RunStage("understand", add_understand, _has("transactions")),
    RunStage("engagement", add_engagement, engagement_needed),
    RunStage("report", write_run_report, lambda inputs: inputs.write_report),
    RunStage("sync", sync_run_destinations, destinations_configured),
)


def planned_stages(inputs: RunPlanInputs) -> list[RunStage]:
    """Return the stages a run with these inputs goes through, in order."""
    return [stage for stage in RUN_STAGES if stage.needed(inputs)]


__all__ = ["RUN_STAGES", "planned_stages"]
