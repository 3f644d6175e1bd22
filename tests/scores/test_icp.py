"""ICP fit: hand-checked scores and reasons; similarity model recovers a planted profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import ConfigError, MissingColumnError, ModelFitError, NotFittedError
from segmint.scores.icp import ICPScorer, icp_criteria
from segmint.scores.icp_similarity import ICPSimilarityModel, compare_with_rules
from segmint.scores.score_config import SuccessRule, parse_icp_config

CRITERIA = [
    {"attribute": "industry", "in": ["software", "fintech"], "weight": 30},
    {"attribute": "employees", "between": [50, 1000], "weight": 20},
    {"attribute": "technologies", "contains": "salesforce", "weight": 10},
    {"attribute": "plan", "equals": "enterprise", "weight": 25},
    {"attribute": "seats", ">=": 10, "weight": 10},
    {"attribute": "open_tickets", "<=": 2, "weight": 5},
]


@pytest.fixture()
def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "industry": ["Software ", "retail", None],
            "employees": [120, 12, np.nan],
            "technologies": ["HubSpot; Salesforce", "hubspot", np.nan],
            "plan": ["enterprise", "pro", "pro"],
            "seats": [25, 3, 10],
            "open_tickets": [0, 5, 2],
        },
        index=[7, 8, 9],
    )


def test_scores_and_reasons_are_hand_checkable(accounts: pd.DataFrame) -> None:
    scored = ICPScorer(icp_criteria(CRITERIA)).fit(accounts).score(accounts)
    assert list(scored.index) == [7, 8, 9]
    scored = scored.set_index("customer_id")
    assert scored.loc["a", "icp_score"] == 100.0
    assert scored.loc["b", "icp_score"] == 0.0
    # c: seats 10 ≥ 10 (+10) and open_tickets 2 ≤ 2 (+5) of 100
    assert scored.loc["c", "icp_score"] == 15.0
    assert scored["icp_band"].tolist() == ["high", "low", "low"]
    assert scored.loc["a", "icp_reasons"].split("; ") == [
        "industry = Software ✓ (+30)",
        "employees 120 in 50–1000 ✓ (+20)",
        "technologies has salesforce ✓ (+10)",
        "plan = enterprise ✓ (+25)",
        "seats 25 ≥ 10 ✓ (+10)",
        "open_tickets 0 ≤ 2 ✓ (+5)",
    ]
    assert scored.loc["b", "icp_reasons"].split("; ") == [
        "industry retail not in [software, fintech] ✗",
        "employees 12 not in 50–1000 ✗",
        "technologies lacks salesforce ✗",
        "plan pro ≠ enterprise ✗",
        "seats 3 < 10 ✗",
        "open_tickets 5 > 2 ✗",
    ]
    assert scored.loc["c", "icp_reasons"].startswith("industry missing ✗; employees missing ✗")
    assert scored.loc["c", "missing_attributes"] == "industry, employees, technologies"
    assert scored.loc["a", "missing_attributes"] == ""
    assert scored["icp_industry"].tolist() == [True, False, False]


def test_missing_summary_and_predict(accounts: pd.DataFrame) -> None:
    scorer = ICPScorer(CRITERIA, bands={"poor": 0, "good": 10, "ideal": 90}).fit(accounts)
    assert scorer.predict(accounts).tolist() == ["ideal", "poor", "good"]
    summary = scorer.missing_summary(accounts).set_index("criterion")
    assert summary.loc["industry", "missing"] == 1
    assert summary.loc["plan", "missing"] == 0


def test_contract_and_errors(accounts: pd.DataFrame) -> None:
    scorer = ICPScorer(CRITERIA)
    with pytest.raises(NotFittedError):
        scorer.score(accounts)
    assert scorer.fit(accounts) is scorer
    pd.testing.assert_frame_equal(scorer.score(accounts), scorer.score(accounts))
    with pytest.raises(MissingColumnError, match="region"):
        ICPScorer([{"attribute": "region", "equals": "EMEA"}]).fit(accounts)
    with pytest.raises(ConfigError, match="exactly one operator"):
        ICPScorer([{"attribute": "region", "equals": "EMEA", "in": ["EMEA"]}]).fit(accounts)
    with pytest.raises(ConfigError, match=r"unknown key 'like'; allowed keys: attribute, weight"):
        parse_icp_config({"criteria": [{"attribute": "industry", "like": "soft"}]})
    with pytest.raises(ConfigError, match=r"between needs lo <= hi"):
        parse_icp_config({"criteria": [{"attribute": "employees", "between": [100, 10]}]})
    with pytest.raises(ConfigError, match="repeated: employees"):
        parse_icp_config(
            {
                "criteria": [
                    {"attribute": "employees", ">=": 10},
                    {"attribute": "employees", "<=": 1000},
                ]
            }
        )
    with pytest.raises(ConfigError, match="reserved"):
        ICPScorer([{"attribute": "plan", "equals": "pro", "name": "score"}]).fit(accounts)


def planted_customers(n: int = 1000, seed: int = 3) -> pd.DataFrame:
    """Successful customers are mostly software companies with 50-500 employees."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(
        ["software", "retail", "manufacturing", "finance"], n, p=[0.4, 0.2, 0.2, 0.2]
    )
    employees = np.round(np.exp(rng.uniform(np.log(5), np.log(5000), n)))
    country = rng.choice(["US", "DE", "KR"], n)
    ideal = (industry == "software") & (employees >= 50) & (employees <= 500)
    high_value = np.where(ideal, rng.random(n) < 0.95, rng.random(n) < 0.02)
    arr = np.where(high_value, rng.uniform(20_000, 50_000, n), rng.uniform(1_000, 15_000, n))
    retained = np.where(ideal, rng.random(n) < 0.95, rng.random(n) < 0.7)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:04d}" for i in range(n)],
            "industry": industry,
            "employees": employees,
            "country": country,
            "arr": arr,
            "retained": retained,
        }
    )


