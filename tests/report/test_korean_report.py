"""Korean all the way: the `run` and `analyze` reports rendered with lang="ko" hold no English UI word.

An English UI word is a word of the message catalogue's English side (3+ letters) that its Korean
side does not use too (MRR, AUC, segmint stay as they are). Before looking, the test removes what
is allowed to stay untranslated: names from segmint.yaml (workspace, schemes, segments, tags, tier
names, playbook texts), column and feature names, the customers' own data values (names, industries,
countries), and technical detail explicitly marked lang="en".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from segmint.config import SegmintConfig, load_config
from segmint.i18n import MESSAGES
from segmint.segments.clustering.labels import human_name
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import RunResult, run_workspace
from segmint.workspace.run_report import PreviousRun, workspace_report

WORD = re.compile(r"[A-Za-z][A-Za-z']+")
# Score outputs whose values the report translates: their values are not "data" to allow.
TRANSLATED_VALUE_COLUMNS = {"churn_risk", "health_band", "icp_band", "rfm_segment", "health_trend"}


def english_ui_words() -> set[str]:
    """Return the catalogue's English words that its Korean side does not also use."""
    english: set[str] = set()
    korean: set[str] = set()
    for key, entry in MESSAGES.items():
        if key.startswith("cli."):
            continue  # terminal messages, not report text
        english |= {w.lower() for w in WORD.findall(_placeholders_out(entry["en"]))}
        # file names (customers.csv) in a Korean sentence do not make their words Korean UI
        korean_text = re.sub(
            r"\S+\.(?:csv|json|html)(?![A-Za-z])", " ", _placeholders_out(entry["ko"])
        )
        korean |= {w.lower() for w in WORD.findall(korean_text)}
    return {w for w in english - korean if len(w) >= 3}


def _placeholders_out(text: str) -> str:
    """Drop {placeholders}, quoted names and `config keys`: they are not words of the sentence."""
    return re.sub(r"\{[^}]*\}|\"[^\"]*\"|`[^`]*`", " ", text)


class VisibleText(HTMLParser):
    """Collects the text a reader sees, leaving out styles and elements marked lang="en"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marked_english = tag != "html" and dict(attrs).get("lang") == "en"
        if self._skip or tag in ("style", "script") or marked_english:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def config_names(config: SegmintConfig) -> set[str]:
    """Return every name and text that segmint.yaml gives (allowed to stay as written)."""
    names = {config.name}
    for scheme in config.schemes:
        names.add(scheme.name)
        dumped = scheme.model_dump()
        names |= {str(r.get("segment")) for r in dumped.get("rules") or [] if isinstance(r, dict)}
        if dumped.get("default"):
            names.add(str(dumped["default"]))
    names |= {tag.name for tag in config.tags}
    for segment, playbook in config.playbooks.items():
        names |= {segment, playbook.action, playbook.channel, playbook.owner}
        trigger = playbook.trigger_for(segment)
        names.add(str(getattr(trigger, trigger.kind)))  # the segment, tag or score it names
    if config.tiers is not None:
        names |= {str(v) for v in (config.tiers.tier_names or {}).values()}
    return names


def data_names(frame: pd.DataFrame) -> set[str]:
    """Return column names (raw and in words) and the frame's own text values."""
    names: set[str] = set()
    for column in frame.columns:
        names |= {str(column), human_name(str(column))}
        if column in TRANSLATED_VALUE_COLUMNS:
            continue
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            names |= {str(v) for v in frame[column].dropna().unique()}
    return names


