"""Model text that ends up in Markdown: shown as written, never as live HTML."""

from __future__ import annotations

import functools

from netarch.safety import SafeMarkdown, is_web_address, prose


@functools.lru_cache(maxsize=8192)  # pure; the same texts come back on every rebuild
def safe_markdown(text: str) -> SafeMarkdown:
    """Keep Markdown (emphasis, links, code) but make raw HTML and script links inert.

    Model text is written by people who may paste anything; Python-Markdown passes raw
    HTML through, so ``<`` outside code spans is escaped and unsafe link targets are defused
    (see ``netarch.safety.prose``).
    """
    return prose(text)


def label(name: str, role: str | None = None) -> str:
    """A diagram label: the name, and the role in parentheses on a second line."""
    return f"{name}\n({role})" if role else name


def source_link(source: str, text: str = "source") -> SafeMarkdown:
    """A source as a Markdown link when it is a web address, else as inert text."""
    if is_web_address(source):
        return SafeMarkdown(f"[{text}]({source})")
    return safe_markdown(source)
