"""Workspace services: init, ingest, run, customer profile (the CLI and API call these)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def load_latest_features(folder: str | Path, *, behaviour_only: bool = False) -> pd.DataFrame:
    """Return the per-customer features and scores of the workspace's latest run.

    With `behaviour_only`, only customer_id and the catalogue's behaviour features (no scores,
    bands, reasons or contact data): what clustering should discover structure in.
    """
    from segmint.config import load_config
    from segmint.errors import InputError
    from segmint.store import open_store

    root = Path(folder)
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        run_id = store.latest_snapshot_run()
        if run_id is None:
            raise InputError(f"{root}: no run stored yet; run `segmint run -w {root}` first")
        values = store.snapshot_values(run_id)
    if behaviour_only:
        from segmint.features import FEATURE_CATALOGUE

        keep = [f.name for f in FEATURE_CATALOGUE if f.table != "customers" and f.name in values]
        values = values[["customer_id", *keep]]
    return values
