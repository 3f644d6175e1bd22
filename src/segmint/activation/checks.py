"""`segmint validate` for the `destinations:` section: secrets, URLs, schemes, tags and columns."""

from __future__ import annotations

import os
from collections.abc import Iterable

from segmint.activation.destination_config import PostgresDestination, WebhookDestination
from segmint.config import SegmintConfig
from segmint.i18n import t


def destination_problems(
    config: SegmintConfig, columns: Iterable[str], *, lang: str = "en"
) -> list[str]:
    """Return one line per problem of the configured destinations, in `lang` (empty: all well)."""
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
            problems.append(t("validate.destination_env", lang, where=f"{where}.{key}", env=env))
        if destination.pii == "hash" and not os.environ.get(config.privacy.salt_env):
            problems.append(
                t("validate.destination_salt", lang, where=where, env=config.privacy.salt_env)
            )
        if isinstance(destination, WebhookDestination) and destination.actions:
            problems += _action_problems(config, destination, where, lang)
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
            t("validate.destination_scheme", lang, where=where, name=repr(s),
              known=", ".join(sorted(schemes)) or "-")
            for s in wanted_schemes
            if s not in schemes
        ]  # fmt: skip
        problems += [
            t("validate.destination_tag", lang, where=where, name=repr(tag),
              known=", ".join(sorted(tags)) or "-")
            for tag in wanted_tags
            if tag not in tags
        ]  # fmt: skip
        if known_columns:
            problems += [
                t("validate.destination_column", lang, where=where, name=repr(c))
                for c in wanted_columns
                if c not in known_columns
            ]
    return problems


def _action_problems(
    config: SegmintConfig, destination: WebhookDestination, where: str, lang: str
) -> list[str]:
    """Return the problems of an `actions: true` webhook: no playbooks, unknown ones, no salt."""
    problems: list[str] = []
    if not config.playbooks:
        problems.append(t("validate.destination_no_playbooks", lang, where=where))
    known = ", ".join(sorted(config.playbooks)) or "-"
    problems += [
        t("validate.destination_playbook", lang, where=where, name=repr(p), known=known)
        for p in destination.playbooks
        if p not in config.playbooks
    ]
    if destination.message == "hash" and not os.environ.get(config.privacy.salt_env):
        problems.append(
            t("validate.destination_message_salt", lang, where=where, env=config.privacy.salt_env)
        )
    return problems
