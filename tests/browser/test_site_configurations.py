"""netarch in the sites people already have, each built as its users build it and every page
opened in Debian's Chromium, offline: every diagram drawn (the generated ones and the site's
own hand-written ```mermaid fence), none left as code, no "Syntax error in text".

- mkdocs-material 7.1.8 (what Argo CD's docs pin) and 8.1.11 (the last without Mermaid of its
  own), each in a virtualenv of its own (tests/browser/venvs.py), and the 9.x of this one;
- mkdocs-static-i18n: each language's build gets the pages, titled in its language;
- an explicit ``nav:`` with external links, and mkdocs-literate-nav's ``SUMMARY.md``;
- ProperDocs with a ``properdocs.yml``.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from audit import CHROMIUM, mermaid_sources
from sites import BlockingProxy, SiteServer
from themes import diagram_problems
from venvs import SiteVenv, cached_venv

from netarch.scaffold import init_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OWN_FENCE = "\n## Our own diagram\n\n```mermaid\ngraph LR\n  reader --> docs\n```\n"
DRAW_SCRIPT = "assets/javascripts/netarch/mermaid-draw.js"


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")


def starter_site(folder: Path, edit: Callable[[Path], None] | None = None) -> Path:
    """The site `netarch init` writes, with a hand-written fence on its home page."""
    init_site(folder, "material")
    index = folder / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + OWN_FENCE, encoding="utf-8")
    if edit is not None:
        edit(folder)
    return folder


def this_venv() -> SiteVenv:
    return SiteVenv(Path(sys.executable).parent.parent)


def build(venv: SiteVenv, site: Path, *command: str) -> Path:
    """``command`` (a build) in ``site``; the built site, after asserting a clean build."""
    result = venv.run(*command, cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return site / "site"


def every_diagram_drawn(
    built: Path, name: str, server: SiteServer, proxy: BlockingProxy, pages: int
) -> dict[str, list[str]]:
    served = server.root / name
    shutil.copytree(built, served)
    diagrams = sum(len(mermaid_sources(page)) for page in served.rglob("index.html"))
    assert diagrams >= 4, "the generated diagrams and the site's own"
    problems = diagram_problems(served, f"{server.url}/{name}/", proxy)
    assert len(problems) >= pages, f"every page visited: {sorted(problems)}"
    failing = {page: found for page, found in problems.items() if found}
    assert not failing, "\n".join(f"{page}: {'; '.join(found)}" for page, found in failing.items())
    return problems


@pytest.mark.parametrize(
    ("material", "theme_draws"),
    [("7.1.8", False), ("8.1.11", False), (None, True)],
    ids=["material-7.1.8", "material-8.1.11", "material-9"],
)
def test_material_versions_draw_every_diagram(
    material: str | None,
    theme_draws: bool,
    tmp_path: Path,
    site_server: SiteServer,
    blocking_proxy: BlockingProxy,
) -> None:
    venv = cached_venv(f"mkdocs-material=={material}") if material else this_venv()
    site = starter_site(tmp_path / "site")
    built = build(venv, site, "mkdocs", "build", "--strict")
    home = (built / "index.html").read_text(encoding="utf-8")
    # Below 8.2 the theme leaves the blocks to the page's Mermaid: netarch draws them.
    assert (DRAW_SCRIPT in home) is not theme_draws
    check = venv.run("netarch", "check", cwd=site)
    assert check.returncode == 0 and "0 problem(s)" in check.stderr, check.stderr
    every_diagram_drawn(built, f"material-{material or 9}", site_server, blocking_proxy, 7)


def test_material_7_without_netarchs_mermaid_fails_strict_and_the_check(tmp_path: Path) -> None:
    venv = cached_venv("mkdocs-material==7.1.8")

    def serve_nothing(site: Path) -> None:
        config = site / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text + "      serve_mermaid: false\n", encoding="utf-8")

    site = starter_site(tmp_path / "site", serve_nothing)
    built = venv.run("mkdocs", "build", "--strict", cwd=site)
    assert built.returncode == 1
    assert "no diagram renders with the material theme 7.1.8" in built.stderr
    check = venv.run("netarch", "check", cwd=site)
    assert check.returncode == 1
    assert "mkdocs.yml:" in check.stdout and "serve_mermaid is false" in check.stdout


def _two_languages(site: Path, site_url: str, structure: str) -> None:
    config = site / "mkdocs.yml"
    config.write_text(
        # The language links are absolute: to the folder the site is served from.
        f"site_url: {site_url}\n"
        + config.read_text(encoding="utf-8")
        # reconfigure_material: false, so material draws no language selector: with one it
        # fetches fr/sitemap.xml, which mkdocs-static-i18n 1.3.1 does not write (a 404 on
        # every page, netarch or not).
        + f"  - i18n:\n      docs_structure: {structure}\n      reconfigure_material: false\n"
        "      languages:\n"
        "        - {locale: en, default: true, name: English}\n"
        "        - {locale: fr, name: Français}\n",
        encoding="utf-8",
    )
    docs = site / "docs"
    index = (docs / "index.md").read_text(encoding="utf-8")
    french = index.replace("# Our network", "# Notre réseau")
    if structure == "suffix":  # index.md, index.fr.md
        (docs / "index.fr.md").write_text(french, encoding="utf-8")
    else:  # en/index.md, fr/index.md
        for language, text in (("en", index), ("fr", french)):
            (docs / language).mkdir()
            (docs / language / "index.md").write_text(text, encoding="utf-8")
        (docs / "index.md").unlink()
    model = docs / "network.yaml"
    model.write_text(
        model.read_text(encoding="utf-8")
        + "pages:\n  - id: overview\n    titles: {fr: Vue d'ensemble, de: Überblick}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("structure", ["suffix", "folder"])
def test_a_multilingual_site_gets_the_pages_in_every_language(
    structure: str, tmp_path: Path, site_server: SiteServer, blocking_proxy: BlockingProxy
) -> None:
    name = f"i18n-{structure}"
    site_url = f"{site_server.url}/{name}/"
    site = starter_site(tmp_path / "site", lambda site: _two_languages(site, site_url, structure))
    built = build(this_venv(), site, "mkdocs", "build", "--strict")
    # The apostrophe as every theme can show it inert: the typographic one.
    for language, title in (("", "Overview"), ("fr/", "Vue d\u2019ensemble")):
        overview = (built / language / "architecture" / "index.html").read_text("utf-8")
        shown = re.search(r"<title>(.*?)</title>", overview)
        assert shown is not None and html.unescape(shown.group(1)) == f"{title} - Our network"
        home = (built / language / "index.html").read_text("utf-8")
        # Each language's nav leads to its own pages.
        assert 'href="architecture/cluster/"' in home
    assert "Vue d" not in (built / "architecture" / "index.html").read_text("utf-8")
    problems = every_diagram_drawn(built, name, site_server, blocking_proxy, 14)
    assert any(page.startswith("/fr/architecture/") for page in problems)


NAV_WITH_LINKS = """\
nav:
  - Home: index.md
  - Our network:
      - The big picture: architecture/index.md
      - architecture/
  - Source: https://example.com/our-site
  - Issues: https://example.com/our-site/issues
