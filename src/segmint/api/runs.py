"""/api/v1/runs: the runs of the workspace; POST starts one in the background."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict

from segmint.api.auth import AdminScope, ReadScope, StateDep, StoreDep
from segmint.api.errors import ApiError
from segmint.workspace.browse import list_runs

router = APIRouter(prefix="/api/v1/runs", tags=["runs"])


class RunRequest(BaseModel):
    """Body of POST /api/v1/runs: the cut-off date (default: as `segmint run` chooses it)."""

    model_config = ConfigDict(extra="forbid")
    as_of: str | None = None


@router.get("", summary="Every run, newest first")
def get_runs(_scope: ReadScope, store: StoreDep) -> dict[str, Any]:
    """Return {"data": [runs], "count": N}."""
    runs = list_runs(store)
    return {"data": runs, "count": len(runs)}


@router.post("", status_code=202, summary="Start a run in the background (admin)")
def post_run(_scope: AdminScope, state: StateDep, body: RunRequest | None = None) -> dict[str, Any]:
    """Start `segmint run`; poll GET /api/v1/runs/jobs/{job_id} for its progress."""
    as_of = None
    if body is not None and body.as_of:
        try:
            as_of = datetime.fromisoformat(body.as_of)
        except ValueError:
            raise ApiError(
                422, f"as_of: expected a date like 2025-06-30, got {body.as_of!r}"
            ) from None
    return state.start_run(as_of).to_dict()


@router.get("/jobs/{job_id}", summary="Progress of a run started over the API")
def get_job(
    _scope: ReadScope, state: StateDep, job_id: int = Path(ge=1, le=1_000_000)
) -> dict[str, Any]:
    """Return the job's status (queued, running, ok, failed), its current stage and run id."""
    job = state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no run job {job_id}")
    return job.to_dict()
