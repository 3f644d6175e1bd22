"""/api/v1/migration and /api/v1/changes: how customers moved between segments across runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from segmint.analysis.history import workspace_changes, workspace_migration
from segmint.api.auth import ReadScope, StateDep, StoreDep

router = APIRouter(prefix="/api/v1", tags=["history"])

SchemeQuery = Annotated[str | None, Query(min_length=1, description="default: the first scheme")]


@router.get("/migration", summary="Transition matrix of a scheme between two runs")
def get_migration(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: SchemeQuery = None,
    from_run: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    to_run: Annotated[int | None, Query(alias="to", ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    """Return the same payload as `segmint migration --json` (default: the two newest runs)."""
    return workspace_migration(
        store, scheme=scheme, from_run=from_run, to_run=to_run, config=state.config
    )


@router.get("/changes", summary="Who entered and left each segment at a run")
def get_changes(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: SchemeQuery = None,
    run: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    segment: Annotated[str | None, Query(min_length=1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Return `segmint changes --json`, the customer rows paginated as {"data", "count"}."""
    result = workspace_changes(
        store, scheme=scheme, run_id=run, segment=segment, config=state.config
    )
    rows = result.pop("changes")
    return result | {"data": rows[offset : offset + limit], "count": len(rows)}
