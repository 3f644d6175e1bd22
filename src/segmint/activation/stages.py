"""The action queue as a stage of `segmint run` (one line in the run's stage list)."""

from __future__ import annotations

from typing import Any

from segmint.activation.actions import compute_action_queue
from segmint.config import SegmintConfig
from segmint.store import Store


def action_queue_stage(store: Store, config: SegmintConfig, result: Any) -> None:
    """Update the action queue for a run's snapshot; its summary goes to diagnostics["actions"].

    `result` is the run's RunResult (run_id, as_of, customers, segments, diagnostics). The report
    stage, which comes after, shows the summary.
    """
    summary = compute_action_queue(
        store,
        config,
        run_id=result.run_id,
        as_of=result.as_of,
        customers=result.customers,
        segments=result.segments,
    )
    if summary is not None:
        result.diagnostics["actions"] = summary.to_dict()
