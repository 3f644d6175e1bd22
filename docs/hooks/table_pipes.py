"""MkDocs hook: a `\\|` inside a code span of a table row becomes `|` on the site.

GitHub needs the backslash to keep a pipe inside a code span in one table cell; Python-Markdown
already keeps code spans in one cell and would print the backslash. The pages stay readable on
both.
"""

from __future__ import annotations

import re
from typing import Any

_CODE_SPAN = re.compile(r"`[^`\n]*`")


def _unescape_pipes(line: str) -> str:
    return _CODE_SPAN.sub(lambda match: match.group(0).replace("\\|", "|"), line)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Return the page with escaped pipes unescaped inside the code spans of table rows."""
    lines, in_fence = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        lines.append(_unescape_pipes(line) if not in_fence and line.startswith("|") else line)
    return "\n".join(lines)
