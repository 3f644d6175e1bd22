"""API tokens of a workspace: created once, stored only as a hash, checked in constant time.

Tokens live in `api-tokens.json` next to `segmint.yaml` (not in the DuckDB file): `segmint serve`
holds the database's write lock, and a token created or revoked while it runs must take effect
without a restart. The file holds names, scopes and SHA-256 hashes, never a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from segmint.errors import InputError

TOKENS_FILE = "api-tokens.json"
SCOPES: tuple[str, ...] = ("read", "admin")
_PREFIX = "sgm_"


@dataclass(frozen=True)
class TokenRecord:
    """One stored token: its name, scope and hash (the token itself is never stored)."""

    name: str
    scope: str
    token_hash: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked_at is None


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest of a token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_path(root: Path) -> Path:
    """Return the token file of the workspace at `root`."""
    return Path(root) / TOKENS_FILE


def load_tokens(root: Path) -> list[TokenRecord]:
    """Return every stored token record (active and revoked), oldest first."""
    path = tokens_path(root)
    if not path.is_file():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [TokenRecord(**item) for item in raw["tokens"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a segmint token file ({exc})") from None


def _save(root: Path, records: list[TokenRecord]) -> None:
    path = tokens_path(root)
    tmp = path.with_suffix(".tmp")
    text = json.dumps({"tokens": [asdict(r) for r in records]}, indent=2) + "\n"
    # Owner-only from the first byte: the hashes are not secrets, but the names and scopes are
    # nobody else's business.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def check_scope(scope: str) -> str:
    """Return `scope` if it is read or admin; raise InputError listing the scopes otherwise."""
    if scope not in SCOPES:
        raise InputError(f"--scope: unknown scope {scope!r}; allowed: {', '.join(SCOPES)}")
    return scope


def create_token(root: Path, name: str, *, scope: str, now: datetime | None = None) -> str:
    """Create a token called `name` with `scope`, store its hash and return the token (once)."""
    check_scope(scope)
    name = name.strip()
    if not name:
        raise InputError("token name: must not be empty")
    records = load_tokens(root)
    if any(r.name == name and r.active for r in records):
        raise InputError(f"token {name!r} already exists; revoke it first or choose another name")
    token = _PREFIX + secrets.token_urlsafe(32)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    records.append(TokenRecord(name, scope, hash_token(token), stamp))
    _save(root, records)
    return token


def revoke_token(root: Path, name: str, *, now: datetime | None = None) -> TokenRecord:
    """Revoke the active token called `name`; raise InputError naming the active tokens if none."""
    records = load_tokens(root)
    for i, record in enumerate(records):
        if record.name == name and record.active:
            stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
            records[i] = TokenRecord(**{**asdict(record), "revoked_at": stamp})
            _save(root, records)
            return records[i]
    active = ", ".join(r.name for r in records if r.active) or "none"
    raise InputError(f"no active token called {name!r}; active tokens: {active}")


def token_scope(records: list[TokenRecord], token: str) -> str | None:
    """Return the scope of an active token, or None; every stored hash is compared in constant time."""
    candidate = hash_token(token)
    found: str | None = None
    # No early exit: the time taken does not tell which (or whether a) stored hash matched.
    for record in records:
        if hmac.compare_digest(candidate, record.token_hash) and record.active:
            found = record.scope
    return found
