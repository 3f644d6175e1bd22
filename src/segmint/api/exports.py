"""/api/v1/exports: the members of a segment or tag as a CSV, Parquet or JSON file download."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from segmint.activation.exports import export_members
from segmint.api.auth import ReadScope, StateDep, StoreDep
from segmint.api.errors import ApiError

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}


class ExportRequest(BaseModel):
    """Body of POST /api/v1/exports: what to export (as `segmint export`), format and PII mode."""

    model_config = ConfigDict(extra="forbid")
    scheme: str | None = Field(default=None, min_length=1)
    segments: list[str] = Field(default_factory=list, max_length=100)
    tag: str | None = Field(default=None, min_length=1)
    columns: list[str] = Field(default_factory=list, max_length=200)
    format: Literal["csv", "parquet", "json"] = "csv"
    pii: Literal["drop", "hash", "keep"] = "drop"
    run: int | None = Field(default=None, ge=1, le=1_000_000)


@router.post(
    "",
    summary="Export the members of a segment or tag as a file (PII dropped unless admin)",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
def post_export(
    scope: ReadScope, state: StateDep, store: StoreDep, body: ExportRequest
) -> Response:
    """Return the export as a file; PII columns follow `pii` (keep needs an admin token)."""
    if body.pii == "keep" and scope != "admin":
        raise ApiError(403, "pii: keep hands out personal data; it needs an admin token")
    if body.scheme is None and body.tag is None:
        raise ApiError(422, "give a scheme (optionally segments) or a tag to export")
    with tempfile.TemporaryDirectory(prefix="segmint-export-") as folder:
        output = Path(folder) / f"export.{body.format}"
        result = export_members(
            store,
            state.config,
            output,
            scheme=body.scheme,
            segments=body.segments,
            tag=body.tag,
            columns=body.columns,
            fmt=body.format,
            pii=body.pii,
            run=body.run,
        )
        content = output.read_bytes()
    filename = quote(
        f"{result.subject}{'-' + '-'.join(body.segments) if body.segments else ''}.{body.format}",
        safe="",
    )
    headers: dict[str, Any] = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
        "X-Segmint-Rows": str(result.rows),
        "X-Segmint-Run": str(result.run_id),
        "X-Segmint-PII": result.pii,
    }
    return Response(content, media_type=MEDIA_TYPES[body.format], headers=headers)
