"""Deterministic assignment: a hash of (experiment, customer) in [0, 1), cut by the weights."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmint.errors import InputError

_VARIANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


@dataclass(frozen=True)
class Variants:
    """Variant names in order with their weights (shares summing to 1); the first is control."""

    names: tuple[str, ...]
    weights: tuple[float, ...]

    def spec(self) -> str:
        """Return the weights as written on the command line: control:50,treatment:50."""
        return ",".join(
            f"{n}:{_number(w * 100)}" for n, w in zip(self.names, self.weights, strict=True)
        )


def _number(value: float) -> str:
    return f"{value:.6g}"


def parse_variants(text: str) -> Variants:
    """Parse "control:50,treatment:50" (weights are relative; they need not add to 100)."""
    names: list[str] = []
    raw: list[float] = []
    for part in (text or "").split(","):
        name, sep, weight = part.strip().partition(":")
        name = name.strip()
        if not sep or not _VARIANT.match(name):
            raise InputError(
                f"--variants: expected NAME:WEIGHT pairs like control:50,treatment:50, got {part.strip()!r}"
            )
        try:
            value = float(weight)
        except ValueError:
            raise InputError(
                f"--variants: weight of {name!r} is not a number: {weight!r}"
            ) from None
        if not value > 0 or value != value or value == float("inf"):
            raise InputError(
                f"--variants: weight of {name!r} must be a positive number, got {weight!r}"
            )
        if name in names:
            raise InputError(f"--variants: variant {name!r} is listed twice")
        names.append(name)
        raw.append(value)
    if len(names) < 2:
        raise InputError(
            "--variants: an experiment needs at least two variants, e.g. control:50,treatment:50"
        )
    total = sum(raw)
    return Variants(tuple(names), tuple(w / total for w in raw))


def bucket(experiment: str, customer_id: str) -> float:
    """Return the customer's position in [0, 1) for this experiment (SHA-256, stable everywhere)."""
    digest = hashlib.sha256(f"{experiment}\x1f{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def buckets(experiment: str, customer_ids: Sequence[str]) -> np.ndarray:
    """Return `bucket` of every customer id."""
    return np.array([bucket(experiment, str(c)) for c in customer_ids], dtype=float)


def cut(positions: np.ndarray, variants: Variants) -> np.ndarray:
    """Return the variant of each position in [0, 1): the weights are consecutive slices."""
    edges = np.cumsum(variants.weights)[:-1]
    index = np.searchsorted(edges, positions, side="right")
    return np.asarray(variants.names, dtype=object)[index]


def assign_variants(
    experiment: str,
    customers: pd.DataFrame,
    variants: Variants,
    *,
    existing: pd.DataFrame | None = None,
    stratify: bool = False,
) -> pd.DataFrame:
    """Return customer_id, segment, variant for the customers not in `existing`.

    `customers` has customer_id and segment. Without stratification each customer's variant is
    the hash cut, so it never depends on who else is assigned. With it, customers of a segment
    are taken in hash order and each goes to the variant furthest below its target share in that
    segment (counting earlier assignments): every segment is split by the weights to within one
    customer, and adding customers later moves nobody.
    """
    done = set() if existing is None else set(existing["customer_id"].astype(str))
    fresh = customers[~customers["customer_id"].astype(str).isin(done)].copy()
    fresh["customer_id"] = fresh["customer_id"].astype(str)
    fresh["_bucket"] = buckets(experiment, fresh["customer_id"].tolist())
    fresh = fresh.sort_values(["_bucket", "customer_id"], ignore_index=True)
    if not stratify:
        fresh["variant"] = cut(fresh["_bucket"].to_numpy(), variants)
        return fresh.drop(columns="_bucket")[["customer_id", "segment", "variant"]]
    weights = np.asarray(variants.weights)
    before = (
        existing.groupby(["segment", "variant"], dropna=False).size()
        if existing is not None and len(existing)
        else pd.Series(dtype=int)
    )
    chosen: list[str] = []
    counts: dict[object, np.ndarray] = {}
    for segment in fresh["segment"]:
        key = "" if pd.isna(segment) else segment
        if key not in counts:
            counts[key] = np.array(
                [int(before.get((segment, name), 0)) for name in variants.names], dtype=float
            )
        current = counts[key]
        deficit = weights * (current.sum() + 1) - current
        pick = int(np.argmax(deficit))  # ties: the earlier variant
        current[pick] += 1
        chosen.append(variants.names[pick])
    fresh["variant"] = chosen
    return fresh.drop(columns="_bucket")[["customer_id", "segment", "variant"]]
