"""/api/v1/customers: search, and one customer with segments, reasons, scores and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.lookups import served_customer_detail
from segmint.api.responses import json_response
from segmint.workspace.browse import search_customers

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.get("", summary="Find customers by id, source id or name")
def get_customers(
    _scope: ReadScope,
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Return {"data": [{customer_id, name}], "count": N}."""
    return search_customers(store, q, limit=limit)


@router.get(
    "/{customer_id}",
    summary="One customer: records, segments with reasons, scores, history",
    response_model=dict[str, Any],
)
def get_customer(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    customer_id: str,
    run: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Return the same profile as `segmint customer ID --json`, plus the segment history."""
    return json_response(served_customer_detail(state, store, customer_id, run))
