"""Generated Markdown turned into HTML the way the site does it, and searched for live markup."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown

# The demo site's extensions (mkdocs.yml), which decide what Markdown can turn into HTML.
EXTENSIONS = [
    "admonition",
    "attr_list",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.superfences",
]
# Elements Markdown and netarch's own templates write (an image only with a safe `src` and
# no handler); anything else came from the model.
_TAGS = "a p h1 h2 h3 h4 h5 h6 ul ol li strong em code pre span div table thead tbody tr th td"
ALLOWED_TAGS = frozenset([*_TAGS.split(), "small", "hr", "br", "blockquote", "details", "img"])


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "xlink:href") and not browser_safe(value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")


def live_markup(markdown_text: str) -> list[str]:
    """Every element, event handler or unsafe link the Markdown would put into the page."""
    html = markdown.markdown(markdown_text, extensions=EXTENSIONS)
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def browser_safe(href: str) -> bool:
    """The scheme a browser sees in an attribute value (already entity-decoded by the parser)."""
    cleaned = href.replace("\t", "").replace("\n", "").replace("\r", "")
    scheme = urlsplit(cleaned.lstrip("".join(map(chr, range(0x21))))).scheme
    return scheme.lower() in ("", "http", "https", "mailto")
