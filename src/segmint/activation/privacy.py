"""PII columns out of exports and destinations: dropped, or hashed with a salt from the environment."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

import pandas as pd

from segmint.config import SegmintConfig
from segmint.errors import ConfigError, InputError


def pii_salt(config: SegmintConfig) -> bytes:
    """Return the salt for hashing PII, from the environment variable `privacy.salt_env`."""
    value = os.environ.get(config.privacy.salt_env, "")
    if not value:
        raise ConfigError(
            f"privacy.salt_env: environment variable {config.privacy.salt_env} is not set; "
            "hashing PII needs a salt from the environment (or use pii: drop)"
        )
    return value.encode("utf-8")


def hash_value(value: object, salt: bytes) -> str:
    """Return the salted SHA-256 hex digest of a value's text."""
    return hashlib.sha256(salt + str(value).encode("utf-8")).hexdigest()


def protect_pii(
    frame: pd.DataFrame, pii: Sequence[str], *, mode: str, config: SegmintConfig
) -> pd.DataFrame:
    """Return `frame` with its PII columns dropped (mode "drop"), hashed ("hash") or kept ("keep")."""
    present = [c for c in pii if c in frame.columns and c != "customer_id"]
    if mode == "keep" or not present:
        return frame
    if mode == "drop":
        return frame.drop(columns=present)
    if mode != "hash":
        raise ValueError(f"unknown PII mode {mode!r}; allowed: drop, hash, keep")
    salt = pii_salt(config)
    out = frame.copy()
    for column in present:
        out[column] = out[column].map(lambda v: hash_value(v, salt), na_action="ignore")
    return out


def check_export_size(rows: int, *, config: SegmintConfig, what: str) -> None:
    """Refuse to hand out a group smaller than `privacy.min_export_size` (re-identification risk)."""
    minimum = config.privacy.min_export_size
    if rows < minimum:
        raise InputError(
            f"{what} has {rows} customer(s), fewer than privacy.min_export_size ({minimum}); "
            "small groups can identify people, so nothing was exported"
        )
