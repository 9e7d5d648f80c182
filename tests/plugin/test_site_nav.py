"""Where the generated section lands in a site's own nav: the placeholder, the pages the nav
lists itself, the default place before external links; and real builds with an explicit
`nav:`, mkdocs-literate-nav, mkdocs-static-i18n and ProperDocs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from netarch.scaffold import init_site
from netarch.site_nav import place_pages, summary_markdown

PAGES = ["architecture/index.md", "architecture/cluster.md", "architecture/rules.md"]


def place(nav: list[object]) -> tuple[list[object], dict[str, str]]:
    placed = place_pages(nav, PAGES, section="Network architecture", section_dir="architecture")
    return placed.nav, placed.titles


def test_a_titled_placeholder_becomes_a_section_of_that_title_where_it_stands() -> None:
    nav, _ = place(["index.md", {"Our network": "architecture/"}, {"Blog": "blog.md"}])
    assert nav == ["index.md", {"Our network": PAGES}, {"Blog": "blog.md"}]


def test_a_bare_placeholder_is_a_section_at_the_top_and_the_pages_inside_a_section() -> None:
    nav, _ = place(["index.md", "architecture/"])
    assert nav == ["index.md", {"Network architecture": PAGES}]
    nav, _ = place([{"Docs": ["intro.md", "architecture/", "faq.md"]}])
    assert nav == [{"Docs": ["intro.md", *PAGES, "faq.md"]}]


def test_pages_the_nav_lists_keep_their_place_and_title_and_the_rest_joins_them() -> None:
    nav, titles = place(
        [{"Our network": [{"The big picture": "architecture/index.md"}]}, {"Blog": "blog.md"}]
    )
    assert nav == [
        {"Our network": [{"The big picture": "architecture/index.md"}, *PAGES[1:]]},
        {"Blog": "blog.md"},
    ]
    assert titles == {"architecture/index.md": "The big picture"}
    # With a placeholder too, it brings only the pages not listed.
    nav, _ = place([{"Our network": [{"Start": "architecture/index.md"}, "architecture/"]}])
    assert nav == [{"Our network": [{"Start": "architecture/index.md"}, *PAGES[1:]]}]


def test_without_a_placeholder_the_section_goes_before_the_external_links() -> None:
    nav, _ = place(["index.md", {"Source": "https://example.com/src"}, {"Issues": "/issues/"}])
    assert nav == [
        "index.md",
        {"Network architecture": PAGES},
        {"Source": "https://example.com/src"},
        {"Issues": "/issues/"},
    ]
    nav, _ = place(["index.md"])
    assert nav == ["index.md", {"Network architecture": PAGES}]


def test_placing_twice_changes_nothing() -> None:
    # A multilingual site builds once per language with the same config.
    once, _ = place(["index.md", {"Our network": "architecture/"}, {"Src": "https://x.org"}])
    twice, _ = place(once)
    assert twice == once


def test_the_literate_nav_summary_escapes_titles_and_links_relative_to_the_folder() -> None:
    text = summary_markdown(
        [("architecture/index.md", "Overview"), ("architecture/x.md", "[a](b) *c*")],
        "architecture",
    )
    assert text == "- [Overview](<index.md>)\n- [\\[a\\]\\(b\\) \\*c\\*](<x.md>)\n"


# -- real builds ------------------------------------------------------------------------------


def starter(folder: Path, extra: str = "") -> Path:
    init_site(folder, "material")
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def run_build(site: Path, config_name: str = "mkdocs.yml") -> Path:
    config = load_config(str(site / config_name), site_dir=str(site / "out"), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site / "out"


@pytest.mark.slow
def test_an_explicit_nav_without_a_placeholder_gets_the_section_before_its_links(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = starter(
        tmp_path / "site",
        "nav:\n  - Home: index.md\n  - Source: https://example.com/src\n",
    )
    out = run_build(site)
    text = (out / "404.html").read_text(encoding="utf-8")
    assert text.index("/architecture/cluster/") < text.index("https://example.com/src")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.slow
def test_literate_nav_without_the_folder_link_warns_which_pages_are_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = starter(tmp_path / "site", "  - literate-nav\n")
    (site / "docs" / "SUMMARY.md").write_text("* [Home](index.md)\n", encoding="utf-8")
    # literate-nav builds its nav after netarch's first look; netarch places the section in
    # it afterwards like in a hand-written one: nothing is left out.
    out = run_build(site)
    assert (out / "architecture" / "cluster" / "index.html").is_file()
    text = (out / "404.html").read_text(encoding="utf-8")
    assert "/architecture/cluster/" in text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# A hook that rebuilds the nav without the generated pages, before netarch looks at it.
DROPPING_HOOK = """\
from mkdocs.plugins import event_priority

