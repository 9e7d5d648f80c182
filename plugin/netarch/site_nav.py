"""Where the generated pages go in a site's own navigation (no MkDocs imports).

A site with an explicit nav (``nav:`` in mkdocs.yml, or the nav another plugin such as
mkdocs-literate-nav builds from a ``SUMMARY.md``) says where the section belongs with a
placeholder: the section's folder, ``architecture/`` (``section_dir`` and a slash)::

    nav:
      - Home: index.md
      - Our network: architecture/      # a section titled "Our network" with every page
      - GitHub: https://github.com/example/site

As a bare entry at the top level it becomes a section titled by the ``section`` option; as a
bare entry inside a section, the pages join that section's list. Pages the nav lists
themselves keep their place and the titles written there; the placeholder brings the rest.

Without a placeholder, the pages the nav does not list go next to the generated pages it
does list (the section is never split), or, when it lists none, into a section placed
before the external links that end the top level of the nav (not after them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Placed:
    """The nav with every generated page in it, and the titles the nav gave some of them."""

    nav: list[Any]
    # src_uri -> the title the site's nav gives that generated page.
    titles: dict[str, str] = field(default_factory=dict)
    placeholder: bool = False  # whether the nav had a placeholder for the section


def placeholder(section_dir: str) -> str:
    """The nav entry that stands for the generated section: its folder, ``architecture/``."""
    return section_dir.strip("/") + "/"


def is_external(target: object) -> bool:
    """A nav target MkDocs treats as a link, not a page: a URL or an absolute path."""
    if not isinstance(target, str):
        return False
    parts = urlsplit(target)
    return bool(parts.scheme or parts.netloc) or target.startswith("/")


def listed_titles(nav: Any, src_uris: Sequence[str]) -> dict[str, str | None]:
    """The generated pages (``src_uris``) a nav lists, each with the title written there
    (None for a bare entry)."""
    wanted = set(src_uris)
    found: dict[str, str | None] = {}

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, str) and item in wanted:
                found.setdefault(item, None)
            elif isinstance(item, dict):
                for title, value in item.items():
                    if isinstance(value, str) and value in wanted:
                        found.setdefault(value, str(title) if title is not None else None)
                    else:
                        walk(value)

    walk(nav)
    return found


def place_pages(
    nav: list[Any], src_uris: Sequence[str], *, section: str, section_dir: str
) -> Placed:
    """``nav`` (MkDocs' nav data: a list of paths, ``{title: path}`` and ``{title: [...]}``)
    with the generated pages ``src_uris`` (in the order of the plan) placed as the module
    docstring says. ``nav`` itself is not changed."""
    marker = placeholder(section_dir)
    listed = listed_titles(nav, src_uris)
    titles = {uri: title for uri, title in listed.items() if title is not None}
    rest = [uri for uri in src_uris if uri not in listed]
    expanded = False

    def expand(items: list[Any], top: bool) -> list[Any]:
        nonlocal expanded
        result: list[Any] = []
        for item in items:
            if item == marker:
                if not expanded and rest:
                    result += [{section: list(rest)}] if top else list(rest)
                expanded = True
            elif isinstance(item, dict) and len(item) == 1:
                ((title, value),) = item.items()
                if value == marker:
                    if not expanded and rest:
                        result.append({title: list(rest)})
                    expanded = True
                elif isinstance(value, list):
                    result.append({title: expand(value, False)})
                else:
                    result.append(item)
            else:
                result.append(item)
        return result

    placed = expand(list(nav), True)
    if expanded or not rest:
        return Placed(placed, titles, expanded)
    if listed:
        _after_last_listed(placed, set(listed), rest)
        return Placed(placed, titles)
    # Before the external links that end the nav ("GitHub: https://..."), not after them.
    position = len(placed)
    while position > 0 and _is_link_entry(placed[position - 1]):
        position -= 1
    placed.insert(position, {section: list(rest)})
    return Placed(placed, titles)


def _is_link_entry(item: Any) -> bool:
    if isinstance(item, dict) and len(item) == 1:
        return is_external(next(iter(item.values())))
    return is_external(item)


def _after_last_listed(nav: list[Any], listed: set[str], rest: list[str]) -> None:
    """Put ``rest`` after the last generated page of the list that holds the first one."""

    def target(item: Any) -> str | None:
        if isinstance(item, str):
            return item
        if isinstance(item, dict) and len(item) == 1:
            value = next(iter(item.values()))
            return value if isinstance(value, str) else None
        return None

    def holder(items: list[Any]) -> list[Any] | None:
        for item in items:
            if target(item) in listed:
                return items
            if isinstance(item, dict) and len(item) == 1:
                value = next(iter(item.values()))
                if isinstance(value, list):
                    found = holder(value)
                    if found is not None:
                        return found
        return None

    items = holder(nav)
    assert items is not None  # something is listed
    last = max(index for index, item in enumerate(items) if target(item) in listed)
    items[last + 1 : last + 1] = rest


def summary_markdown(pages: Sequence[tuple[str, str]], section_dir: str) -> str:
    """A mkdocs-literate-nav ``SUMMARY.md`` for the section's folder: the pages in the order
    of the plan, linked relative to that folder. ``pages``: (src_uri, title) pairs."""
    prefix = section_dir.strip("/") + "/" if section_dir.strip("/") else ""
    lines = []
    for src_uri, title in pages:
        relative = src_uri[len(prefix) :] if src_uri.startswith(prefix) else src_uri
        lines.append(f"- [{_link_text(title)}](<{relative}>)")
    return "\n".join(lines) + "\n"


def _link_text(title: str) -> str:
    """``title`` as the text of a Markdown link: every character Markdown could read as
    markup is escaped with a backslash."""
    special = set("\\`*_{}[]()<>#+-.!|&")
    return "".join(f"\\{char}" if char in special else char for char in title.replace("\n", " "))
