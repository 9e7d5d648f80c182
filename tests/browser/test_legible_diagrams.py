"""Every diagram of the demo and of the example sites, as a reader sees it on a phone (390 px)
and on a desktop (1280 px), in the light and the dark palette.

Each page is loaded once per width and read twice: as loaded, and again after the reader
flips material's palette toggle (the diagrams must follow it without being drawn again). Read
are the smallest text of every diagram (font size times the SVG's scale), the colours of the
markers in use (arrowheads) against the page, and whether any word of a diagram, or any code
in a table, is broken across lines or split by Mermaid. On each page with diagrams the widest
one is opened in the viewer by a click and by the keyboard, zoomed with + and -, and closed
with Escape. Screenshots of the viewer (light and dark, desktop and phone) are written to
``$NETARCH_TEST_ARTIFACTS/diagrams`` (default ``tests/artifacts/diagrams``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from audit import CHROMIUM, CHROMIUM_ARGS, mermaid_sources, open_browser, site_pages
from legibility import (
    ADDRESS,
    PageReading,
    diagram_roots,
    read_page,
    viewer_state,
    words_of,
)
from playwright.async_api import Browser, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout
from sites import EXAMPLES, REPO_ROOT, BlockingProxy, SiteBuild, SiteServer

from netarch.scaffold import init_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITES = ("demo", *EXAMPLES)
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}
MIN_TEXT_PX = 12
# WCAG 2.1 (1.4.11): graphical objects needed to understand the content, 3:1.
MIN_GRAPHICS_CONTRAST = 3.0
RENDER_TIMEOUT_MS = 30_000
# The page whose viewer is photographed in both palettes at both widths.
SHOT_SITE, SHOT_PAGE = "demo", "architecture/ingress/"


def artifacts_dir() -> Path:
    base = os.environ.get("NETARCH_TEST_ARTIFACTS")
    return (Path(base) if base else REPO_ROOT / "tests" / "artifacts") / "diagrams"


@dataclass
class Pass:
    site: str
    viewport: str
    readings: list[PageReading] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # page -> Mermaid sources
    viewer_problems: list[str] = field(default_factory=list)
    viewers_opened: int = 0
    shots: list[Path] = field(default_factory=list)


async def _toggle_palette(page: Page) -> None:
    before = await page.evaluate("document.body.dataset.mdColorScheme")
    await page.locator('[data-md-component="palette"] label:visible').first.click()
    await page.wait_for_function(
        "(before) => document.body.dataset.mdColorScheme !== before", arg=before
    )


async def _check_viewer(
    page: Page, index: int, where: str, shot: Path | None
) -> tuple[list[str], Path | None]:
    """Open diagram ``index`` by a click, close it with Escape; open it from its button with
    Enter, zoom with + and -, photograph it, close it with Escape."""
    problems: list[str] = []
    host = page.locator("div.mermaid.netarch-openable").nth(index)
    opener = page.locator(".netarch-diagram__open").nth(index)
    await host.scroll_into_view_if_needed()
    await host.click()
    state = await viewer_state(page)
    if not state["open"]:
        return [f"{where}: a click on the diagram does not open the viewer"], None
    if not state["texts"]:
        problems.append(f"{where}: the viewer shows no diagram")
    if state["smallest"] < MIN_TEXT_PX:
        problems.append(f"{where}: the viewer opens with text at {state['smallest']:.1f} px")
    if not state["focusInViewer"]:
        problems.append(f"{where}: the focus is not in the opened viewer")
    await page.keyboard.press("Escape")
    if (await viewer_state(page))["open"]:
        problems.append(f"{where}: Escape does not close the viewer")
    await opener.focus()
    await page.keyboard.press("Enter")
    state = await viewer_state(page)
    if not state["open"]:
        return [*problems, f"{where}: Enter on the diagram's button does not open it"], None
    opened_at = state["scale"]
    await page.keyboard.press("+")
    zoomed_in = (await viewer_state(page))["scale"]
    await page.keyboard.press("-")
    await page.keyboard.press("-")
    zoomed_out = (await viewer_state(page))["scale"]
    if not zoomed_in > opened_at > zoomed_out:
        problems.append(f"{where}: + and - do not zoom ({opened_at} -> {zoomed_in}, {zoomed_out})")
    await page.keyboard.press("0")
    if abs((await viewer_state(page))["scale"] - opened_at) > 1e-3:
        problems.append(f"{where}: 0 does not bring back the opening view")
    if shot is not None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=shot)
    await page.keyboard.press("Escape")
    state = await viewer_state(page)
    if state["open"]:
        problems.append(f"{where}: Escape does not close the viewer")
    elif not state["focusOnOpener"]:
        problems.append(f"{where}: closing the viewer does not give the focus back")
    return problems, shot


async def _visit(
    browser: Browser,
    site: str,
    viewport: str,
    base_url: str,
    site_dir: Path,
    slots: asyncio.Semaphore,
) -> Pass:
    result = Pass(site, viewport)
    phone = viewport == "phone"
    async with slots:
        context = await browser.new_context(
            viewport=VIEWPORTS[viewport], color_scheme="light", is_mobile=phone, has_touch=phone
        )
        try:
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
            palette = "light"
            for path in site_pages(site_dir):
                sources = mermaid_sources(site_dir / path / "index.html")
                result.sources[path] = sources
                await page.goto(base_url + path, wait_until="load")
                problems: list[str] = []
                try:
                    await page.wait_for_function(
                        "(count) => document.querySelectorAll('.netarch-diagram').length >= count",
                        arg=len(sources),
                        timeout=RENDER_TIMEOUT_MS,
                    )
                except PlaywrightTimeout:
                    problems.append("not every diagram was drawn and made legible in time")
                roots = await diagram_roots(cdp) if sources else []
                for flip in (False, True):
                    if flip:  # the reader's toggle, on the page as it is
                        await _toggle_palette(page)
                        palette = "dark" if palette == "light" else "light"
                    reading = PageReading(path, viewport, palette, "", (255.0, 255.0, 255.0, 1.0))
                    reading.problems += problems if not flip else []
                    result.readings.append(await read_page(page, cdp, roots, reading))
                if not sources:
                    continue
                widest = min(result.readings[-1].diagrams, key=lambda d: d.scale, default=None)
                index = widest.index if widest else 0
                where = f"/{path} ({viewport}, {palette})"
                shoot = site == SHOT_SITE and path == SHOT_PAGE
                for round_ in (1, 2) if shoot else (1,):
                    if round_ == 2:
                        await _toggle_palette(page)
                        palette = "dark" if palette == "light" else "light"
                        where = f"/{path} ({viewport}, {palette})"
                    shot = artifacts_dir() / f"viewer-{viewport}-{palette}.png" if shoot else None
                    found, taken = await _check_viewer(page, index, where, shot)
                    result.viewer_problems += found
                    result.viewers_opened += 1
                    if taken is not None:
                        result.shots.append(taken)
                if shoot:
                    page_shot = artifacts_dir() / f"page-{viewport}-{palette}.png"
                    await page.screenshot(path=page_shot, full_page=True)
                    result.shots.append(page_shot)
        finally:
            await context.close()
    return result


@pytest.fixture(scope="module")
def passes(
    site_builds: dict[str, SiteBuild], site_server: SiteServer, blocking_proxy: BlockingProxy
) -> list[Pass]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    sites = {site: site_builds[site].wait() for site in SITES}
    args = [*CHROMIUM_ARGS, f"--proxy-server={blocking_proxy.url}"]

    async def run() -> list[Pass]:
        slots = asyncio.Semaphore(2)  # the machine's two cores
        async with open_browser(args) as browser:
            return await asyncio.gather(
                *(
                    _visit(
                        browser, site, viewport, f"{site_server.url}/{site}/", sites[site], slots
                    )
                    for site in SITES
                    for viewport in VIEWPORTS
                )
            )

    return asyncio.run(run())


def _failures(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{label}: {'; '.join(found)}" for label, found in problems.items() if found)


def _readings(passes: list[Pass]) -> list[PageReading]:
    return [reading for one in passes for reading in one.readings]


def test_every_page_is_read_at_both_widths_in_both_palettes(passes: list[Pass]) -> None:
    assert {(one.site, one.viewport) for one in passes} == {
        (site, viewport) for site in SITES for viewport in VIEWPORTS
    }
    for one in passes:
        pages = list(one.sources)
        assert {"", "architecture/"} <= set(pages), one.site
        palettes = {(r.path, r.palette) for r in one.readings}
        assert palettes == {(p, palette) for p in pages for palette in ("light", "dark")}
        wrong = [
            r.label
            for r in one.readings
            if r.scheme != ("slate" if r.palette == "dark" else "default")
        ]
        assert not wrong, f"not in their palette's scheme: {wrong}"
        drawn = {r.path: len(r.diagrams) for r in one.readings}
        assert drawn == {p: len(s) for p, s in one.sources.items()}, one.site
    assert sum(len(r.diagrams) for r in _readings(passes)) > 100
    problems = {r.label: r.problems for r in _readings(passes)}
    assert not any(problems.values()), _failures(problems)


def test_no_diagram_text_is_drawn_below_12_px(passes: list[Pass]) -> None:
    small = {
        r.label: [
            f"{d.name}: {d.smallest_text!r} at {d.smallest_text_px:.1f} px (scale {d.scale:.2f})"
            for d in r.diagrams
            if d.smallest_text_px < MIN_TEXT_PX - 0.05
        ]
        for r in _readings(passes)
    }
    assert not any(small.values()), _failures(small)


def test_a_diagram_wider_than_its_column_scrolls_sideways(passes: list[Pass]) -> None:
    stuck = {
        r.label: [
            f"{d.name} overflows without scrolling"
            for d in r.diagrams
            if d.overflows and not d.scrollable
        ]
        for r in _readings(passes)
    }
    assert not any(stuck.values()), _failures(stuck)
    # On a phone most diagrams are wider than the column at 12 px: they do scroll.
    assert any(d.overflows for r in _readings(passes) if r.viewport == "phone" for d in r.diagrams)


def test_markers_stand_out_from_the_page_in_both_palettes(passes: list[Pass]) -> None:
    faint: dict[str, list[str]] = {}
    arrowheads = 0
    for r in _readings(passes):
        for d in r.diagrams:
            for marker_id, paint in d.markers:
                arrowheads += marker_id.endswith("-arrowhead")
                ratio = r.marker_contrast(paint)
                if ratio < MIN_GRAPHICS_CONTRAST:
                    faint.setdefault(r.label, []).append(
                        f"{d.name}: marker {marker_id} {paint} at {ratio:.1f}:1"
                    )
    assert arrowheads > 0, "the sequence diagrams' arrowheads were measured"
    assert not faint, f"markers below {MIN_GRAPHICS_CONTRAST}:1:\n" + _failures(faint)


def test_the_palette_toggle_recolours_the_arrowheads_at_run_time(passes: list[Pass]) -> None:
    """The same diagram on the same page load, before and after the toggle."""
    compared = 0
    for one in passes:
        by_page: dict[str, list[PageReading]] = {}
        for r in one.readings:
            by_page.setdefault(r.path, []).append(r)
        for first, flipped in (pair for pair in by_page.values() if len(pair) == 2):
            for before, after in zip(first.diagrams, flipped.diagrams, strict=True):
                heads = [p for m, p in before.markers if m.endswith("-arrowhead")]
                if heads:
                    compared += 1
                    flipped_heads = [p for m, p in after.markers if m.endswith("-arrowhead")]
                    assert heads != flipped_heads, f"{first.label} {before.name}: {heads}"
    assert compared > 0


def test_no_address_or_name_is_broken_inside(passes: list[Pass]) -> None:
    """Wrapped at spaces only: every word drawn is a word of the diagram's source, and no word
    is laid out on two lines (Mermaid's wrap writes "192.168.100.-200"; a browser breaks a
    label after a hyphen)."""
    broken: dict[str, list[str]] = {}
    addresses = 0
    for one in passes:
        for r in one.readings:
            sources = one.sources[r.path]
            for d in r.diagrams:
                source = words_of(sources[d.index])
                addresses += sum(1 for word in source if ADDRESS.fullmatch(word))
                found = [f"{word!r} laid out on two lines" for word in d.broken_words]
                found += [
                    f"{word!r} is not a word of the source"
                    for word in sorted(set().union(*map(words_of, d.words)) - source)
                ]
                if found:
                    broken.setdefault(r.label, []).append(f"{d.name}: {', '.join(found)}")
            if r.broken_table_code:
                broken.setdefault(r.label, []).append(
                    f"table code on two lines: {r.broken_table_code}"
                )
    assert addresses > 20, "the diagrams show addresses"
    assert not broken, _failures(broken)


def test_any_diagram_opens_large_by_click_and_keyboard(passes: list[Pass]) -> None:
    problems = {f"{one.site} ({one.viewport})": one.viewer_problems for one in passes}
    assert not any(problems.values()), _failures(problems)
    assert all(one.viewers_opened > 0 for one in passes)
    shots = {shot.name for one in passes for shot in one.shots}
    expected = {f"viewer-{v}-{p}.png" for v in VIEWPORTS for p in ("light", "dark")}
    assert expected <= shots, f"screenshots missing: {expected - shots}"
    for one in passes:
        for shot in one.shots:
            assert shot.is_file() and shot.stat().st_size > 10_000, shot


@pytest.mark.parametrize("theme", ["material", "mkdocs", "readthedocs"])
def test_the_viewer_works_in_every_theme_and_under_instant_navigation(
    theme: str, tmp_path: Path, site_server: SiteServer, blocking_proxy: BlockingProxy
) -> None:
    """A `netarch init` site in each theme; with material, reached by its instant navigation
    (the page is swapped in without a reload, and its diagrams still open)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    project = tmp_path / "project"
    init_site(project, theme)
    config = project / "mkdocs.yml"
    if theme == "material":
        text = config.read_text(encoding="utf-8")
        instant = "  name: material\n  features:\n    - navigation.instant\n"
        text = text.replace("  name: material\n", instant, 1)
        # Instant navigation needs the site's address.
        text += f"site_url: {site_server.url}/viewer-{theme}/\n"
        config.write_text(text, encoding="utf-8")
    site_dir = site_server.root / f"viewer-{theme}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(site_dir),
        ],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "NETARCH_MERMAID_JS"}
        | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with_diagrams = [
        path
        for path in site_pages(site_dir)
        if path and mermaid_sources(site_dir / path / "index.html")
    ]
    target = with_diagrams[0]
    base = f"{site_server.url}/viewer-{theme}/"
    shot = artifacts_dir() / f"viewer-{theme}-theme.png"

    async def run() -> list[str]:
        args = [*CHROMIUM_ARGS, f"--proxy-server={blocking_proxy.url}"]
        async with open_browser(args) as browser:
            page = await browser.new_page(viewport=VIEWPORTS["desktop"])
            problems: list[str] = []
            reached = target
            if theme == "material":
                await page.goto(base, wait_until="load")
                await page.evaluate("window.netarchSamePage = true")
                # A link of the page's navigation to a page with diagrams, clicked (the
                # reader's click is what material's instant navigation takes over).
                clicked = await page.evaluate(
                    """([base, wanted]) => {
                      const link = [...document.querySelectorAll('a.md-nav__link[href]')].find(
                        (a) => wanted.includes(
                          new URL(a.href).pathname.slice(new URL(base).pathname.length)));
                      if (link) link.click();
                      return Boolean(link);
                    }""",
                    [base, with_diagrams],
                )
                assert clicked, "the navigation links to a page with diagrams"
                await page.wait_for_function(
                    "(base) => location.pathname !== new URL(base).pathname", arg=base
                )
                reached = urlsplit(page.url).path.removeprefix(urlsplit(base).path)
            else:
                await page.goto(base + target, wait_until="load")
            await page.wait_for_selector(".netarch-diagram", timeout=RENDER_TIMEOUT_MS)
            if theme == "material" and not await page.evaluate("window.netarchSamePage === true"):
                problems.append("the page was reloaded: instant navigation was not used")
            found, _ = await _check_viewer(page, 0, f"/{reached} ({theme})", shot)
            return problems + found

    problems = asyncio.run(run())
    assert not problems, "\n".join(problems)
    assert shot.is_file()
