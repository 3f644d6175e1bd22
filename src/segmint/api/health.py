"""/api/v1/health: the health score's distribution, bands and trend over runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from segmint.api.auth import ReadScope, StoreDep
from segmint.workspace.browse import health_summary

router = APIRouter(prefix="/api/v1/health", tags=["health"])


@router.get("", summary="Health score distribution, bands and trend")
def get_health(
    _scope: ReadScope, store: StoreDep, run: Annotated[int | None, Query(ge=1)] = None
) -> dict[str, Any]:
    """Return 10-point bins, band counts and the mean and median per run."""
    return health_summary(store, run)
