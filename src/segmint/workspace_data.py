"""The workspace's tables on the configured engine, and the dates its data spans."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.config import SegmintConfig
from segmint.engine import spark_backend
from segmint.errors import InputError
from segmint.store import Store


def engine_tables(config: SegmintConfig, store: Store, root: Path) -> dict[str, Any]:
    """Return Ibis tables of the workspace on the configured engine (Spark reads Parquet exports)."""
    tables = store.logical_tables()
    if config.engine == "duckdb":
        return tables
    export_dir = root / ".segmint" / "parquet"
    export_dir.mkdir(parents=True, exist_ok=True)
    spark = spark_backend()
    out = {}
    for name in tables:
        path = export_dir / f"{name}.parquet"
        store.export_parquet(name, path)
        out[name] = spark.read_parquet(str(path), table_name=f"segmint_{name}")
    return out


def data_end(store: Store) -> datetime:
    """Return the newest timestamp in the workspace's event-like tables."""
    candidates = []
    for table, column in (
        ("transactions", "occurred_at"),
        ("events", "occurred_at"),
        ("tickets", "opened_at"),
        ("subscriptions", "started_at"),
        ("subscriptions", "ended_at"),
        ("customers", "created_at"),
    ):
        if (
            store.has_table(table)
            and column in store.frame(f"SELECT * FROM {table} LIMIT 0").columns
        ):
            row = store.con.execute(f"SELECT max({column}) FROM {table}").fetchone()
            if row and row[0] is not None:
                candidates.append(pd.Timestamp(row[0]))
    if not candidates:
        raise InputError("the workspace holds no dated rows; run `segmint ingest` first")
    return max(candidates).to_pydatetime()


def default_run_as_of(store: Store) -> datetime:
    """Return midnight after the newest data: every ingested row is then before as_of."""
    return (pd.Timestamp(data_end(store)).normalize() + timedelta(days=1)).to_pydatetime()


__all__ = ["data_end", "default_run_as_of", "engine_tables"]
