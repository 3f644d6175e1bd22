"""The history stage of a workspace run: segment changes, segment validity and goals.

One function, so that wiring it into the run's list of stages is one line.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from segmint.analysis.changes import record_segment_changes
from segmint.config import SegmintConfig
from segmint.errors import SegmintError
from segmint.store import Store


def history_stage(
    root: Path,
    config: SegmintConfig,
    store: Store,
    tables: dict[str, Any],
    result: Any,
    *,
    data_end: datetime,
) -> dict[str, Any]:
    """Record the run's segment changes; attach validity and goals to `result`; return the counts.

    Validity is judged for every scheme of the run over the churn horizon (schemes with no
    snapshot old enough are left out); goals need `goals:` in the config. Neither fails the run:
    a problem becomes a note.
    """
    from segmint.analysis.goals import workspace_goals
    from segmint.analysis.history import workspace_history
    from segmint.analysis.validity import workspace_validity

    changes = record_segment_changes(store, result.run_id)
    schemes = [s for s in dict.fromkeys(map(str, result.segments["scheme"])) if ":" not in s]
    validity = []
    for scheme in schemes:
        try:
            validity.append(
                workspace_validity(
                    store,
                    scheme=scheme,
                    horizon_days=config.churn.horizon_days,
                    seed=config.seed,
                    data_end=data_end,
                )
            )
        except SegmintError:
            continue  # no snapshot old enough for this horizon yet
    result.validity = validity
    result.goals = None
    if config.goals:
        try:
            result.goals = workspace_goals(
                config,
                lambda scheme: workspace_history(root, config, store, scheme=scheme, tables=tables),
            )
        except SegmintError as exc:
            result.notes.append(f"goals not judged: {exc}")
    return {"segment_changes": changes, "validity_schemes": len(validity)}
