"""`segmint serve` under load: customer lookup and a segment-members page at 50 concurrent clients.

Uses the demo workspace in SEGMINT_BENCH_WORKSPACE (e.g. segmint-demo/saas from `make demo`) or
builds one (SEGMINT_BENCH_ACCOUNTS accounts, default 1000, two runs), starts
`segmint serve` in its own process on a free localhost port, and drives it with an async httpx
loop: SEGMINT_BENCH_REQUESTS requests per scenario (default 2000), at most 60 s each. The baseline
is GET /healthz through the same server and client (no database work), measured in the same run.
Target: p99 < 50 ms and no error for both scenarios.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np

from segmint.workspace.tokens import create_token, revoke_token

CLIENTS = 50
TIME_LIMIT_S = 60.0
TARGET_P99_MS = 50.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_workspace(root: Path, accounts: int) -> str:
    """Create, ingest and run the demo SaaS workspace; return an admin-free read token."""
    from segmint.config import load_config
    from segmint.store import Store
    from segmint.workspace.ingest import ingest_workspace
    from segmint.workspace.init import init_workspace
    from segmint.workspace.run import run_workspace
    from segmint.workspace.tokens import create_token

    init_workspace(root, example="saas", n_accounts=accounts, seed=0)
    config = load_config(root)
    store = Store(root / config.database)
    try:
        ingest_workspace(root, config, store)
        run_workspace(root, config, store, as_of=datetime(2025, 4, 1), write_report=False)
        run_workspace(root, config, store, write_report=False)
    finally:
        store.close()
    return create_token(root, "bench", scope="read")


async def load(
    url: str, token: str, path_of: Callable[[int], str], requests: int
) -> tuple[list[float], int]:
    """Send `requests` GETs from CLIENTS concurrent clients; return latencies (ms) and errors."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    deadline = time.perf_counter() + TIME_LIMIT_S
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as c:

        async def client() -> None:
            nonlocal errors
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                started = time.perf_counter()
                try:
                    response = await c.get(path_of(i))
                    ok = response.status_code == 200
                except httpx.HTTPError:  # a dropped connection counts as an error, not a crash
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not ok

        await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies, errors


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("segmint serve exited early")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("segmint serve did not start")


