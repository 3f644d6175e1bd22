"""Who is in a scheme's segment or a tag in a stored snapshot, with the columns to hand out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from segmint.errors import InputError
from segmint.store import Store


@dataclass(frozen=True)
class Membership:
    """The customers of one scheme (segment per customer) or tag in one run, sorted by id."""

    run_id: int
    as_of: datetime
    subject: str  # "lifecycle" or "tag:expansion_ready"
    members: pd.DataFrame  # customer_id, segment, plus the chosen columns


def subject_name(*, scheme: str | None = None, tag: str | None = None) -> str:
    """Return the snapshot's scheme key: the scheme name, or "tag:<name>" for a tag."""
    if bool(scheme) == bool(tag):
        raise InputError("give exactly one of --scheme or --tag")
    return scheme if scheme else f"tag:{tag}"


def load_membership(
    store: Store,
    subject: str,
    *,
    segments: Sequence[str] = (),
    columns: Sequence[str] = (),
    run: int | None = None,
) -> Membership:
    """Return the members of `subject` (scheme or "tag:x") in run `run` (default: newest as_of)."""
    run_id, as_of = store.snapshot_run(run)
    known = store.frame(
        "SELECT DISTINCT scheme FROM snapshot_segments WHERE run_id = ? ORDER BY scheme", [run_id]
    )["scheme"].tolist()
    if subject not in known:
        kind, name = ("tag", subject[4:]) if subject.startswith("tag:") else ("scheme", subject)
        names = [
            k[4:] if kind == "tag" else k for k in known if k.startswith("tag:") == (kind == "tag")
        ]
        raise InputError(
            f"{kind} {name!r} is not in run {run_id}; {kind}s there: {', '.join(names) or 'none'}"
        )
    members = store.frame(
        "SELECT customer_id, segment FROM snapshot_segments WHERE run_id = ? AND scheme = ? "
        "ORDER BY customer_id",
        [run_id, subject],
    )
    if segments:
        found = set(members["segment"])
        unknown = [s for s in segments if s not in found]
        if unknown:
            raise InputError(
                f"segment(s) {', '.join(repr(s) for s in unknown)} not in {subject} of run "
                f"{run_id}; segments there: {', '.join(sorted(found))}"
            )
        members = members[members["segment"].isin(list(segments))].reset_index(drop=True)
    if columns:
        members = members.merge(
            snapshot_columns(store, run_id, columns),
            on="customer_id",
            how="left",
            validate="one_to_one",
        )
    return Membership(run_id, as_of, subject, members)


def snapshot_columns(store: Store, run_id: int, columns: Sequence[str]) -> pd.DataFrame:
    """Return customer_id and the named feature or score columns of run `run_id`, one row each."""
    wanted = list(dict.fromkeys(c for c in columns if c not in ("customer_id", "segment")))
    names = set(
        store.frame("SELECT DISTINCT name FROM snapshot_values WHERE run_id = ?", [run_id])["name"]
    )
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise InputError(
            f"column(s) {', '.join(unknown)} not in run {run_id}; columns there: "
            + ", ".join(sorted(names))
        )
    placeholders = ", ".join("?" for _ in wanted)
    long = store.frame(
        "SELECT customer_id, name, value_num, value_text FROM snapshot_values "
        f"WHERE run_id = ? AND name IN ({placeholders})",
        [run_id, *wanted],
    )
    if long.empty:
        return pd.DataFrame(columns=["customer_id", *wanted])
    long["value"] = (
        long["value_text"].astype(object).where(long["value_text"].notna(), long["value_num"])
    )
    wide = long.pivot(index="customer_id", columns="name", values="value").reset_index()
    wide.columns.name = None
    return wide.reindex(columns=["customer_id", *wanted])
