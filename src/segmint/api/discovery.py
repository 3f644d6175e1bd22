"""/api/v1/discovery: the cluster profiles stored with a run (the discovery page's JSON twin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.discovery import discovery_view

router = APIRouter(prefix="/api/v1/discovery", tags=["discovery"])


def discovery_cached(
    state: ServerState, store: Store, run: int | None, lang: str
) -> dict[str, Any]:
    """Return the stored cluster profiles (read once per run and language until a write)."""
    payload: dict[str, Any] = state.catalogue(
        ("discovery", run, lang), lambda: discovery_view(store, run, lang=lang)
    )
    return payload


@router.get("", summary="Cluster profiles of a run: sizes, labels, traits, medians, choice of k")
def get_discovery(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    run: Annotated[
        int | None, Query(ge=1, description="Run id (default: the newest run with clusters).")
    ] = None,
    lang: Literal["en", "ko"] = "en",
) -> dict[str, Any]:
    """Return what `segmint discover -w WS --save` (or a run with `discovery:`) stored."""
    return discovery_cached(state, store, run, lang)
