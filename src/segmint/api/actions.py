"""/api/v1/actions: the action queue (list, filter) and marking an action done, skipped or sent."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from segmint.activation.actions import action_history, action_queue_view, set_action_status
from segmint.api.auth import AdminScope, ReadScope, StateDep, StoreDep
from segmint.api.errors import ApiError
from segmint.errors import InputError

router = APIRouter(prefix="/api/v1/actions", tags=["actions"])

Status = Literal["open", "due", "dropped", "sent", "done", "skipped", "cancelled"]


class StatusChange(BaseModel):
    """Body of PATCH /api/v1/actions/{action_id}: the new status and an optional note."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["done", "skipped", "sent"]
    note: str | None = Field(default=None, max_length=2000)


@router.get("", summary="The action queue: summary and actions, highest priority first")
def get_actions(
    _scope: ReadScope,
    state: StateDep,
    store: StoreDep,
    status: Status | None = None,
    owner: Annotated[str | None, Query(min_length=1)] = None,
    playbook: Annotated[str | None, Query(min_length=1)] = None,
    customer_id: Annotated[str | None, Query(min_length=1)] = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    lang: Literal["en", "ko"] = "en",
) -> dict[str, Any]:
    """Return the same payload as `segmint actions --json` (reasons in `lang`)."""
    return action_queue_view(
        store,
        state.config,
        status=status,
        owner=owner,
        playbook=playbook,
        customer_id=customer_id,
        limit=limit,
        lang=lang,
    )


@router.patch("/{action_id}", summary="Mark an action done, skipped or sent (admin)")
def patch_action(
    _scope: AdminScope,
    store: StoreDep,
    body: StatusChange,
    action_id: str = Path(min_length=1, max_length=200),
) -> dict[str, Any]:
    """Record the status change (kept in the action's history); return the action and history."""
    try:
        updated = set_action_status(store, action_id, body.status, note=body.note)
    except InputError as exc:
        status = 404 if str(exc).startswith("no action") else 409
        raise ApiError(status, str(exc)) from None
    return {"action": updated, "history": action_history(store, action_id)}
