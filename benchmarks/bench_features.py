"""The segmint feature pipeline on DuckDB vs a hand-written DuckDB SQL query of the same features.

Synthetic customers, transactions, subscriptions, events and tickets are written to Parquet;
both contenders read them, compute every feature as of one date and write Parquet. The outputs
are compared value by value. SEGMINT_BENCH_ROWS sets the transaction (and event) rows, default
10M with ~2M customers; SEGMINT_BENCH_REPEATS the number of timed runs (median reported).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.bench_rfm import bench_repeats, bench_rows, customer_ids, measure_alternating

AS_OF = "2024-01-01 00:00:00"
SEED = 0
TABLES = ("customers", "transactions", "subscriptions", "events", "tickets")


def _timestamps(rng: np.random.Generator, n: int, start: str, days: int) -> pa.Array:
    seconds = rng.integers(0, days * 86400, n)
    return pa.array(
        (np.datetime64(start, "s") + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
    )


def write_tables(folder: Path, rows: int, *, seed: int = SEED) -> dict[str, Path]:
    """Write seeded synthetic source tables as Parquet; return name -> path."""
    rng = np.random.default_rng(seed)
    n_customers = max(rows // 5, 1)
    paths = {name: folder / f"{name}.parquet" for name in TABLES}

    def skewed(n: int) -> np.ndarray:
        return (rng.random(n) ** 2 * n_customers).astype(np.int64)

    ids = np.arange(n_customers)
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(ids),
                "created_at": _timestamps(rng, n_customers, "2020-06-01", 4 * 365),
                "industry": pa.array(
                    rng.choice(["retail", "finance", "media", "health"], n_customers)
                ),
                "country": pa.array(rng.choice(["KR", "US", "DE", "FR", "JP"], n_customers)),
                "employees": pa.array(rng.integers(1, 5000, n_customers).astype("float64")),
            }
        ),
        paths["customers"],
    )
    cents = np.maximum(rng.lognormal(3.2, 0.9, rows) * 100, 1).astype(np.int64)
    refund = rng.random(rows) < 0.04
    cents[refund] = -cents[refund]
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(skewed(rows)),
                "occurred_at": _timestamps(rng, rows, "2021-01-01", 3 * 365),
                "amount": pa.array(cents / 100.0),
            }
        ),
        paths["transactions"],
        row_group_size=1_000_000,
    )
    n_subs = max(int(n_customers * 0.6), 1)
    started = _timestamps(rng, n_subs, "2021-01-01", 3 * 365)
    length = rng.integers(30, 900, n_subs).astype("timedelta64[D]")
    ended = (started.to_numpy(zero_copy_only=False) + length).astype("datetime64[us]")
    ended_mask = rng.random(n_subs) < 0.5
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(rng.integers(0, n_customers, n_subs)),
                "started_at": started,
                "ended_at": pa.array(ended, mask=ended_mask),
                "mrr": pa.array(rng.choice([9.0, 29.0, 49.99, 99.0, 499.0], n_subs)),
                "plan": pa.array(rng.choice(["starter", "pro", "enterprise"], n_subs)),
                "seats": pa.array(rng.integers(1, 50, n_subs).astype("float64")),
            }
        ),
        paths["subscriptions"],
    )
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(skewed(rows)),
                "occurred_at": _timestamps(rng, rows, "2023-06-01", 240),
                "event": pa.array(rng.choice(["login", "export", "share", "invite"], rows)),
                "feature": pa.array(rng.choice(["core", "reports", "api", "sso", "billing"], rows)),
            }
        ),
        paths["events"],
        row_group_size=1_000_000,
    )
    n_tickets = n_customers
    opened = _timestamps(rng, n_tickets, "2022-01-01", 2 * 365)
    closed = (
        opened.to_numpy(zero_copy_only=False)
        + rng.integers(0, 40 * 86400, n_tickets).astype("timedelta64[s]")
    ).astype("datetime64[us]")
    csat = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n_tickets)
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(skewed(n_tickets)),
                "opened_at": opened,
                "closed_at": pa.array(closed, mask=rng.random(n_tickets) < 0.1),
                "priority": pa.array(rng.choice(["low", "normal", "High", "urgent"], n_tickets)),
                "csat": pa.array(csat, mask=rng.random(n_tickets) < 0.6),
            }
        ),
        paths["tickets"],
    )
    return paths


def segmint_features(paths: dict[str, Path], out: Path) -> int:
    """segmint: Parquet -> build_features on an in-memory DuckDB -> Parquet; return rows written."""
    from segmint.engine import duckdb_backend
    from segmint.features import build_features

    con = duckdb_backend()
    tables = {name: con.read_parquet(path) for name, path in paths.items()}
    con.to_parquet(build_features(tables, as_of=pd.Timestamp(AS_OF)), out)
    return int(pq.read_metadata(out).num_rows)


# The same features written by hand as one DuckDB query (same casts, so the same values).
HAND_SQL = """
WITH
tx AS (
  SELECT customer_id, occurred_at, CAST(amount AS DECIMAL(18,2)) AS amt
  FROM read_parquet('{transactions}') WHERE occurred_at < TIMESTAMP '{as_of}'
),
tx_f AS (
  SELECT customer_id,
    date_diff('day', CAST(max(occurred_at) FILTER (WHERE amt > 0) AS DATE), DATE '{as_of_date}') AS recency_days,
    count(*) FILTER (WHERE amt > 0) AS frequency,
    CAST(sum(amt) AS DOUBLE) / NULLIF(CAST(count(*) FILTER (WHERE amt > 0) AS DOUBLE), 0) AS monetary,
    CAST(sum(amt) AS DOUBLE) AS total_amount,
    count(*) FILTER (WHERE amt > 0 AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS orders_30d,
    count(*) FILTER (WHERE amt > 0 AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS orders_90d,
    count(*) FILTER (WHERE amt > 0 AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY) AS orders_365d,
    coalesce(CAST(sum(amt) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS DOUBLE), 0) AS revenue_30d,
    coalesce(CAST(sum(amt) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS DOUBLE), 0) AS revenue_90d,
    coalesce(CAST(sum(amt) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 365 DAY) AS DOUBLE), 0) AS revenue_365d,
    CAST(sum(amt) FILTER (WHERE amt > 0) AS DOUBLE) / NULLIF(CAST(count(*) FILTER (WHERE amt > 0) AS DOUBLE), 0) AS avg_order_value,
    CAST(date_diff('day', CAST(min(occurred_at) FILTER (WHERE amt > 0) AS DATE),
                          CAST(max(occurred_at) FILTER (WHERE amt > 0) AS DATE)) AS DOUBLE)
      / NULLIF(CAST(count(*) FILTER (WHERE amt > 0) - 1 AS DOUBLE), 0) AS mean_interpurchase_days,
    date_diff('day', CAST(min(occurred_at) FILTER (WHERE amt > 0) AS DATE), DATE '{as_of_date}') AS days_since_first_order,
    count(*) FILTER (WHERE amt < 0) AS refunds_count
  FROM tx GROUP BY customer_id
),
subs AS (
  SELECT *, CAST(mrr AS DECIMAL(18,2)) AS m,
    ended_at IS NULL OR ended_at >= TIMESTAMP '{as_of}' AS active_now,
    started_at < TIMESTAMP '{as_of}' - INTERVAL 90 DAY
      AND (ended_at IS NULL OR ended_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY) AS active_then
  FROM read_parquet('{subscriptions}') WHERE started_at < TIMESTAMP '{as_of}'
),
subs_agg AS (
  SELECT customer_id,
    coalesce(sum(m) FILTER (WHERE active_now), 0) AS mrr_now,
    coalesce(sum(m) FILTER (WHERE active_then), 0) AS mrr_then,
    count(*) FILTER (WHERE active_now) > 0 AS is_active,
    count(*) FILTER (WHERE ended_at IS NOT NULL AND ended_at < TIMESTAMP '{as_of}') AS n_ended,
    max(ended_at) FILTER (WHERE ended_at IS NOT NULL AND ended_at < TIMESTAMP '{as_of}') AS last_ended_at,
    min(started_at) AS first_started_at,
    CAST(sum(CAST(seats AS DECIMAL(18,2))) FILTER (WHERE active_now) AS DOUBLE) AS seats
  FROM subs GROUP BY customer_id
),
plans AS (
  SELECT customer_id, plan FROM subs
  QUALIFY row_number() OVER (PARTITION BY customer_id
    ORDER BY active_now DESC, started_at DESC, m DESC, plan ASC) = 1
),
subs_f AS (
  SELECT a.customer_id,
    CAST(mrr_now AS DOUBLE) AS mrr,
    CAST(mrr_now - mrr_then AS DOUBLE) AS mrr_change_90d,
    seats,
    CAST(date_diff('day', CAST(first_started_at AS DATE),
      CAST(CASE WHEN is_active THEN TIMESTAMP '{as_of}' ELSE last_ended_at END AS DATE)) AS DOUBLE) / 30.4375
      AS subscription_tenure_months,
    is_active AS is_active_subscriber,
    mrr_now - mrr_then > 0 AND mrr_then > 0 AS expansion_90d,
    mrr_now - mrr_then < 0 AND mrr_now > 0 AS contraction_90d,
    NOT is_active AND n_ended > 0 AS churned,
    p.plan
  FROM subs_agg a LEFT JOIN plans p USING (customer_id)
),
ev_f AS (
  SELECT customer_id,
    count(DISTINCT CAST(occurred_at AS DATE)) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS active_days_30d,
    count(*) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS events_30d,
    CAST(count(*) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS DOUBLE)
      / NULLIF(CAST(count(*) FILTER (WHERE occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 60 DAY
                                      AND occurred_at < TIMESTAMP '{as_of}' - INTERVAL 30 DAY) AS DOUBLE), 0) AS usage_trend,
    count(DISTINCT feature) AS features_adopted,
    date_diff('day', CAST(max(occurred_at) AS DATE), DATE '{as_of_date}') AS days_since_last_activity
  FROM read_parquet('{events}') WHERE occurred_at < TIMESTAMP '{as_of}' GROUP BY customer_id
),
tk AS (
  SELECT *, closed_at IS NOT NULL AND closed_at < TIMESTAMP '{as_of}' AS closed_by_now,
    opened_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY AS recent
  FROM read_parquet('{tickets}') WHERE opened_at < TIMESTAMP '{as_of}'
),
tk_f AS (
  SELECT customer_id,
    count(*) FILTER (WHERE recent) AS tickets_90d,
    count(*) FILTER (WHERE NOT closed_by_now) AS open_tickets,
    count(*) FILTER (WHERE recent AND lower(trim(priority)) IN ('high', 'urgent', 'critical', 'blocker', 'p0', 'p1'))
      AS high_priority_tickets_90d,
    CAST(sum(CAST(csat AS DECIMAL(18,6))) FILTER (WHERE csat IS NOT NULL AND closed_by_now) AS DOUBLE)
      / NULLIF(CAST(count(*) FILTER (WHERE csat IS NOT NULL AND closed_by_now) AS DOUBLE), 0) AS csat_mean
  FROM tk GROUP BY customer_id
),
cu AS (
  SELECT customer_id, created_at, industry, country, employees,
    date_diff('day', CAST(created_at AS DATE), DATE '{as_of_date}') AS tenure_days
  FROM read_parquet('{customers}') WHERE created_at IS NULL OR created_at < TIMESTAMP '{as_of}'
),
later AS (
  SELECT customer_id FROM read_parquet('{customers}') WHERE created_at >= TIMESTAMP '{as_of}'
)
SELECT
  coalesce(cu.customer_id, tx_f.customer_id, subs_f.customer_id, ev_f.customer_id, tk_f.customer_id) AS customer_id,
  cu.* EXCLUDE (customer_id),
  tx_f.recency_days, coalesce(tx_f.frequency, 0) AS frequency, tx_f.monetary,
  coalesce(tx_f.total_amount, 0) AS total_amount,
  coalesce(tx_f.orders_30d, 0) AS orders_30d, coalesce(tx_f.orders_90d, 0) AS orders_90d,
  coalesce(tx_f.orders_365d, 0) AS orders_365d,
  coalesce(tx_f.revenue_30d, 0) AS revenue_30d, coalesce(tx_f.revenue_90d, 0) AS revenue_90d,
  coalesce(tx_f.revenue_365d, 0) AS revenue_365d,
  tx_f.avg_order_value, tx_f.mean_interpurchase_days, tx_f.days_since_first_order,
  coalesce(tx_f.refunds_count, 0) AS refunds_count,
  coalesce(subs_f.mrr, 0) AS mrr, coalesce(subs_f.mrr_change_90d, 0) AS mrr_change_90d, subs_f.seats,
  subs_f.subscription_tenure_months,
  coalesce(subs_f.is_active_subscriber, false) AS is_active_subscriber,
  coalesce(subs_f.expansion_90d, false) AS expansion_90d,
  coalesce(subs_f.contraction_90d, false) AS contraction_90d,
  coalesce(subs_f.churned, false) AS churned, subs_f.plan,
  coalesce(ev_f.active_days_30d, 0) AS active_days_30d, coalesce(ev_f.events_30d, 0) AS events_30d,
  ev_f.usage_trend, coalesce(ev_f.features_adopted, 0) AS features_adopted, ev_f.days_since_last_activity,
  coalesce(tk_f.tickets_90d, 0) AS tickets_90d, coalesce(tk_f.open_tickets, 0) AS open_tickets,
  coalesce(tk_f.high_priority_tickets_90d, 0) AS high_priority_tickets_90d, tk_f.csat_mean
FROM cu
FULL OUTER JOIN tx_f ON tx_f.customer_id = cu.customer_id
FULL OUTER JOIN subs_f ON subs_f.customer_id = coalesce(cu.customer_id, tx_f.customer_id)
FULL OUTER JOIN ev_f ON ev_f.customer_id = coalesce(cu.customer_id, tx_f.customer_id, subs_f.customer_id)
FULL OUTER JOIN tk_f
  ON tk_f.customer_id = coalesce(cu.customer_id, tx_f.customer_id, subs_f.customer_id, ev_f.customer_id)
WHERE coalesce(cu.customer_id, tx_f.customer_id, subs_f.customer_id, ev_f.customer_id, tk_f.customer_id)
  NOT IN (SELECT customer_id FROM later)
"""


def hand_sql_features(paths: dict[str, Path], out: Path) -> int:
    """Baseline: the hand-written query on a fresh in-memory DuckDB -> Parquet; return rows."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    sql = HAND_SQL.format(
        as_of=AS_OF, as_of_date=AS_OF[:10], **{name: str(p) for name, p in paths.items()}
    )
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")
    con.close()
    return int(pq.read_metadata(out).num_rows)


