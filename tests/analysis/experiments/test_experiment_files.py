"""`segmint experiment analyze --assignments --outcomes`: results from files and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from segmint.cli import _register_commands, app

_register_commands()


def invoke(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(4)
    n = 2_000
    ids = [f"C{i:04d}" for i in range(n)]
    variant = np.where(np.arange(n) % 2 == 0, "control", "treatment")
    segment = np.where(np.arange(n) % 3 == 0, "smb", "enterprise")
    pd.DataFrame({"customer_id": ids, "variant": variant, "tier": segment}).to_csv(
        tmp_path / "assign.csv", index=False
    )
    rows = []
    for i, cid in enumerate(ids):
        spend = rng.gamma(2.0, 20.0)
        for when, scale in (
            ("2024-02-10", 1.0),
            ("2024-03-10", 1.15 if variant[i] == "treatment" else 1.0),
        ):
            if rng.random() < 0.5:
                rows.append((cid, when, round(spend * scale * rng.uniform(0.8, 1.2), 2)))
    rows.append(("STRANGER", "2024-03-12", 10.0))  # never assigned
    pd.DataFrame(rows, columns=["customer_id", "occurred_at", "amount"]).to_csv(
        tmp_path / "orders.csv", index=False
    )
    return {"assign": tmp_path / "assign.csv", "orders": tmp_path / "orders.csv", "dir": tmp_path}


def analyze_json(files: dict[str, Path], *extra: object) -> dict:
    result = invoke(
        "experiment", "analyze", "--assignments", files["assign"], "--outcomes", files["orders"],
        "--start", "2024-03-01", "--end", "2024-04-01", "--json", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_file_results_have_the_documented_shape(files: dict[str, Path]) -> None:
    payload = analyze_json(files, "--metric", "revenue", "--segment-col", "tier")
    assert {"experiment", "metric", "srm_p_value", "srm_flag", "results"} <= set(payload)
    row_keys = {"segment", "variant", "users", "mean", "std", "uplift_abs", "uplift_rel", "ci_low",
                "ci_high", "p_value", "p_value_adjusted", "chance_to_win", "expected_loss", "cuped"}  # fmt: skip
    assert all(set(r) == row_keys for r in payload["results"])
    assert [r["segment"] for r in payload["results"]] == ["all"] * 2 + ["enterprise"] * 2 + [
        "smb"
    ] * 2
    treated = payload["results"][1]
    assert treated["users"] == 1_000 and payload["results"][0]["users"] == 1_000
    # the pre-period (February, same length) is in the outcomes: CUPED applies
    assert treated["cuped"]["variance_reduction"] > 0.05
    assert treated["ci_low"] < treated["uplift_rel"] < treated["ci_high"]
    assert treated["chance_to_win"] > 0.5
    segment_p = [
        r["p_value_adjusted"] for r in payload["results"][2:] if r["variant"] == "treatment"
    ]
    assert all(p is not None for p in segment_p)
    unassigned = [w for w in payload["warnings"] if w["code"] == "unassigned_outcomes"]
    assert unassigned and unassigned[0]["customers"] == 1


def test_same_files_same_output(files: dict[str, Path]) -> None:
    first = analyze_json(files, "--metric", "revenue")
    shuffled = pd.read_csv(files["assign"]).sample(frac=1, random_state=2)
    shuffled.to_csv(files["assign"], index=False)
    assert analyze_json(files, "--metric", "revenue") == first


def test_customers_without_outcome_rows_count_as_zero(files: dict[str, Path]) -> None:
    payload = analyze_json(files, "--metric", "conversion", "--no-cuped")
    frame = pd.read_csv(files["orders"])
    march = frame[frame["occurred_at"] >= "2024-03-01"]
    bought = set(march["customer_id"]) - {"STRANGER"}
    total = sum(r["mean"] * r["users"] for r in payload["results"][:2])
    assert total == pytest.approx(len(bought))
    assert sum(r["users"] for r in payload["results"][:2]) == 2_000


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("assignments", "extra", "message"),
    [
        ("customer_id,variant\nA,control\nB,treatment\nA,treatment\n", [],
         "customer 'A' is in two variants (control on line 2, treatment on line 4)"),
        ("customer_id,variant\nA,control\nB,treatmnt\n", ["--variants", "control:50,treatment:50"],
         "line 3: unknown variant 'treatmnt'; variants: control, treatment"),
        ("customer_id,variant\nA,control\nB,treatment\n", ["--control", "baseline"],
         "--control: no variant 'baseline'; variants: control, treatment"),
        ("customer_id,variant\nA,treatment\nB,treatment\n", ["--variants", "control:50,treatment:50"],
         "control variant 'control' has no users"),
        ("customer_id,arm\nA,\n", [], "line 2: empty variant"),
        ("user,variant\nA,control\n", [], "required column 'customer_id' not found"),
    ],
    ids=["two-variants", "unknown-variant", "no-such-control", "empty-control", "blank", "no-id"],
)  # fmt: skip
def test_bad_assignments_are_one_line_errors(
    files: dict[str, Path], assignments: str, extra: list[str], message: str
) -> None:
    path = write(files["dir"] / "bad.csv", assignments)
    result = invoke(
        "experiment", "analyze", "--assignments", path, "--outcomes", files["orders"],
        "--start", "2024-03-01", *extra,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_empty_treatment_arm_is_a_named_warning(files: dict[str, Path]) -> None:
    path = write(
        files["dir"] / "one-arm.csv",
        "customer_id,variant\nC0000,control\nC0001,control\nC0002,control\n",
    )
    result = invoke(
        "experiment", "analyze", "--assignments", path, "--outcomes", files["orders"],
        "--start", "2024-03-01", "--variants", "control:50,treatment:50", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    codes = [w["code"] for w in payload["warnings"]]
    assert "empty_arm" in codes and "srm" not in codes or payload["srm_flag"] is False
    assert payload["results"][1]["users"] == 0 and payload["results"][1]["uplift_rel"] is None


def test_small_segments_are_warned_with_their_mde(files: dict[str, Path]) -> None:
    payload = analyze_json(files, "--segment-col", "tier", "--min-users", "400")
    small = [w for w in payload["warnings"] if w["code"] == "small_segment"]
    assert [w["segment"] for w in small] == ["smb"]
    assert "MDE" in small[0]["message"]
    info = {s["segment"]: s for s in payload["segments"]}
    assert info["smb"]["mde"] > info["enterprise"]["mde"] > 0


def test_text_output_shows_the_srm_check_and_the_table(files: dict[str, Path]) -> None:
    result = invoke(
        "experiment", "analyze", "--assignments", files["assign"], "--outcomes", files["orders"],
        "--start", "2024-03-01", "--end", "2024-04-01", "--metric", "revenue",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sample ratio check: p = " in result.stdout
    assert "treatment" in result.stdout and "CUPED (treatment): theta" in result.stdout
    assert "unassigned_outcomes" in result.stderr
