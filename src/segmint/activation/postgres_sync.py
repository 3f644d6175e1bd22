"""Reverse ETL: each customer's segments and chosen scores upserted into a PostgreSQL table."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from segmint.activation.destination_config import PostgresDestination
from segmint.activation.privacy import protect_pii
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.store import Store

_UNSAFE = re.compile(r"[^\w]+", re.UNICODE)


def column_name(name: str) -> str:
    """Return a scheme, tag or score name as a lowercase column name (spaces etc. become _)."""
    return _UNSAFE.sub("_", name.strip().lower()).strip("_") or "unnamed"


def destination_rows(
    store: Store, config: SegmintConfig, destination: PostgresDestination, *, run: int | None
) -> tuple[int, pd.DataFrame, dict[str, str]]:
    """Return (run id, one row per customer, column → PostgreSQL type) for a snapshot."""
    run_id, as_of = store.snapshot_run(run)
    segments = store.snapshot_segments(run_id)
    present = list(dict.fromkeys(segments["scheme"]))
    schemes = destination.schemes or [s for s in present if not s.startswith("tag:")]
    tags = destination.tags or [s[4:] for s in present if s.startswith("tag:")]
    missing = [s for s in schemes if s not in present] + [
        f"tag:{t}" for t in tags if f"tag:{t}" not in present
    ]
    if missing:
        raise InputError(f"{', '.join(missing)} not in run {run_id}; there: {', '.join(present)}")
    customers = store.frame(
        "SELECT DISTINCT customer_id FROM snapshot_values WHERE run_id = ? ORDER BY customer_id",
        [run_id],
    )
    rows = customers.copy()
    types: dict[str, str] = {"customer_id": "TEXT PRIMARY KEY"}
    for scheme in schemes:
        one = segments[segments["scheme"] == scheme][["customer_id", "segment"]]
        rows = rows.merge(one.rename(columns={"segment": column_name(scheme)}), how="left")
        types[column_name(scheme)] = "TEXT"
    for tag in tags:
        members = set(segments.loc[segments["scheme"] == f"tag:{tag}", "customer_id"])
        rows[column_name(f"tag_{tag}")] = rows["customer_id"].isin(members)
        types[column_name(f"tag_{tag}")] = "BOOLEAN"
    wanted = list(dict.fromkeys([*destination.scores, *destination.columns]))
    if wanted:
        values = store.snapshot_values(run_id)
        unknown = [c for c in wanted if c not in values.columns]
        if unknown:
            raise InputError(f"column(s) {', '.join(unknown)} not in run {run_id}")
        extra = protect_pii(
            values[["customer_id", *wanted]],
            config.pii_columns(),
            mode=destination.pii,
            config=config,
        )
        for column in extra.columns[1:]:
            numeric = pd.api.types.is_numeric_dtype(extra[column]) and column in destination.scores
            types[column_name(column)] = "DOUBLE PRECISION" if numeric else "TEXT"
            if not numeric:
                extra[column] = extra[column].astype("string")
        rows = rows.merge(extra.rename(columns=column_name), on="customer_id", how="left")
    rows["run_id"] = run_id
    rows["as_of"] = as_of.date()
    types.update({"run_id": "BIGINT", "as_of": "DATE", "synced_at": "TIMESTAMPTZ"})
    return run_id, rows, types


def sync_postgres(
    store: Store,
    config: SegmintConfig,
    name: str,
    destination: PostgresDestination,
    *,
    run: int | None = None,
) -> Any:
    """Upsert the snapshot into the destination table in one transaction; delete absent customers."""
    from segmint.activation.sync import DestinationSync, record_sync

    run_id, rows, types = destination_rows(store, config, destination, run=run)
    upserted, deleted = _write(destination.url(name), destination, rows, types, name=name)
    result = DestinationSync(
        name, "postgres", run_id, "ok", changes=upserted + deleted, rows=len(rows),
        details={"table": destination.table, "upserted": upserted, "deleted": deleted},
    )  # fmt: skip
    record_sync(store, result)
    return result


def connect(url: str, destination: PostgresDestination, *, name: str) -> Any:
    """Open a psycopg connection; raise InputError naming the destination when it fails."""
    import psycopg

    try:
        return psycopg.connect(
            url.replace("postgres://", "postgresql://", 1),
            connect_timeout=destination.connect_timeout_seconds,
        )
    except psycopg.Error as exc:
        raise InputError(
            f"destinations.{name}: cannot connect to PostgreSQL ({_first_line(exc)}); nothing written"
        ) from None


def delete_customers(
    url: str, destination: PostgresDestination, ids: list[str], *, name: str
) -> int:
    """Delete the rows of `ids` from the destination table (if it exists); return rows deleted."""
    import psycopg
    from psycopg import sql

    with connect(url, destination, name=name) as conn, conn.transaction():
        try:
            exists = conn.execute("SELECT to_regclass(%s)", [destination.table]).fetchone()
            if not exists or exists[0] is None:
                return 0
            cursor = conn.execute(
                sql.SQL("DELETE FROM {} WHERE customer_id = ANY(%s)").format(_table(destination)),
                [ids],
            )
            return int(cursor.rowcount or 0)
        except psycopg.Error as exc:
            raise InputError(f"destinations.{name}: {_first_line(exc)}") from None


def _write(
    url: str,
    destination: PostgresDestination,
    rows: pd.DataFrame,
    types: dict[str, str],
    *,
    name: str,
) -> tuple[int, int]:
    import psycopg
    from psycopg import sql

    table = _table(destination)
    columns = [c for c in types if c != "synced_at"]
    with connect(url, destination, name=name) as conn:
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
                        table,
                        sql.SQL(", ").join(
                            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                            for c, t in types.items()
                        ),
                    )
                )
                for column, kind in types.items():
                    if column != "customer_id":
                        conn.execute(
                            sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}").format(
                                table, sql.Identifier(column), sql.SQL(kind)
                            )
                        )
                conn.execute(
                    sql.SQL(
                        "CREATE TEMP TABLE _segmint_incoming (LIKE {} INCLUDING DEFAULTS) "
                        "ON COMMIT DROP"
                    ).format(table)
                )
                identifiers = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
                with conn.cursor() as cursor:
                    copy_sql = sql.SQL("COPY _segmint_incoming ({}) FROM STDIN").format(identifiers)
                    with cursor.copy(copy_sql) as copy:
                        for record in rows[columns].itertuples(index=False, name=None):
                            copy.write_row([None if _missing(v) else v for v in record])
                updates = sql.SQL(", ").join(
                    sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
                    for c in [*columns[1:], "synced_at"]
                )
                upserted = conn.execute(
                    sql.SQL(
                        "INSERT INTO {} ({}, synced_at) SELECT {}, now() FROM _segmint_incoming "
                        "ON CONFLICT (customer_id) DO UPDATE SET {}"
                    ).format(table, identifiers, identifiers, updates)
                ).rowcount
                deleted = conn.execute(
                    sql.SQL(
                        "DELETE FROM {} t WHERE NOT EXISTS "
                        "(SELECT 1 FROM _segmint_incoming i WHERE i.customer_id = t.customer_id)"
                    ).format(table)
                ).rowcount
        except psycopg.Error as exc:
            raise InputError(
                f"destinations.{name}: {_first_line(exc)}; the table keeps its previous state"
            ) from None
    return int(upserted or 0), int(deleted or 0)


def _table(destination: PostgresDestination) -> Any:
    from psycopg import sql

    return sql.Identifier(*destination.table.split("."))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
