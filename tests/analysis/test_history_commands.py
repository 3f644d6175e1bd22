"""History on a real workspace: backfill, segment_changes, changes, migration, history; bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.analysis.changes import run_segment_changes
from segmint.cli import _register_commands, app
from segmint.config import load_config
from segmint.i18n import MESSAGES
from segmint.store import open_store
from segmint.workspace.backfill import backfill_workspace, parse_every
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace

runner = CliRunner()
BACKFILL = (datetime(2025, 5, 1), datetime(2025, 6, 1))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A SaaS workspace run as of its data end, then backfilled monthly for the two months before."""
    _register_commands()
    root = tmp_path_factory.mktemp("history")
    init_workspace(root, example="saas", n_accounts=200, seed=5)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        latest = run_workspace(root, config, store, write_report=False)
        backfill = backfill_workspace(
            root, config, store, start=BACKFILL[0], end=BACKFILL[1], every=parse_every("1mo")
        )
    return {"root": root, "config": config, "latest": latest, "backfill": backfill}


def _cli(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _json(*args: object) -> dict[str, Any]:
    result = _cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _sizes(root: Path, run_id: int, scheme: str) -> dict[str, int]:
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        frame = store.snapshot_segments(run_id)
    return frame[frame["scheme"] == scheme]["segment"].value_counts().to_dict()


def test_backfill_stores_one_snapshot_per_date_and_changes_against_the_previous(workspace) -> None:
    root, config = workspace["root"], workspace["config"]
    runs = [r["run_id"] for r in workspace["backfill"].dates]
    assert [r["as_of"][:10] for r in workspace["backfill"].dates] == ["2025-05-01", "2025-06-01"]
    with open_store(root / config.database, read_only=True) as store:
        snapshots = store.snapshot_runs()
        assert len(snapshots) == 3
        assert store.segment_changes(runs[0]).empty  # the earliest snapshot: nothing before it
        for run in (runs[1], workspace["latest"].run_id):
            stored = store.segment_changes(run)
            fresh = run_segment_changes(store, run)
            assert len(stored) > 0
            pd.testing.assert_frame_equal(
                stored.reset_index(drop=True).astype(str), fresh.reset_index(drop=True).astype(str)
            )
        # Every snapshot puts every customer of the run in exactly one segment of each scheme.
        for run in snapshots["run_id"]:
            segments = store.snapshot_segments(int(run))
            schemes = segments[~segments["scheme"].str.startswith("tag:")]
            customers = set(store.snapshot_values(int(run))["customer_id"])
            for _scheme, group in schemes.groupby("scheme"):
                assert not group["customer_id"].duplicated().any()
                assert set(group["customer_id"]) == customers
        # The run made before the backfill is now compared with the backfilled 2025-06-01 run.
        latest = store.segment_changes(workspace["latest"].run_id)
        assert set(latest["as_of"].astype(str).str[:10]) == {"2025-07-01"}


def test_changes_net_equals_the_size_difference_between_the_runs(workspace) -> None:
    root = workspace["root"]
    payload = _json("changes", "-w", root, "--scheme", "lifecycle")
    assert set(payload) == {
        "scheme", "run_id", "as_of", "previous_run", "previous_as_of", "summary", "changes"
    }  # fmt: skip
    assert payload["run_id"] == workspace["latest"].run_id
    assert payload["previous_run"] == workspace["backfill"].dates[-1]["run_id"]
    before = _sizes(root, payload["previous_run"], "lifecycle")
    after = _sizes(root, payload["run_id"], "lifecycle")
    for row in payload["summary"]:
        assert row["net"] == after.get(row["segment"], 0) - before.get(row["segment"], 0)
        assert row["entered"] == sum(c["to_segment"] == row["segment"] for c in payload["changes"])
    assert all(c["from_segment"] != c["to_segment"] for c in payload["changes"])
    one = payload["summary"][0]["segment"]
    only = _json("changes", "-w", root, "--scheme", "lifecycle", "--segment", one)
    assert only["changes"] and all(
        one in (c["from_segment"], c["to_segment"]) for c in only["changes"]
    )


def test_migration_json_rows_sum_to_the_earlier_sizes(workspace) -> None:
    root = workspace["root"]
    payload = _json("migration", "-w", root, "--scheme", "value")
    assert set(payload) == {"scheme", "from_run", "to_run", "matrix"}
    assert (payload["from_run"], payload["to_run"]) == (
        workspace["backfill"].dates[-1]["run_id"],
        workspace["latest"].run_id,
    )
    for cell in payload["matrix"]:
        assert set(cell) == {"from", "to", "customers", "share"}
    before = _sizes(root, payload["from_run"], "value")
    after = _sizes(root, payload["to_run"], "value")
    for segment, size in before.items():
        assert sum(c["customers"] for c in payload["matrix"] if c["from"] == segment) == size
    for segment, size in after.items():
        assert sum(c["customers"] for c in payload["matrix"] if c["to"] == segment) == size
    first = workspace["backfill"].dates[0]["run_id"]
    same = _json("migration", "-w", root, "--scheme", "value", "--from", first, "--to", first)
    assert all(c["customers"] == 0 for c in same["matrix"] if c["from"] != c["to"])
    text = _cli("migration", "-w", root, "--scheme", "value", "--shares")
    assert text.exit_code == 0 and "%" in text.stdout


def test_history_lists_every_run_oldest_first_with_kpis(workspace) -> None:
    root = workspace["root"]
    payload = _json("history", "-w", root, "--scheme", "value")
    dates = [r["as_of"][:10] for r in payload["runs"]]
    assert dates == ["2025-05-01", "2025-06-01", "2025-07-01"]
    for entry in payload["runs"]:
        assert sum(s["customers"] for s in entry["segments"]) == entry["customers"]
        assert entry["population"]["kpis"]["churn_rate"]["value"] is not None
        assert entry["segments"] == [
            s for s in entry["segments"] if set(s) >= {"segment", "customers", "share", "kpis"}
        ]
        assert {s["segment"]: s["customers"] for s in entry["segments"] if s["customers"]} == (
            _sizes(root, entry["run_id"], "value")
        )
    sizes_only = _json("history", "-w", root, "--scheme", "value", "--sizes-only")
    assert [r["customers"] for r in sizes_only["runs"]] == [r["customers"] for r in payload["runs"]]
    assert "kpis" not in sizes_only["runs"][0]["segments"][0]


def test_backfilling_a_date_again_replaces_its_snapshot(workspace) -> None:
    root, config = workspace["root"], workspace["config"]
    old_run = workspace["backfill"].dates[-1]["run_id"]
    with open_store(root / config.database, read_only=True) as store:
        old_changes = store.segment_changes(old_run).drop(columns="run_id")
        old_segments = store.snapshot_segments(old_run)
    result = _json("backfill", "-w", root, "--from", "2025-06-01", "--to", "2025-06-01")
    (entry,) = result["runs"]
    assert entry["replaced_runs"] == [old_run]
    with open_store(root / config.database, read_only=True) as store:
        snapshots = store.snapshot_runs()
        assert len(snapshots) == 3  # replaced, not duplicated
        assert old_run not in set(snapshots["run_id"])
        status = store.frame("SELECT status FROM runs WHERE run_id = ?", [old_run])["status"]
        assert status.tolist() == ["replaced"]
        new_changes = store.segment_changes(entry["run_id"]).drop(columns="run_id")
        pd.testing.assert_frame_equal(old_changes, new_changes)  # same input, same output
        pd.testing.assert_frame_equal(old_segments, store.snapshot_segments(entry["run_id"]))
        assert store.segment_changes(old_run).empty


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["migration", "--scheme", "nope"], "schemes: churn_risk, health, lifecycle"),
        (["changes", "--scheme", "value", "--segment", "nope"], "segments: core, no revenue"),
        (["changes", "--run", "999"], "runs: "),
        (["migration", "--from", "999"], "has no stored snapshot; runs: "),
        (["history", "--scheme", "nope"], "schemes: churn_risk"),
        (["history", "--window", "soon"], "--window: expected a number of days"),
        (["history", "--kpi", "joy"], "--kpi: unknown KPI 'joy'; KPIs: revenue"),
        (["backfill", "--from", "2025-06-01", "--to", "2025-05-01"], "is after --to"),
        (["backfill", "--from", "2025-05-01", "--to", "2025-06-01", "--every", "2q"], "--every"),
        (["backfill", "--from", "2025-05-01", "--to", "2031-01-01"], "after the data ends"),
        (["backfill", "--from", "May", "--to", "2025-06-01"], "--from: expected a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(workspace, args: list[str], fragment: str) -> None:
    result = _cli(*args, "-w", workspace["root"])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_from_after_to_names_both_runs(workspace) -> None:
    early = workspace["backfill"].dates[0]["run_id"]
    late = workspace["latest"].run_id
    result = _cli("migration", "-w", workspace["root"], "--from", late, "--to", early)
    assert result.exit_code == 2
    assert f"--from run {late} (as of 2025-07-01) is after --to run {early}" in result.stderr


def _assert_korean(output: str) -> None:
    english = [
        entry["en"].split("{")[0].strip()
        for key, entry in MESSAGES.items()
        if key.split(".")[0] in ("history", "validity", "goals")
        and len(entry["en"].split("{")[0].strip()) > 4
    ]
    assert not [phrase for phrase in english if phrase in output], output
    assert any("\uac00" <= ch <= "\ud7a3" for ch in output)


@pytest.mark.parametrize(
    "command",
    [
        ["changes", "--scheme", "value"],
        ["migration", "--scheme", "value"],
        ["history", "--sizes-only"],
        ["validity", "--scheme", "health", "--horizon", "30d"],
    ],
    ids=lambda c: c[0],
)
def test_history_commands_speak_korean(workspace, command: list[str]) -> None:
    result = _cli(*command, "-w", workspace["root"], "--lang", "ko")
    assert result.exit_code == 0, result.output
    _assert_korean(result.stdout)


def _subscription_churn(root: Path, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Independent oracle: active at t = started before t and not ended before t."""
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        subs = store.frame("SELECT customer_id, started_at, ended_at FROM subscriptions")

    def active(t: pd.Timestamp) -> set[str]:
        ended_before = subs["ended_at"].notna() & (subs["ended_at"] < t)
        return set(subs.loc[(subs["started_at"] < t) & ~ended_before, "customer_id"].astype(str))

    at_start, at_end = active(start), active(end)
    return pd.Series({c: int(c not in at_end) for c in sorted(at_start)}, dtype="int64")


def test_validity_matches_an_independent_computation(workspace) -> None:
    import scipy.stats
    from sklearn.metrics import roc_auc_score

    root = workspace["root"]
    payload = _json("validity", "-w", root, "--scheme", "health", "--horizon", "30d")
    assert [a["as_of"][:10] for a in payload["as_ofs"]] == ["2025-05-01", "2025-06-01"]
    assert [u["as_of"][:10] for u in payload["unobserved"]] == ["2025-07-01"]
    assert payload["churn_definition"] == "subscription ends"
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        spend = store.frame(
            "SELECT customer_id, occurred_at, CAST(amount AS DOUBLE) AS amount FROM transactions"
        )
    pooled = []
    for entry in payload["as_ofs"]:
        start = pd.Timestamp(entry["as_of"])
        end = start + pd.Timedelta(days=30)
        churned = _subscription_churn(root, start, end)
        labels = pd.DataFrame(
            [(c, s) for c, s in _labels(root, entry["run_id"], "health").items()],
            columns=["customer_id", "segment"],
        )
        labels["churned"] = labels["customer_id"].map(churned)
        pooled.append(labels)
        window = spend[(spend["occurred_at"] >= start) & (spend["occurred_at"] < end)]
        revenue = window.groupby("customer_id")["amount"].sum()
        for seg in entry["segments"]:
            group = labels[labels["segment"] == seg["segment"]]
            at_risk = group["churned"].dropna()
            assert seg["customers"] == len(group) and seg["at_risk"] == len(at_risk)
            assert seg["churned"] == int(at_risk.sum())
            if len(at_risk):
                assert seg["churn_rate"] == pytest.approx(at_risk.mean())
                assert seg["ci_low"] <= seg["churn_rate"] <= seg["ci_high"]
            mean = group["customer_id"].map(revenue).fillna(0.0).mean()
            money = seg["revenue_per_customer"]
            assert money["value"] == pytest.approx(mean, rel=1e-9)
            assert money["ci_low"] <= money["value"] <= money["ci_high"]
    frame = pd.concat(pooled).dropna(subset=["churned"])
    table = pd.crosstab(frame["segment"], frame["churned"])
    expected = scipy.stats.chi2_contingency(table.to_numpy(), correction=False)
    summary = payload["summary"]
    assert summary["chi_square"]["statistic"] == pytest.approx(expected.statistic, rel=1e-9)
    assert summary["chi_square"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    rates = frame.groupby("segment")["churned"].mean()
    auc = roc_auc_score(frame["churned"].astype(int), frame["segment"].map(rates))
    assert summary["auc"] == pytest.approx(auc, rel=1e-12)
    assert summary["observations"] == len(frame)
    # Same input, same output (the revenue intervals are a seeded bootstrap).
    assert _json("validity", "-w", root, "--scheme", "health", "--horizon", "30d") == payload


def _labels(root: Path, run_id: int, scheme: str) -> dict[str, str]:
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        frame = store.snapshot_segments(run_id)
    frame = frame[frame["scheme"] == scheme]
    return dict(zip(frame["customer_id"].astype(str), frame["segment"].astype(str), strict=True))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["validity", "--scheme", "nope"], "schemes: churn_risk, health"),
        (["validity"], "validity needs --scheme; schemes: lifecycle"),
        (["validity", "--scheme", "health", "--horizon", "1y"], "--horizon: expected"),
        (["validity", "--scheme", "health", "--horizon", "400d"], "run `segmint backfill`"),
    ],
)
def test_validity_bad_input(workspace, args: list[str], fragment: str) -> None:
    result = _cli(*args, "-w", workspace["root"])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1


GOALS = """
goals:
  - {kpi: churn_rate, scheme: value, segment: small, target: 0.05, by: 2026-06-30}
  - {kpi: health_score, scheme: value, segment: core, target: 99, by: 2026-06-30, name: core health}
"""


@pytest.fixture
def with_goals(workspace, request):
    """The workspace's segmint.yaml with goals appended (restored afterwards)."""
    path = workspace["root"] / "segmint.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + getattr(request, "param", GOALS), encoding="utf-8")
    yield workspace
    path.write_text(original, encoding="utf-8")


def test_goals_show_the_latest_value_trend_and_projection(with_goals) -> None:
    import numpy as np

    root = with_goals["root"]
    payload = _json("goals", "-w", root)
    history = _json("history", "-w", root, "--scheme", "value")
    churn, health = payload["goals"]
    assert (churn["direction"], health["direction"]) == ("below", "above")
    assert health["name"] == "core health"
    for goal in (churn, health):
        values = [
            next(s for s in r["segments"] if s["segment"] == goal["segment"])["kpis"][goal["kpi"]]
            for r in history["runs"]
        ]
        # Two computations of the same KPI: DuckDB's parallel float sums may differ in the last bits.
        assert [p["value"] for p in goal["trend"]] == pytest.approx(
            [v["value"] for v in values], rel=1e-12
        )
        assert goal["latest"]["ci_low"] == pytest.approx(values[-1]["ci_low"], rel=1e-12)
        days = [
            (pd.Timestamp(p["as_of"]) - pd.Timestamp(goal["trend"][0]["as_of"])).days
            for p in goal["trend"]
        ]
        slope, intercept = np.polyfit(days, [p["value"] for p in goal["trend"]], 1)
        deadline = (pd.Timestamp("2026-06-30") - pd.Timestamp(goal["trend"][0]["as_of"])).days
        assert goal["projected"] == pytest.approx(intercept + slope * deadline, rel=1e-9, abs=1e-12)
        below = goal["direction"] == "below"
        assert goal["on_track"] == (
            goal["projected"] <= goal["target"] if below else goal["projected"] >= goal["target"]
        )
    assert health["on_track"] is False  # a health score of 99 is out of reach
    text = _cli("goals", "-w", root)
    assert text.exit_code == 0 and "core health" in text.stdout and "off track" in text.stdout
    korean = _cli("goals", "-w", root, "--lang", "ko")
    assert korean.exit_code == 0 and "달성 어려움" in korean.stdout
    _assert_korean(korean.stdout)


@pytest.mark.parametrize(
    ("with_goals", "fragment"),
    [
        (
            "\ngoals:\n  - {kpi: churn_rate, scheme: value, segment: tiny, target: 0.1, by: 2026-01-01}\n",
            "goals[0].segment: unknown segment 'tiny' in scheme 'value'; segments: core",
        ),
        (
            "\ngoals:\n  - {kpi: joy, scheme: value, segment: core, target: 0.1, by: 2026-01-01}\n",
            "goals[0].kpi: unknown KPI 'joy'; KPIs: revenue",
        ),
        (
            "\ngoals:\n  - {kpi: churn_rate, scheme: nope, segment: core, target: 0.1, by: 2026-01-01}\n",
            "goals[0].scheme: --scheme: unknown scheme 'nope'; schemes: churn_risk",
        ),
        (
            "\ngoals:\n  - {kpi: churn_rate, scheme: value, segment: core, target: 0.1, by: soon}\n",
            "goals",
        ),
    ],
    indirect=["with_goals"],
)
def test_goal_config_errors_name_the_goal(with_goals, fragment: str) -> None:
    result = _cli("goals", "-w", with_goals["root"])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_goal_status_without_a_trend_or_after_its_date() -> None:
    from segmint.analysis.goals import goal_status
    from segmint.config import GoalConfig

    goal = GoalConfig(kpi="churn_rate", scheme="s", segment="a", target=0.1, by="2025-01-01")
    one = [{"run_id": 1, "as_of": "2024-06-01T00:00:00", "value": 0.2}]
    status = goal_status(goal, one, one[0])
    assert status["on_track"] is None and "backfill" in status["reason"] and status["met"] is False
    late = [{"run_id": 2, "as_of": "2025-02-01T00:00:00", "value": 0.05}]
    status = goal_status(goal, one + late, late[0])
    assert status["on_track"] is True and "has passed" in status["reason"]
    two = [one[0], {"run_id": 3, "as_of": "2024-07-01T00:00:00", "value": 0.17}]
    status = goal_status(goal, two, two[-1])
    # 0.2 → 0.17 in 30 days: the line reaches 0.1 long before 2025-01-01.
    assert status["slope_per_day"] == pytest.approx(-0.001)
    assert status["projected"] == pytest.approx(0.2 - 0.001 * 214)
    assert status["on_track"] is True


def test_history_stage_records_changes_and_puts_validity_and_goals_in_the_report(workspace) -> None:
    from segmint.analysis.stages import segment_history
    from segmint.config import GoalConfig
    from segmint.run_context import RunContext
    from segmint.workspace.run_report import workspace_report
    from segmint.workspace_data import engine_tables

    root, latest = workspace["root"], workspace["latest"]
    goal = GoalConfig(
        kpi="churn_rate", scheme="value", segment="small", target=0.05, by="2026-06-30"
    )
    config = workspace["config"].model_copy(update={"goals": [goal]})
    config = config.model_copy(
        update={"churn": config.churn.model_copy(update={"horizon_days": 30})}
    )
    with open_store(root / config.database) as store:
        ctx = RunContext(
            root, config, store, engine_tables(config, store, root), latest.as_of, latest.run_id,
            customers=latest.customers, segments=latest.segments, tags=latest.tags,
            kpis=latest.kpis,
        )  # fmt: skip
        segment_history(ctx)
        history = ctx.outputs["history"]
        assert history["segment_changes"] == len(store.segment_changes(latest.run_id)) > 0
    assert {v["scheme"] for v in history["validity"]} >= {"lifecycle", "health", "value"}
    assert history["goals"]["goals"][0]["segment"] == "small"
    html = workspace_report(config, ctx.result(), lang="en")
    assert "Do the segments predict churn?" in html and "Goals" in html
    assert "chi-square" in html and "AUC" in html
    korean = workspace_report(config, ctx.result(), lang="ko")
    assert "세그먼트가 이탈을 예측하는가?" in korean and "Do the segments predict" not in korean
    # A run without a report (a backfill) records the changes only.
    with open_store(root / config.database) as store:
        quiet = RunContext(
            root, config, store, {}, latest.as_of, latest.run_id, write_report=False,
            segments=latest.segments,
        )  # fmt: skip
        segment_history(quiet)
    assert set(quiet.outputs["history"]) == {"segment_changes"}


def test_runs_store_their_kpis_and_history_reads_them(workspace) -> None:
    from segmint.analysis.workspace import kpi_options, options_key, run_kpis
    from segmint.workspace_data import engine_tables

    root, config = workspace["root"], workspace["config"]
    run = workspace["backfill"].dates[0]["run_id"]
    key = options_key(kpi_options(config), config.seed)
    with open_store(root / config.database, read_only=True) as store:
        stored = store.run_kpis(run, "value", options=key)
        assert stored is not None
        assert store.run_kpis(run, "value", options=options_key(kpi_options(config, 60), 0)) is None
        fresh = run_kpis(
            config, store, engine_tables(config, store, root), run_id=run,
            as_of=datetime(2025, 5, 1), schemes=["value"],
        )["value"]  # fmt: skip
    # Same numbers (to DuckDB's float summation order), after a JSON round trip.
    assert _close(json.loads(json.dumps(fresh)), stored)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9)
    return a == b


def _stored_payloads(root: Path, run_id: int) -> dict[str, tuple[str, dict[str, Any]]]:
    config = load_config(root)
    with open_store(root / config.database, read_only=True) as store:
        frame = store.frame(
            "SELECT scheme, options, payload FROM snapshot_kpis WHERE run_id = ?", [run_id]
        )
    return {
        str(s): (str(o), json.loads(p))
        for s, o, p in zip(frame["scheme"], frame["options"], frame["payload"], strict=True)
    }


def _store_payloads(root: Path, run_id: int, payloads: dict[str, tuple[str, dict]]) -> None:
    config = load_config(root)
    with open_store(root / config.database) as store:
        store.con.execute("DELETE FROM snapshot_kpis WHERE run_id = ?", [run_id])
        for options in {o for o, _ in payloads.values()}:
            chosen = {s: p for s, (o, p) in payloads.items() if o == options}
            store.save_run_kpis(run_id, chosen, options=options)


def _backfilled_runs(root: Path) -> list[int]:
    """The runs now standing for the backfilled dates (an earlier test may have replaced one)."""
    with open_store(root / "segmint.duckdb", read_only=True) as store:
        runs = store.dated_snapshot_runs()
    by_date = {
        pd.Timestamp(a).date(): int(r) for r, a in zip(runs["run_id"], runs["as_of"], strict=True)
    }
    return [by_date[d.date()] for d in BACKFILL]


def test_goals_read_the_stored_kpis_and_name_the_runs_they_recompute(with_goals) -> None:
    root = with_goals["root"]
    older, newer = _backfilled_runs(root)
    saved = {run: _stored_payloads(root, run) for run in (older, newer)}
    assert saved[older] and saved[newer]
    # A stored value no computation would give proves the goal reads the stored payload.
    marked = json.loads(json.dumps(saved[newer]))
    small = next(s for s in marked["value"][1]["segments"] if s["segment"] == "small")
    small["kpis"]["churn_rate"]["value"] = 0.4321
    try:
        _store_payloads(root, newer, marked)
        _store_payloads(root, older, {})  # as if the run predated stored KPIs
        payload = _json("goals", "-w", root)
        text = _cli("goals", "-w", root)
        korean = _cli("goals", "-w", root, "--lang", "ko")
    finally:
        for run, payloads in saved.items():
            _store_payloads(root, run, payloads)
    assert payload["recomputed_runs"] == [older]
    churn = payload["goals"][0]
    points = {p["run_id"]: p for p in churn["trend"]}
    assert points[newer]["value"] == 0.4321 and points[newer]["kpis_source"] == "stored"
    assert points[older]["kpis_source"] == "recomputed"
    original = next(s for s in saved[older]["value"][1]["segments"] if s["segment"] == "small")[
        "kpis"
    ]["churn_rate"]["value"]
    assert points[older]["value"] == pytest.approx(original, rel=1e-12)
    assert text.exit_code == 0
    assert f"KPIs of run(s) {older} were recomputed" in " ".join(text.stdout.split())
    assert korean.exit_code == 0 and f"실행 {older}의 KPI는" in " ".join(korean.stdout.split())
    again = _json("goals", "-w", root)
    assert again["recomputed_runs"] == [] and {
        p["kpis_source"] for p in again["goals"][0]["trend"]
    } == {"stored"}


def test_the_report_goals_section_names_the_recomputed_runs() -> None:
    from segmint.report.history_sections import goals_section

    goal = {
        "name": "small churn", "kpi": "churn_rate", "scheme": "value", "segment": "small",
        "target": 0.05, "by": "2026-06-30", "direction": "below", "projected": 0.04,
        "on_track": True, "latest": {"value": 0.03, "ci_low": 0.01, "ci_high": 0.06},
    }  # fmt: skip
    quiet = goals_section({"goals": [goal], "recomputed_runs": []})
    assert quiet is not None and "recomputed" not in quiet.intro
    noted = goals_section({"goals": [goal], "recomputed_runs": [2, 3]})
    assert noted is not None and "KPIs of run(s) 2, 3 were recomputed" in noted.intro
    korean = goals_section({"goals": [goal], "recomputed_runs": [2, 3]}, lang="ko")
    assert korean is not None and "실행 2, 3의 KPI는" in korean.intro
