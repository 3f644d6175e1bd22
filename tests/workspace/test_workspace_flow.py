"""A workspace end to end on real DuckDB files: init → ingest → run → customer, re-ingest, stitching."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.customer import customer_profile
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace


@pytest.fixture(scope="module")
def saas_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("saas")
    init_workspace(root, example="saas", n_accounts=300, seed=3)
    return root


@pytest.fixture(scope="module")
def ingested(saas_workspace: Path):
    config = load_config(saas_workspace)
    with open_store(saas_workspace / config.database) as store:
        return ingest_workspace(saas_workspace, config, store)


@pytest.fixture(scope="module")
def run_result(saas_workspace: Path, ingested):
    config = load_config(saas_workspace)
    with open_store(saas_workspace / config.database) as store:
        return run_workspace(saas_workspace, config, store)


def test_ingest_accounts_for_every_row(ingested) -> None:
    assert ingested.rows_read == ingested.rows_loaded + ingested.rows_rejected
    for source in ingested.sources:
        assert source.rows_read == source.rows_loaded + source.rows_rejected
    crm = next(s for s in ingested.sources if s.source == "crm")
    assert crm.encoding in {"cp949", "euc-kr", "euc_kr"}  # the Korean export was detected
    assert crm.column_map["customer_id"] == "고객ID"
    assert ingested.customers == 300


def test_reingest_same_files_adds_no_rows(saas_workspace: Path, ingested) -> None:
    config = load_config(saas_workspace)
    with open_store(saas_workspace / config.database) as store:
        before = store.frame("SELECT count(*) AS n FROM events")["n"].iloc[0]
        again = ingest_workspace(saas_workspace, config, store)
        after = store.frame("SELECT count(*) AS n FROM events")["n"].iloc[0]
    assert all(s.skipped for s in again.sources)
    assert before == after


def test_run_puts_every_customer_in_exactly_one_segment_per_scheme(run_result) -> None:
    customers = set(run_result.customers["customer_id"])
    schemes = run_result.segments[~run_result.segments["scheme"].str.startswith("tag:")]
    for scheme, group in schemes.groupby("scheme"):
        assert set(group["customer_id"]) == customers, scheme
        assert not group["customer_id"].duplicated().any(), scheme
    sizes = run_result.scheme_sizes()
    for scheme, group in sizes.groupby("scheme"):
        if not scheme.startswith("tag:"):
            assert group["customers"].sum() == len(customers)


def test_run_adds_scores_and_stores_a_snapshot(saas_workspace: Path, run_result) -> None:
    columns = set(run_result.customers.columns)
    assert {"health_score", "health_band", "icp_score", "tier", "r_score", "rfm_segment"} <= columns
    assert run_result.customers["health_score"].between(0, 100).all()
    assert (
        (saas_workspace / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    )
    config = load_config(saas_workspace)
    with open_store(saas_workspace / config.database, read_only=True) as store:
        assert store.latest_snapshot_run() == run_result.run_id
        stored = store.snapshot_segments(run_result.run_id)
        values = store.snapshot_values(run_result.run_id)
        runs = store.runs()
    assert len(stored) == len(run_result.segments)
    assert set(values["customer_id"]) == set(run_result.customers["customer_id"])
    assert {"ingest", "run"} <= set(runs["kind"])
    assert runs["status"].eq("ok").all()


def test_customer_profile_explains_segments(saas_workspace: Path, run_result) -> None:
    config = load_config(saas_workspace)
    some_id = run_result.customers["customer_id"].iloc[0]
    with open_store(saas_workspace / config.database, read_only=True) as store:
        profile = customer_profile(store, some_id)
    assert profile["customer_id"] == some_id
    schemes = {s["scheme"] for s in profile["segments"]}
    assert {"lifecycle", "health", "value"} <= schemes
    assert all(s["rule"] for s in profile["segments"])
    assert "health_score" in profile["values"]


def test_run_as_of_earlier_date_uses_only_earlier_data(saas_workspace: Path, run_result) -> None:
    config = load_config(saas_workspace)
    early = run_result.as_of - timedelta(days=365)
    with open_store(saas_workspace / config.database) as store:
        earlier = run_workspace(saas_workspace, config, store, as_of=early, write_report=False)
    assert len(earlier.customers) < len(run_result.customers)
    assert earlier.customers["days_since_last_activity"].dropna().ge(0).all()


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_identity_stitching_through_ingest(tmp_path: Path) -> None:
    _write(
        tmp_path / "crm.csv",
        pd.DataFrame(
            {
                "account_id": ["A1", "A2"],
                "email": ["kim@acme.kr", "lee@beta.io"],
                "industry": ["software", "retail"],
            }
        ),
    )
    _write(
        tmp_path / "billing_accounts.csv",
        pd.DataFrame(
            {
                "customer_id": ["B7", "B8", "B9"],
                "email": ["KIM@acme.kr", "x@gamma.com", "lee@beta.io"],
            }
        ),
    )
    _write(
        tmp_path / "payments.csv",
        pd.DataFrame(
            {
                "customer_id": ["B7", "B7", "B8", "B9"],
                "paid_at": ["2024-01-05", "2024-02-05", "2024-01-09", "2024-03-01"],
                "amount": ["10.00", "12.50", "9.99", "20.00"],
            }
        ),
    )
    (tmp_path / "segmint.yaml").write_text(
        """
