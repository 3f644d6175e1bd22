"""Per-column preprocessing: log for skewed numbers, robust scaling, weighted one-hot, exclusions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import InputError
from segmint.segments.clustering.preprocess import Preprocessor, column_kind


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 400
    spend = rng.lognormal(4, 1.0, n)
    spend[:10] = np.nan
    return pd.DataFrame(
        {
            "spend": spend,
            "tenure": rng.normal(300, 50, n),
            "industry": rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "consent": rng.random(n) < 0.5,
            "email": [f"u{i}@x.com" for i in range(n)],
            "signup": pd.date_range("2024-01-01", periods=n, freq="D"),
            "constant": 1.0,
        }
    )


def test_column_kinds(frame: pd.DataFrame) -> None:
    assert column_kind(frame["spend"]) == "numeric"
    assert column_kind(frame["consent"]) == "categorical"
    assert column_kind(frame["industry"]) == "categorical"
    assert column_kind(frame["signup"]) == "datetime"
    assert column_kind(pd.Series([0, 1, 1, 0])) == "categorical"


def test_skewed_column_is_logged_and_robust_scaled(frame: pd.DataFrame) -> None:
    pre = Preprocessor().fit(frame, ["spend", "tenure"])
    spend, tenure = pre.numeric
    assert spend.log and not tenure.log
    x = pre.transform(frame)
    for j in range(2):
        assert np.median(x[:, j]) == pytest.approx(0.0, abs=1e-9)
        q75, q25 = np.percentile(x[:, j], [75, 25])
        assert q75 - q25 == pytest.approx(1.0, abs=0.02)
    assert pre.missing == {"spend": 10, "tenure": 0}


def test_exclusions_are_reported(frame: pd.DataFrame) -> None:
    pre = Preprocessor().fit(frame, list(frame.columns))
    assert set(pre.excluded) == {"email", "signup", "constant"}
    assert "400 distinct values" in pre.excluded["email"]
    assert pre.used_columns == ["spend", "tenure", "industry", "consent"]


@pytest.mark.parametrize("weight", [0.25, 0.5, 1.0])
def test_categorical_block_variance_is_capped(frame: pd.DataFrame, weight: float) -> None:
    pre = Preprocessor(categorical_weight=weight).fit(frame, ["spend", "tenure", "industry"])
    x = pre.transform(frame)
    numeric_var = x[:, :2].var(axis=0).mean()
    block_var = x[:, 2:].var(axis=0).sum()
    assert block_var == pytest.approx(weight * numeric_var, rel=1e-6)


def test_unseen_level_and_missing_category(frame: pd.DataFrame) -> None:
    pre = Preprocessor().fit(frame, ["tenure", "industry"])
    new = pd.DataFrame({"tenure": [np.nan, 300.0], "industry": ["zzz", None]})
    x = pre.transform(new)
    assert np.all(x[:, 1:] == 0)  # neither "zzz" nor "missing" was seen when fitting
    assert x[0, 0] == pytest.approx(0.0)  # missing numeric imputed with the median → 0


def test_no_usable_columns_is_an_input_error(frame: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no usable feature columns"):
        Preprocessor().fit(frame, ["email", "constant"])
