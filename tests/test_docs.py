"""The docs document every command, config key and public name (datasette's test_docs idea).

The reference lives in the MkDocs site under docs/ (`make docs` builds it with --strict); the
README is the short landing page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
import yaml

import segmint
from segmint.cli import _register_commands, app
from segmint.config import ChurnConfig, CLVConfig, RFMConfig, SegmintConfig, SourceConfig

REPO = Path(__file__).resolve().parents[1]
DOCS_DIR = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")
PAGES = {path.name: path.read_text(encoding="utf-8") for path in sorted(DOCS_DIR.glob("*.md"))}
USAGE = PAGES["usage.md"]
CONFIGURATION = PAGES["configuration.md"]
README_MAX_LINES = 300
# Paths that exist on one machine only; docs use paths relative to the repository.
MACHINE_PATH = re.compile(r"(?<![\w.~])/(?:work|tmp|root|home|Users)/")
_register_commands()


def _commands(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or c.callback.__name__}" for c in typer_app.registered_commands]  # type: ignore[union-attr]
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names += _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


@pytest.mark.parametrize("command", _commands(app))
def test_every_command_is_in_the_command_table(command: str) -> None:
    assert f"`segmint {command}" in USAGE, f"segmint {command} missing from docs/usage.md"


def test_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make demo" in first_screen and "make test" in first_screen


def test_readme_is_a_short_landing_page() -> None:
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move reference text into docs/"


@pytest.mark.parametrize(
    ("model", "prefix"),
    [(SegmintConfig, ""), (ChurnConfig, "churn."), (CLVConfig, "clv."), (RFMConfig, "rfm.")],
)
def test_every_config_key_is_documented(model: type, prefix: str) -> None:
    for key in model.model_fields:  # type: ignore[attr-defined]
        name = f"{prefix}{key}"
        documented = (
            f"`{name}`" in CONFIGURATION or f"`{name}." in CONFIGURATION
        )  # a section documents its keys
        assert documented, f"{name} missing from docs/configuration.md"


def test_every_source_key_is_documented() -> None:
    section = CONFIGURATION.split("A source:")[1].split("\n## ")[0]
    for key in SourceConfig.model_fields:
        assert re.search(rf"`{key}`", section), key


def _api_entries() -> set[str]:
    return set(re.findall(r"^::: (segmint\.[\w.]+)$", PAGES["api.md"], flags=re.MULTILINE))


def test_every_public_name_has_an_api_reference_entry() -> None:
    exports: dict[str, str] = segmint._EXPORTS
    expected = {f"{module}.{name}" for name, module in exports.items()}
    assert expected - _api_entries() == set(), "add these to docs/api.md"
    assert _api_entries() - expected == set(), "docs/api.md documents names outside segmint.__all__"


def test_every_page_is_in_the_nav() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    in_nav = set(re.findall(r"[\w-]+\.md", str(config["nav"])))
    assert in_nav == set(PAGES), "docs/*.md and the nav of mkdocs.yml differ"


@pytest.mark.parametrize("name", ["README.md", *(f"docs/{page}" for page in PAGES), "mkdocs.yml"])
def test_no_absolute_path_of_one_machine(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    found = [line for line in text.splitlines() if MACHINE_PATH.search(line)]
    assert found == [], f"{name}: use paths relative to the repository: {found[:3]}"


def _heading_anchors(markdown: str) -> set[str]:
    """Return the anchors of a page's headings (GitHub and MkDocs agree on these ASCII slugs)."""
    headings = re.findall(
        r"^#{1,6} (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL), flags=re.MULTILINE
    )
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings
    }


def test_readme_links_point_at_existing_pages_and_sections() -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#([^)]*))?\)", README)
    local = [(target, anchor) for target, anchor in links if "://" not in target]
    assert local, "the README links into docs/"
    assert [target for target, _ in local if not (REPO / target).exists()] == []
    for target, anchor in local:
        if anchor:
            assert anchor in _heading_anchors((REPO / target).read_text(encoding="utf-8")), (
                f"{target}#{anchor}"
            )


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"\n{heading}\n")[1].split("\n## ")[0]


def test_the_tour_on_the_docs_home_page_is_the_readme_tour() -> None:
    readme_tour = _section(README, "## A 5-minute tour").replace("](docs/", "](")
    assert _section(PAGES["index.md"], "## A 5-minute tour") == readme_tour
