"""/api/v1/experiments: the workspace's experiments and their results per segment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from segmint.analysis.experiments import analyze_experiment
from segmint.analysis.experiments.workspace import list_experiments
from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.browse import NotFoundError, chosen_run

router = APIRouter(prefix="/api/v1/experiments", tags=["experiments"])


def experiment_results_cached(state: ServerState, store: Store, name: str) -> dict[str, Any]:
    """Return `segmint experiment analyze NAME --json` (once per newest run); 404 if unknown."""
    known = {str(e["experiment"]) for e in list_experiments(store)["experiments"]}
    if name not in known:
        raise NotFoundError(
            f"no experiment {name!r} in this workspace; experiments: "
            f"{', '.join(sorted(known)) or 'none'}"
        )
    run_id, _ = chosen_run(store)
    return state.cached(
        ("experiment", run_id, name),
        lambda: analyze_experiment(state.root, state.config, store, name),
    )


@router.get("", summary="Every experiment: variants, population, users")
def get_experiments(_scope: ReadScope, store: StoreDep) -> dict[str, Any]:
    """Return the same payload as `segmint experiment list --json`."""
    return list_experiments(store)


@router.get("/{experiment}", summary="Results of an experiment, overall and per segment")
def get_experiment(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    experiment: str = Path(min_length=1, max_length=200),
) -> dict[str, Any]:
    """Return effects with intervals overall and per segment (as `segmint experiment analyze`)."""
    return experiment_results_cached(state, store, experiment)
