"""The example sites in a real browser: every page, light and dark, offline.

Each site of ``examples/`` is built with ``mkdocs build --strict`` and visited in headless
Chromium like the demo (``conftest.site_visits``), with every request that leaves 127.0.0.1
refused: every diagram must be drawn by the Mermaid the site serves itself, and none may
show Mermaid's syntax-error output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from audit import PageAudit, SiteVisit, site_pages
from sites import EXAMPLES, PALETTES, SiteBuild, from_the_site
from test_site_in_browser import MERMAID_FONT_PX, MIN_TEXT_PX

from netarch.assets import MERMAID_URI

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASES = [(name, palette) for name in EXAMPLES for palette in PALETTES]


def _visit(
    site_builds: dict[str, SiteBuild],
    site_visits: dict[str, SiteVisit | None],
    name: str,
    palette: str,
) -> tuple[Path, SiteVisit]:
    site = site_builds[name].wait()  # fails with mkdocs' output when the build failed
    visit = site_visits[f"{name}-{palette}"]
    assert visit is not None, f"the {name} site built, so it was visited"
    return site, visit


def _failures(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{label}: {', '.join(found)}" for label, found in problems.items() if found)


@pytest.mark.parametrize(("name", "palette"), CASES)
def test_every_page_is_visited_in_its_palette(
    site_builds: dict[str, SiteBuild],
    site_visits: dict[str, SiteVisit | None],
    name: str,
    palette: str,
) -> None:
    site, visit = _visit(site_builds, site_visits, name, palette)
    pages = site_pages(site)
    assert {"", "architecture/", "architecture/cluster/", "architecture/rules/"} <= set(pages)
    assert [audit.path for audit in visit.audits] == pages
    scheme = "slate" if palette == "dark" else "default"
    wrong = [audit.label for audit in visit.audits if audit.scheme != scheme]
    assert not wrong, f"not in the {scheme} scheme: {wrong}"


@pytest.mark.parametrize(("name", "palette"), CASES)
def test_every_diagram_is_drawn_without_a_mermaid_error(
    site_builds: dict[str, SiteBuild],
    site_visits: dict[str, SiteVisit | None],
    name: str,
    palette: str,
) -> None:
    _, visit = _visit(site_builds, site_visits, name, palette)
    assert sum(a.expected_diagrams for a in visit.audits) > 0, "the example has diagrams"
    problems: dict[str, list[str]] = {}
    for audit in visit.audits:
        found = problems.setdefault(audit.label, [])
        if audit.leftover_code_blocks:
            found.append(f"{audit.leftover_code_blocks} Mermaid block(s) still shown as code")
        if len(audit.diagrams) != audit.expected_diagrams:
            found.append(f"{len(audit.diagrams)} of {audit.expected_diagrams} diagrams rendered")
        found += [
            f"{d.name} is {d.width:.0f}x{d.height:.0f} px"
            for d in audit.diagrams
            if d.width <= 0 or d.height <= 0 or not d.texts
        ]
        found += [f"Mermaid error shown: {text}" for text in audit.error_texts]
        found += [f"console error: {text}" for text in audit.console_errors]
    assert not any(problems.values()), _failures(problems)


@pytest.mark.parametrize(("name", "palette"), CASES)
def test_no_request_leaves_the_site(
    site_builds: dict[str, SiteBuild],
    site_visits: dict[str, SiteVisit | None],
    name: str,
    palette: str,
) -> None:
    _, visit = _visit(site_builds, site_visits, name, palette)
    audits: list[PageAudit] = [*visit.audits, visit.between_pages]
    blocked = {a.label: [*from_the_site(a.blocked), *a.external_requests] for a in audits}
    assert not any(blocked.values()), "requests outside 127.0.0.1:\n" + _failures(blocked)
    # The diagrams were drawn by the Mermaid the site serves, not a CDN's.
    assert any(url.endswith(f"/{name}/{MERMAID_URI}") for url in visit.requests)


@pytest.mark.parametrize(("name", "palette"), CASES)
def test_diagrams_fit_the_article_unless_that_would_shrink_their_text(
    site_builds: dict[str, SiteBuild],
    site_visits: dict[str, SiteVisit | None],
    name: str,
    palette: str,
) -> None:
    _, visit = _visit(site_builds, site_visits, name, palette)
    too_wide = {
        audit.label: [
            f"{d.name} is {d.width:.0f} px wide in a {audit.content_width:.0f} px article"
            for d in audit.diagrams
            # Wider than the article only when shrinking it would take its text below 12 px.
            if d.width > audit.content_width + 1 and MERMAID_FONT_PX * d.scale > MIN_TEXT_PX + 0.5
        ]
        for audit in visit.audits
    }
    assert not any(too_wide.values()), _failures(too_wide)


@pytest.mark.parametrize("name", EXAMPLES)
def test_diagram_text_stays_legible(
    site_builds: dict[str, SiteBuild], site_visits: dict[str, SiteVisit | None], name: str
) -> None:
    _, visit = _visit(site_builds, site_visits, name, "light")
    shrunk = {
        audit.label: [
            f"{d.name} is shrunk to {d.scale:.0%} (text {MERMAID_FONT_PX * d.scale:.0f} px)"
            for d in audit.diagrams
            if MERMAID_FONT_PX * d.scale < MIN_TEXT_PX
        ]
        for audit in visit.audits
    }
    assert not any(shrunk.values()), _failures(shrunk)
