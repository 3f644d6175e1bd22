"""Discovered clusters kept with a run: the run stage, /api/v1/discovery and the /discovery page."""

from __future__ import annotations

import re

from served_workspace import Served

from segmint.features import FEATURE_CATALOGUE
from segmint.segments.clustering import discover
from segmint.workspace.discovery import discovery_payloads

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _snapshot_runs(served: Served) -> list[int]:
    """Return the runs with a stored snapshot, newest as_of first."""
    store = served.state.reader()
    try:
        return [int(r) for r in store.snapshot_runs()["run_id"]]
    finally:
        served.state.release(store)


def _latest_run(served: Served) -> int:
    return _snapshot_runs(served)[0]


def test_every_run_stores_its_clusters_and_the_api_shows_the_newest(served: Served) -> None:
    with served.client(served.read_token) as c:
        body = c.get("/api/v1/discovery").json()
    runs = _snapshot_runs(served)
    assert body["run"]["run_id"] == _latest_run(served) == body["latest_run_id"]
    assert body["k"] == 3 and len(body["clusters"]) == 3
    assert body["options"] == {"features": None, "k": "3", "method": "kmeans", "seed": 0}
    assert sum(c["size"] for c in body["clusters"]) == body["rows"] == 150
    assert abs(sum(c["share"] for c in body["clusters"]) - 1) < 1e-3
    for cluster in body["clusters"]:
        assert cluster["label"] and cluster["traits"] and cluster["medians"]
    # The earlier run kept its own clusters.
    earlier = runs[-1]
    with served.client(served.read_token) as c:
        old = c.get("/api/v1/discovery", params={"run": earlier})
    assert old.status_code == 200, old.text
    assert old.json()["run"]["run_id"] == earlier
    assert old.json()["latest_run_id"] == body["run"]["run_id"]


def test_stored_clusters_are_what_discover_finds_on_the_stored_run(served: Served) -> None:
    """The run stage gives what `segmint discover -w WS --run N --save` stores (same seed, rows)."""
    run_id = _latest_run(served)
    store = served.state.reader()
    try:
        _, as_of = store.snapshot_run(run_id)
        values = store.snapshot_values(run_id)
    finally:
        served.state.release(store)
    behaviour = [f.name for f in FEATURE_CATALOGUE if f.table != "customers" and f.name in values]
    result = discover(values[["customer_id", *behaviour]], id_col="customer_id", k=3, seed=0)
    options = {"features": None, "k": "3", "method": "kmeans", "seed": 0}
    expected = discovery_payloads(result, run_id=run_id, as_of=as_of, options=options)
    for lang in ("en", "ko"):
        with served.client(served.read_token) as c:
            got = c.get("/api/v1/discovery", params={"lang": lang}).json()
        assert got["clusters"] == expected[lang]["clusters"], lang
        assert got["scores"] == expected[lang]["scores"]


def test_korean_labels_and_traits(served: Served) -> None:
    with served.client(served.read_token) as c:
        en = c.get("/api/v1/discovery").json()
        ko = c.get("/api/v1/discovery", params={"lang": "ko"}).json()
    assert [c["size"] for c in en["clusters"]] == [c["size"] for c in ko["clusters"]]
    for cluster in ko["clusters"]:
        assert _HANGUL.search(cluster["label"]), cluster["label"]
        assert all(_HANGUL.search(t["text"]) for t in cluster["traits"]), cluster["traits"]
    for cluster in en["clusters"]:
        assert not _HANGUL.search(cluster["label"])


def test_discovery_errors_are_json_404_and_422(served: Served) -> None:
    with served.client(served.read_token) as c:
        missing = c.get("/api/v1/discovery", params={"run": 999})
        bad = c.get("/api/v1/discovery", params={"run": 0})
        bad_lang = c.get("/api/v1/discovery", params={"lang": "fr"})
    assert missing.status_code == 404
    assert "999" in missing.json()["error"]["message"]
    assert bad.status_code == 422 and bad_lang.status_code == 422
    assert set(bad.json()["error"]) >= {"code", "message"}


def test_the_page_needs_a_token_and_shows_the_profiles(served: Served) -> None:
    with served.client() as c:
        anonymous = c.get("/discovery", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    with served.client(served.read_token) as c:
        page = c.get("/discovery")
        api = c.get("/api/v1/discovery").json()
    assert page.status_code == 200
    assert 'href="/api/v1/discovery?lang=en"' in page.text
    assert page.text.count("<tr data-cluster=") == 3
    for cluster in api["clusters"]:
        assert cluster["label"].replace("&", "&amp;") in page.text
    assert 'id="discovery-older"' not in page.text


def test_an_older_runs_page_says_it_is_older(served: Served) -> None:
    earliest = _snapshot_runs(served)[-1]
    with served.client(served.read_token) as c:
        page = c.get("/discovery", params={"run": earliest})
    assert page.status_code == 200
    assert 'id="discovery-older"' in page.text
