"""The REST API against a real uvicorn server: payloads, pagination, errors, runs over the API."""

from __future__ import annotations

import io
import time
from urllib.parse import quote

import pandas as pd
from served_workspace import XSS_CUSTOMER, XSS_NAME, Served


def test_healthz_is_public(served: Served) -> None:
    with served.client() as c:
        assert c.get("/healthz").json() == {"status": "ok"}


def test_schemes_sizes_sum_to_the_population_and_show_movements(served: Served) -> None:
    with served.client(served.read_token) as c:
        body = c.get("/api/v1/schemes").json()
    assert body["previous_run_id"] is not None
    for scheme in body["schemes"]:
        if not scheme["is_tag"]:
            assert sum(s["customers"] for s in scheme["segments"]) == body["customers"]
            assert abs(sum(s["share"] for s in scheme["segments"]) - 1) < 1e-9
    # A movement is the size now minus the size in the run before.
    for m in body["movements"]:
        assert m["change"] == m["customers"] - m["previous"]


def test_scheme_history_has_both_runs(served: Served) -> None:
    with served.client(served.read_token) as c:
        body = c.get("/api/v1/schemes/lifecycle").json()
    assert len({h["run_id"] for h in body["history"]}) == 2


def test_members_are_paginated_filtered_and_sorted(served: Served) -> None:
    path = "/api/v1/segments/lifecycle/established/members"
    with served.client(served.read_token) as c:
        everyone = c.get(path, params={"limit": 1000}).json()
        first = c.get(path, params={"limit": 7, "offset": 0}).json()
        second = c.get(path, params={"limit": 7, "offset": 7}).json()
        by_health = c.get(path, params={"sort": "health_score", "order": "desc", "limit": 1000})
        past_end = c.get(path, params={"offset": 100_000}).json()
    assert first["count"] == everyone["count"] == len(everyone["data"]) > 14
    ids = [m["customer_id"] for m in first["data"] + second["data"]]
    assert ids == [m["customer_id"] for m in everyone["data"][:14]]
    assert ids == sorted(ids)
    scores = [m["health_score"] for m in by_health.json()["data"] if m["health_score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert past_end["data"] == [] and past_end["count"] == everyone["count"]
    needle = everyone["data"][3]["customer_id"]
    with served.client(served.read_token) as c:
        found = c.get(path, params={"q": needle.lower()}).json()
    assert [m["customer_id"] for m in found["data"]] == [needle] and found["count"] == 1


def test_customer_profile_has_segments_with_reasons_and_history(served: Served) -> None:
    with served.client(served.read_token) as c:
        body = c.get(f"/api/v1/customers/{XSS_CUSTOMER}").json()
        found = c.get("/api/v1/customers", params={"q": "onerror"}).json()
    assert body["values"]["name"] == XSS_NAME
    assert {s["scheme"] for s in body["segments"]} >= {"lifecycle", "health", "value"}
    assert all(s["reason"] or s["rule"] for s in body["segments"])
    assert len({h["run_id"] for h in body["history"]}) == 2
    assert [c["customer_id"] for c in found["data"]] == [XSS_CUSTOMER]


def test_segment_kpis_personas_cohorts_health(served: Served) -> None:
    with served.client(served.read_token) as c:
        segment = c.get("/api/v1/segments/lifecycle/established").json()
        kpis = c.get("/api/v1/kpis", params={"scheme": "lifecycle"}).json()
        personas = c.get("/api/v1/personas", params={"scheme": "lifecycle", "lang": "ko"}).json()
        cohorts = c.get("/api/v1/cohorts").json()
        health = c.get("/api/v1/health").json()
    row = next(s for s in kpis["segments"] if s["segment"] == "established")
    assert segment["kpis"] == row["kpis"]
    assert segment["customers"] == row["customers"]
    assert segment["persona"]["segment"] == "established"
    assert personas["count"] == len(personas["data"]) > 0
    assert all(c["cohort"] and c["retention"][0] == 1.0 for c in cohorts["cohorts"])
    assert sum(b["customers"] for b in health["bins"]) == health["customers"]
    assert sum(b["customers"] for b in health["bands"]) == health["customers"]


def test_errors_are_json_with_the_right_status(served: Served) -> None:
    with served.client(served.read_token) as c:
        cases = {
            "/api/v1/customers/NO-SUCH-ONE": 404,
            "/api/v1/schemes/nope": 404,
            "/api/v1/segments/lifecycle/nope": 404,
            "/api/v1/segments/lifecycle/established/members?limit=0": 422,
            "/api/v1/segments/lifecycle/established/members?sort=password": 422,
            "/api/v1/kpis?scheme=lifecycle&window=soon": 422,
            "/api/v1/schemes?run=999": 404,
            "/api/v1/nothing-here": 404,
        }
        for path, status in cases.items():
            response = c.get(path)
            assert response.status_code == status, path
            error = response.json()["error"]
            assert error["code"] and error["message"], path
            assert "Traceback" not in response.text


def test_run_started_over_the_api_reports_progress_and_stores_a_snapshot(served: Served) -> None:
    with served.client(served.admin_token) as c:
        before = c.get("/api/v1/runs").json()["count"]
        started = c.post("/api/v1/runs", json={"as_of": "2025-05-01"})
        assert started.status_code == 202
        job = started.json()
        assert c.post("/api/v1/runs", json={}).status_code in (202, 409)
        stages = set()
        deadline = time.monotonic() + 300
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            # Reads are served while the run writes.
            assert c.get(f"/api/v1/customers/{quote(XSS_CUSTOMER)}").status_code == 200
            job = c.get(f"/api/v1/runs/jobs/{job['job_id']}").json()
            stages.add(job["stage"])
            time.sleep(0.5)
        assert job["status"] == "ok", job
        runs = c.get("/api/v1/runs").json()
        bad = c.post("/api/v1/runs", json={"as_of": "yesterday"})
    assert len(stages - {None}) >= 2
    assert runs["count"] >= before + 1
    assert any(r["run_id"] == job["run_id"] and r["status"] == "ok" for r in runs["data"])
    assert bad.status_code == 422


def test_members_export_is_csv_of_every_match(served: Served) -> None:
    path = "/api/v1/segments/lifecycle/established/members"
    with served.client(served.read_token) as c:
        page = c.get(path, params={"limit": 1000}).json()
        export = c.get(path + ".csv")
        filtered = c.get(path + ".csv", params={"q": "ACC-0001"})
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(export.text))
    assert list(frame["customer_id"]) == [m["customer_id"] for m in page["data"]]
    assert {"name", "health_score", "reason"} <= set(frame.columns)
    assert all("ACC-0001" in i for i in pd.read_csv(io.StringIO(filtered.text))["customer_id"])


def test_csv_cells_cannot_become_spreadsheet_formulas() -> None:
    import pandas as pd

    from segmint.safe_output import csv_text

    text = csv_text(
        pd.DataFrame({"name": ["=HYPERLINK(1)", "@SUM(A1)", "Acme"], "mrr": [3.5, 1, 2]})
    )
    assert text.splitlines() == ["name,mrr", "'=HYPERLINK(1),3.5", "'@SUM(A1),1.0", "Acme,2.0"]
