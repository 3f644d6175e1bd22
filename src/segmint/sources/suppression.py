"""Erased customers stay erased: their rows are suppressed on every later ingest."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Set

import pandas as pd

# Separators inside a rejected row's raw text (CSV, TSV, ...): its fields are checked one by one.
_FIELD_SEPARATORS = re.compile(r"[,;\t|\s\"']+")


def erasure_hash(customer_id: str) -> str:
    """Return the hash recorded for an erased id (SHA-256 with a fixed prefix; no salt to lose)."""
    return hashlib.sha256(("segmint-erasure:" + str(customer_id)).encode("utf-8")).hexdigest()


def suppress_erased(
    loaded: pd.DataFrame, rejected: pd.DataFrame, erased: Set[str]
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Return (loaded, rejected, rows suppressed) without the rows of erased customers."""
    if not erased:
        return loaded, rejected, 0
    ids = loaded["customer_id"].astype("string")
    hashes = {value: erasure_hash(value) for value in ids.dropna().unique()}
    erased_rows = ids.map(lambda v: hashes.get(v) in erased, na_action="ignore").fillna(False)
    keep = ~erased_rows.astype(bool)
    suppressed = int((~keep).sum())
    if len(rejected) and "raw" in rejected:
        holds_erased = rejected["raw"].map(lambda raw: _mentions(raw, erased))
        suppressed += int(holds_erased.sum())
        rejected = rejected[~holds_erased.astype(bool)]
    return loaded[keep.to_numpy()], rejected, suppressed


def _mentions(raw: object, erased: Set[str]) -> bool:
    if not isinstance(raw, str):
        return False
    return any(erasure_hash(field) in erased for field in _FIELD_SEPARATORS.split(raw) if field)
