"""The generated pages as a section of a Hugo site (Docsy's conventions), ready to build.

``netarch render --flavor hugo`` writes them. What changes from the MkDocs pages:

- the overview is ``_index.md``, titled as the section (a *section*; an ``index.md`` would make the folder a leaf
  bundle, whose other Markdown files Hugo publishes as no page at all);
- each page starts with YAML front matter -- ``title``, ``linkTitle``, ``description`` (the
  page's opening paragraph, moved there: Docsy prints it as the lead) and ``weight`` (the page plan's order from a base weight) -- and
  has no H1 of its own (the theme prints the title);
- admonitions (``!!! warning "Title"``) become Docsy's
  ``{{% alert title="..." color="warning" %}}`` shortcodes;
- links between the pages become ``{{< relref "page.md" >}}``, which Hugo resolves (and a
  broken one fails the build);
- ```` ```mermaid ```` fences stay as they are (Docsy's code-block render hook draws them).

Hugo runs shortcodes anywhere in a page, code blocks included, so every ``{{<`` and ``{{%``
that netarch did not write itself is broken with a word joiner (U+2060, invisible) before
netarch's own shortcodes are added; front matter values are YAML double-quoted strings with
every special character escaped; a shortcode parameter is HTML-escaped (Docsy prints an
alert's title as raw HTML) with braces, percent signs and backslashes as character
references, so no title can end the parameter or the shortcode.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from netarch.pages.render import RenderedPage

SECTION_INDEX = "_index.md"
DEFAULT_BASE_WEIGHT = 1
DEFAULT_SECTION = "Network architecture"  # as the MkDocs plugin's `section` option
# Docsy's alert colours (Bootstrap's) for the admonition kinds the model's notes have.
ALERT_COLORS = {
    "note": "primary",
    "info": "info",
    "tip": "success",
    "warning": "warning",
    "danger": "danger",
}
WORD_JOINER = "\u2060"
# Where Hugo's page lexer starts a shortcode: exactly these two, anywhere in the content.
_SHORTCODE_START = re.compile(r"\{\{(?=[<%])")
_ADMONITION = re.compile(
    r'^(?P<indent>[ \t]*)!!![ \t]+(?P<kinds>[\w-]+(?:[ \t]+[\w-]+)*)(?:[ \t]+"(?P<title>.*)")?[ \t]*$'
)
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
# A link to another page of the section, as the templates write it: `](cluster.md#anchor)`.
_PAGE_LINK = re.compile(r"\]\((?P<page>[a-z0-9][a-z0-9-]*\.md)(?P<anchor>#[A-Za-z0-9_-]*)?\)")
# Lines that open something other than a paragraph (no description is taken from them).
_NOT_PROSE = re.compile(r"^(?:[|#>`~<{]|!!!|[-*+] |\d+\. |\s)")


class HugoSectionError(ValueError):
    """The pages cannot be laid out as a Hugo section (a message saying what to change)."""


@dataclass(frozen=True)
class HugoPage:
    file_name: str
    content: str


def hugo_section(
    pages: Sequence[RenderedPage],
    *,
    base_weight: int = DEFAULT_BASE_WEIGHT,
    section: str = DEFAULT_SECTION,
) -> list[HugoPage]:
    """The section's files, in plan order: the overview as ``_index.md``, titled ``section``
    (the theme's nav names the section by it), then the others."""
    names = {page.src_uri: _file_name(page) for page in pages}
    clash = [
        page.src_uri for page in pages if page.name != "overview" and page.src_uri == "index.md"
    ]
    if clash:
        raise HugoSectionError(
            "a page with the id `index` would be index.md, which makes the folder a leaf bundle"
            " (Hugo then publishes none of the other pages): give it another id under `pages:`"
        )
    return [
        HugoPage(
            names[page.src_uri],
            _page(
                page,
                base_weight + position,
                names,
                section if names[page.src_uri] == SECTION_INDEX else page.title,
            ),
        )
        for position, page in enumerate(pages)
    ]


def _file_name(page: RenderedPage) -> str:
    return SECTION_INDEX if page.src_uri == "index.md" else page.src_uri


def _page(page: RenderedPage, weight: int, names: dict[str, str], title: str) -> str:
    body = neutralize_shortcodes(_without_title(page.markdown))
    description, body = _lead(body)
    body = _alerts(body)
    body = _PAGE_LINK.sub(lambda match: _relref(match, names), body)
    # Front matter runs no shortcode, but a theme may hand a title to one: broken here too.
    title = neutralize_shortcodes(title)
    front = [
        "---",
        f"title: {yaml_string(title)}",
        f"linkTitle: {yaml_string(title)}",
    ]
    if description:
        front.append(f"description: {yaml_string(description)}")
    front.append(f"weight: {int(weight)}")
    linked = set(re.findall(r'relref "([^"#]+)', body))
    if names.get(page.src_uri) == SECTION_INDEX and set(names.values()) - {SECTION_INDEX} <= linked:
        # The overview lists every page already; Docsy would list them again under it.
        front.append("no_list: true")
    front += ["---", ""]
    return "\n".join(front) + body


def neutralize_shortcodes(text: str) -> str:
    """``text`` with no ``{{<`` or ``{{%`` left for Hugo to run as a shortcode: a word joiner
    goes between the braces and the mark, which reads the same on the page."""
    return _SHORTCODE_START.sub("{{" + WORD_JOINER, text)


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: one line, every special character escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif char in "\u2028\u2029\ufeff\ufffe\uffff" or 0xD800 <= code <= 0xDFFF:
            # Line separators, and what YAML does not allow in a file at all.
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def shortcode_parameter(text: str) -> str:
    """``text`` (Markdown that netarch made) as the value of a quoted shortcode parameter that
    Docsy prints as raw HTML: shown as plain text, and unable to end the parameter or the
    shortcode."""
    plain = html.unescape(text)
    escaped = html.escape(plain, quote=True)
    for char, reference in (("{", "&#123;"), ("}", "&#125;"), ("%", "&#37;"), ("\\", "&#92;")):
        escaped = escaped.replace(char, reference)
    return '"' + escaped.replace("\n", " ") + '"'


def _without_title(markdown: str) -> str:
    lines = markdown.split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    return "\n".join(lines)


def _lead(body: str) -> tuple[str, str]:
    """The page's opening paragraph on one line, when it is prose, and the body without it:
    Docsy prints the description as the page's lead paragraph."""
    lines = body.split("\n")
    end = 0
    while end < len(lines) and lines[end].strip():
        end += 1
    if end == 0 or _NOT_PROSE.match(lines[0]):
        return "", body
    rest = lines[end:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return " ".join(line.strip() for line in lines[:end]), "\n".join(rest)


def _alerts(body: str) -> str:
    """Every ``!!!`` admonition outside code blocks as a Docsy alert shortcode."""
    lines = body.split("\n")
    out: list[str] = []
    index = 0
    fence: str | None = None
    while index < len(lines):
        line = lines[index]
        opening = _FENCE.match(line)
        if opening:
            fence = None if fence == opening.group(1) else fence or opening.group(1)
        admonition = None if fence else _ADMONITION.match(line)
        if admonition is None:
            out.append(line)
            index += 1
            continue
        indent = admonition["indent"]
        kind = admonition["kinds"].split()[0]
        title = admonition["title"] if admonition["title"] is not None else kind.capitalize()
        inner_indent = indent + "    "
        index += 1
        inner: list[str] = []
        while index < len(lines) and (
            not lines[index].strip() or lines[index].startswith(inner_indent)
        ):
            inner.append(lines[index][len(inner_indent) :] if lines[index].strip() else "")
            index += 1
        while inner and not inner[-1]:
            inner.pop()
        while inner and not inner[0]:
            inner.pop(0)
        color = ALERT_COLORS.get(kind, "primary")
        parameter = shortcode_parameter(title) if title else '""'
        out.append(f'{indent}{{{{% alert title={parameter} color="{color}" %}}}}')
        out += [indent + text if text else "" for text in inner]
        out += [f"{indent}{{{{% /alert %}}}}", ""]
    return "\n".join(out)


def _relref(match: re.Match[str], names: dict[str, str]) -> str:
    target = names.get(match["page"])
    if target is None:  # not a page of the section: left as written
        return match.group(0)
    return f']({{{{< relref "{target}{match["anchor"] or ""}" >}}}})'
