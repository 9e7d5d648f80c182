"""Model text that ends up in Markdown: shown as written, never as live HTML."""

from __future__ import annotations

import functools
import re

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
# The target may hold one level of parentheses, as in javascript:alert(1).
_UNSAFE_LINK = re.compile(
    r"\]\(\s*(?:javascript|vbscript|data):(?:[^()]|\([^()]*\))*\)", re.IGNORECASE
)


@functools.lru_cache(maxsize=8192)  # pure; the same texts come back on every rebuild
def safe_markdown(text: str) -> str:
    """Keep Markdown (emphasis, links, code) but make raw HTML and script links inert.

    Model text is written by people who may paste anything; Python-Markdown passes raw
    HTML through, so ``<`` outside code spans is escaped and script URLs are dropped.
    """
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape_html(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_escape_html(text[position:]))
    return _UNSAFE_LINK.sub("](#)", "".join(out))


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def label(name: str, role: str | None = None) -> str:
    """A diagram label: the name, and the role in parentheses on a second line."""
    return f"{name}\n({role})" if role else name


def source_link(source: str, text: str = "source") -> str:
    """A source as a Markdown link when it is a web address, else as inert text."""
    if re.match(r"https?://[^\s()<>]+$", source):
        return f"[{text}]({source})"
    return safe_markdown(source)
