"""/api/v1/segments: one segment (size, KPIs vs population, persona) and its members."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.kpis import scheme_kpis_cached
from segmint.api.lookups import served_segment_members
from segmint.api.personas import persona_cards_cached
from segmint.api.responses import json_response
from segmint.workspace.browse import (
    MEMBER_SORTS,
    check_segment,
    chosen_run,
    segment_detail,
    segment_members_csv,
)

router = APIRouter(prefix="/api/v1/segments", tags=["segments"])

RunQuery = Annotated[int | None, Query(ge=1, description="Run id (default: the newest snapshot).")]
SortColumn = Literal[MEMBER_SORTS]  # type: ignore[valid-type]


@router.get("/{scheme}/{segment}", summary="One segment: size, KPIs vs population, persona card")
def get_segment(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: str,
    segment: str,
    run: RunQuery = None,
    lang: Literal["en", "ko"] = "en",
) -> dict[str, Any]:
    """Return the segment's KPIs next to the population's, and who is in it in words."""
    run_id, _ = chosen_run(store, run)
    size = check_segment(store, run_id, scheme, segment)
    kpis = scheme_kpis_cached(state, store, scheme, run_id)
    cards = persona_cards_cached(state, store, scheme, run_id, lang)
    return segment_detail(kpis, cards, segment, size=size)


@router.get(
    "/{scheme}/{segment}/members",
    summary="Members of a segment, paginated",
    response_model=dict[str, Any],
)
def get_members(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: str,
    segment: str,
    run: RunQuery = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of an id or name.")] = None,
    sort: SortColumn = "customer_id",
    order: Literal["asc", "desc"] = "asc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Return {"data": [members], "count": N} with N the number of all matching members."""
    payload = served_segment_members(
        state,
        store,
        scheme,
        segment,
        run=run,
        q=q,
        sort=sort,
        descending=order == "desc",
        limit=limit,
        offset=offset,
    )
    return json_response(payload)


@router.get(
    "/{scheme}/{segment}/members.csv",
    summary="Every member of a segment as CSV (export)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_members_csv(
    _scope: ReadScope,
    store: StoreDep,
    scheme: str,
    segment: str,
    run: RunQuery = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: SortColumn = "customer_id",
    order: Literal["asc", "desc"] = "asc",
) -> Response:
    """Return all matching members (same columns as the JSON page) as a CSV download."""
    text = segment_members_csv(
        store, scheme, segment, run_id=run, q=q, sort=sort, descending=order == "desc"
    )
    filename = quote(f"{scheme}-{segment}.csv", safe="")
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
