"""Health scorecard: hand-checked scores, re-weighting, bands, percentiles, trend, backtest, config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import ConfigError, InputError, MissingColumnError, NotFittedError
from segmint.scores.health import HealthScorer, load_default_scorecard
from segmint.scores.health_backtest import health_backtest
from segmint.scores.score_config import parse_health_config

SIMPLE = {
    "measures": [
        {"feature": "logins", "weight": 3, "thresholds": [[0, 0], [10, 100]]},
        {
            "feature": "tickets",
            "weight": 1,
            "direction": "lower_is_better",
            "thresholds": {"good": 0, "bad": 4},
        },
    ]
}


@pytest.fixture()
def simple_frame() -> pd.DataFrame:
    # index deliberately not 0..n-1: outputs must be indexed like the input
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "f", "g"],
            "logins": [5, 10, np.nan, 20, 0, np.nan, 4.999],
            "tickets": [1, 0, 2, 8, 4, np.nan, np.nan],
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )


def _scorer(config: dict, frame: pd.DataFrame) -> HealthScorer:
    return HealthScorer(parse_health_config(config)).fit(frame)


def test_hand_checked_scores_and_band_edges(simple_frame: pd.DataFrame) -> None:
    scored = _scorer(SIMPLE, simple_frame).score(simple_frame).set_index("customer_id")
    # a: logins 5 → 50 pts, tickets 1 → 75 pts; (3·50 + 1·75) / 4 = 56.25
    assert scored.loc["a", "health_score"] == pytest.approx(56.25)
    assert scored.loc["a", "health_logins"] == pytest.approx(50)
    assert scored.loc["a", "health_tickets"] == pytest.approx(75)
    assert scored.loc["b", "health_score"] == pytest.approx(100)
    # c: logins missing → tickets alone (2 → 50 pts) carries the score: exactly 50 → yellow
    assert scored.loc["c", "health_score"] == pytest.approx(50)
    assert scored.loc["c", "health_band"] == "yellow"
    assert scored.loc["c", "missing_measures"] == "logins"
    # d: values beyond the breakpoints clamp: (3·100 + 1·0) / 4 = 75 exactly → green
    assert scored.loc["d", "health_score"] == pytest.approx(75)
    assert scored.loc["d", "health_band"] == "green"
    assert scored.loc["e", "health_band"] == "red"
    assert scored.loc["f", "health_band"] == "unknown"
    assert np.isnan(scored.loc["f", "health_score"])
    assert scored.loc["f", "missing_measures"] == "logins, tickets"
    # g: 49.99 is still red
    assert scored.loc["g", "health_score"] == pytest.approx(49.99)
    assert scored.loc["g", "health_band"] == "red"
    assert scored.loc["a", "missing_measures"] == ""


def test_output_indexed_like_input_and_predict(simple_frame: pd.DataFrame) -> None:
    scorer = _scorer(SIMPLE, simple_frame)
    scored = scorer.score(simple_frame)
    assert list(scored.index) == list(simple_frame.index)
    bands = scorer.predict(simple_frame)
    assert isinstance(bands, pd.Series)
    assert list(bands.index) == list(simple_frame.index)
    assert bands.tolist() == ["yellow", "green", "yellow", "green", "red", "unknown", "red"]


def test_groups_reweight_within_and_across_groups() -> None:
    config = {
        "groups": {"usage": 0.6, "support": 0.4},
        "measures": [
            {"feature": "logins", "group": "usage", "thresholds": [[0, 0], [10, 100]]},
            {
                "feature": "tickets",
                "group": "support",
                "direction": "lower_is_better",
                "thresholds": {"good": 0, "bad": 4},
            },
            {"feature": "csat", "group": "support", "thresholds": [[1, 0], [5, 100]]},
        ],
    }
    frame = pd.DataFrame(
        {
            "customer_id": ["full", "no_usage", "no_csat"],
            "logins": [5, np.nan, 5],
            "tickets": [2, 2, 2],
            "csat": [5, 5, np.nan],
        }
    )
    scored = _scorer(config, frame).score(frame).set_index("customer_id")
    # full: usage 50; support (50 + 100) / 2 = 75; 0.6·50 + 0.4·75 = 60
    assert scored.loc["full", "health_score"] == pytest.approx(60)
    # no_usage: only the support group remains → 75
    assert scored.loc["no_usage", "health_score"] == pytest.approx(75)
    # no_csat: support = tickets alone = 50 → 0.6·50 + 0.4·50 = 50
    assert scored.loc["no_csat", "health_score"] == pytest.approx(50)


def test_percentile_scaling_uses_fitted_population() -> None:
    config = {
        "measures": [
            {"feature": "x", "scaling": "percentile"},
            {"feature": "y", "scaling": "percentile", "direction": "lower_is_better"},
        ]
    }
    train = pd.DataFrame(
        {"customer_id": list("abcd"), "x": [10, 20, 30, 40], "y": [10, 20, 30, 40]}
    )
    scorer = _scorer(config, train)
    points = scorer.score(train).set_index("customer_id")
    # mid-rank percentile: (rank − 0.5) / n
    assert points["health_x"].tolist() == [12.5, 37.5, 62.5, 87.5]
    assert points["health_y"].tolist() == [87.5, 62.5, 37.5, 12.5]
    new = pd.DataFrame({"customer_id": ["p", "q", "r"], "x": [25, 100, 0], "y": [25, 100, 0]})
    scored = scorer.score(new).set_index("customer_id")
    assert scored["health_x"].tolist() == [50.0, 100.0, 0.0]
    assert scored["health_y"].tolist() == [50.0, 0.0, 100.0]


def test_empty_percentile_measure_is_missing_for_everybody() -> None:
    config = {
        "measures": [
            {"feature": "x", "thresholds": [[0, 0], [10, 100]]},
            {"feature": "csat", "scaling": "percentile"},
        ]
    }
    frame = pd.DataFrame({"customer_id": ["a", "b"], "x": [5, 10], "csat": [np.nan, np.nan]})
    scored = _scorer(config, frame).score(frame)
    assert scored["health_score"].tolist() == [50.0, 100.0]
    assert scored["missing_measures"].tolist() == ["csat", "csat"]


def test_explain_and_reasons_account_for_lost_points(simple_frame: pd.DataFrame) -> None:
    scorer = _scorer(SIMPLE, simple_frame)
    table = scorer.explain(simple_frame, "a")
    # logins loses 0.75·50 = 37.5, tickets loses 0.25·25 = 6.25; together 100 − 56.25
    assert table["measure"].tolist() == ["logins", "tickets"]
    assert table["lost_points"].tolist() == pytest.approx([37.5, 6.25])
    assert table["lost_points"].sum() == pytest.approx(100 - 56.25)
    reasons = scorer.score(simple_frame).set_index("customer_id")["health_reasons"]
    assert reasons["a"].startswith("lowered by logins 5 (50/100 pts, -37.5); tickets 1")
    assert reasons["b"] == "all measures at full points"
    assert reasons["f"] == "no measures available"
    with pytest.raises(InputError, match="not found"):
        scorer.explain(simple_frame, "zz")


def test_trend_against_previous_snapshot(simple_frame: pd.DataFrame) -> None:
    scorer = _scorer({**SIMPLE, "trend_tolerance": 2}, simple_frame)
    previous = pd.DataFrame({"customer_id": ["a", "b", "c"], "health_score": [51.25, 99.0, 53.0]})
    scored = scorer.score(simple_frame, previous=previous).set_index("customer_id")
    assert scored.loc["a", "health_change"] == pytest.approx(5.0)
    assert scored.loc["a", "health_trend"] == "up"
    assert scored.loc["b", "health_trend"] == "flat"
    assert scored.loc["c", "health_trend"] == "down"
    assert scored.loc["d", "health_trend"] == "new"
    assert np.isnan(scored.loc["d", "health_change"])


def test_missing_columns_and_optional_measures(simple_frame: pd.DataFrame) -> None:
    with pytest.raises(MissingColumnError, match="csat"):
        _scorer(
            {"measures": [*SIMPLE["measures"], {"feature": "csat", "scaling": "percentile"}]},
            simple_frame,
        )
    config = {
        "measures": [
            *SIMPLE["measures"],
            {"feature": "csat", "scaling": "percentile", "optional": True},
        ]
    }
    scorer = _scorer(config, simple_frame)
    assert scorer.dropped_measures_ == ["csat"]
    summary = scorer.missing_summary(simple_frame).set_index("measure")
    assert summary.loc["logins", "missing"] == 2  # c and f
    assert summary.loc["csat", "missing_share"] == 1.0
    assert scorer.score(simple_frame).set_index("customer_id").loc["a", "health_score"] == 56.25


def test_estimator_contract(simple_frame: pd.DataFrame) -> None:
    scorer = HealthScorer(parse_health_config(SIMPLE))
    with pytest.raises(NotFittedError):
        scorer.score(simple_frame)
    assert scorer.fit(simple_frame) is scorer
    first = scorer.score(simple_frame)
    pd.testing.assert_frame_equal(first, scorer.score(simple_frame))
    with pytest.raises(InputError, match="numeric"):
        scorer.score(simple_frame.assign(logins=["x"] * len(simple_frame)))
    with pytest.raises(InputError, match="more than once"):
        scorer.fit(pd.concat([simple_frame, simple_frame]))


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"measures": [{"feature": "x", "wieght": 2, "scaling": "percentile"}]},
            r"health\.measures\.0: unknown key 'wieght'; allowed keys: feature, name, weight",
        ),
        (
            {"measures": [{"feature": "x", "direction": "up", "scaling": "percentile"}]},
            r"health\.measures\.0\.direction: .*'higher_is_better' or 'lower_is_better' \(got 'up'\)",
        ),
        (
            {
                "measures": [{"feature": "x", "scaling": "percentile", "group": "use"}],
                "groups": {"usage": 1},
            },
            r"unknown group 'use'; allowed: usage",
        ),
        (
            {
                "measures": [{"feature": "x", "scaling": "percentile"}],
                "bands": {"red": 10, "green": 75},
            },
            r"health\.bands: the first band must start at 0",
        ),
        (
            {"measures": [{"feature": "x", "thresholds": [[0, 100], [5, 0]]}]},
            r"contradict direction 'higher_is_better'",
        ),
        ({"measures": [{"feature": "x"}]}, r"give `thresholds`.*or `scaling: percentile`"),
        ({"measures": []}, r"health\.measures"),
    ],
)
def test_config_errors_name_the_key(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_health_config(config)


def test_configurable_bands() -> None:
    config = {**SIMPLE, "bands": {"critical": 0, "watch": 30, "healthy": 60, "champion": 90}}
    frame = pd.DataFrame(
        {"customer_id": list("abcd"), "logins": [2, 3, 6, 9], "tickets": [0.8] * 4}
    )
    bands = _scorer(config, frame).predict(frame)
    # tickets 0.8 → 80 pts; logins 2/3/6/9 → (3·20+80)/4=35, 42.5, 65, 87.5
    assert bands.tolist() == ["watch", "watch", "healthy", "healthy"]
    frame.loc[3, "logins"] = 10
    frame.loc[3, "tickets"] = 0.4  # → 90 pts: (300 + 90) / 4 = 97.5
    assert _scorer(config, frame).predict(frame).iloc[3] == "champion"


def test_default_saas_scorecard_scores_saas_features() -> None:
    scorecard = load_default_scorecard("saas")
    assert set(scorecard.groups or {}) == {"usage", "adoption", "support", "billing", "engagement"}
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "active_days_30d": rng.integers(0, 31, n),
            "usage_trend": rng.normal(size=n),
            "features_adopted": rng.integers(0, 9, n),
            "tickets_90d": rng.integers(0, 12, n),
            "high_priority_tickets_90d": rng.integers(0, 4, n),
            "csat_mean": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(1, 5, n)),
            "mrr_change_90d": rng.normal(scale=100, size=n),
            "days_since_last_activity": rng.integers(0, 90, n),
        }
    )
    scorer = HealthScorer(scorecard).fit(frame)
    scored = scorer.score(frame)
    assert scored["health_score"].between(0, 100).all()
    assert scorer.dropped_measures_ == ["open_invoices"]
    # the most engaged customer outranks the least engaged one
    best = frame.assign(active_days_30d=30, days_since_last_activity=0, tickets_90d=0)
    worst = frame.assign(active_days_30d=0, days_since_last_activity=89, tickets_90d=11)
    assert (scorer.score(best)["health_score"] > scorer.score(worst)["health_score"]).all()
    with pytest.raises(ValueError, match="allowed: saas"):
        load_default_scorecard("retail")


def test_backtest_auc_and_churn_by_band() -> None:
    scores = pd.DataFrame(
        {
            "customer_id": list("abcdefg"),
            "health_score": [90, 80, 70, 40, 30, 20, 55],
            "health_band": ["green", "green", "yellow", "red", "red", "red", "yellow"],
        }
    )
    outcomes = pd.DataFrame(
        {"customer_id": list("abcdefz"), "churned": [False, False, True, False, True, True, True]}
    )
    result = health_backtest(scores, outcomes, horizon_days=90)
    # retained {90, 80, 40} vs churned {70, 30, 20}: 8 of 9 pairs ordered correctly
    assert result["auc_retained"] == pytest.approx(8 / 9, abs=1e-4)
    assert result["auc_churn"] == pytest.approx(1 / 9, abs=1e-4)
    assert result["customers"] == 6
    assert result["churned"] == 3
    assert result["skipped_no_outcome"] == 1
    assert [b["band"] for b in result["by_band"]] == ["red", "yellow", "green"]
    assert [b["churn_rate"] for b in result["by_band"]] == [
        pytest.approx(2 / 3, abs=1e-4),
        1.0,
        0.0,
    ]
    text_outcomes = outcomes.assign(churned=["no", "no", "yes", "no", "yes", "yes", "yes"])
    assert (
        health_backtest(scores, text_outcomes, horizon_days=90)["auc_retained"]
        == result["auc_retained"]
    )
    with pytest.raises(MissingColumnError, match="churned"):
        health_backtest(scores, outcomes.rename(columns={"churned": "gone"}), horizon_days=90)
    with pytest.raises(ValueError, match="horizon_days"):
        health_backtest(scores, outcomes, horizon_days=0)
    one_class = health_backtest(scores, outcomes.assign(churned=False), horizon_days=30)
    assert one_class["auc_retained"] is None


def test_default_scorecard_backtest_on_synthetic_saas() -> None:
    """Point-in-time features at as_of, churn observed in the next 90 days (planted ground truth)."""
    ibis = pytest.importorskip("ibis")
    from segmint.demo.synthetic_saas import generate_saas
    from segmint.features.build import build_features

    data = generate_saas(n_accounts=1000, seed=0)
    con = ibis.duckdb.connect()
    tables = {
        name: con.create_table(name, table) for name, table in data.items() if name != "truth"
    }
    as_of = pd.Timestamp("2025-01-01")
    features = build_features(tables, as_of=as_of).to_pandas()
    features = features[features["is_active_subscriber"].astype(bool)]
    truth = data["truth"].set_index("customer_id")["churn_date"]
    churn_date = features["customer_id"].map(truth)
    churned = churn_date.notna() & (churn_date < as_of + pd.Timedelta(days=90))
    scores = HealthScorer(load_default_scorecard("saas")).fit(features).score(features)
    result = health_backtest(
        scores,
        pd.DataFrame({"customer_id": features["customer_id"], "churned": churned}),
        horizon_days=90,
    )
    assert result["churned"] >= 20
    assert result["auc_retained"] > 0.75
    rates = {band["band"]: band["churn_rate"] for band in result["by_band"]}
    assert rates["red"] > 2 * max(rates["yellow"], rates["green"])


TELCO_SCORECARD = {
    "groups": {"loyalty": 0.4, "adoption": 0.3, "billing": 0.3},
    "measures": [
        {
            "feature": "tenure_months",
            "group": "loyalty",
            "thresholds": [[0, 0], [12, 50], [36, 80], [60, 100]],
        },
        {"feature": "contract_months", "group": "loyalty", "thresholds": {"bad": 1, "good": 24}},
        {"feature": "features_adopted", "group": "adoption", "scaling": "percentile"},
        {"feature": "auto_pay", "group": "billing", "thresholds": {"bad": 0, "good": 1}},
    ],
}


def test_scorecard_on_real_telco_churn(shared_data) -> None:
    """A four-measure scorecard on the IBM telco sample separates churners (same-snapshot label)."""
    raw = pd.read_csv(shared_data / "telco_customer_churn_ibm.csv")
    addons = ["OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport"]
    addons += ["StreamingTV", "StreamingMovies"]
    frame = pd.DataFrame(
        {
            "customer_id": raw["customerID"],
            "tenure_months": raw["tenure"],
            "contract_months": raw["Contract"].map(
                {"Month-to-month": 1, "One year": 12, "Two year": 24}
            ),
            "features_adopted": (raw[addons] == "Yes").sum(axis=1),
            "auto_pay": raw["PaymentMethod"].str.contains("automatic").astype(int),
        }
    )
    scores = _scorer(TELCO_SCORECARD, frame).score(frame)
    outcomes = pd.DataFrame({"customer_id": raw["customerID"], "churned": raw["Churn"]})
    result = health_backtest(scores, outcomes, horizon_days=30)
    assert result["customers"] == 7043
    assert result["churned"] == 1869
    assert result["auc_retained"] == pytest.approx(0.7251, abs=1e-4)
    rates = [band["churn_rate"] for band in result["by_band"]]
    assert [band["band"] for band in result["by_band"]] == ["red", "yellow", "green"]
    assert rates == sorted(rates, reverse=True)


def test_config_sections_round_trip_through_yaml_dumps() -> None:
    """The main config re-validates dumped sections (e.g. `health: {default: saas}`)."""
    from segmint.scores.score_config import parse_icp_config, parse_tiers_config

    health = load_default_scorecard("saas")
    icp = parse_icp_config(
        {
            "criteria": [
                {"attribute": "industry", "in": ["software"], "weight": 2},
                {"attribute": "employees", ">=": 50},
                {"attribute": "employees", "<=": 500, "name": "not_huge"},
            ]
        }
    )
    tiers = parse_tiers_config(
        {"value": {"arr": 1}, "capacity": {"A": {"csms": 1, "accounts_per_csm": 5}, "B": 9}}
    )
    for section in (health, icp, tiers):
        dumped = section.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert type(section).model_validate(dumped) == section
