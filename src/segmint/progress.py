"""Progress of long commands: numbered stages (k of n) with the counts known so far."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Stage:
    """One stage of a long command: its key, k of n, what it works on and the counts known."""

    scope: str
    key: str
    index: int
    total: int
    subject: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)
    parent: Stage | None = None


OnStage = Callable[[Stage], None]


def _ignore(_stage: Stage) -> None:
    return None


class StagePlan:
    """Numbers the planned stages of one command and reports each one as it starts."""

    def __init__(self, scope: str, keys: Sequence[str], on_stage: OnStage | None = None) -> None:
        self.scope = scope
        self.keys = list(keys)
        self._on_stage = on_stage or _ignore
        self._started = 0
        self._current: Stage | None = None

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def start(self, key: str, *, subject: str = "", **counts: int) -> None:
        """Report that stage `key` starts (the next of the plan), with counts known so far."""
        self._started += 1
        self._current = Stage(
            self.scope,
            key,
            min(self._started, len(self.keys)),
            len(self.keys),
            subject=subject,
            counts={name: int(value) for name, value in counts.items()},
        )
        self._on_stage(self._current)

    def nested(self) -> OnStage:
        """Return a callback for a sub-command's stages, shown inside the current stage."""

        def report(stage: Stage) -> None:
            self._on_stage(replace(stage, parent=self._current))

        return report
