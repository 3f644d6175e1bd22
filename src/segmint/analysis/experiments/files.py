"""Reading an experiment from files: assignments, outcome rows and pre-period values."""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.errors import InputError
from segmint.sources.readers import read_source

_ALIASES = {
    "customer_id": ("customer_id", "customer", "customerid", "user_id", "account_id", "id"),
    "variant": ("variant", "arm", "group", "variation"),
    "experiment": ("experiment", "experiment_name", "test"),
    "assigned_at": ("assigned_at", "assigned", "exposed_at"),
}


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a readable CSV file ({message})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _column(frame: pd.DataFrame, path: Path, role: str, *, required: bool = True) -> str | None:
    for alias in _ALIASES[role]:
        if alias in frame.columns:
            return alias
    if required:
        raise InputError(
            f"{path}: required column '{role}' not found; columns found: "
            + ", ".join(repr(c) for c in frame.columns)
        )
    return None


def read_assignments(
    path: Path,
    *,
    experiment: str | None = None,
    segment_col: str | None = None,
    variants: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Return customer_id, variant, segment, assigned_at (and line) from an assignments CSV.

    Errors name the line: a blank id or variant, a variant not in `variants`, a customer in two
    variants. A file holding several experiments needs `experiment` to pick one.
    """
    frame = _read_csv(path)
    frame["line"] = range(2, len(frame) + 2)
    id_col = _column(frame, path, "customer_id")
    variant_col = _column(frame, path, "variant")
    experiment_col = _column(frame, path, "experiment", required=False)
    if experiment_col is not None:
        names = sorted(set(frame[experiment_col].str.strip()) - {""})
        if experiment is not None:
            if experiment not in names:
                raise InputError(
                    f"{path}: no assignments for experiment {experiment!r}; experiments: "
                    + ", ".join(names)
                )
            frame = frame[frame[experiment_col].str.strip() == experiment]
        elif len(names) > 1:
            raise InputError(
                f"{path}: holds {len(names)} experiments ({', '.join(names)}); name one: "
                "segmint experiment analyze NAME --assignments ..."
            )
    if segment_col is not None:
        if segment_col.strip().lower() not in frame.columns:
            raise InputError(
                f"--segment-col: {path} has no column {segment_col!r}; columns: "
                + ", ".join(c for c in frame.columns if c != "line")
            )
        segment_col = segment_col.strip().lower()
    assigned_col = _column(frame, path, "assigned_at", required=False)
    out = pd.DataFrame(
        {
            "customer_id": frame[id_col].str.strip(),
            "variant": frame[variant_col].str.strip(),
            "segment": frame[segment_col].str.strip() if segment_col else None,
            "assigned_at": frame[assigned_col] if assigned_col else None,
            "line": frame["line"],
        }
    )
    for column in ("customer_id", "variant"):
        blank = out[out[column] == ""]
        if len(blank):
            raise InputError(f"{path}, line {blank['line'].iloc[0]}: empty {column}")
    if variants is not None:
        unknown = out[~out["variant"].isin(variants)]
        if len(unknown):
            row = unknown.iloc[0]
            raise InputError(
                f"{path}, line {row['line']}: unknown variant {row['variant']!r}; variants: "
                + ", ".join(variants)
            )
    _check_one_variant_each(out, path)
    if assigned_col:
        parsed = pd.to_datetime(out["assigned_at"], errors="coerce", utc=True)
        bad = out[parsed.isna() & (out["assigned_at"].astype(str).str.strip() != "")]
        if len(bad):
            row = bad.iloc[0]
            raise InputError(
                f"{path}, line {row['line']}, column {assigned_col}: not a date: {row['assigned_at']!r}"
            )
        out["assigned_at"] = parsed.dt.tz_localize(None)
    out = out.drop_duplicates("customer_id", keep="first")
    return out.sort_values("customer_id", ignore_index=True)


def _check_one_variant_each(frame: pd.DataFrame, path: Path) -> None:
    variants_per = frame.groupby("customer_id")["variant"].nunique()
    split = variants_per[variants_per > 1]
    if split.empty:
        return
    customer = sorted(split.index)[0]
    rows = frame[frame["customer_id"] == customer].drop_duplicates("variant")
    where = ", ".join(
        f"{v} on line {n}" for v, n in zip(rows["variant"], rows["line"], strict=True)
    )
    more = f" ({len(split):,} customers in all)" if len(split) > 1 else ""
    raise InputError(
        f"{path}: customer {customer!r} is in two variants ({where}){more}; each customer "
        "must have exactly one"
    )


def read_outcomes(path: Path, *, table: str) -> tuple[ir.Table, dict[str, object]]:
    """Return the outcome rows (an Ibis table) and how reading went (rows read, rejected, first)."""
    result = read_source(path, table=table)
    columns = ["customer_id", "occurred_at"] + (
        ["amount"] if table == "transactions" else ["event"]
    )
    loaded = result.loaded[columns].copy()
    loaded["customer_id"] = loaded["customer_id"].astype(str)
    loaded["occurred_at"] = pd.to_datetime(loaded["occurred_at"])
    if "amount" in loaded:
        loaded["amount"] = pd.to_numeric(loaded["amount"], errors="coerce").astype(float)
    else:
        loaded["event"] = loaded["event"].astype(str)
    schema = {"customer_id": "string", "occurred_at": "timestamp"} | (
        {"amount": "float64"} if "amount" in loaded else {"event": "string"}
    )
    info: dict[str, object] = {"rows_read": result.rows_read, "rows_rejected": len(result.rejected)}
    if len(result.rejected):
        first = result.rejected.iloc[0]
        info["first_rejected"] = (
            f"line {first['line']}, column {first['column']}: {first['reason']}"
        )
    return ibis.memtable(loaded, schema=schema), info


def read_pre_values(path: Path) -> pd.DataFrame:
    """Return customer_id, pre from a CSV of one pre-period value per customer."""
    frame = _read_csv(path)
    frame["line"] = range(2, len(frame) + 2)
    id_col = _column(frame, path, "customer_id")
    others = [c for c in frame.columns if c not in (id_col, "line")]
    value_col: str | None = next((c for c in ("pre", "value", "pre_value") if c in others), None)
    if value_col is None:
        if len(others) != 1:
            raise InputError(
                f"{path}: expected customer_id and one value column (named pre or value); "
                f"columns found: {', '.join(repr(c) for c in others)}"
            )
        value_col = others[0]
    assert value_col is not None
    values = pd.to_numeric(frame[value_col].str.strip(), errors="coerce")
    bad = frame[values.isna() & (frame[value_col].str.strip() != "")]
    if len(bad):
        row = bad.iloc[0]
        raise InputError(
            f"{path}, line {row['line']}, column {value_col}: not a number: {row[value_col]!r}"
        )
    out = pd.DataFrame({"customer_id": frame[id_col].str.strip(), "pre": values.fillna(0.0)})
    dup = out[out["customer_id"].duplicated()]
    if len(dup):
        raise InputError(
            f"{path}, line {frame.loc[dup.index[0], 'line']}: customer {dup['customer_id'].iloc[0]!r} "
            "has a second pre-period value"
        )
    return out