@event_priority(50)
def on_nav(nav, config, files):
    nav.items = [item for item in nav.items if not getattr(item, "is_section", False)]
    nav.pages = [page for page in nav.pages if not page.file.generated_by]
    return nav
"""


@pytest.mark.slow
def test_a_nav_another_plugin_rebuilds_without_the_pages_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = starter(tmp_path / "site", "hooks: [drop_section.py]\nnav:\n  - Home: index.md\n")
    (site / "drop_section.py").write_text(DROPPING_HOOK, encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 (strict aborts on the warning)
        run_build(site)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith("netarch: the site's nav leaves out 6 generated page(s)")
    assert "put `architecture/` where the section belongs" in warning


@pytest.mark.slow
def test_properdocs_config_is_found_by_netarch_check_and_never_read_as_a_model(
    tmp_path: Path,
) -> None:
    site = starter(tmp_path / "site")
    (site / "mkdocs.yml").rename(site / "properdocs.yml")

    def check(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "netarch.cli", "check", *arguments],
            cwd=site,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    for arguments in ((), ("properdocs.yml",)):
        result = check(*arguments)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 model(s)" in result.stderr and "NA0" not in result.stdout
    # A netarch warning fails `properdocs build --strict` as it fails mkdocs'.
    config = site / "properdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("  # Diagrams")] + text[text.index("plugins:") :], "utf-8")
    built = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 1, built.stderr
    assert "netarch: the site has no ```mermaid fence" in built.stderr
    assert "netarch: netarch:" not in built.stderr


@pytest.mark.slow
def test_a_site_warning_says_netarch_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = starter(tmp_path / "site")
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("  # Diagrams")] + text[text.index("plugins:") :], "utf-8")
    with pytest.raises(Exception):  # noqa: B017 (strict aborts on the warning)
        run_build(site)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(w.startswith("netarch: the site has no ```mermaid fence") for w in warnings)
    assert not [w for w in warnings if "netarch: netarch:" in w]


@pytest.mark.slow
def test_a_multilingual_site_builds_each_language_with_its_titles_and_checks_clean(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # mkdocs-static-i18n rebuilds every file from docs_dir in its on_files: a generated page
    # made it fail with a TypeError before netarch added its pages after it.
    site = starter(
        tmp_path / "site",
        "  - i18n:\n      docs_structure: suffix\n      languages:\n"
        "        - {locale: en, default: true, name: English}\n"
        "        - {locale: fr, name: Français}\n",
    )
    docs = site / "docs"
    (docs / "index.fr.md").write_text("# Notre réseau\n", encoding="utf-8")
    model = docs / "network.yaml"
    model.write_text(
        model.read_text(encoding="utf-8")
        + "pages:\n  - id: components\n    titles: {fr: Composants}\n",
        encoding="utf-8",
    )
    out = run_build(site)
    assert '<h1 id="components">Components<' in (
        out / "architecture" / "components" / "index.html"
    ).read_text(encoding="utf-8")
    assert '<h1 id="composants">Composants<' in (
        out / "fr" / "architecture" / "components" / "index.html"
    ).read_text(encoding="utf-8")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    check = subprocess.run(
        [sys.executable, "-m", "netarch.cli", "check"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