sources:
  - {name: crm, table: customers, path: crm.csv, namespace: crm}
  - {name: billing, table: customers, path: billing_accounts.csv, namespace: billing}
  - {name: payments, table: transactions, path: payments.csv, namespace: billing}
identity:
  match_keys: [email]
""",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    with open_store(tmp_path / config.database) as store:
        summary = ingest_workspace(tmp_path, config, store)
        tx = store.frame(
            "SELECT customer_id, sum(amount) AS total FROM transactions GROUP BY 1 ORDER BY 1"
        )
        profile = customer_profile(store, "B7")
    assert summary.rows_rejected == 0
    assert dict(zip(tx["customer_id"], tx["total"].astype(float), strict=True)) == {
        "A1": 22.5,
        "A2": 20.0,
        "billing:B8": 9.99,
    }
    assert profile["customer_id"] == "A1"
    merged = {(r["namespace"], r["source_id"]): r["linked_by"] for r in profile["identity"]}
    assert merged[("billing", "B7")] == "email=kim@acme.kr"
    assert ("crm", "A1") in merged


def test_latest_features_for_discovery_hold_behaviour_only(
    saas_workspace: Path, run_result
) -> None:
    from segmint.workspace import load_latest_features

    everything = load_latest_features(saas_workspace)
    behaviour = load_latest_features(saas_workspace, behaviour_only=True)
    assert "health_score" in everything.columns and "health_score" not in behaviour.columns
    assert {"customer_id", "active_days_30d", "mrr"} <= set(behaviour.columns)
    assert not {"email", "icp_reasons", "tier"} & set(behaviour.columns)
    assert len(behaviour) == len(everything)  # both from the latest stored run


def test_run_json_carries_what_the_later_stages_computed_and_the_runs_table_does_not(
    saas_workspace: Path, run_result
) -> None:
    payload = json.loads(json.dumps(run_result.to_dict()))
    assert {"history", "understand"} <= set(payload["outputs"])
    assert payload["outputs"]["history"]["segment_changes"] >= 0
    config = load_config(saas_workspace)
    with open_store(saas_workspace / config.database, read_only=True) as store:
        counts = store.frame("SELECT counts FROM runs WHERE run_id = ?", [run_result.run_id])
    stored = json.loads(counts["counts"].iloc[0])
    assert "outputs" not in stored and stored["customers"] == payload["customers"]
