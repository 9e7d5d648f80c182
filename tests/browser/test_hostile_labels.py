"""Model text that tries to run script is shown as text and runs nothing in the browser.

A copy of the demo model (see ``hostile.py``) puts HTML, script tags, links with every scheme and
a Mermaid ``init`` directive into every free-text field of the schema (names, roles,
descriptions, notes, captions, diagram labels...) and hostile page titles; the built site is
opened page by page with a ``dialog`` handler that records any ``alert``. So is a hostile
`netarch init` site in each theme (titles that end ``<title>``, links behind Unicode spaces,
prose written as Mermaid fences, a page embedding views and a change report), and on every page
of these sites every link is clicked.
"""

from __future__ import annotations

import pytest
from audit import PageAudit, SiteVisit
from hostile import SHOWN_AS_TEXT, TITLE
from sites import SiteBuild

from netarch.scaffold import THEMES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def audits(
    site_builds: dict[str, SiteBuild], site_visits: dict[str, SiteVisit | None]
) -> list[PageAudit]:
    site_builds["hostile"].wait()  # a model check that rejects the text fails here, with why
    visit = site_visits["hostile"]
    assert visit is not None
    return [*visit.audits, visit.between_pages]


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}: {items}" for page, items in found.items() if items)


def test_nothing_runs(audits: list[PageAudit]) -> None:
    dialogs = {a.label: a.dialogs for a in audits}
    assert not any(dialogs.values()), "an alert() ran:\n" + _report(dialogs)
    errors = {a.label: a.console_errors for a in audits}
    assert not any(errors.values()), _report(errors)
    mentions = {a.label: [m for m in a.console_messages if "alert" in m] for a in audits}
    assert not any(mentions.values()), _report(mentions)


def test_no_live_markup_comes_from_the_model(audits: list[PageAudit]) -> None:
    # Searched in the whole document, closed shadow roots (the diagrams) included.
    live = {
        a.label: [
            *a.event_handler_attributes,
            *a.script_urls,
            *(f"<img src={src!r}>" for src in a.images if src == "x"),
            *(f"<script>{text[:60]}" for text in a.scripts if "alert(" in text),
        ]
        for a in audits
    }
    assert not any(live.values()), _report(live)


def test_hostile_text_is_shown_as_text(audits: list[PageAudit]) -> None:
    text = " ".join(a.all_text for a in audits)
    missing = [hostile for hostile in SHOWN_AS_TEXT if hostile not in text]
    assert not missing, f"not shown literally anywhere: {missing}"
    # The javascript: link keeps its text and loses its target; so do links with nested
    # parentheses, reference definitions and other schemes (hostile.PAYLOADS, put into every
    # free-text field of the schema): test_no_live_markup_... finds no such target.
    for link_text in ("click me", "nested", "ref", "entity", "vb", "file", "mail"):
        assert link_text in text


def test_diagrams_with_hostile_labels_still_render(audits: list[PageAudit]) -> None:
    pages = [a for a in audits if a.expected_diagrams]
    assert pages, "the hostile model still has diagrams"
    broken = {
        a.label: [
            *(["not rendered"] if a.leftover_code_blocks else []),
            *a.error_texts,
            *(f"{d.name}: {d.width:.0f}x{d.height:.0f}" for d in a.diagrams if not d.width),
        ]
        for a in pages
    }
    assert not any(broken.values()), _report(broken)
    labels = " ".join(text for a in pages for d in a.diagrams for text in d.texts)
    assert "<img src=x onerror=alert(1)>" in labels, "the hostile name is a diagram label"


# The demo copy (material) and the `netarch init` site of each theme.
HOSTILE_SITES = ("hostile", *(f"hostile-{theme}" for theme in THEMES))


@pytest.mark.parametrize("name", HOSTILE_SITES)
def test_clicking_every_link_of_every_page_runs_nothing(
    name: str, site_builds: dict[str, SiteBuild], site_visits: dict[str, SiteVisit | None]
) -> None:
    site_dir = site_builds[name].wait()
    visit = site_visits[name]
    assert visit is not None
    pages = list(visit.audits)
    assert len(pages) == len(list(site_dir.rglob("index.html"))), "every page was opened"
    assert sum(len(a.clicked_links) for a in pages) >= 20 * len(pages), "links were clicked"
    found = {
        a.label: [
            *a.dialogs,
            *a.console_errors,
            *(f"clicked {url}" for url in a.script_links_clicked),
            *a.event_handler_attributes,
            *a.script_urls,
        ]
        for a in [*pages, visit.between_pages]
    }
    assert not any(found.values()), _report(found)
    # The titles were hostile: each is in the browser's tab as text, with look-alikes.
    shown = TITLE.replace("<", "\uff1c").replace(">", "\uff1e")
    titles = [a.document_title for a in pages]
    assert any(shown in title for title in titles), titles
    assert not any("<" in title or ">" in title for title in titles), titles