def compare(ours: Path, theirs: Path) -> tuple[bool, list[str]]:
    """Return (identical, columns that differ) after sorting both outputs by customer_id."""
    a = pd.read_parquet(ours).sort_values("customer_id").reset_index(drop=True)
    b = pd.read_parquet(theirs).sort_values("customer_id").reset_index(drop=True)
    if list(a.customer_id) != list(b.customer_id):
        return False, ["customer_id"]
    differing = []
    for col in a.columns:
        if col not in b.columns:
            differing.append(f"{col} (missing in SQL)")
            continue
        left, right = a[col], b[col]
        same_null = left.isna().to_numpy() == right.isna().to_numpy()
        both = ~(left.isna() | right.isna()).to_numpy()
        equal = same_null.all() and (left.to_numpy()[both] == right.to_numpy()[both]).all()
        if not equal:
            differing.append(col)
    return not differing, differing


def main() -> None:
    """Generate the tables, time both contenders, print times, memory and the ratio."""
    rows, repeats = bench_rows(), bench_repeats()
    with tempfile.TemporaryDirectory(prefix="segmint-bench-features-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        paths = write_tables(folder, rows)
        sizes = {name: pq.read_metadata(p).num_rows for name, p in paths.items()}
        print(
            "feature benchmark: "
            + ", ".join(f"{name} {n:,}" for name, n in sizes.items())
            + f" (written in {time.perf_counter() - started:.1f} s); median of {repeats}, run in turn",
            flush=True,
        )
        ours_path, sql_path = folder / "features_segmint.parquet", folder / "features_sql.parquet"
        results = measure_alternating(
            {
                "segmint": lambda: segmint_features(paths, ours_path),
                "sql": lambda: hand_sql_features(paths, sql_path),
            },
            repeats,
        )
        ours_s, ours_gb, ours_rows = results["segmint"]
        sql_s, sql_gb, sql_rows = results["sql"]
        identical, differing = compare(ours_path, sql_path)
    print(f"{'contender':<30}{'seconds':>10}{'peak RSS +GB':>14}{'rows out':>12}")
    print(f"{'segmint build_features':<30}{ours_s:>10.2f}{ours_gb:>14.2f}{ours_rows:>12,}")
    print(f"{'hand-written DuckDB SQL':<30}{sql_s:>10.2f}{sql_gb:>14.2f}{sql_rows:>12,}")
    print(f"time ratio segmint / hand SQL: {ours_s / sql_s:.2f}x (target <= 1.5x)")
    print(f"identical outputs: {identical}" + (f"; differing: {differing}" if differing else ""))


if __name__ == "__main__":
    main()
