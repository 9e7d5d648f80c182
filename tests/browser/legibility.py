"""What a reader sees of each diagram: text size, marker colours, words kept whole, the viewer.

Material draws each diagram into a CLOSED shadow root, so the SVGs are reached through the
DevTools protocol (``DOM.getDocument`` with ``pierce``), as in audit.py; every measurement
runs in the page on the SVG as laid out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from audit import contrast, parse_color
from playwright.async_api import CDPSession, Page

# Text of the Mermaid source, as the words a reader may see: structure (quotes, brackets,
# pipes) and line breaks split it, entity codes ("#58;") are decoded.
_SOURCE_SPLIT = re.compile(r'<br\s*/?>|[\s"\[\]|{}]+', re.IGNORECASE)
_ENTITY = re.compile(r"#(\w+);")
_EDGE_PUNCTUATION = "()[]{},.;:!?\"'“”"
# What a network engineer would read as an address, CIDR, port or MAC: named in messages.
ADDRESS = re.compile(
    r"\b(?:\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?(?::\d+)?"
    r"|[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?"
    r"|(?:[0-9a-f]{2}:){5}[0-9a-f]{2})",
    re.IGNORECASE,
)


def _decode_entity(match: re.Match[str]) -> str:
    code = match.group(1)
    return html.unescape(f"&#{code};" if code.isdigit() else f"&{code};")


def words_of(text: str) -> set[str]:
    """The words of ``text`` (a Mermaid source, or a rendered label), without the
    punctuation at either end."""
    found: set[str] = set()
    for piece in _SOURCE_SPLIT.split(text):
        decoded = _ENTITY.sub(_decode_entity, piece)
        for word in decoded.split():
            stripped = word.strip(_EDGE_PUNCTUATION)
            if stripped:
                found.add(stripped)
    return found


@dataclass(frozen=True)
class DiagramReading:
    """One diagram as drawn on the page."""

    index: int
    first_text: str
    scale: float  # rendered width / the width Mermaid laid it out at
    smallest_text_px: float  # font size times scale, over every text of the diagram
    smallest_text: str
    words: tuple[str, ...]  # every word of every rendered line
    broken_words: tuple[str, ...]  # words whose letters sit on two lines
    markers: tuple[tuple[str, str], ...]  # (marker id, visible paint) of markers in use
    overflows: bool  # wider than the column: the host scrolls sideways
    scrollable: bool

    @property
    def name(self) -> str:
        return f"diagram {self.index + 1} (starting {self.first_text!r})"


@dataclass
class PageReading:
    path: str
    viewport: str
    palette: str  # "light" or "dark"
    scheme: str
    background: tuple[float, float, float, float]
    diagrams: list[DiagramReading] = field(default_factory=list)
    broken_table_code: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"/{self.path} ({self.viewport}, {self.palette})"

    def marker_contrast(self, paint: str) -> float:
        color = parse_color(paint)
        return 21.0 if color is None else contrast(color, self.background)


_MEASURE = """function (...roots) {
  const visible = (paint) => paint && paint !== 'none' && !paint.startsWith('url(')
    && paint !== 'rgba(0, 0, 0, 0)' && paint !== 'transparent';
  const lineTops = (range) => new Set([...range.getClientRects()]
    .filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  return roots.map((root) => {
    const svg = root.querySelector('svg');
    if (!svg) return null;
    const box = svg.getBoundingClientRect();
    const viewBox = svg.viewBox && svg.viewBox.baseVal;
    const scale = viewBox && viewBox.width ? box.width / viewBox.width : 1;
    let smallest = Infinity, smallestText = '', first = '';
    const words = [], broken = [];
    const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue;
      const element = node.parentElement;
      if (!text.trim() || !element || element.closest('style, defs')) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      if (!first) first = text.trim();
      const size = parseFloat(style.fontSize) * scale;
      if (size < smallest) { smallest = size; smallestText = text.trim(); }
      const html = element.closest('foreignObject');
      const pattern = /\\S+/g;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        words.push(match[0]);
        if (html) {  // the browser lays out HTML labels: a word may be broken across lines
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          if (lineTops(range) > 1) broken.push(match[0]);
        }
      }
    }
    const used = new Set();
    for (const element of svg.querySelectorAll('[marker-end], [marker-start], [marker-mid]')) {
      for (const name of ['marker-end', 'marker-start', 'marker-mid']) {
        const value = element.getAttribute(name) || '';
        const match = value.match(/url\\(["']?#([^"')]+)["']?\\)/);
        if (match) used.add(match[1]);
      }
    }
    const markers = [];
    for (const marker of svg.querySelectorAll('marker')) {
      if (!used.has(marker.id)) continue;
      for (const shape of marker.querySelectorAll('path, circle, polygon, rect')) {
        const style = getComputedStyle(shape);
        const paint = visible(style.fill) ? style.fill : style.stroke;
        if (visible(paint)) markers.push([marker.id, paint]);
      }
    }
    const host = root.host || root;
    return {
      scale, smallest: smallest === Infinity ? 0 : smallest, smallestText, first,
      words, broken, markers,
      overflows: host.scrollWidth > host.clientWidth + 1,
      scrollable: ['auto', 'scroll'].includes(getComputedStyle(host).overflowX),
    };
  });
}"""

_TABLE_CODE = """() => [...document.querySelectorAll('table code')]
  .filter((code) => new Set([...code.getClientRects()].filter((r) => r.width > 0)
    .map((r) => Math.round(r.top))).size > 1)
  .map((code) => code.textContent)"""


async def diagram_roots(cdp: CDPSession) -> list[str]:
    """Remote object ids of every Mermaid host's SVG container, in page order: material's
    closed shadow roots, or the host itself where the SVG is in the page."""
    await cdp.send("DOM.enable")
    document = await cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
    found: list[int] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("nodeName") == "DIV":
            flat = node.get("attributes", [])
            classes = dict(zip(flat[::2], flat[1::2], strict=False)).get("class", "").split()
            if "mermaid" in classes:
                shadow = node.get("shadowRoots")
                found.append(shadow[0]["nodeId"] if shadow else node["nodeId"])
                return
        for key in ("shadowRoots", "children"):
            for child in node.get(key, []):
                walk(child)

    walk(document["root"])
    return [
        (await cdp.send("DOM.resolveNode", {"nodeId": node_id}))["object"]["objectId"]
        for node_id in found
    ]


async def read_page(
    page: Page, cdp: CDPSession, roots: list[str], reading: PageReading
) -> PageReading:
    facts = await page.evaluate(
        """() => ({ scheme: document.body.dataset.mdColorScheme || '',
                    background: getComputedStyle(document.body).backgroundColor })"""
    )
    reading.scheme = facts["scheme"]
    background = parse_color(facts["background"])
    if background is not None and background[3] > 0:
        reading.background = background
    reading.broken_table_code = await page.evaluate(_TABLE_CODE)
    if not roots:
        return reading
    measured = await cdp.send(
        "Runtime.callFunctionOn",
        {
            "objectId": roots[0],
            "functionDeclaration": _MEASURE,
            "arguments": [{"objectId": root} for root in roots],
            "returnByValue": True,
        },
    )
    for index, found in enumerate(measured["result"]["value"]):
        if found is None:
            reading.problems.append(f"diagram {index + 1} has no SVG")
            continue
        reading.diagrams.append(
            DiagramReading(
                index=index,
                first_text=found["first"],
                scale=found["scale"],
                smallest_text_px=found["smallest"],
                smallest_text=found["smallestText"],
                words=tuple(found["words"]),
                broken_words=tuple(found["broken"]),
                markers=tuple((marker_id, paint) for marker_id, paint in found["markers"]),
                overflows=found["overflows"],
                scrollable=found["scrollable"],
            )
        )
    return reading


async def viewer_state(page: Page) -> dict[str, Any]:
    """The viewer dialog as the reader has it: open or not, its scale, what has the focus,
    and the smallest text of the diagram in it at that scale."""
    return await page.evaluate(
        """() => {
          const dialog = document.querySelector('dialog.netarch-viewer');
          const svg = dialog && dialog.querySelector('.netarch-viewer__canvas svg');
          let smallest = Infinity;
          if (svg && dialog.open) {
            const scale = parseFloat(dialog.dataset.scale || '1');
            const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              if (!node.nodeValue.trim() || node.parentElement.closest('style')) continue;
              const size = parseFloat(getComputedStyle(node.parentElement).fontSize) * scale;
              smallest = Math.min(smallest, size);
            }
          }
          const active = document.activeElement;
          return {
            open: Boolean(dialog && dialog.open),
            scale: dialog ? parseFloat(dialog.dataset.scale || '0') : 0,
            texts: svg ? svg.textContent.trim().length : 0,
            smallest: smallest === Infinity ? 0 : smallest,
            focusInViewer: Boolean(dialog && dialog.contains(active)),
            focusOnOpener: Boolean(active && active.classList.contains('netarch-diagram__open')),
          };
        }"""
    )
