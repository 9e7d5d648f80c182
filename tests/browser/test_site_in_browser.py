"""The demo site in a real browser: every page, light and dark, offline.

What the reader gets is what Mermaid 12.3.0 draws in Chromium from the built HTML, with every
request that leaves 127.0.0.1 blocked (an air-gapped cluster). Each page is visited once per
palette; the tests below assert on what those visits recorded, page by page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from audit import PageAudit, SiteVisit, site_pages
from sites import SiteBuild, from_the_site

from netarch.assets import MERMAID_URI
from netarch.validate.engine import find_mermaid_js

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PALETTES = ("light", "dark")
# WCAG AA for normal text.
MIN_CONTRAST = 4.5
# Mermaid draws text at 16 px and scales a diagram wider than the article down to fit it.
MERMAID_FONT_PX = 16
MIN_TEXT_PX = 12


@dataclass
class SiteRun:
    pages: list[str]
    audits: dict[str, list[PageAudit]]  # palette -> one audit per page, in `pages` order
    between_pages: list[PageAudit]  # what happened while no page was being audited
    requests: list[str]

    def all(self) -> list[PageAudit]:
        return [audit for audits in self.audits.values() for audit in audits]


@pytest.fixture(scope="module")
def demo_site(site_builds: dict[str, SiteBuild]) -> Path:
    return site_builds["demo"].wait()


@pytest.fixture(scope="module")
def run(demo_site: Path, site_visits: dict[str, SiteVisit | None]) -> SiteRun:
    visits = [site_visits[palette] for palette in PALETTES]
    assert all(visits), "the demo site built, so it was visited"
    return SiteRun(
        site_pages(demo_site),
        {palette: visit.audits for palette, visit in zip(PALETTES, visits, strict=True) if visit},
        [visit.between_pages for visit in visits if visit],
        [url for visit in visits if visit for url in visit.requests],
    )


def _failures(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{label}: {', '.join(found)}" for label, found in problems.items() if found)


def test_every_page_of_the_site_is_visited_in_both_palettes(run: SiteRun, demo_site: Path) -> None:
    index = json.loads((demo_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    searchable = {doc["location"] for doc in index["docs"] if "#" not in doc["location"]}
    assert searchable <= set(run.pages), f"pages in the search index but not on disk: {searchable}"
    assert {"", "architecture/", "architecture/tenant-isolation/"} <= set(run.pages)
    for palette in PALETTES:
        assert [audit.path for audit in run.audits[palette]] == run.pages
        expected_scheme = "slate" if palette == "dark" else "default"
        wrong = [a.label for a in run.audits[palette] if a.scheme != expected_scheme]
        assert not wrong, f"not in the {expected_scheme} scheme: {wrong}"
    missing = [a.label for a in run.all() if a.screenshot is None or not a.screenshot.is_file()]
    assert not missing, f"no screenshot of {missing}"


def test_every_mermaid_block_becomes_a_visible_svg(run: SiteRun) -> None:
    assert sum(a.expected_diagrams for a in run.audits["light"]) > 0, "the demo has diagrams"
    problems: dict[str, list[str]] = {}
    for audit in run.all():
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
        if audit.light_dom_svgs:
            found.append(f"{audit.light_dom_svgs} SVG(s) outside material's shadow roots")
    assert not any(problems.values()), _failures(problems)


def test_no_mermaid_error_is_shown(run: SiteRun) -> None:
    shown = {a.label: a.error_texts for a in run.all()}
    assert not any(shown.values()), _failures(shown)


def test_no_console_errors(run: SiteRun) -> None:
    errors = {a.label: a.console_errors for a in [*run.all(), *run.between_pages]}
    assert not any(errors.values()), _failures(errors)


def test_no_request_leaves_the_site(run: SiteRun, demo_site: Path) -> None:
    # Both what the page asked for and what reached the proxy (a preconnect, say, is no
    # request event but still a connection out).
    blocked = {
        a.label: [*from_the_site(a.blocked), *a.external_requests]
        for a in [*run.all(), *run.between_pages]
    }
    total = sum(len(urls) for urls in blocked.values())
    assert total == 0, f"{total} request(s) outside 127.0.0.1 blocked:\n" + _failures(blocked)
    # Mermaid came from the site itself, and it is the very file the checker parses with.
    assert any(url.endswith("/" + MERMAID_URI) for url in run.requests)
    assert (demo_site / MERMAID_URI).read_bytes() == find_mermaid_js().read_bytes()


@pytest.mark.parametrize("palette", PALETTES)
def test_diagram_text_is_readable_on_the_page_background(run: SiteRun, palette: str) -> None:
    problems: dict[str, list[str]] = {}
    checked = 0
    for audit in run.audits[palette]:
        for text in audit.text_colors:
            checked += 1
            # Against what is really behind the text: the page, a node's fill, a label box.
            ratio = text.contrast_on(audit.background)
            if ratio < MIN_CONTRAST:
                behind = " over ".join(f"rgba{layer}" for layer in reversed(text.layers))
                problems.setdefault(audit.label, []).append(
                    f"{text.text!r} rgba{text.color} on {behind or 'the page'}"
                    f" (page rgba{audit.background}): {ratio:.1f}:1"
                )
    assert checked > 0, "no diagram text found: the shadow roots were not pierced"
    assert not problems, f"diagram text below {MIN_CONTRAST}:1 contrast:\n" + _failures(problems)


def test_diagrams_fit_the_article_unless_that_would_shrink_their_text(run: SiteRun) -> None:
    """Shrunk to the article's width down to 12 px text; wider ones scroll at that size."""
    too_wide = {
        audit.label: [
            f"{diagram.name} is {diagram.width:.0f} px wide in a {audit.content_width:.0f} px"
            f" article, with its text at {MERMAID_FONT_PX * diagram.scale:.1f} px"
            for diagram in audit.diagrams
            if diagram.width > audit.content_width + 1
            and MERMAID_FONT_PX * diagram.scale > MIN_TEXT_PX + 0.5
        ]
        for audit in run.all()
    }
    assert not any(too_wide.values()), _failures(too_wide)


def test_diagram_text_stays_legible(run: SiteRun) -> None:
    shrunk = {
        audit.label: [
            f"{diagram.name} is shrunk to {diagram.scale:.0%} (text"
            f" {MERMAID_FONT_PX * diagram.scale:.0f} px)"
            for diagram in audit.diagrams
            if MERMAID_FONT_PX * diagram.scale < MIN_TEXT_PX
        ]
        for audit in run.audits["light"]
    }
    assert not any(shrunk.values()), _failures(shrunk)


def test_the_proposed_change_page_draws_the_change(run: SiteRun) -> None:
    """The page a ```netarch-diff block makes at build time: its change diagram is drawn,
    with the elements the proposal adds, in both palettes."""
    for palette in PALETTES:
        [audit] = [a for a in run.audits[palette] if a.path == "proposed-change/"]
        assert audit.expected_diagrams == 1 and not audit.leftover_code_blocks, audit.label
        assert not audit.error_texts, audit.label
        [diagram] = audit.diagrams
        assert diagram.width > 0 and diagram.height > 0, audit.label
        drawn = " ".join(diagram.texts)
        assert "added: pool tenant-d-public" in drawn and "added: node node4" in drawn
