"""`segmint analyze --no-clv` on a synthetic export vs the naive DuckDB SQL RFM query on the same file.

Parquet (customer_id, occurred_at, amount): `analyze_file` against one SQL statement that reads
the file, groups by customer, scores R/F/M in quintiles and writes a CSV. The same for a CSV
export of those rows against DuckDB's own `read_csv` + the same SQL. Rows default to 1M; set
SEGMINT_BENCH_ANALYZE_ROWS (the issue's target is 50M Parquet / 10M CSV: within 2x, <= 4 GB),
SEGMINT_BENCH_REPEATS for the median and SEGMINT_BENCH_ANALYZE_FORMATS (default "parquet,csv")
to time one format only.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.bench_rfm import AS_OF, bench_repeats, measure_alternating, write_transactions

# The baseline a data engineer would write: refunds netted, quintile scores, one CSV out.
NAIVE_RFM = """
COPY (
    WITH tx AS (SELECT * FROM {scan} WHERE occurred_at < TIMESTAMP '{as_of}'),
    per_customer AS (
        SELECT customer_id,
               date_diff('day', max(occurred_at) FILTER (WHERE amount > 0)::DATE,
                         DATE '{as_of}') AS recency_days,
               count(*) FILTER (WHERE amount > 0) AS frequency,
               sum(amount) AS total_amount
        FROM tx GROUP BY customer_id HAVING count(*) FILTER (WHERE amount > 0) > 0
    )
    SELECT *, total_amount / frequency AS monetary,
           6 - ntile(5) OVER (ORDER BY recency_days) AS r_score,
           ntile(5) OVER (ORDER BY frequency) AS f_score,
           ntile(5) OVER (ORDER BY total_amount / frequency) AS m_score
    FROM per_customer
) TO '{out}' (HEADER)
"""


def analyze_rows(default: int = 1_000_000) -> int:
    """Return the row count from SEGMINT_BENCH_ANALYZE_ROWS (default 1M)."""
    return int(os.environ.get("SEGMINT_BENCH_ANALYZE_ROWS", default))


def analyze_formats() -> list[str]:
    """Return the formats from SEGMINT_BENCH_ANALYZE_FORMATS (default: parquet and csv)."""
    chosen = os.environ.get("SEGMINT_BENCH_ANALYZE_FORMATS", "parquet,csv")
    formats = [f.strip() for f in chosen.split(",") if f.strip()]
    unknown = sorted(set(formats) - {"parquet", "csv"})
    if unknown:
        raise ValueError(f"SEGMINT_BENCH_ANALYZE_FORMATS: unknown {unknown}; allowed: parquet, csv")
    return formats


def naive_sql(scan: str, out: Path) -> int:
    """Baseline: the naive DuckDB RFM query; return the customers written."""
    con = duckdb.connect()
    try:
        sql = NAIVE_RFM.format(scan=scan, as_of=AS_OF.date().isoformat(), out=out)
        con.execute(sql)
        row = con.execute(f"SELECT count(*) FROM read_csv('{out}')").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def segmint_analyze(source: Path, out: Path) -> int:
    """segmint: `analyze --no-clv` on the file; return the customers scored."""
    from segmint.analyze import analyze_file

    result = analyze_file(source, out_dir=out, as_of=AS_OF, with_clv=False)
    return len(result.customers)


def compare(label: str, source: Path, scan: str, folder: Path, repeats: int) -> None:
    """Time segmint and the baseline on one file in turn; print seconds, memory and the ratio."""
    results = measure_alternating(
        {
            "segmint": lambda: segmint_analyze(source, folder / f"out-{label}"),
            "sql": lambda: naive_sql(scan, folder / f"naive-{label}.csv"),
        },
        repeats,
    )
    ours_s, ours_gb, ours_n = results["segmint"]
    sql_s, sql_gb, sql_n = results["sql"]
    print(f"{label}: {'contender':<34}{'seconds':>10}{'peak RSS +GB':>14}{'customers':>12}")
    print(f"{label}: {'segmint analyze --no-clv':<34}{ours_s:>10.2f}{ours_gb:>14.2f}{ours_n:>12,}")
    print(f"{label}: {'naive DuckDB SQL RFM':<34}{sql_s:>10.2f}{sql_gb:>14.2f}{sql_n:>12,}")
    print(
        f"{label}: segmint/SQL time ratio {ours_s / sql_s:.2f}x (target <= 2x); "
        f"peak {ours_gb:.2f} GB (target <= 4 GB)",
        flush=True,
    )


def main() -> None:
    """Write the Parquet and CSV exports, then compare each against its SQL baseline."""
    rows, repeats = analyze_rows(), bench_repeats()
    with tempfile.TemporaryDirectory(prefix="segmint-bench-analyze-") as tmp:
        folder = Path(tmp)
        parquet = folder / "transactions.parquet"
        started = time.perf_counter()
        customers = write_transactions(parquet, rows)
        formats = analyze_formats()
        csv = folder / "transactions.csv"
        if "csv" in formats:
            duckdb.execute(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{csv}' (HEADER)")
        print(
            f"analyze benchmark: {rows:,} transactions, {customers:,} customers (files written "
            f"in {time.perf_counter() - started:.1f} s); median of {repeats}, run in turn",
            flush=True,
        )
        if "parquet" in formats:
            compare("parquet", parquet, f"read_parquet('{parquet}')", folder, repeats)
        if "csv" in formats:
            compare("csv", csv, f"read_csv('{csv}')", folder, repeats)


if __name__ == "__main__":
    main()
