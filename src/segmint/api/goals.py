"""/api/v1/goals and /api/v1/validity: targets per segment, and whether segments predict churn."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from segmint.analysis.goals import workspace_goals
from segmint.analysis.history import workspace_history
from segmint.analysis.validity import workspace_validity
from segmint.analysis.workspace import parse_window
from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.browse import chosen_run
from segmint.workspace_data import default_run_as_of, engine_tables

router = APIRouter(prefix="/api/v1", tags=["goals"])


def goals_cached(state: ServerState, store: Store) -> dict[str, Any]:
    """Return `segmint goals --json` (computed once per newest run); no goals: an empty list."""
    if not state.config.goals:
        return {"window_days": None, "goals": []}
    run_id, _ = chosen_run(store)

    def compute() -> dict[str, Any]:
        tables = engine_tables(state.config, store, state.root)
        return workspace_goals(
            state.config,
            lambda scheme: workspace_history(
                state.root, state.config, store, scheme=scheme, tables=tables
            ),
        )

    return state.cached(("goals", run_id), compute)


@router.get("/goals", summary="Each configured goal: latest value, trend, on track or not")
def get_goals(_scope: ReadScope, state: StateDep, store: StoreDep) -> dict[str, Any]:
    """Return the same payload as `segmint goals --json` ({"goals": []} without goals)."""
    return goals_cached(state, store)


@router.get("/validity", summary="Do a scheme's past segments predict churn and revenue?")
def get_validity(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: Annotated[str, Query(min_length=1)],
    horizon: Annotated[str, Query(min_length=2, max_length=12, description="e.g. 90d")] = "90d",
) -> dict[str, Any]:
    """Return the same payload as `segmint validity --scheme S --horizon H --json`."""
    return validity_cached(state, store, scheme, horizon)


def validity_cached(state: ServerState, store: Store, scheme: str, horizon: str) -> dict[str, Any]:
    """Return `segmint validity --json` of a scheme and horizon (once per newest run)."""
    days = parse_window(horizon, option="horizon")
    run_id, _ = chosen_run(store)
    return state.cached(
        ("validity", run_id, scheme, days),
        lambda: workspace_validity(
            store,
            scheme=scheme,
            horizon_days=days,
            seed=state.config.seed,
            data_end=default_run_as_of(store),
        ),
    )
