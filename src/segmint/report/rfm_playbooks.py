"""What to do with each named RFM segment: a default next step per segment, overridable in config."""

from __future__ import annotations

from collections.abc import Mapping

from segmint.i18n import has_message, t
from segmint.segments.rfm_names import DEFAULT_RFM_SEGMENT_MAP


def rfm_playbooks(lang: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return segment name → action: the defaults in `lang`, replaced by `overrides` (rfm.playbooks)."""
    actions = {
        rule.name: t(f"rfm_playbook.{rule.name}", lang)
        for rule in DEFAULT_RFM_SEGMENT_MAP
        if has_message(f"rfm_playbook.{rule.name}")
    }
    actions.update({str(name): str(text) for name, text in (overrides or {}).items()})
    return actions
