"""`segmint validate` for the `destinations:` section: secrets, URLs, schemes, tags and columns."""

from __future__ import annotations

import os
from collections.abc import Iterable

from segmint.activation.destination_config import PostgresDestination, WebhookDestination
from segmint.config import SegmintConfig


def destination_problems(config: SegmintConfig, columns: Iterable[str]) -> list[str]:
    """Return one line per problem of the configured destinations (empty when all is well)."""
    known_columns = set(columns)
    schemes = {s.name for s in config.schemes} | ({"tier"} if config.tiers is not None else set())
    tags = {t.name for t in config.tags}
    problems: list[str] = []
    for name, destination in config.destinations.items():
        where = f"destinations.{name}"
        env = (
            destination.secret_env
            if isinstance(destination, WebhookDestination)
            else destination.url_env
        )
        key = "secret_env" if isinstance(destination, WebhookDestination) else "url_env"
        if not os.environ.get(env):
            problems.append(f"{where}.{key}: environment variable {env} is not set")
        if destination.pii == "hash" and not os.environ.get(config.privacy.salt_env):
            problems.append(
                f"{where}.pii: hash needs a salt in the environment variable "
                f"{config.privacy.salt_env} (privacy.salt_env), which is not set"
            )
        wanted_schemes: list[str] = []
        wanted_tags: list[str] = []
        wanted_columns = list(destination.columns)
        if isinstance(destination, WebhookDestination):
            wanted_schemes = [destination.scheme] if destination.scheme else []
            wanted_tags = [destination.tag] if destination.tag else []
        elif isinstance(destination, PostgresDestination):
            wanted_schemes, wanted_tags = destination.schemes, destination.tags
            wanted_columns += destination.scores
        problems += [
            f"{where}: unknown scheme {s!r}; schemes: {', '.join(sorted(schemes)) or 'none'}"
            for s in wanted_schemes
            if s not in schemes
        ]
        problems += [
            f"{where}: unknown tag {t!r}; tags: {', '.join(sorted(tags)) or 'none'}"
            for t in wanted_tags
            if t not in tags
        ]
        if known_columns:
            problems += [
                f"{where}: unknown column {c!r} (not a feature or score)"
                for c in wanted_columns
                if c not in known_columns
            ]
    return problems
