"""Churn driver sentences in the reader's language.

The churn model stores each driver as an English sentence (scores.churn.explain), e.g.
"usage trend 0.40 vs typical 1.00 (60% lower): raises risk by 12 pts". This module reads those
sentences back into their parts and says them again in another language.
"""

from __future__ import annotations

import re

from segmint.i18n import has_message, t

_EFFECT = re.compile(r"^(?P<description>.+): (?P<verb>raises|lowers) risk by (?P<pts>\d+) pts$")
_NUMBER = r"-?[\d,]+(?:\.\d+)?"
_DESCRIPTIONS = (
    (
        "driver.level",
        re.compile(r"^(?P<label>.+) is '(?P<value>.*)' \(most common: '(?P<typical>.*)'\)$"),
    ),
    (
        "driver.missing",
        re.compile(rf"^(?P<label>.+) is missing \(typical (?P<typical>{_NUMBER})\)$"),
    ),
    (
        "driver.times_typical",
        re.compile(
            rf"^(?P<label>.+) (?P<value>{_NUMBER}) vs typical (?P<typical>{_NUMBER}) "
            rf"\((?P<ratio>[\d.]+)× typical\)$"
        ),
    ),
    (
        "driver.higher",
        re.compile(
            rf"^(?P<label>.+) (?P<value>{_NUMBER}) vs typical (?P<typical>{_NUMBER}) "
            rf"\((?P<pct>\d+)% higher\)$"
        ),
    ),
    (
        "driver.lower",
        re.compile(
            rf"^(?P<label>.+) (?P<value>{_NUMBER}) vs typical (?P<typical>{_NUMBER}) "
            rf"\((?P<pct>\d+)% lower\)$"
        ),
    ),
    (
        "driver.vs_typical",
        re.compile(rf"^(?P<label>.+) (?P<value>{_NUMBER}) vs typical (?P<typical>{_NUMBER})$"),
    ),
)
_WINDOW_LABEL = re.compile(r"^(?P<words>.+) \(last (?P<days>\d+) days\)$")


def churn_driver_text(text: object, lang: str) -> object:
    """Return a stored churn driver sentence in `lang`; other values come back unchanged."""
    if lang == "en" or not isinstance(text, str):
        return text
    effect = _EFFECT.match(text)
    if effect is None:
        return text
    description = effect["description"]
    for key, pattern in _DESCRIPTIONS:
        found = pattern.match(description)
        if found is not None:
            parts = found.groupdict()
            name = _feature_name(parts.pop("label"), lang)
            description = t(key, lang, name=name, **parts)
            break
    return t(f"driver.{effect['verb']}", lang, description=description, pts=effect["pts"])


def _feature_name(label: str, lang: str) -> str:
    """Return the feature behind an English label ("orders (last 30 days)") in `lang`."""
    window = _WINDOW_LABEL.match(label)
    column = (
        f"{window['words'].replace(' ', '_')}_{window['days']}d"
        if window
        else label.replace(" ", "_")
    )
    key = f"feature.{column}"
    return t(key, lang) if has_message(key) else column