def english_left(html: str, allowed: set[str]) -> set[str]:
    """Return the English UI words left in the report once the allowed names are removed."""
    text = visible_text(html)
    for name in sorted((n for n in allowed if n and n.strip()), key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", text)
    return {w.lower() for w in WORD.findall(text)} & english_ui_words()


@pytest.fixture(scope="module")
def saas_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[SegmintConfig, RunResult]:
    root = tmp_path_factory.mktemp("saas-ko")
    init_workspace(root, example="saas", n_accounts=200, seed=5)
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        result = run_workspace(root, config, store, write_report=False)
    return config, result


def _previous(result: RunResult) -> tuple[RunResult, PreviousRun]:
    """Return the run with health changes and a previous run where some accounts sat elsewhere."""
    customers = result.customers.copy()
    rng = np.random.default_rng(0)
    customers["health_change"] = rng.normal(0, 12, len(customers)).round(1)
    customers["health_trend"] = np.where(customers["health_change"] < -5, "down", "up")
    before = result.segments.copy()
    moved = before.index[::7]
    before.loc[moved, "segment"] = before.loc[moved[::-1], "segment"].to_numpy()
    changed = RunResult(
        result.run_id, result.as_of, customers, result.segments, result.tags, ["CLV not computed: x"],
        result.diagnostics,
    )  # fmt: skip
    return changed, PreviousRun(result.run_id - 1, "2025-06-01", before)


def test_english_ui_words_are_words_people_read() -> None:
    words = english_ui_words()
    assert {"customers", "segment", "playbook", "share", "attention"} <= words
    assert "mrr" not in words and "auc" not in words  # used as-is in Korean too


def test_run_report_in_korean_has_no_english_ui_word(saas_run: Any) -> None:
    config, result = saas_run
    changed, previous = _previous(result)
    html = workspace_report(config, changed, lang="ko", previous=previous)
    allowed = config_names(config) | data_names(changed.customers)
    allowed |= {str(s) for s in result.segments["segment"].unique()} - set(TRANSLATED_SEGMENT_NAMES)
    # The action queue's messages are the config's own templates filled in; a command is a name.
    queue = changed.diagnostics.get("actions") or {}
    allowed |= {str(r["message"]) for r in queue.get("top_due", []) if r["message"]}
    allowed.add("segmint actions")
    left = english_left(html, allowed)
    assert not left, f"English UI words in the Korean run report: {sorted(left)}"
    # the sections that must be there, in Korean
    for heading in (
        "지금 살펴볼 고객",
        "지난 실행 이후 이동",
        "건강 점수의 큰 변화",
        "이탈 예측 모델",
    ):
        assert heading in html


def test_run_report_in_english_has_the_same_sections(saas_run: Any) -> None:
    config, result = saas_run
    changed, previous = _previous(result)
    html = workspace_report(config, changed, lang="en", previous=previous)
    text = visible_text(html)
    for heading in (
        "What needs attention",
        "Movements since the previous run",
        "Biggest changes in health",
        "RFM segments and what to do",
    ):
        assert heading in text
    # every segment and tag has a playbook or says that none is mapped
    assert "CSM call within 5 days; review the usage drop (call, CSM team)" in text
    assert "no playbook mapped" in text
    assert "{'" not in text and ".000" not in text  # no raw dicts, no float counts
    # the English report would fail the Korean check: the check can fail
    allowed = config_names(config) | data_names(changed.customers)
    assert len(english_left(html, allowed)) > 20


def test_analyze_report_in_korean_has_no_english_ui_word(tmp_path: Path) -> None:
    from segmint.analyze import analyze_file

    rng = np.random.default_rng(3)
    n = 1500
    orders = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in rng.integers(0, 150, n)],
            "order_date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "amount": rng.gamma(2, 30, n).round(2),
        }
    )
    orders.loc[::97, "customer_id"] = ""  # some rows are rejected, so the quality block shows
    path = tmp_path / "orders.csv"
    orders.to_csv(path, index=False)
    result = analyze_file(path, out_dir=tmp_path / "out", lang="ko")
    html = result.files["report"].read_text(encoding="utf-8")
    columns = result.summary["columns"]
    allowed = data_names(result.customers) | {"orders.csv", "utf-8"}
    allowed |= {str(c) for c in columns} | {str(c) for c in columns.values() if c}
    allowed |= {human_name(str(c)) for c in columns}
    allowed |= set(result.rejected.get("raw", pd.Series(dtype=str)).astype(str))
    left = english_left(html, allowed)
    assert not left, f"English UI words in the Korean analyze report: {sorted(left)}"
    assert "권장 조치" in html  # the RFM "what to do" column


TRANSLATED_SEGMENT_NAMES = {
    key.removeprefix("segment.") for key in MESSAGES if key.startswith("segment.")
}


def test_run_command_takes_lang_and_rejects_unknown_ones(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from segmint.cli import _register_commands, app

    _register_commands()
    result = CliRunner().invoke(app, ["run", "-w", str(tmp_path), "--lang", "fr"])
    assert result.exit_code == 2
    assert "--lang: unknown language 'fr'; allowed: en, ko" in result.output
    assert "Traceback" not in result.output
