"""Reader options and the outcome of reading one source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from segmint.contract import REJECTED_COLUMNS


@dataclass
class ReadOptions:
    """How to read a source: column names, encoding, date and line-item settings (all optional)."""

    # canonical → header; a summed column (discount) may list several headers
    columns: dict[str, str | list[str]] | None = None
    encoding: str | None = None
    date_format: str | None = None
    dayfirst: bool | None = None
    delimiter: str | None = None
    quantity_col: str | None = None
    price_col: str | None = None
    invoice_col: str | None = None
    cancel_prefix: str = "C"
    decimal: str | None = (
        None  # the amounts' decimal separator, "." or ","; None = decide per column
    )


@dataclass
class IngestResult:
    """Rows loaded in canonical columns, rows rejected with reasons, and how the source was read."""

    table: str
    source: str
    content_hash: str
    rows_read: int
    loaded: pd.DataFrame
    rejected: pd.DataFrame
    column_map: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_read != len(self.loaded) + len(self.rejected):
            raise AssertionError(
                f"{self.source}: rows read ({self.rows_read}) != loaded ({len(self.loaded)})"
                f" + rejected ({len(self.rejected)})"
            )


def empty_rejected() -> pd.DataFrame:
    """Return an empty rejected-rows frame with the standard columns."""
    return pd.DataFrame({name: pd.Series(dtype="object") for name in REJECTED_COLUMNS})
