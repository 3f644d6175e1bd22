"""Migration, changes, goals, validity, experiments, actions and exports over the real server."""

from __future__ import annotations

import io
from urllib.parse import quote

import pandas as pd
from served_workspace import EXPERIMENT, XSS_GOAL, XSS_SEGMENT, Served

from segmint.analysis.history import workspace_migration


def test_migration_matches_the_service_and_rows_hold_the_earlier_segments(served: Served) -> None:
    with served.client(served.read_token) as c:
        body = c.get("/api/v1/migration", params={"scheme": "lifecycle"}).json()
        runs = c.get("/api/v1/runs").json()["data"]
        earlier = c.get("/api/v1/schemes/lifecycle", params={"run": body["from_run"]}).json()
    store = served.state.reader()
    try:
        assert body == workspace_migration(store, scheme="lifecycle", config=served.state.config)
    finally:
        store.close()
    assert body["from_run"] != body["to_run"]
    assert {body["from_run"], body["to_run"]} <= {r["run_id"] for r in runs}
    # Every customer of an earlier segment lands somewhere (a later segment or gone).
    sizes = {s["segment"]: s["customers"] for s in earlier["segments"]}
    for segment, size in sizes.items():
        out = sum(c["customers"] for c in body["matrix"] if c["from"] == segment)
        assert out == size, segment


def test_migration_errors_are_json(served: Served) -> None:
    with served.client(served.read_token) as c:
        unknown = c.get("/api/v1/migration", params={"scheme": "nope"})
        swapped = c.get("/api/v1/migration", params={"from": 999})
        bad = c.get("/api/v1/migration", params={"to": "x"})
    assert unknown.status_code in (404, 422) and "nope" in unknown.json()["error"]["message"]
    assert swapped.status_code in (404, 422)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_parameters"


def test_changes_are_paginated_and_agree_with_the_summary(served: Served) -> None:
    with served.client(served.read_token) as c:
        full = c.get("/api/v1/changes", params={"scheme": "lifecycle", "limit": 1000}).json()
        first = c.get("/api/v1/changes", params={"scheme": "lifecycle", "limit": 5}).json()
        second = c.get(
            "/api/v1/changes", params={"scheme": "lifecycle", "limit": 5, "offset": 5}
        ).json()
        only = c.get(
            "/api/v1/changes", params={"scheme": "lifecycle", "segment": "at risk", "limit": 1000}
        ).json()
    assert full["count"] == len(full["data"]) > 5
    assert first["data"] + second["data"] == full["data"][:10]
    entered = sum(s["entered"] for s in full["summary"])
    assert entered == sum(1 for r in full["data"] if r["to_segment"] is not None)
    assert only["data"] and all(
        "at risk" in (r["from_segment"], r["to_segment"]) for r in only["data"]
    )


def test_goals_carry_values_intervals_and_the_raw_name(served: Served) -> None:
    with served.client(served.read_token) as c:
        goals = c.get("/api/v1/goals").json()["goals"]
    assert [g["name"] for g in goals][0] == XSS_GOAL
    for goal in goals:
        latest = goal["latest"]
        assert latest["ci_low"] <= latest["value"] <= latest["ci_high"]
        # Other tests share this workspace and may add runs: at least the two judged dates,
        # one point per date, oldest first, the latest value last.
        as_ofs = [p["as_of"] for p in goal["trend"]]
        assert len(as_ofs) >= 2 and as_ofs == sorted(set(as_ofs))
        assert latest["value"] == goal["trend"][-1]["value"]
    revenue = goals[0]
    assert revenue["met"] == (revenue["latest"]["value"] >= revenue["target"])