def test_similarity_model_recovers_planted_profile() -> None:
    frame = planted_customers()
    model = ICPSimilarityModel(
        attributes=["industry", "employees", "country"],
        success_rule=SuccessRule(value_quantile=0.85),
        value_col="arr",
        retained_col="retained",
    )
    with pytest.raises(NotFittedError):
        model.score(frame)
    assert model.fit(frame) is model
    assert model.cv_auc_ > 0.8
    assert set(model.drivers_["attribute"].iloc[:2]) == {"industry", "employees"}
    assert model.drivers_.set_index("attribute").loc["country", "importance"] < 0.05
    assert "industry software" in model.drivers_.set_index("attribute").loc["industry", "evidence"]
    scored = model.score(frame)
    assert scored["icp_similarity"].between(0, 100).all()
    ideal = (frame["industry"] == "software") & frame["employees"].between(50, 500)
    assert (
        scored.loc[ideal, "icp_similarity"].mean() > 3 * scored.loc[~ideal, "icp_similarity"].mean()
    )
    # deterministic with the seed
    again = ICPSimilarityModel(
        attributes=["industry", "employees", "country"],
        success_rule=SuccessRule(value_quantile=0.85),
        value_col="arr",
        retained_col="retained",
    ).fit(frame)
    pd.testing.assert_frame_equal(scored, again.score(frame))
    assert model.predict(frame).isin(["low", "medium", "high"]).all()


