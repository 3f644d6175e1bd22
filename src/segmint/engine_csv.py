"""Write a frame as CSV with DuckDB's `COPY ... TO`: the same bytes as `safe_output.write_csv`.

pandas' `to_csv` and the per-cell formula check cost seconds per million rows; DuckDB writes the
same file in parallel, with the formula rule of `safe_output.neutralise_cell` applied in SQL. A
frame whose cells DuckDB would print differently from pandas (timestamps, mixed objects, a
carriage return inside a text cell, ...) is written by `write_csv` instead, said in a debug log.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from segmint.safe_output import atomic_path, neutralise_formulas, write_csv

log = logging.getLogger("segmint.output")

# safe_output's two patterns in RE2: a formula start, and a genuine number (Python's `$` also
# matches before one final newline; `\d` there is any Unicode digit).
FORMULA_RE2 = r"^[\t\r]*[=+\-@]|^[\t\r]"
NUMBER_RE2 = r"[+-]?(?:\p{Nd}+(?:[.,]\p{Nd}+)*|\.\p{Nd}+)(?:[eE][+-]?\p{Nd}+)?\n?"


def neutralised_text_sql(column: str) -> str:
    """Return SQL for a text column's cell as safe_output writes it (formula prefixed, '' empty)."""
    value = f"nullif(CAST({column} AS VARCHAR), '')"
    formula = f"(regexp_matches({value}, '{FORMULA_RE2}') AND NOT regexp_full_match({value}, '{NUMBER_RE2}'))"
    return f"CASE WHEN {formula} THEN '''' || {value} ELSE {value} END"


def boolean_text_sql(column: str) -> str:
    """Return SQL printing a boolean as pandas does (True / False, empty for missing)."""
    return f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END"


def write_csv_in_engine(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write `frame` like `write_csv` (formula-neutral UTF-8 CSV, whole file or none), via DuckDB."""
    path = Path(path)
    kinds = _column_kinds(frame)
    if kinds is None or not kinds:
        return write_csv(frame, path)
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        # Positional names: the frame's own headers may repeat or need quoting.
        data = frame.set_axis([f"c{i}" for i in range(frame.shape[1])], axis=1)
        con.register("frame", data)
        text = [f"c{i}" for i, kind in enumerate(kinds) if kind == "text"]
        if text and _has_carriage_return(con, text):
            log.debug("%s: written with pandas (a text cell holds a carriage return)", path.name)
            return write_csv(frame, path)
        cells = ", ".join(_cell_sql(f"c{i}", kind) for i, kind in enumerate(kinds))
        header = neutralise_formulas(frame.head(0)).to_csv(index=False)
        with atomic_path(path) as temporary:
            body = temporary.with_name(temporary.name + ".body")
            try:
                select = f"SELECT {cells} FROM frame"
                con.execute(f"COPY ({select}) TO '{_sql_path(body)}' (FORMAT csv, HEADER false)")
                with temporary.open("w", encoding="utf-8", newline="") as out:
                    out.write(header)
                    with body.open("r", encoding="utf-8", newline="") as rows:
                        shutil.copyfileobj(rows, out, 1 << 20)
            finally:
                body.unlink(missing_ok=True)
    finally:
        con.close()
    return path


def _column_kinds(frame: pd.DataFrame) -> list[str] | None:
    """Return how each column is printed (text, boolean, plain), or None if pandas must write it."""
    kinds: list[str] = []
    for _name, values in frame.items():
        kind = _kind(values)
        if kind is None:
            log.debug("column %r (%s): written with pandas", _name, values.dtype)
            return None
        kinds.append(kind)
    return kinds


def _kind(values: pd.Series) -> str | None:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        return "text" if pd.api.types.infer_dtype(categories) in ("string", "empty") else None
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "plain"
    if pd.api.types.is_float_dtype(dtype):
        # float32 prints its own shortest digits in DuckDB, its float64 widening in pandas
        return "plain" if dtype == "float64" or str(dtype) == "Float64" else None
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        if inferred in ("string", "empty"):
            return "text"
        # datetime.date cells print as YYYY-MM-DD in both; a neutral text rule cannot apply
        return "plain" if inferred == "date" else None
    return None


def _cell_sql(column: str, kind: str) -> str:
    if kind == "text":
        return neutralised_text_sql(column)
    if kind == "boolean":
        return boolean_text_sql(column)
    return column


def _has_carriage_return(con: duckdb.DuckDBPyConnection, columns: list[str]) -> bool:
    """Return whether a text cell holds '\\r' (DuckDB quotes it, pandas does not)."""
    found = " OR ".join(f"contains(CAST({c} AS VARCHAR), chr(13))" for c in columns)
    row = con.execute(f"SELECT count(*) FROM frame WHERE {found}").fetchone()
    return bool(row and row[0])


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


__all__ = ["boolean_text_sql", "neutralised_text_sql", "write_csv_in_engine"]
