"""The `destinations:` and `privacy:` sections of segmint.yaml as pydantic models."""

from __future__ import annotations

import os
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from segmint.activation.playbook_config import CHANNELS
from segmint.errors import ConfigError

PII_MODES = ("drop", "hash")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_NAME = re.compile(r"^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(
            f"{value!r} is not an environment variable name (e.g. SEGMINT_HOOK_SECRET)"
        )
    return value


class _Destination(_Strict):
    """What every destination shares: which columns go out and what happens to PII columns."""

    columns: list[str] = Field(default_factory=list)
    pii: Literal["drop", "hash"] = "drop"


class WebhookDestination(_Destination):
    """Signed, batched JSON POSTs: full membership first, then who entered or left (or actions)."""

    type: Literal["webhook"]
    url: str
    secret_env: str
    scheme: str | None = None
    tag: str | None = None
    actions: bool = False
    segments: list[str] = Field(default_factory=list)
    playbooks: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    # The rendered message is free text made from customer fields: personal data unless kept on
    # purpose (a receiver that sends the e-mail needs it), as with `segmint export --actions`.
    message: Literal["drop", "hash", "keep"] = "drop"
    batch_size: int = Field(default=500, ge=1, le=10_000)
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    max_attempts: int = Field(default=5, ge=1, le=20)
    backoff_seconds: float = Field(default=1.0, ge=0, le=60)

    @field_validator("secret_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return _check_env_name(value)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"url must start with http:// or https://, got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_subject(self) -> WebhookDestination:
        chosen = [k for k in ("scheme", "tag") if getattr(self, k)] + (
            ["actions"] if self.actions else []
        )
        if len(chosen) != 1:
            raise ValueError("give exactly one of 'scheme', 'tag' or 'actions: true'")
        if self.segments and not self.scheme:
            raise ValueError("'segments' needs 'scheme'")
        if (self.playbooks or self.channels or "message" in self.model_fields_set) and not (
            self.actions
        ):
            raise ValueError(
                "'playbooks', 'channels' and 'message' are about actions: they need 'actions: true'"
            )
        unknown = [c for c in self.channels if c not in CHANNELS]
        if unknown:
            raise ValueError(
                f"channels: unknown channel(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(CHANNELS)}"
            )
        return self

    def secret(self, name: str) -> bytes:
        """Return the HMAC key from the environment; raise ConfigError when it is not set."""
        value = os.environ.get(self.secret_env, "")
        if not value:
            raise ConfigError(
                f"destinations.{name}.secret_env: environment variable {self.secret_env} is not "
                "set (the webhook's signing secret comes from the environment)"
            )
        return value.encode("utf-8")


class PostgresDestination(_Destination):
    """Reverse ETL: one row per customer (segments and chosen scores) upserted into a table."""

    type: Literal["postgres"]
    url_env: str
    table: str = "segmint_segments"
    schemes: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    scores: list[str] = Field(default_factory=list)
    connect_timeout_seconds: int = Field(default=10, ge=1, le=300)

    @field_validator("url_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return _check_env_name(value)

    @field_validator("table")
    @classmethod
    def _safe_table(cls, value: str) -> str:
        if not _TABLE_NAME.match(value):
            raise ValueError(
                f"table {value!r} must be lowercase letters, digits and _ (optionally schema.table)"
            )
        return value

    def url(self, name: str) -> str:
        """Return the connection URL from the environment; raise ConfigError when it is not set."""
        value = os.environ.get(self.url_env, "")
        if not value:
            raise ConfigError(
                f"destinations.{name}.url_env: environment variable {self.url_env} is not set "
                "(the PostgreSQL URL comes from the environment)"
            )
        return value


Destination = Annotated[WebhookDestination | PostgresDestination, Field(discriminator="type")]


class PrivacyConfig(_Strict):
    """PII handling for exports and destinations."""

    min_export_size: int = Field(default=10, ge=1)
    salt_env: str = "SEGMINT_PII_SALT"

    @field_validator("salt_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        return _check_env_name(value)
