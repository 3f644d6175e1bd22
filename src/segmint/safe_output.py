"""Writing output files safely: formula-neutral CSV cells, and whole files or nothing (temp + rename)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pandas as pd

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @, or a tab /
# carriage return before one of them.
_FORMULA = re.compile(r"^[\t\r]*[=+\-@]|^[\t\r]")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """Return a text cell prefixed with `'` when a spreadsheet would read it as a formula.

    Genuine numbers such as `-12.5` stay as they are.
    """
    if not isinstance(value, str) or not _FORMULA.match(value) or _NUMBER.match(value):
        return value
    return "'" + value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `frame` whose text cells (and headers) cannot run as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            out[column] = values.map(neutralise_cell, na_action="ignore")
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write `frame` as UTF-8 CSV, formula-neutral, replacing `path` only once fully written."""
    path = Path(path)
    with atomic_path(path) as temporary:
        neutralise_formulas(frame).to_csv(temporary, index=False, encoding="utf-8")
    return path


def csv_text(frame: pd.DataFrame) -> str:
    """Return `frame` as formula-neutral CSV text (for a download served without a file)."""
    return str(neutralise_formulas(frame).to_csv(index=False, lineterminator="\n"))


def write_text(text: str, path: str | Path) -> Path:
    """Write `text` as UTF-8, replacing `path` only once fully written."""
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it onto `path` when the block succeeds.

    A full disk or a kill mid-write leaves the previous file (or none), never a truncated one.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def money_text(value: Decimal | int | float | str) -> str:
    """Return money as an exact decimal string with two places ("1234.50"), never a float."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return str(amount.quantize(Decimal("0.01")))
