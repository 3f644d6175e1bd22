"""/api/v1/cohorts: acquisition cohorts with customer and revenue retention."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from segmint.analysis.workspace import workspace_cohorts
from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.browse import check_scheme, chosen_run

router = APIRouter(prefix="/api/v1/cohorts", tags=["cohorts"])


def cohorts_cached(
    state: ServerState, store: Store, by: str, scheme: str | None, segment_at: str
) -> dict[str, Any]:
    """Return the cohort matrix (computed once per newest run and options)."""
    run_id, _ = chosen_run(store)
    if scheme is not None:
        check_scheme(store, run_id, scheme)
    return state.cached(
        ("cohorts", run_id, by, scheme, segment_at),
        lambda: workspace_cohorts(
            state.root, state.config, store, by=by, scheme=scheme, segment_at=segment_at
        ),
    )


@router.get("", summary="Acquisition cohorts: retention k months or weeks after the first purchase")
def get_cohorts(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    by: Literal["month", "week"] = "month",
    scheme: Annotated[str | None, Query(min_length=1)] = None,
    segment_at: Literal["latest", "acquisition"] = "latest",
) -> dict[str, Any]:
    """Return the same payload as `segmint cohorts --json`."""
    return cohorts_cached(state, store, by, scheme, segment_at)