def workspace_sample(url: str, token: str) -> tuple[str, str, list[str]]:
    """Return the first scheme's largest segment and every customer id (read over the API)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
        overview = c.get("/api/v1/schemes").json()
        scheme = next(s for s in overview["schemes"] if not s["is_tag"])
        ids: list[str] = []
        for seg in scheme["segments"]:
            offset = 0
            while offset < seg["customers"]:
                page = c.get(
                    f"/api/v1/segments/{quote(scheme['scheme'], safe='')}/"
                    f"{quote(seg['segment'], safe='')}/members",
                    params={"limit": 1000, "offset": offset},
                ).json()
                ids += [m["customer_id"] for m in page["data"]]
                offset += 1000
    largest = scheme["segments"][0]["segment"]
    return quote(scheme["scheme"], safe=""), quote(largest, safe=""), sorted(ids)


def service_times(root: Path, rounds: int = 200) -> None:
    """Print the per-request time of a lookup and a members page without HTTP: the database
    queries of `segmint.workspace.browse` against the server's in-memory indexes (same answers),
    measured in this process before the server starts."""
    from segmint.api.lookups import served_customer_detail, served_segment_members
    from segmint.api.state import ServerState
    from segmint.workspace.browse import customer_detail, segment_members

    state = ServerState(root)
    store = state.reader()
    try:
        run_id = store.latest_snapshot_run()
        assert run_id is not None
        ids = sorted(store.snapshot_segments(run_id)["customer_id"].astype(str).unique())
        sizes = store.segment_sizes(run_id).sort_values(["customers", "scheme", "segment"])
        scheme, segment = str(sizes.iloc[-1]["scheme"]), str(sizes.iloc[-1]["segment"])
        page = {"sort": "health_score", "descending": True, "limit": 50}
        pairs = {
            "customer lookup": (
                lambda i: customer_detail(store, ids[(i * 7919) % len(ids)]),
                lambda i: served_customer_detail(state, store, ids[(i * 7919) % len(ids)], None),
            ),
            "segment members page": (
                lambda i: segment_members(store, scheme, segment, offset=(i % 5) * 50, **page),
                lambda i: served_segment_members(
                    state, store, scheme, segment, offset=(i % 5) * 50, **page
                ),
            ),
        }
        for name, (database, memory) in pairs.items():
            timings = []
            for fn in (database, memory):
                fn(0)  # the first call builds the index / warms DuckDB's caches
                t0 = time.perf_counter()
                for i in range(rounds):
                    fn(i)
                timings.append((time.perf_counter() - t0) / rounds * 1000)
            print(
                f"{name:24s} per request without HTTP: database {timings[0]:6.2f} ms, "
                f"in-memory index {timings[1]:5.2f} ms ({timings[0] / timings[1]:4.1f}x faster)"
            )
    finally:
        state.release(store)
        state.close()


def main() -> None:
    """Print p50/p99 per scenario and the ratio to the /healthz baseline."""
    accounts = int(os.environ.get("SEGMINT_BENCH_ACCOUNTS", "1000"))
    requests = int(os.environ.get("SEGMINT_BENCH_REQUESTS", "2000"))
    existing = os.environ.get("SEGMINT_BENCH_WORKSPACE")
    with tempfile.TemporaryDirectory() as tmp:
        if existing:
            # An existing demo workspace (`make demo` → segmint-demo/saas): a token just for this.
            root = Path(existing)
            token_name = f"bench-{os.getpid()}"
            token = create_token(root, token_name, scope="read")
            print(f"workspace {root}")
        else:
            root = Path(tmp) / "saas"
            started = time.perf_counter()
            token = build_workspace(root, accounts)
            took = time.perf_counter() - started
            print(f"demo workspace: {accounts} accounts, 2 runs ({took:.0f} s)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        service_times(root)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        process = subprocess.Popen(
            [sys.executable, "-m", "segmint", "serve", "-w", str(root), "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(url, process)
            scheme, segment, ids = workspace_sample(url, token)
            scenarios: dict[str, Callable[[int], str]] = {
                "baseline GET /healthz": lambda i: "/healthz",
                "customer lookup": lambda i: (
                    f"/api/v1/customers/{quote(ids[(i * 7919) % len(ids)], safe='')}"
                ),
                "segment members page": lambda i: (
                    f"/api/v1/segments/{scheme}/{segment}/members"
                    f"?limit=50&offset={(i % 5) * 50}&sort=health_score&order=desc"
                ),
            }
            # Warm-up: the first request of a kind pays for imports and DuckDB's plan cache.
            asyncio.run(load(url, token, scenarios["customer lookup"], 100))
            asyncio.run(load(url, token, scenarios["segment members page"], 100))
            baseline_p50 = baseline_p99 = None
            print(
                f"{CLIENTS} concurrent clients, {requests} requests each (max {TIME_LIMIT_S:.0f} s); "
                f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            for name, path_of in scenarios.items():
                t0 = time.perf_counter()
                latencies, errors = asyncio.run(load(url, token, path_of, requests))
                took = time.perf_counter() - t0
                p50, p99 = np.percentile(latencies, [50, 99])
                baseline_p50, baseline_p99 = baseline_p50 or p50, baseline_p99 or p99
                verdict = (
                    ""
                    if name.startswith("baseline")
                    else ("  OK" if p99 < TARGET_P99_MS and errors == 0 else "  MISSES TARGET")
                )
                print(
                    f"{name:24s} n={len(latencies):5d} errors={errors} p50={p50:6.1f} ms "
                    f"p99={p99:6.1f} ms ({len(latencies) / took:6.0f} req/s) "
                    f"ratio to baseline p50 {p50 / baseline_p50:4.1f}x p99 {p99 / baseline_p99:4.1f}x"
                    f"{verdict}"
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
            if existing:
                revoke_token(root, token_name)
