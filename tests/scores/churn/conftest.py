"""Fixtures for the churn tests."""

from __future__ import annotations

import pandas as pd
import pytest
from churn_synthetic import make_transactions


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    """About 400 customers' purchases over two years."""
    return make_transactions()
