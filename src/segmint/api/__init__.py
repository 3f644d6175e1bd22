"""The REST API (`/api/v1`, FastAPI): one router per resource over the workspace services."""

from __future__ import annotations

from segmint.api.app import create_app

__all__ = ["create_app"]
