"""The message catalogue: every key in both languages, placeholders, language detection."""

from __future__ import annotations

import string

import pytest

from segmint.i18n import LANGUAGES, MESSAGES, detect_lang, segment_label, t

RFM_KOREAN = {
    "Champions": "챔피언",
    "Loyal Customers": "충성 고객",
    "Potential Loyalists": "잠재 충성 고객",
    "New Customers": "신규 고객",
    "Promising": "유망 고객",
    "Need Attention": "관심 필요",
    "About to Sleep": "휴면 직전",
    "At Risk": "이탈 위험",
    "Can't Lose Them": "놓치면 안 되는 고객",
    "Hibernating": "동면 고객",
    "Lost": "이탈 고객",
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES)
    assert _fields(entry["en"]) == _fields(entry["ko"])


def test_korean_texts_are_korean() -> None:
    korean = [key for key in MESSAGES if any("가" <= ch <= "힣" for ch in MESSAGES[key]["ko"])]
    assert len(korean) >= 0.9 * len(MESSAGES)


def test_rfm_segment_names() -> None:
    for name, korean in RFM_KOREAN.items():
        assert segment_label(name, "ko") == korean
        assert segment_label(name, "en") == name
    assert segment_label("My <own> segment", "ko") == "My <own> segment"


def test_t_fills_placeholders_and_rejects_unknowns() -> None:
    assert t("cli.wrote", "en", path="out/report.html") == "Wrote out/report.html"
    assert t("cli.wrote", "ko", path="a.html") == "a.html 저장됨"
    assert t("summary.heading", "ko") == "요약"
    with pytest.raises(KeyError, match="no.such.key"):
        t("no.such.key", "en")
    with pytest.raises(ValueError, match="allowed: en, ko"):
        t("summary.heading", "fr")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"SEGMINT_LANG": "ko", "LANG": "en_US.UTF-8"}, "ko"),
        ({"SEGMINT_LANG": "en", "LANG": "ko_KR.UTF-8"}, "en"),
        ({"SEGMINT_LANG": "", "LANG": "KO_kr"}, "ko"),
        ({"LANG": "C"}, "en"),
    ],
)
def test_detect_lang(environ: dict[str, str], expected: str) -> None:
    assert detect_lang(environ) == expected


def test_detect_lang_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMINT_LANG", "ko")
    assert detect_lang() == "ko"
    monkeypatch.delenv("SEGMINT_LANG")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert detect_lang() == "en"
