"""Next-purchase forecasts in rules and playbooks: `overdue_days > 0` segments and triggers."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from segmint.activation.action_store import load_actions
from segmint.analysis.timing import customer_timing
from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.run import run_workspace
from segmint.workspace.validate import validate_workspace
from shop_data import SHOP_CONFIG, write_shop

TIMING_RULES = """\
  - name: reorder
    rules:
      - {segment: overdue, when: "overdue_days > 0"}
      - {segment: due soon, when: "p_purchase_30d >= 0.5"}
    default: not due
playbooks:
  win_back_overdue:
    trigger: {score: overdue_days, above: 0}
    action: Reminder of the usual order
    channel: email
    owner: lifecycle marketing
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = write_shop(tmp_path_factory.mktemp("timing_rules"))
    (root / "segmint.yaml").write_text(SHOP_CONFIG + TIMING_RULES, encoding="utf-8")
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        problems = validate_workspace(root, config, store)
        result = run_workspace(root, config, store, write_report=False)
        actions = load_actions(store)
        from segmint.workspace_data import engine_tables

        forecasts = customer_timing(engine_tables(config, store, root)["transactions"],
                                    as_of=result.as_of)  # fmt: skip
    return {"problems": problems, "result": result, "actions": actions, "forecasts": forecasts}


def test_the_config_validates(run: dict[str, Any]) -> None:
    assert run["problems"] == []


def test_a_rule_on_overdue_days_segments_the_overdue_customers(run: dict[str, Any]) -> None:
    result = run["result"]
    customers = result.customers.set_index("customer_id")
    reorder = result.segments[result.segments["scheme"] == "reorder"].set_index("customer_id")
    overdue = set(customers.index[customers["overdue_days"].fillna(0) > 0])
    assert 10 <= len(overdue) <= len(customers) - 10  # the rule splits the shop
    assert set(reorder.index[reorder["segment"] == "overdue"]) == overdue
    soon = customers.index[(customers["overdue_days"].fillna(0) <= 0)
                           & (customers["p_purchase_30d"] >= 0.5)]  # fmt: skip
    assert len(soon) > 0
    assert set(reorder.index[reorder["segment"] == "due soon"]) == set(soon)


def test_the_rule_reads_the_forecasts_of_the_model(run: dict[str, Any]) -> None:
    customers = run["result"].customers
    expected = run["forecasts"].set_index("customer_id").sort_index()
    got = customers.set_index("customer_id").loc[expected.index]
    assert (got["overdue_days"].astype("int64") == expected["overdue_days"]).all()
    pd.testing.assert_series_equal(got["p_purchase_30d"], expected["p_purchase_30d"])


def test_a_playbook_triggered_by_overdue_days(run: dict[str, Any]) -> None:
    customers = run["result"].customers.set_index("customer_id")
    actions = run["actions"]
    queued = actions[actions["playbook"] == "win_back_overdue"]
    assert set(queued["customer_id"]) == set(customers.index[customers["overdue_days"] > 0])
    assert (queued["status"] == "due").all()


def test_the_understand_section_counts_the_same_overdue_customers(run: dict[str, Any]) -> None:
    result = run["result"]
    timing = result.outputs["understand"]["timing"]["segments"]
    customers = result.customers
    assert sum(s["overdue_customers"] for s in timing) == int((customers["overdue_days"] > 0).sum())