def test_compare_with_rules_checks_icp_against_evidence() -> None:
    frame = planted_customers(n=600, seed=5)
    similarity = ICPSimilarityModel(
        attributes=["industry", "employees", "country"],
        success_rule=SuccessRule(value_quantile=0.85),
        value_col="arr",
        retained_col="retained",
        model="logistic",
    ).fit(frame)
    rules = [
        {"attribute": "industry", "in": ["software"], "weight": 50},
        {"attribute": "employees", "between": [50, 500], "weight": 30},
        {"attribute": "country", "equals": "US", "weight": 20},
    ]
    icp = ICPScorer(rules).fit(frame).score(frame)
    report = compare_with_rules(icp, similarity.score(frame))
    assert report["customers"] == 600
    assert report["spearman"] > 0.3
    rates = {b["icp_band"]: b["success_rate"] for b in report["by_icp_band"]}
    assert rates["high"] > 2 * rates["low"]
    assert report["auc_icp_rules"] > 0.75
    criteria = {c["criterion"]: c for c in report["criteria"]}
    assert criteria["industry"]["lift"] > 2
    assert criteria["country"]["lift"] < criteria["industry"]["lift"]


def test_similarity_model_errors() -> None:
    frame = planted_customers(n=60)
    with pytest.raises(ValueError, match="defines success"):
        ICPSimilarityModel(
            attributes=["industry", "arr"], value_col="arr", retained_col="retained"
        ).fit(frame)
    with pytest.raises(ValueError, match="model must be one of hgb, logistic"):
        ICPSimilarityModel(
            attributes=["industry"], value_col="arr", retained_col="retained", model="forest"
        ).fit(frame)
    with pytest.raises(ValueError, match="set retained_col"):
        ICPSimilarityModel(attributes=["industry"], value_col="arr").fit(frame)
    with pytest.raises(ModelFitError, match="need at least 2 successful"):
        ICPSimilarityModel(attributes=["industry"], value_col="arr", retained_col="retained").fit(
            frame.assign(retained=False)
        )


def test_contains_accepts_python_lists_and_any_of() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["x", "y", "z"],
            "technologies": [["Salesforce", "Slack"], ["zendesk"], "marketo|HubSpot"],
        }
    )
    scorer = ICPScorer(
        [{"attribute": "technologies", "contains": ["salesforce", "hubspot"], "weight": 1}]
    ).fit(frame)
    scored = scorer.score(frame)
    assert scored["icp_score"].tolist() == [100.0, 0.0, 100.0]
    assert scored["icp_reasons"].iloc[1] == "technologies lacks salesforce, hubspot ✗"


def test_similarity_from_config() -> None:
    config = parse_icp_config(
        {
            "criteria": [{"attribute": "industry", "equals": "software"}],
            "similarity": {
                "attributes": ["industry", "employees"],
                "value_col": "arr",
                "retained_col": "retained",
                "success": {"value_quantile": 0.85},
                "model": "logistic",
            },
        }
    )
    assert config.similarity is not None
    model = ICPSimilarityModel.from_config(config.similarity).fit(planted_customers(n=300))
    assert model.success_rate_ < 0.2
    assert 0.5 < model.cv_auc_ <= 1.0
    with pytest.raises(ConfigError, match=r"icp\.similarity\.model"):
        parse_icp_config(
            {
                "criteria": [{"attribute": "industry", "equals": "software"}],
                "similarity": {"attributes": ["industry"], "value_col": "arr", "model": "forest"},
            }
        )


def test_similarity_model_ignores_row_order() -> None:
    frame = planted_customers(n=400, seed=9)
    options = {
        "attributes": ["industry", "employees"],
        "value_col": "arr",
        "retained_col": "retained",
        "success_rule": SuccessRule(value_quantile=0.85),
    }
    first = ICPSimilarityModel(**options).fit(frame)
    shuffled = frame.sample(frac=1.0, random_state=4)
    second = ICPSimilarityModel(**options).fit(shuffled)
    assert first.cv_auc_folds_ == second.cv_auc_folds_
    left = first.score(frame).set_index("customer_id")["icp_similarity"]
    right = second.score(shuffled).set_index("customer_id")["icp_similarity"]
    pd.testing.assert_series_equal(left.sort_index(), right.sort_index())
