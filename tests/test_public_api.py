"""Every name in segmint.__all__ resolves."""

from __future__ import annotations

import segmint


def test_every_public_name_resolves() -> None:
    for name in segmint.__all__:
        assert getattr(segmint, name) is not None, name
