"""Plain-word traits and unique labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.segments.clustering.labels import Trait, cluster_labels, cluster_traits, human_name
from segmint.segments.clustering.preprocess import Preprocessor


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("revenue_365d", "revenue (365d)"),
        ("orders_90d", "orders (90d)"),
        ("days_since_last_activity", "days since last activity"),
        ("mrr", "mrr"),
        ("MonthlyCharges", "monthly charges"),
        ("Customer ID", "customer id"),
    ],
)
def test_human_name(column: str, expected: str) -> None:
    assert human_name(column) == expected


def test_traits_point_the_right_way() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    frame = pd.DataFrame(
        {
            "spend": np.where(labels == 0, rng.normal(100, 5, 400), rng.normal(20, 5, 400)),
            "tickets_90d": np.where(labels == 0, rng.poisson(1, 400), rng.poisson(8, 400)),
            "industry": np.where(labels == 0, "manufacturing", "retail"),
        }
    )
    pre = Preprocessor().fit(frame, list(frame.columns))
    traits = cluster_traits(frame, labels, pre)
    by_feature = {t.feature: t for t in traits[0] if t.kind == "numeric"}
    assert by_feature["spend"].direction == "high" and by_feature["spend"].std_diff > 0.9
    assert by_feature["tickets_90d"].direction == "low"
    names = cluster_labels(traits)
    first, second = names[0].lower(), names[1].lower()
    assert "high spend" in first and "low tickets (90d)" in first
    assert "mostly manufacturing" in first
    assert "low spend" in second and "mostly retail" in second
    assert names[0][0].isupper()


def _trait(feature: str, d: float) -> Trait:
    word = "High" if d > 0 else "Low"
    return Trait(feature, "numeric", "high" if d > 0 else "low", d, 1, 1, None, f"{word} {feature}")


def test_labels_are_unique() -> None:
    traits = {
        0: [_trait("spend", 2.0), _trait("tickets", 1.0), _trait("tenure", 0.2)],
        1: [_trait("spend", 2.0), _trait("tickets", 1.0), _trait("tenure", -0.2)],
        2: [_trait("spend", 2.0), _trait("tickets", 1.0), _trait("tenure", -0.2)],
    }
    labels = cluster_labels(traits, max_traits=2)
    assert len(set(labels.values())) == 3
    assert labels[0] == "High spend · high tickets · high tenure"
