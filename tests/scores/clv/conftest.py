"""Fixtures for the CLV tests: the CDNOW sample and its RFM summary."""

from __future__ import annotations

import pandas as pd
import pytest
from clv_data import cdnow_transactions

from segmint.scores.clv import rfm_summary


@pytest.fixture(scope="session")
def cdnow_tx() -> pd.DataFrame:
    return cdnow_transactions()


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_tx: pd.DataFrame) -> pd.DataFrame:
    return rfm_summary(cdnow_tx, calibration_end="1997-09-30", holdout_end="1998-06-30")
