"""Removing a customer from files (CSV, JSON, Parquet, HTML, text) and from the DuckDB file's bytes."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from segmint.safe_output import atomic_path, write_csv, write_text

REPLACEMENT = "[erased]"
# An HTML element that is one record: a table row or a list item (removed whole).
_HTML_RECORD = re.compile(r"<(tr|li)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)


def redact_file(path: Path, needles: list[str]) -> str:
    """Remove records naming any of `needles` from a file; return "clean", "redacted" or "unredactable"."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        # Parquet pages are compressed: look at the values, not at the bytes.
        try:
            return "redacted" if _redact_parquet(path, needles) else "clean"
        except (pa.ArrowException, OSError):
            return "unredactable"
    data = path.read_bytes()
    if suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return "unredactable"
        return "unredactable" if any(n.encode("utf-8") in data for n in needles) else "clean"
    encoded = [n.encode("utf-8") for n in needles]
    if not any(n in data for n in encoded):
        return "clean"
    try:
        if suffix == ".csv":
            _redact_csv(path, needles)
        elif suffix == ".json":
            _redact_json(path, needles)
        else:
            text = data.decode("utf-8")
            if suffix in (".html", ".htm"):
                text = _HTML_RECORD.sub(
                    lambda m: "" if any(n in m.group(0) for n in needles) else m.group(0), text
                )
            for needle in needles:
                text = text.replace(needle, REPLACEMENT)
            write_text(text, path)
    except (UnicodeDecodeError, ValueError, pa.ArrowException):
        return "unredactable"
    data = path.read_bytes()
    return "unredactable" if any(n in data for n in encoded) else "redacted"


def _mentions(value: Any, needles: list[str]) -> bool:
    return isinstance(value, str) and any(n in value for n in needles)


def _redact_csv(path: Path, needles: list[str]) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    keep = ~frame.apply(lambda column: column.map(lambda v: _mentions(v, needles))).any(axis=1)
    write_csv(frame[keep], path)


def _redact_json(path: Path, needles: list[str]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    write_text(json.dumps(_without(data, needles), ensure_ascii=False, indent=1) + "\n", path)


def _without(value: Any, needles: list[str]) -> Any:
    if isinstance(value, list):
        return [_without(v, needles) for v in value if not _holds(v, needles)]
    if isinstance(value, dict):
        return {k: _without(v, needles) for k, v in value.items()}
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, REPLACEMENT)
    return value


def _holds(value: Any, needles: list[str]) -> bool:
    # A record (object) or a plain value naming the customer is dropped from its list.
    if isinstance(value, dict):
        return any(_mentions(v, needles) for v in value.values())
    return _mentions(value, needles)


def _redact_parquet(path: Path, needles: list[str]) -> bool:
    """Drop the rows naming the customer; return whether there were any."""
    frame = pq.read_table(path).to_pandas()
    text = frame.select_dtypes(include=["object", "string"])
    if text.empty:
        return False
    keep = ~text.apply(lambda column: column.map(lambda v: _mentions(v, needles))).any(axis=1)
    if keep.all():
        return False
    with atomic_path(path) as temporary:
        pq.write_table(pa.Table.from_pandas(frame[keep], preserve_index=False), temporary)
    return True


def compact_database(path: Path) -> None:
    """Rewrite the DuckDB file with only its live data (a DELETE leaves old blocks on disk)."""
    compacted = path.with_name(f".{path.name}.compact")
    compacted.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("CHECKPOINT")
        row = con.execute("SELECT current_database()").fetchone()
        name = str(row[0]) if row else path.stem
        literal = "'" + compacted.as_posix().replace("'", "''") + "'"
        con.execute(f"ATTACH {literal} AS segmint_compacted")
        con.execute(f'COPY FROM DATABASE "{name}" TO segmint_compacted')
        con.execute("DETACH segmint_compacted")
    except Exception:
        compacted.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(compacted, path)
    Path(str(path) + ".wal").unlink(missing_ok=True)
