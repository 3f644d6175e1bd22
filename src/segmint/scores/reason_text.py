"""Reason texts per customer, rendered once per distinct combination of the values they quote."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def render_by_key(keys: list[np.ndarray], render: Callable[..., str]) -> np.ndarray:
    """Return render(*key) per row, calling render once per distinct combination of key values."""
    length = len(keys[0]) if keys else 0
    if length == 0:
        return np.empty(0, dtype=object)
    table = pd.DataFrame({i: key for i, key in enumerate(keys)})
    codes = table.groupby(list(table.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    texts = np.empty(len(first), dtype=object)
    columns = [table[c].to_numpy() for c in table.columns]
    for code, row in enumerate(first):
        texts[code] = render(*(column[row] for column in columns))
    return texts[codes]
