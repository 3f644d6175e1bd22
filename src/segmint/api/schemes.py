"""/api/v1/schemes: every scheme with segment sizes and changes; one scheme with its history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from segmint.api.auth import ReadScope, StoreDep
from segmint.workspace.browse import scheme_overview, scheme_summary

router = APIRouter(prefix="/api/v1/schemes", tags=["schemes"])

RunQuery = Annotated[int | None, Query(ge=1, description="Run id (default: the newest snapshot).")]


@router.get("", summary="Schemes and segment sizes of a run, with changes since the run before")
def get_schemes(_scope: ReadScope, store: StoreDep, run: RunQuery = None) -> dict[str, Any]:
    """Return the overview of a run: every scheme and tag with its segments."""
    return scheme_overview(store, run)


@router.get("/{scheme}", summary="One scheme: segment sizes now and in every run")
def get_scheme(
    _scope: ReadScope, store: StoreDep, scheme: str, run: RunQuery = None
) -> dict[str, Any]:
    """Return a scheme's segments in the run and its sizes over time."""
    return scheme_summary(store, scheme, run)
