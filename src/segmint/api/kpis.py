"""/api/v1/kpis: KPIs of every segment of a scheme, with intervals and adjusted tests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from segmint.analysis.workspace import parse_window, workspace_kpis
from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.browse import check_scheme, chosen_run

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])


def scheme_kpis_cached(
    state: ServerState, store: Store, scheme: str, run: int | None, window: str | None = None
) -> dict[str, Any]:
    """Return the KPIs of a scheme in a run (computed once per run, scheme and window)."""
    run_id, _ = chosen_run(store, run)
    check_scheme(store, run_id, scheme)
    days = parse_window(window) if window else None
    return state.cached(
        ("kpis", run_id, scheme, days),
        lambda: workspace_kpis(
            state.root, state.config, store, scheme=scheme, run_id=run_id, window_days=days
        ),
    )


@router.get("", summary="KPIs per segment of a scheme (95% intervals, BH-adjusted tests)")
def get_kpis(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: Annotated[str, Query(min_length=1, description="Scheme or tag:NAME.")],
    run: Annotated[int | None, Query(ge=1)] = None,
    window: Annotated[str | None, Query(description="KPI window: 90d, 12w or days.")] = None,
) -> dict[str, Any]:
    """Return the same payload as `segmint kpis --json`."""
    return scheme_kpis_cached(state, store, scheme, run, window)