"""


def _nav_titles(site_dir: Path) -> list[str]:
    """The nav's titles, in order, from material's 404 page (no page is active there, so
    no page's table of contents is in the nav), without the site's name."""
    text = (site_dir / "404.html").read_text(encoding="utf-8")
    found = re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', text, re.S)
    return [title for title in (re.sub(r"\s+", " ", t) for t in found) if title][1:]


def test_an_explicit_nav_with_external_links_keeps_the_section_where_it_is_put(
    tmp_path: Path, site_server: SiteServer, blocking_proxy: BlockingProxy
) -> None:
    def explicit_nav(site: Path) -> None:
        config = site / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8") + NAV_WITH_LINKS, "utf-8")

    site = starter_site(tmp_path / "site", explicit_nav)
    built = build(this_venv(), site, "mkdocs", "build", "--strict")
    titles = _nav_titles(built)
    # The user's titles stay; the rest of the section follows the page listed by hand.
    assert titles[:4] == ["Home", "Our network", "The big picture", "Cluster network configuration"]
    assert titles[-2:] == ["Source", "Issues"]
    assert "Overview" not in titles
    every_diagram_drawn(built, "explicit-nav", site_server, blocking_proxy, 7)


def test_literate_nav_takes_the_section_from_a_folder_link(
    tmp_path: Path, site_server: SiteServer, blocking_proxy: BlockingProxy
) -> None:
    def literate(site: Path) -> None:
        config = site / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8") + "  - literate-nav\n", "utf-8")
        (site / "docs" / "SUMMARY.md").write_text(
            "* [Home](index.md)\n* [Our network](architecture/)\n"
            "* [Source](https://example.com/our-site)\n",
            encoding="utf-8",
        )

    site = starter_site(tmp_path / "site", literate)
    built = build(this_venv(), site, "mkdocs", "build", "--strict")
    titles = _nav_titles(built)
    assert titles[:4] == ["Home", "Our network", "Overview", "Cluster network configuration"]
    assert titles[-1] == "Source"
    assert not (built / "architecture" / "SUMMARY").exists(), "a nav file, not a page"
    every_diagram_drawn(built, "literate-nav", site_server, blocking_proxy, 7)


def test_properdocs_builds_the_site_and_netarch_check_finds_its_config(
    tmp_path: Path, site_server: SiteServer, blocking_proxy: BlockingProxy
) -> None:
    site = starter_site(tmp_path / "site")
    (site / "mkdocs.yml").rename(site / "properdocs.yml")
    built = build(this_venv(), site, "properdocs", "build", "--strict")
    check = this_venv().run("netarch", "check", cwd=site)
    assert check.returncode == 0 and "1 model(s)" in check.stderr, check.stderr
    every_diagram_drawn(built, "properdocs", site_server, blocking_proxy, 7)
