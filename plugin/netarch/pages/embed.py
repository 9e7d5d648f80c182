"""```` ```netarch-view ```` blocks: one generated view embedded in a hand-written page.

````markdown
```netarch-view
flow-external-access
```
````

Each block is replaced by the view's Markdown (its diagram or table), exactly as on the
generated pages. Nothing here knows a site generator: the MkDocs plugin and the
Python-Markdown extension (``netarch.markdown``, for Zensical and plain Python-Markdown) share
it, and ``netarch check`` reports the same unknown views (:func:`~netarch.validate.fences.unknown_views`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from netarch.safety import safe_links
from netarch.validate.fences import Fence, expand_fences, find_fences
from netarch.views import View

LANGUAGE = "netarch-view"


def view_blocks(markdown: str, display: str = "<markdown>") -> list[Fence]:
    """The page's closed ``netarch-view`` blocks, in order."""
    return [fence for fence in find_fences(markdown, display, LANGUAGE) if fence.terminated]


def view_id(block: Fence) -> str:
    return block.text.strip()


def embedded(view: View) -> str:
    """The Markdown that stands in for a block naming ``view`` (links made safe, as on the
    generated pages)."""
    return safe_links(view.to_markdown())


def expand_view_blocks(
    markdown: str,
    views: Mapping[str, View],
    unknown: Callable[[Fence, str], str],
) -> str:
    """``markdown`` with every block replaced by its view; a block naming no view of
    ``views`` by ``unknown(block, view_id)`` (an error box, or it raises)."""
    if LANGUAGE not in markdown:
        return markdown

    def replacement(block: Fence) -> str:
        wanted = view_id(block)
        view = views.get(wanted)
        return embedded(view) if view is not None else unknown(block, wanted)

    return expand_fences(markdown, LANGUAGE, replacement, terminated_only=True)
