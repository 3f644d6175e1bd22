"""A seeded transactions export with every kind of defect, for the Spark-vs-pandas parity tests."""

from __future__ import annotations

import random
from pathlib import Path

HEADER = "customer_id,order_date,amount,transaction_id"


def defect_lines(n: int = 3000, *, seed: int = 7, prefix: str = "C") -> list[str]:
    """Return the lines of an export (header first): good rows, duplicates and defects."""
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(n):
        customer = f"{prefix}{rng.randint(1, 400):04d}"
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.3:
            day += f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        amount = f"{rng.randint(1, 90000) / 100:.2f}"
        roll = rng.random()
        if roll < 0.02:
            day = "2024-02-30"  # no such day
        elif roll < 0.04:
            day = "soon"
        elif roll < 0.06:
            amount = "abc"
        elif roll < 0.08:
            customer = "  "
        elif roll < 0.09:
            customer = "NA"
        elif roll < 0.10:
            amount = ""
        elif roll < 0.11:
            day = ""
        elif roll < 0.13:
            amount = "-" + amount  # a refund
        elif roll < 0.135:
            amount = "1e20"
        elif roll < 0.15:
            amount = f'"{rng.randint(1000, 9999):,}.50"'  # quoted, thousands grouped
        elif roll < 0.155:
            lines.append(f"{customer},{day}")  # too few fields
        elif roll < 0.16:
            lines.append("")  # a blank line is no record, but still a line
        elif roll < 0.165:
            amount = f"${rng.randint(1, 99)}.00"
        elif roll < 0.17:
            amount = f"({rng.randint(1, 99)}.00)"  # accounting negative
        elif roll < 0.172:
            customer = "C\x010001"  # a control character
        elif roll < 0.174:
            # "Z", not "+09:00": pandas 2.3's ISO parser applies an offset to the naive value
            # after it, so the reference reader misreads the next row (Spark reads it right).
            day = f"{day[:10]}T10:00:00Z"
        elif roll < 0.176:
            lines.append(f'{customer},"{day},{amount},T{i}')  # quote never closed
            continue
        elif roll < 0.178:
            lines.append(f'{customer},"{day}"x,{amount},T{i}')  # text after a closing quote
            continue
        lines.append(f"{customer},{day},{amount},T{i}")
        if rng.random() < 0.03:
            lines.append(lines[-1])  # an exact duplicate row
    return lines


def write_export(
    path: Path, *, n: int = 3000, seed: int = 7, encoding: str = "utf-8", prefix: str = "C"
) -> Path:
    """Write the defect export to `path` and return it."""
    lines = defect_lines(n, seed=seed, prefix=prefix)
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path
