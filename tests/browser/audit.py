"""Open a built site in headless Chromium and record what a reader would see on each page.

mkdocs-material renders every ``pre.mermaid`` into a CLOSED shadow root, out of reach of page
JavaScript, so the diagrams are inspected through the DevTools protocol (``DOM.getDocument``
with ``pierce``), which sees into closed shadow roots too.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    Request,
    async_playwright,
)
from playwright.async_api import TimeoutError as PlaywrightTimeout

from netarch.validate import render

# Generous: a page renders in well under this even on a busy 2-core machine; only a page
# whose diagrams never render waits it out (and is then reported, not raised).
RENDER_TIMEOUT_MS = 30_000
SHORT_RENDER_TIMEOUT_MS = 2_000
# How many <pre> elements still show one of the page's Mermaid sources (the argument).
_COUNT_LEFTOVER = """(sources) => [...document.querySelectorAll('pre')].filter(
  (pre) => pre.classList.contains('mermaid') || sources.includes(pre.textContent)).length"""
# Debian's chromium and the flags that work here as root, shared with the render checker.
CHROMIUM = Path(render.CHROMIUM)
CHROMIUM_ARGS = list(render.CHROMIUM_ARGS)
VIEWPORT = {"width": 1280, "height": 900}
# Text of the diagram Mermaid draws instead of an invalid one (appended to <body>).
MERMAID_ERROR_TEXT = ("Syntax error", "Parse error", "Maximum text size")

_MERMAID_BLOCK = re.compile(r'<pre class="mermaid"><code>(.*?)</code></pre>', re.DOTALL)
_COLOR = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


@dataclass(frozen=True)
class Diagram:
    """One rendered Mermaid host: the SVG in its shadow root, as laid out on the page."""

    heading: str  # the heading the diagram is under, to name it in messages
    width: float  # CSS pixels of the SVG on the page
    height: float
    view_box_width: float  # the width Mermaid laid the diagram out at
    texts: tuple[str, ...]

    @property
    def name(self) -> str:
        """The diagram as a reader finds it: by its first label."""
        first = f" (starting {self.texts[0]!r})" if self.texts else " (empty)"
        return f"the diagram under {self.heading!r}{first}"

    @property
    def scale(self) -> float:
        """How much the page shrinks the diagram to fit (1.0 = drawn at its own size)."""
        return self.width / self.view_box_width if self.view_box_width else 1.0


RGBA = tuple[float, float, float, float]


@dataclass(frozen=True)
class TextColor:
    """A diagram text, its colour, and the paint right behind it (top layer last)."""

    text: str
    color: RGBA
    layers: tuple[RGBA, ...] = ()

    def contrast_on(self, page: RGBA) -> float:
        background = page
        for layer in self.layers:
            background = _over(layer, background)
        return contrast(self.color, background)


@dataclass
class PageAudit:
    path: str  # site-relative URL of the page, "" for the home page
    palette: str
    scheme: str = ""  # material's data-md-color-scheme after load
    expected_diagrams: int = 0  # pre.mermaid blocks in the built HTML
    # Mermaid sources still shown as code (material drops the `mermaid` class of a block
    # while it waits for Mermaid, so the text is what is looked for).
    leftover_code_blocks: int = 0
    light_dom_svgs: int = 0  # an SVG outside a shadow root: rendered twice or by someone else
    content_width: float = 0.0
    background: RGBA = (255.0, 255.0, 255.0, 1.0)
    diagrams: list[Diagram] = field(default_factory=list)
    text_colors: list[TextColor] = field(default_factory=list)
    error_texts: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    console_messages: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # refused by the proxy
    external_requests: list[str] = field(default_factory=list)  # seen by the page
    dialogs: list[str] = field(default_factory=list)
    # Pierced DOM facts for the hostile-input test.
    all_text: str = ""
    event_handler_attributes: list[str] = field(default_factory=list)
    script_urls: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # text of every <script> element
    # Every link of the page, clicked: its target as the browser parsed it.
    clicked_links: list[str] = field(default_factory=list)
    document_title: str = ""
    screenshot: Path | None = None

    @property
    def script_links_clicked(self) -> list[str]:
        """Clicked links whose target is not http, https or mailto (javascript:, data:...)."""
        return [
            url
            for url in self.clicked_links
            if urlsplit(url).scheme.lower() not in ("http", "https", "mailto")
        ]

    @property
    def label(self) -> str:
        return f"/{self.path} ({self.palette})"


def site_pages(site_dir: Path) -> list[str]:
    """Every page of a built site, as site-relative directory URLs ("" for the home page)."""
    pages = []
    for index in sorted(site_dir.rglob("index.html")):
        relative = index.parent.relative_to(site_dir).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


def mermaid_sources(html_file: Path) -> list[str]:
    """The Mermaid blocks the build wrote into a page (superfences' `pre.mermaid`), as text."""
    blocks = _MERMAID_BLOCK.findall(html_file.read_text(encoding="utf-8"))
    return [html.unescape(block) for block in blocks]


def _over(top: RGBA, bottom: RGBA) -> RGBA:
    """``top`` painted over an opaque ``bottom``."""
    alpha = top[3]
    red, green, blue = (top[i] * alpha + bottom[i] * (1 - alpha) for i in range(3))
    return red, green, blue, 1.0


def parse_color(value: str) -> RGBA | None:
    match = _COLOR.search(value)
    if not match:
        return None
    red, green, blue, alpha = match.groups()
    if alpha is None:
        opacity = 1.0
    elif alpha.endswith("%"):
        opacity = float(alpha[:-1]) / 100
    else:
        opacity = float(alpha)
    return float(red), float(green), float(blue), opacity


def contrast(foreground: RGBA, background: RGBA) -> float:
    """WCAG 2 contrast ratio of a (possibly translucent) colour over an opaque background."""
    mixed = _over(foreground, background)

    def luminance(rgb: tuple[float, ...]) -> float:
        def channel(value: float) -> float:
            value /= 255
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = (channel(v) for v in rgb[:3])
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    lighter, darker = sorted((luminance(mixed), luminance(background[:3])), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@contextlib.asynccontextmanager
async def open_browser(args: list[str]) -> AsyncIterator[Browser]:
    """Debian's Chromium, driven by Playwright (never `playwright install`)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class SiteVisit:
    """One pass over a site in one browser context."""

    audits: list[PageAudit]
    between_pages: PageAudit
    requests: list[str]


async def visit_site(
    browser: Browser,
    base_url: str,
    site_dir: Path,
    palette: str,
    refused: list[str],
    screenshots: Path | None = None,
    *,
    click_links: bool = False,
) -> SiteVisit:
    """Every page of the built ``site_dir`` served at ``base_url``, in ``palette``; with
    ``click_links``, every link of every page is clicked too (see ``_CLICK_EVERY_LINK``)."""
    # The OS says light: dark comes from the reader's click on the palette toggle.
    context = await browser.new_context(color_scheme="light", viewport=VIEWPORT)
    try:
        visitor = await SiteVisitor.open(context, base_url, palette, refused)
        if palette == "dark":
            await visitor.use_dark_palette()
        audits = []
        for path in site_pages(site_dir):
            name = path.strip("/").replace("/", "-") or "home"
            audits.append(
                await visitor.visit(
                    path,
                    mermaid_sources(site_dir / path / "index.html"),
                    screenshots / f"{palette}-{name}.png" if screenshots else None,
                    click_links=click_links,
                )
            )
        return SiteVisit(audits, visitor.between_pages, visitor.requests)
    finally:
        await context.close()


class SiteVisitor:
    """One browser context (one palette) walking the pages of one served site."""

    page: Page
    cdp: CDPSession  # the DevTools protocol, to see into closed shadow roots

    def __init__(
        self, context: BrowserContext, base_url: str, palette: str, refused: list[str]
    ) -> None:
        self.context = context
        self.base_url = base_url.rstrip("/") + "/"
        self.palette = palette
        self.local_host = urlsplit(self.base_url).netloc
        # What the browser's blocking proxy refused so far (it only ever grows). Refusals are
        # attributed to the page being visited; with visitors running side by side, the
        # browser-wide proxy may credit one to a neighbour, but it is never lost.
        self.refused = refused
        self.requests: list[str] = []  # every request to the site itself, for the record
        self._current: PageAudit | None = None
        self.between_pages = PageAudit(path="(between pages)", palette=palette)
        self._render_timeout = RENDER_TIMEOUT_MS

    @classmethod
    async def open(
        cls, context: BrowserContext, base_url: str, palette: str, refused: list[str]
    ) -> SiteVisitor:
        visitor = cls(context, base_url, palette, refused)
        visitor.page = page = await context.new_page()
        page.on("request", visitor._on_request)
        page.on("console", visitor._on_console)
        page.on("pageerror", lambda error: visitor._record("console_errors", str(error)))
        page.on("dialog", visitor._on_dialog)
        visitor.cdp = await context.new_cdp_session(page)
        return visitor

    # -- the network and the console --------------------------------------------------

    def _on_request(self, request: Request) -> None:
        url = request.url
        if urlsplit(url).netloc == self.local_host:
            self.requests.append(url)
        elif not url.startswith(("data:", "blob:", "about:")):
            # The site must work offline; the proxy refuses it, this names the full URL.
            self._record("external_requests", url)

    def _on_console(self, message: Any) -> None:
        self._record("console_messages", f"{message.type}: {message.text}")
        if message.type == "error":
            self._record("console_errors", message.text)

    async def _on_dialog(self, dialog: Any) -> None:
        self._record("dialogs", f"{dialog.type}: {dialog.message}")
        await dialog.dismiss()

    def _record(self, attribute: str, value: str) -> None:
        # Between two pages (e.g. while switching the palette) it still counts.
        getattr(self._current or self.between_pages, attribute).append(value)

    # -- pages ------------------------------------------------------------------------

    async def use_dark_palette(self) -> None:
        """Switch to the slate scheme with the header toggle, as a reader does."""
        refused = len(self.refused)
        await self.page.goto(self.base_url)
        await self.page.locator('[data-md-component="palette"] label:visible').first.click()
        await self.page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        self.between_pages.blocked += self.refused[refused:]

    async def visit(
        self, path: str, sources: list[str], screenshot: Path | None, *, click_links: bool = False
    ) -> PageAudit:
        audit = PageAudit(path=path, palette=self.palette, expected_diagrams=len(sources))
        self._current = audit
        refused = len(self.refused)
        try:
            await self.page.goto(self.base_url + path, wait_until="load")
            # A diagram that never renders is reported below, as a leftover code block. After
            # one such page the others are not waited for as long: the cause is site-wide.
            try:
                await self.page.wait_for_function(
                    f"(sources) => ({_COUNT_LEFTOVER})(sources) === 0",
                    arg=sources,
                    timeout=self._render_timeout,
                )
            except PlaywrightTimeout:
                self._render_timeout = SHORT_RENDER_TIMEOUT_MS
            audit.leftover_code_blocks = await self.page.evaluate(_COUNT_LEFTOVER, sources)
            audit.document_title = await self.page.title()
            await self._inspect(audit)
            if click_links:
                audit.clicked_links = await self.page.evaluate(_CLICK_EVERY_LINK)
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                await self.page.screenshot(path=screenshot, full_page=True)
                audit.screenshot = screenshot
        finally:
            self._current = None
            audit.blocked += self.refused[refused:]
        return audit

    async def _inspect(self, audit: PageAudit) -> None:
        facts = await self.page.evaluate(
            """() => {
              const content = document.querySelector('.md-content__inner') || document.body;
              return {
                scheme: document.body.dataset.mdColorScheme || '',
                lightSvgs: document.querySelectorAll('.mermaid svg').length,
                width: content.getBoundingClientRect().width,
                background: getComputedStyle(document.body).backgroundColor,
                headings: [...document.querySelectorAll('div.mermaid')].map((host) => {
                  const heading = document.evaluate(
                    'preceding::*[self::h1 or self::h2 or self::h3][1]', host, null,
                    XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
                  return heading ? heading.textContent.replace('¶', '').trim() : '';
                }),
              };
            }"""
        )
        audit.scheme = facts["scheme"]
        audit.light_dom_svgs = facts["lightSvgs"]
        audit.content_width = facts["width"]
        background = parse_color(facts["background"])
        if background is not None and background[3] > 0:
            audit.background = background
        await self.cdp.send("DOM.enable")
        document = await self.cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
        root = document["root"]
        texts: list[str] = []
        shadow_roots: list[int] = []
        for node, ancestors in _walk(root, ()):
            names = [a["nodeName"].lower() for a in ancestors]
            if node["nodeType"] == 3:
                if not {"script", "style", "noscript"} & set(names[-1:]):
                    texts.append(node["nodeValue"])
                continue
            if node["nodeType"] != 1:
                continue
            attributes = _attributes(node)
            where = f"<{node['nodeName'].lower()}> in {'/'.join(names[-3:])}"
            for name, value in attributes.items():
                if name.startswith("on"):
                    audit.event_handler_attributes.append(f"{name}={value!r} on {where}")
                if name in ("href", "src", "xlink:href") and _runs_script(name, value):
                    audit.script_urls.append(f"{name}={value!r} on {where}")
            if node["nodeName"].lower() == "img":
                audit.images.append(attributes.get("src", ""))
            if node["nodeName"].lower() == "script":
                audit.scripts.append(
                    "".join(c.get("nodeValue", "") for c in node.get("children", []))
                )
            # Material's hosts: a div.mermaid with the rendered SVG in its shadow root.
            if (
                node["nodeName"] == "DIV"
                and "mermaid" in attributes.get("class", "").split()
                and node.get("shadowRoots")
            ):
                shadow_roots.append(node["shadowRoots"][0]["nodeId"])
        audit.all_text = " ".join(texts)
        audit.error_texts = [t for t in MERMAID_ERROR_TEXT if t in audit.all_text]
        if shadow_roots:
            await self._inspect_diagrams(audit, shadow_roots, facts["headings"])

    async def _inspect_diagrams(
        self, audit: PageAudit, shadow_roots: list[int], headings: list[str]
    ) -> None:
        # One round trip for all diagrams: the closed shadow roots, resolved to JS objects,
        # are handed to a function that measures the SVGs and reads their text colours.
        handles = [
            (await self.cdp.send("DOM.resolveNode", {"nodeId": node_id}))["object"]["objectId"]
            for node_id in shadow_roots
        ]
        measured = await self.cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": handles[0],
                "functionDeclaration": _MEASURE_DIAGRAMS,
                "arguments": [{"objectId": handle} for handle in handles],
                "returnByValue": True,
            },
        )
        measured = measured["result"]["value"]
        headings = headings + [""] * (len(measured) - len(headings))
        for found, heading in zip(measured, headings, strict=False):
            if found is None:  # a host without an SVG
                audit.diagrams.append(Diagram(heading, 0, 0, 0, ()))
                continue
            texts = tuple(text["text"] for text in found["texts"])
            audit.diagrams.append(
                Diagram(heading, found["width"], found["height"], found["viewBoxWidth"], texts)
            )
            for text in found["texts"]:
                color = parse_color(text["color"])
                if color is None or not text["visible"]:
                    continue
                layers = []
                for paint, opacity in text["layers"]:
                    layer = parse_color(paint)
                    if layer is not None:
                        layers.append((*layer[:3], layer[3] * opacity))
                audit.text_colors.append(TextColor(text["text"], color, tuple(layers)))


# Clicks every link of the page (the document and every open shadow root; Material's closed
# ones hold only the diagrams, whose links the pierced DOM walk checks) and returns each
# target as the browser parsed it. A click on an http, https or mailto link is stopped before
# it navigates, so that one page load clicks them all; any other link is left to do what the
# browser does with it, so a javascript: target would run (and its alert() be recorded).
_CLICK_EVERY_LINK = """async () => {
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const element of roots[i].querySelectorAll('*')) {
      if (element.shadowRoot) roots.push(element.shadowRoot);
    }
  }
  const links = roots.flatMap((root) => [...root.querySelectorAll('a[href], area[href], a')])
    .filter((link) => link.getAttribute('href') !== null || link.getAttribute('xlink:href') !== null);
  const target = (link) => {
    const raw = link.getAttribute('href') ?? link.getAttribute('xlink:href');
    try { return new URL(raw, document.baseURI); } catch (e) { return null; }
  };
  const clicked = [];
  const record = (event) => {
    const link = event.composedPath().find((node) => links.includes(node));
    if (!link) return;
    const url = target(link);
    clicked.push(url ? url.href : String(link.getAttribute('href')));
    if (url && ['http:', 'https:', 'mailto:'].includes(url.protocol)) event.preventDefault();
  };
  window.addEventListener('click', record, true);
  try {
    for (const link of links) {
      link.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, composed: true}));
    }
  } finally {
    window.removeEventListener('click', record, true);
  }
  // A javascript: navigation runs as a task of its own: give it its turn.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return clicked;
}"""


# Runs in the page with the shadow roots as arguments. For each text it finds what is painted
# right behind it: the last filled shape before it in document order (SVG paints in document
# order) that covers its centre, then the backgrounds of its HTML ancestors (labels in a
# foreignObject). Text in a foreignObject is HTML, coloured by `color`; SVG text by `fill`.
_MEASURE_DIAGRAMS = """function (...roots) {
  const visible = (paint) => paint && paint !== 'none' && !paint.startsWith('url(')
    && paint !== 'rgba(0, 0, 0, 0)' && paint !== 'transparent';
  return roots.map((root) => {
    const svg = root.querySelector('svg');
    if (!svg) return null;
    const box = svg.getBoundingClientRect();
    const viewBox = svg.viewBox && svg.viewBox.baseVal;
    const shapes = [];
    for (const shape of svg.querySelectorAll('rect, path, polygon, circle, ellipse')) {
      if (shape.closest('defs, marker, clipPath, mask, pattern')) continue;
      const style = getComputedStyle(shape);
      if (!visible(style.fill) || style.visibility === 'hidden') continue;
      const opacity = parseFloat(style.fillOpacity) * parseFloat(style.opacity);
      shapes.push({ shape, rect: shape.getBoundingClientRect(), fill: style.fill, opacity });
    }
    const texts = [];
    const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.trim();
      const element = node.parentElement;
      if (!text || !element || element.closest('style')) continue;
      const style = getComputedStyle(element);
      const html = element.closest('foreignObject');
      const rect = element.getBoundingClientRect();
      const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
      const layers = [];
      let under = null;
      for (const candidate of shapes) {
        const r = candidate.rect;
        const before = candidate.shape.compareDocumentPosition(element)
          & Node.DOCUMENT_POSITION_FOLLOWING;
        if (before && r.left <= x && x <= r.right && r.top <= y && y <= r.bottom) {
          under = candidate;
        }
      }
      if (under) layers.push([under.fill, under.opacity]);
      const html_layers = [];
      for (let e = element; html && e && e !== html; e = e.parentElement) {
        const background = getComputedStyle(e).backgroundColor;
        if (visible(background)) html_layers.unshift([background, 1]);
      }
      texts.push({
        text,
        color: html ? style.color : style.fill,
        visible: style.visibility !== 'hidden' && rect.width > 0 && rect.height > 0,
        layers: layers.concat(html_layers),
      });
    }
    return {
      width: box.width, height: box.height, viewBoxWidth: viewBox ? viewBox.width : 0, texts,
    };
  });
}"""


def _attributes(node: dict[str, Any]) -> dict[str, str]:
    flat = node.get("attributes", [])
    return dict(zip(flat[::2], flat[1::2], strict=False))


def _walk(
    node: dict[str, Any], ancestors: tuple[dict[str, Any], ...]
) -> Iterator[tuple[dict[str, Any], tuple[dict[str, Any], ...]]]:
    """Every node under ``node``, shadow roots and iframes' documents included."""
    yield node, ancestors
    inner = (*ancestors, node)
    for key in ("shadowRoots", "children"):
        for child in node.get(key, []):
            yield from _walk(child, inner)
    if "contentDocument" in node:
        yield from _walk(node["contentDocument"], inner)


def _runs_script(name: str, value: str) -> bool:
    """A link target a browser would follow into script or a document of the page's making:
    its scheme as the browser reads it (tabs and line breaks dropped, leading controls
    stripped), parsed; a link may only go to http, https, mailto or a relative target."""
    cleaned = value.replace("\t", "").replace("\n", "").replace("\r", "")
    scheme = urlsplit(cleaned.lstrip("".join(map(chr, range(0x21))))).scheme.lower()
    if name == "src":
        return scheme in ("javascript", "vbscript")
    return scheme not in ("", "http", "https", "mailto")
