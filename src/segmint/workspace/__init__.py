"""Workspace services: init, ingest, run, customer profile (the CLI and API call these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class SnapshotFeatures:
    """A stored run's per-customer values, with the run they come from."""

    run_id: int
    as_of: datetime
    values: pd.DataFrame


def load_snapshot_features(
    folder: str | Path, *, run: int | None = None, behaviour_only: bool = False
) -> SnapshotFeatures:
    """Return the per-customer features and scores of run `run` (default: the newest as_of).

    With `behaviour_only`, only customer_id and the catalogue's behaviour features (no scores,
    bands, reasons or contact data): what clustering should discover structure in.
    """
    from segmint.config import load_config
    from segmint.store import open_store

    root = Path(folder)
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        run_id, as_of = store.snapshot_run(run)
        values = store.snapshot_values(run_id)
    if behaviour_only:
        values = behaviour_features(values)
    return SnapshotFeatures(run_id, as_of, values)


def behaviour_features(values: pd.DataFrame) -> pd.DataFrame:
    """Return customer_id and the catalogue's behaviour features of a snapshot's values."""
    from segmint.features import FEATURE_CATALOGUE

    keep = [f.name for f in FEATURE_CATALOGUE if f.table != "customers" and f.name in values]
    return values[["customer_id", *keep]]


def load_latest_features(
    folder: str | Path, *, behaviour_only: bool = False, run: int | None = None
) -> pd.DataFrame:
    """Return the per-customer features and scores of the newest run (or of `run`).

    With `behaviour_only`, only customer_id and the catalogue's behaviour features (no scores,
    bands, reasons or contact data): what clustering should discover structure in.
    """
    return load_snapshot_features(folder, run=run, behaviour_only=behaviour_only).values