def test_validity_judges_the_earlier_run_and_rejects_bad_parameters(served: Served) -> None:
    with served.client(served.read_token) as c:
        body = c.get("/api/v1/validity", params={"scheme": "lifecycle", "horizon": "30d"}).json()
        missing = c.get("/api/v1/validity")
        unknown = c.get("/api/v1/validity", params={"scheme": "nope"})
        horizon = c.get("/api/v1/validity", params={"scheme": "lifecycle", "horizon": "soon"})
    assert body["horizon_days"] == 30 and body["as_ofs"]
    for entry in body["as_ofs"]:
        assert sum(s["customers"] for s in entry["segments"]) >= entry["at_risk"]
        for seg in entry["segments"]:
            if seg["churn_rate"] is not None:
                # A Wilson bound of a 0% rate comes out as 1e-17: compare with a tolerance.
                assert seg["ci_low"] - 1e-12 <= seg["churn_rate"] <= seg["ci_high"] + 1e-12
    for response in (missing, unknown, horizon):
        assert response.status_code == 422 and set(response.json()) == {"error"}


def test_experiment_results_per_segment_with_intervals(served: Served) -> None:
    with served.client(served.read_token) as c:
        listed = c.get("/api/v1/experiments").json()
        body = c.get(f"/api/v1/experiments/{EXPERIMENT}").json()
        unknown = c.get("/api/v1/experiments/nope")
    assert [e["experiment"] for e in listed["experiments"]] == [EXPERIMENT]
    segments = {r["segment"] for r in body["results"]}
    assert "all" in segments and XSS_SEGMENT in segments
    users = listed["experiments"][0]["users"]
    assert sum(r["users"] for r in body["results"] if r["segment"] == "all") == users
    for row in body["results"]:
        if row["ci_low"] is not None:
            assert row["ci_low"] <= row["uplift_abs"] <= row["ci_high"]
    assert unknown.status_code == 404 and "nope" in unknown.json()["error"]["message"]


def test_actions_list_filters_and_patch_records_the_change(served: Served) -> None:
    with served.client(served.read_token) as c:
        queue = c.get("/api/v1/actions", params={"status": "due", "limit": 5}).json()
        bad = c.get("/api/v1/actions", params={"status": "later"})
    assert queue["total"] == queue["summary"]["statuses"]["due"] and queue["count"] == 5
    assert all(a["status"] == "due" for a in queue["data"])
    assert bad.status_code == 422
    action = queue["data"][0]
    with served.client(served.admin_token) as c:
        done = c.patch(
            f"/api/v1/actions/{quote(action['action_id'], safe='')}",
            json={"status": "done", "note": "called <b>them</b>"},
        )
        unknown = c.patch("/api/v1/actions/no-such-action", json={"status": "done"})
        invalid = c.patch(
            f"/api/v1/actions/{quote(action['action_id'], safe='')}", json={"status": "due"}
        )
        mine = c.get("/api/v1/actions", params={"customer_id": action["customer_id"]}).json()
    assert done.status_code == 200, done.text
    assert done.json()["action"]["status"] == "done"
    assert done.json()["history"][-1]["note"] == "called <b>them</b>"
    assert unknown.status_code == 404 and invalid.status_code == 422
    statuses = {a["action_id"]: a["status"] for a in mine["data"]}
    assert statuses[action["action_id"]] == "done"


def test_exports_return_a_file_with_pii_dropped_for_read_tokens(served: Served) -> None:
    body = {"scheme": "lifecycle", "segments": ["established"], "columns": ["email", "mrr"]}
    with served.client(served.read_token) as c:
        size = c.get("/api/v1/segments/lifecycle/established").json()["customers"]
        csv = c.post("/api/v1/exports", json=body)
        as_json = c.post("/api/v1/exports", json=body | {"format": "json"})
        keep = c.post("/api/v1/exports", json=body | {"pii": "keep"})
        nothing = c.post("/api/v1/exports", json={})
        unknown = c.post("/api/v1/exports", json={"scheme": "lifecycle", "segments": ["nope"]})
    with served.client(served.admin_token) as c:
        kept = c.post("/api/v1/exports", json=body | {"pii": "keep"})
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(csv.text))
    assert len(frame) == size == int(csv.headers["x-segmint-rows"])
    assert "email" not in frame.columns and csv.headers["x-segmint-pii"] == "drop"
    assert "mrr" in frame.columns
    assert len(as_json.json()) == size
    assert keep.status_code == 403 and keep.json()["error"]["code"] == "forbidden"
    assert "email" in pd.read_csv(io.StringIO(kept.text)).columns
    assert nothing.status_code == 422 and unknown.status_code == 422
