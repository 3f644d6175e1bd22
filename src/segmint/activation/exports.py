"""`segmint export`: a scheme's segment or a tag to CSV, Parquet or JSON, PII protected."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from segmint.activation.ledger import record_written_file
from segmint.activation.membership import load_membership, subject_name
from segmint.activation.privacy import check_export_size, protect_pii
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.safe_output import atomic_path, write_csv, write_text
from segmint.store import Store

EXPORT_FORMATS = ("csv", "parquet", "json")
PII_OPTIONS = ("drop", "hash", "keep")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    format: str
    rows: int
    columns: list[str]
    run_id: int
    as_of: str
    subject: str
    pii_columns: list[str]
    pii: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {**self.__dict__, "path": str(self.path)}


def export_members(
    store: Store,
    config: SegmintConfig,
    output: Path,
    *,
    scheme: str | None = None,
    segments: Sequence[str] = (),
    tag: str | None = None,
    columns: Sequence[str] = (),
    fmt: str = "csv",
    pii: str = "drop",
    run: int | None = None,
) -> ExportResult:
    """Write the members of a scheme (optionally some segments) or a tag to `output`."""
    _check_options(fmt, pii, output)
    if segments and not scheme:
        raise InputError("--segment needs --scheme")
    subject = subject_name(scheme=scheme, tag=tag)
    membership = load_membership(store, subject, segments=segments, columns=columns, run=run)
    what = f"{subject}" + (f" segment(s) {', '.join(segments)}" if segments else "")
    check_export_size(len(membership.members), config=config, what=what)
    pii_columns = [c for c in config.pii_columns() if c in membership.members.columns]
    frame = protect_pii(membership.members, pii_columns, mode=pii, config=config)
    write_frame(frame, output, fmt)
    record_written_file(store, output, kind="export", run_id=membership.run_id, rows=len(frame))
    return ExportResult(
        path=output,
        format=fmt,
        rows=len(frame),
        columns=[str(c) for c in frame.columns],
        run_id=membership.run_id,
        as_of=f"{membership.as_of:%Y-%m-%d}",
        subject=subject,
        pii_columns=pii_columns,
        pii=pii,
    )


def export_actions(
    store: Store,
    config: SegmintConfig,
    output: Path,
    *,
    status: str = "open",
    fmt: str = "csv",
    pii: str = "drop",
) -> ExportResult:
    """Write the action queue (by default the open actions) to `output` for a CRM or a CSM team.

    The rendered `message` is free text built from customer fields, so it is treated as PII:
    dropped or hashed like the columns tagged `pii: true` unless `--pii keep`.
    """
    from segmint.activation.actions import list_actions

    _check_options(fmt, pii, output)
    listed = list_actions(store, status=status)
    if not listed:
        raise InputError(f"no {status} actions to export; `segmint run` computes the queue")
    frame = pd.DataFrame(listed)
    check_export_size(frame["customer_id"].nunique(), config=config, what=f"{status} actions")
    pii_columns = [c for c in ("message",) if c in frame.columns]
    frame = protect_pii(frame, pii_columns, mode=pii, config=config)
    write_frame(frame, output, fmt)
    run_id, as_of = store.snapshot_run()
    record_written_file(store, output, kind="export", run_id=run_id, rows=len(frame))
    return ExportResult(
        path=output,
        format=fmt,
        rows=len(frame),
        columns=[str(c) for c in frame.columns],
        run_id=int(run_id) if run_id is not None else 0,
        as_of=f"{as_of:%Y-%m-%d}" if as_of is not None else "",
        subject=f"actions ({status})",
        pii_columns=pii_columns,
        pii=pii,
    )


def _check_options(fmt: str, pii: str, output: Path) -> None:
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format: unknown format {fmt!r}; allowed: {', '.join(EXPORT_FORMATS)}")
    if pii not in PII_OPTIONS:
        raise InputError(f"--pii: unknown option {pii!r}; allowed: {', '.join(PII_OPTIONS)}")
    if not output.parent.is_dir():
        raise InputError(f"{output}: folder {output.parent} does not exist")


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write a frame as CSV (formula-neutral), Parquet or a JSON array of records, atomically."""
    if fmt == "csv":
        write_csv(frame, path)
    elif fmt == "parquet":
        with atomic_path(path) as temporary:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temporary)
    else:
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", path)
