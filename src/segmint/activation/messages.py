"""Action messages: Jinja2 templates over customer fields, rendered in a sandbox."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta
from jinja2.nodes import Template as TemplateNode
from jinja2.sandbox import SandboxedEnvironment

# Names a template may use besides the customer's fields.
CONTEXT_NAMES = ("playbook", "action", "owner", "as_of")


def _blank_none(value: Any) -> Any:
    # A field with no value for this customer prints as nothing, not "None" or "nan".
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    # Sandboxed: a template can read fields and use filters but not reach Python internals.
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_blank_none,
        keep_trailing_newline=False,
    )


def parse_template(source: str) -> TemplateNode:
    """Return the parsed template; raise ValueError with the line of a syntax error."""
    try:
        return _environment().parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"message template, line {exc.lineno}: {exc.message}") from None


@lru_cache(maxsize=256)
def template_fields(source: str) -> frozenset[str]:
    """Return the names a message template reads (customer fields and context names)."""
    return frozenset(meta.find_undeclared_variables(parse_template(source)))


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    # One compile per template and process, not one per customer.
    return _environment().from_string(source)


def render_message(source: str, fields: Mapping[str, Any]) -> str:
    """Return the template rendered with `fields`; raise ValueError naming what failed."""
    try:
        return _compiled(source).render(dict(fields))
    except TemplateError as exc:
        raise ValueError(f"message template: {exc}") from None
