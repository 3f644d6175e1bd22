"""Per-customer churn drivers in words, by replacing one feature at a time with its typical value.

Method: for each customer and feature, the feature is set to its training median (numeric) or
most common level (categorical) while the others keep their values; the change in the predicted
churn probability is that feature's effect (in percentage points). Positive effects raise risk.
It is model-agnostic and honest about what the model does, but effects of correlated features are
not additive and need not sum to the customer's gap from the average.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import numpy as np
import pandas as pd

from segmint.scores.churn.bands import risk_band
from segmint.scores.churn.design import TableDesign


class ExplainableModel(Protocol):
    """What explain_rows needs from a fitted model (ChurnModel provides it)."""

    design_: TableDesign
    reference_: dict[str, Any]

    def _transform(self, X: pd.DataFrame) -> pd.DataFrame: ...

    def _proba_transformed(self, transformed: pd.DataFrame) -> np.ndarray: ...


# Effects smaller than this (in probability) are not worth naming.
MIN_EFFECT = 0.005


def feature_phrase(name: str) -> str:
    """Return a readable name: snake_case to words, window suffixes as "(last N days)"."""
    text = str(name)
    window = re.search(r"_(\d+)d$", text)
    suffix = f" (last {window.group(1)} days)" if window else ""
    if window:
        text = text[: window.start()]
    return text.replace("_", " ") + suffix


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.2f}"


def describe_value(name: str, value: Any, typical: Any, *, categorical: bool) -> str:
    """Return e.g. "usage trend 0.40 vs typical 1.00 (60% lower)" or "contract is 'Month-to-month'"."""
    label = feature_phrase(name)
    if categorical:
        return f"{label} is '{value}' (most common: '{typical}')"
    if value is None or pd.isna(value):
        return f"{label} is missing (typical {_number(typical)})"
    text = f"{label} {_number(value)} vs typical {_number(typical)}"
    if typical != 0 and np.sign(value) == np.sign(typical) and value != typical:
        ratio = value / typical
        if ratio >= 2:
            text += f" ({ratio:.1f}× typical)"
        else:
            change = (ratio - 1) * 100
            text += f" ({abs(change):.0f}% {'higher' if change > 0 else 'lower'})"
    return text


def _driver_text(description: str, effect: float) -> str:
    verb = "raises" if effect > 0 else "lowers"
    return f"{description}: {verb} risk by {abs(effect) * 100:.0f} pts"


def explain_rows(model: ExplainableModel, X: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """Return churn_probability, churn_risk and driver_k / driver_k_feature / driver_k_effect per row."""
    if top < 1:
        raise ValueError("top must be at least 1")
    design = model.design_
    transformed = model._transform(X)
    base = model._proba_transformed(transformed)[:, 1]
    columns = list(design.columns)
    effects = np.zeros((len(transformed), len(columns)))
    for j, col in enumerate(columns):
        swapped = transformed.copy()
        reference = model.reference_[col]
        if col in design.categorical:
            swapped[col] = pd.Categorical(
                [reference] * len(swapped), categories=design.categorical[col]
            )
        else:
            swapped[col] = float(reference)
        effects[:, j] = base - model._proba_transformed(swapped)[:, 1]
    out: dict[str, Any] = {
        "churn_probability": base.round(4),
        "churn_risk": risk_band(base),
    }
    texts = [[""] * len(transformed) for _ in range(top)]
    names = [[""] * len(transformed) for _ in range(top)]
    values = [[np.nan] * len(transformed) for _ in range(top)]
    for i in range(len(transformed)):
        row = effects[i]
        raising = [j for j in np.argsort(-row, kind="stable") if row[j] >= MIN_EFFECT]
        lowering = [j for j in np.argsort(row, kind="stable") if row[j] <= -MIN_EFFECT]
        for k, j in enumerate((raising + lowering)[:top]):
            col = columns[j]
            desc = describe_value(
                col,
                transformed.iat[i, j],
                model.reference_[col],
                categorical=col in design.categorical,
            )
            texts[k][i] = _driver_text(desc, float(row[j]))
            names[k][i] = str(col)
            values[k][i] = round(float(row[j]), 4)
    for k in range(top):
        out[f"driver_{k + 1}"] = texts[k]
        out[f"driver_{k + 1}_feature"] = names[k]
        out[f"driver_{k + 1}_effect"] = values[k]
    return pd.DataFrame(out, index=X.index)
