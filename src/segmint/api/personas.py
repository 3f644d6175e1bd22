"""/api/v1/personas: persona cards of every segment of a scheme."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.browse import check_scheme, chosen_run
from segmint.workspace.segment_review import workspace_personas

router = APIRouter(prefix="/api/v1/personas", tags=["personas"])


def persona_cards_cached(
    state: ServerState, store: Store, scheme: str, run: int | None, lang: str
) -> list[Any]:
    """Return the persona cards of a scheme's segments (computed once per run, scheme, language)."""
    run_id, _ = chosen_run(store, run)
    check_scheme(store, run_id, scheme)
    if scheme.startswith("tag:"):
        return []
    cards = state.cached(
        ("personas", run_id, scheme, lang),
        lambda: workspace_personas(state.config, store, scheme=scheme, lang=lang, run=run_id),
    )
    return list(cards.get(scheme, []))


@router.get("", summary="Persona cards of a scheme's segments")
def get_personas(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    scheme: Annotated[str, Query(min_length=1)],
    run: Annotated[int | None, Query(ge=1)] = None,
    lang: Literal["en", "ko"] = "en",
) -> dict[str, Any]:
    """Return {"data": [cards], "count": N}, the same cards as `segmint personas --json`."""
    cards = persona_cards_cached(state, store, scheme, run, lang)
    return {"scheme": scheme, "data": [c.to_dict() for c in cards], "count": len(cards)}
