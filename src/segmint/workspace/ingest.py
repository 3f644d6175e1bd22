"""`segmint ingest`: load every configured source into the workspace, quarantine bad rows, stitch ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from segmint import __version__
from segmint.config import SegmintConfig, SourceConfig, config_hash
from segmint.contract import REJECTED_COLUMNS
from segmint.progress import OnStage, StagePlan
from segmint.safe_output import write_csv
from segmint.sources.identity import MATCH_KEYS, IdentityRecords, stitch_identities
from segmint.sources.suppression import suppress_erased
from segmint.store import Store


@dataclass
class SourceOutcome:
    """What happened to one source in an ingest."""

    source: str
    table: str
    location: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    skipped: bool = False
    rows_suppressed: int = 0
    encoding: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class IngestSummary:
    """The outcome of ingesting every source of a workspace."""

    run_id: int
    sources: list[SourceOutcome]
    table_rows: dict[str, int]
    customers: int
    rejected_csv: Path

    @property
    def rows_read(self) -> int:
        """Rows read across sources loaded in this ingest (skipped sources excluded)."""
        return sum(s.rows_read for s in self.sources if not s.skipped)

    @property
    def rows_loaded(self) -> int:
        """Rows loaded across sources loaded in this ingest."""
        return sum(s.rows_loaded for s in self.sources if not s.skipped)

    @property
    def rows_rejected(self) -> int:
        """Rows rejected across sources loaded in this ingest."""
        return sum(s.rows_rejected for s in self.sources if not s.skipped)

    @property
    def rows_suppressed(self) -> int:
        """Rows of erased customers left out across sources loaded in this ingest."""
        return sum(s.rows_suppressed for s in self.sources if not s.skipped)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "run_id": self.run_id,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_suppressed": self.rows_suppressed,
            "customers": self.customers,
            "tables": self.table_rows,
            "rejected_csv": str(self.rejected_csv),
            "sources": [s.to_dict() for s in self.sources],
        }


def read_options(source: SourceConfig) -> Any:
    """Return the reader options for a configured source."""
    from segmint.sources import ReadOptions

    return ReadOptions(
        columns=dict(source.columns) or None,
        encoding=source.encoding,
        date_format=source.date_format,
        dayfirst=source.dayfirst,
        delimiter=source.delimiter,
        decimal=source.decimal,
        quantity_col=source.quantity_col,
        price_col=source.price_col,
        invoice_col=source.invoice_col,
        cancel_prefix=source.cancel_prefix,
    )


def read_configured_source(source: SourceConfig, root: Path, *, engine: str = "duckdb") -> Any:
    """Read one configured source (file or database table) into an IngestResult.

    With `engine="spark"` a transactions file is parsed and quarantined on PySpark.
    """
    from segmint.sources import read_database_table, read_source

    options = read_options(source)
    if source.path:
        path = Path(source.path)
        if not path.is_absolute():
            path = root / path
        if engine == "spark" and source.table == "transactions":
            from segmint.sources.spark_reader import read_source_on_spark

            return read_source_on_spark(path, options=options)
        return read_source(path, table=source.table, options=options)
    database = source.database or ""
    if "://" not in database and not Path(database).is_absolute():
        database = str(root / database)
    return read_database_table(database, source.db_table or "", table=source.table, options=options)


def ingest_workspace(
    root: Path, config: SegmintConfig, store: Store, *, on_step: OnStage | None = None
) -> IngestSummary:
    """Load every source (skipping files already loaded with the same content), then stitch ids."""
    from segmint.sources import quality_report

    plan = StagePlan("ingest", ["read"] * len(config.sources) + ["stitch"], on_step)
    run_id = store.start_run(
        "ingest", as_of=None, config_hash=config_hash(config), version=__version__
    )
    outcomes: list[SourceOutcome] = []
    erased = store.erased_hashes()
    try:
        for source in config.sources:
            plan.start("read", subject=source.name, rows=sum(o.rows_read for o in outcomes))
            result = read_configured_source(source, root, engine=config.engine)
            location = str(source.path or f"{source.database}#{source.db_table}")
            if store.already_ingested(source.name, result.content_hash):
                outcomes.append(
                    SourceOutcome(
                        source.name, source.table, location, result.rows_read,
                        len(result.loaded), len(result.rejected), skipped=True,
                        encoding=result.encoding, column_map=result.column_map,
                    )
                )  # fmt: skip
                continue
            # Erased customers' rows are left out (and counted) until the source drops them.
            loaded, rejected, suppressed = suppress_erased(result.loaded, result.rejected, erased)
            loaded = loaded.copy()
            loaded["_source"] = source.name
            loaded["_source_id"] = loaded["customer_id"]
            rejected = rejected.copy()
            quality = quality_report(result)
            outcome = SourceOutcome(
                source=source.name,
                table=source.table,
                location=location,
                rows_read=result.rows_read,
                rows_loaded=len(loaded),
                rows_rejected=len(rejected),
                rows_suppressed=suppressed,
                encoding=result.encoding,
                column_map=result.column_map,
                stats=result.stats,
                quality=quality,
            )
            store.replace_source(
                source.name,
                logical_table=source.table,
                loaded=loaded,
                rejected=rejected,
                record={
                    "location": location,
                    "content_hash": result.content_hash,
                    "rows_read": outcome.rows_read,
                    "rows_loaded": outcome.rows_loaded,
                    "rows_rejected": outcome.rows_rejected,
                    "encoding": result.encoding,
                    "column_map": result.column_map,
                    "stats": {**result.stats, "quality": quality},
                },
                run_id=run_id,
            )
            outcomes.append(outcome)
        configured = {s.name for s in config.sources}
        for stale in {row for row in _loaded_sources(store)} - configured:
            store.drop_source(stale)
        plan.start("stitch", rows=sum(o.rows_read for o in outcomes))
        table_rows = stitch_workspace(config, store)
        customers = _count_customers(store)
        rejected_csv = root / "rejected.csv"
        export_rejected(store, rejected_csv)
        summary = IngestSummary(run_id, outcomes, table_rows, customers, rejected_csv)
        store.finish_run(run_id, counts=summary.to_dict())
        return summary
    except Exception as exc:
        store.finish_run(run_id, status="failed", counts={}, message=str(exc)[:500])
        raise


def stitch_workspace(config: SegmintConfig, store: Store) -> dict[str, int]:
    """Rebuild the identity map and the logical tables from the loaded sources."""
    records = []
    namespaces = {}
    for source in config.sources:
        if not store.has_table(f"raw_{source.name}"):
            continue
        wanted = ["customer_id", *MATCH_KEYS, *source.links]
        present = store.frame(f"SELECT * FROM raw_{source.name} LIMIT 0").columns
        columns = [c for c in dict.fromkeys(wanted) if c in present]
        quoted = ", ".join('"' + c + '"' for c in columns)
        frame = store.frame(f"SELECT DISTINCT {quoted} FROM raw_{source.name}")
        records.append(IdentityRecords(source.name, source.namespace, frame, dict(source.links)))
        namespaces[source.name] = source.namespace
    mapping = stitch_identities(records, match_keys=config.identity.match_keys)
    store.write_identity_map(mapping)
    return store.build_logical_tables(namespaces)


def export_rejected(store: Store, path: Path) -> int:
    """Write every rejected row of the workspace to a CSV (file, line, column, reason, raw)."""
    rejected = store.rejected()
    columns = ["source", *REJECTED_COLUMNS]
    write_csv(rejected.reindex(columns=columns), path)
    return len(rejected)


def _loaded_sources(store: Store) -> set[str]:
    rows = store.frame("SELECT DISTINCT source FROM ingested_files")
    return {s for s in rows["source"] if store.has_table(f"raw_{s}")}


def _count_customers(store: Store) -> int:
    frames = [
        store.frame(f"SELECT DISTINCT customer_id FROM {t}")
        for t in ("customers", "transactions", "subscriptions", "events", "tickets")
        if store.has_table(t)
    ]
    if not frames:
        return 0
    return int(pd.concat(frames)["customer_id"].nunique())
