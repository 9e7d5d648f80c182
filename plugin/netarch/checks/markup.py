"""Model text shown otherwise than its writer may expect: titles with HTML characters, prose
written as a Markdown block. Neither is a risk (``netarch.safety`` makes both inert on every
page); both are reported so that the writer knows what the reader sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, rule
from netarch.checks.placement import PLACEMENT, Placement
from netarch.checks.text import model_texts
from netarch.model.network import Model, ModelPath
from netarch.safety import excerpt, opens_block, plain_title

SECTION = "Text on pages"
_QUOTED = 60  # characters of a text a message quotes


@rule(
    "NA176",
    "warning",
    "Page title with characters that HTML reads as markup",
    rationale="Themes print a page title as HTML in the browser tab, the navigation, the"
    " search index and attributes, some after removing tags and decoding entities, so no"
    " escaping of `<`, `>`, quotes or `&` holds in all of them. netarch shows such a title with"
    " look-alike characters instead (full-width angle brackets, quotes and ampersand, a"
    " typographic apostrophe), which is not what its writer typed.",
    source="netarch page plan; the page templates of mkdocs-material, mkdocs and readthedocs",
    hint="write the title without `<`, `>`, quotes or `&` followed by a letter",
    section=SECTION,
)
def titles_shown_with_lookalikes(model: Model) -> Iterator[Finding]:
    for index, entry in enumerate(model.data.get("pages") or []):
        if not isinstance(entry, dict):
            continue
        # The page's title, and its title in each language of the site's builds.
        titles = {("pages", index, "title"): entry.get("title")}
        if isinstance(entry.get("titles"), dict):
            titles |= {("pages", index, "titles", k): v for k, v in entry["titles"].items()}
        for path, title in titles.items():
            if isinstance(title, str) and _changed(title):
                yield _title_finding(path, title)
    placement: Placement | None = model.memo.get(PLACEMENT)
    if placement is None:
        return
    # A component name that a composed title ("Observability with <name>") carries.
    titles = " ".join(str(getattr(page, "title", "")) for page in placement.pages)
    for index, component in enumerate(model.items("components")):
        name = component.get("name")
        if not isinstance(name, str):
            continue
        if _changed(name) and plain_title(name) in titles:
            yield _title_finding(("components", index, "name"), name)


def _changed(title: str) -> bool:
    """Whether the title is shown otherwise than written. An apostrophe shown as the
    typographic one (U+2019) is the same title to its reader: "Vue d'ensemble"."""
    return plain_title(title) != " ".join(title.replace("'", "\u2019").split())


def _title_finding(path: ModelPath, title: str) -> Finding:
    return Finding(
        path,
        f"page title {excerpt(title, _QUOTED)!r} is shown as"
        f" {excerpt(plain_title(title), _QUOTED)!r}: themes read <, >, quotes and & as HTML",
    )


@rule(
    "NA177",
    "warning",
    "Model text written as a Markdown block",
    rationale="Model text is shown as paragraphs with emphasis, code spans and links. A line"
    " that starts a fence (```` ``` ```` or `~~~`), an admonition, a heading, a list or a table"
    " is shown as the text it is: a diagram, a code block or a note in model text would"
    " escape the checks netarch gives its own, so none is made from it.",
    source="netarch page rendering (netarch.safety.prose)",
    hint="put diagrams and code in views, examples or hand-written pages; write the text as"
    " sentences",
    section=SECTION,
)
def text_written_as_blocks(model: Model) -> Iterator[Finding]:
    seen: set[ModelPath] = set()
    for item in model_texts(model):
        seen.add(item.path)
        finding = _block_finding(item.path, item.text)
        if finding is not None:
            yield finding
    # Page introductions are prose too (model_texts leaves them to the page plan).
    for index, entry in enumerate(model.data.get("pages") or []):
        intro: Any = entry.get("intro") if isinstance(entry, dict) else None
        path = ("pages", index, "intro")
        if isinstance(intro, str) and path not in seen:
            finding = _block_finding(path, intro)
            if finding is not None:
                yield finding


def _block_finding(path: ModelPath, text: str) -> Finding | None:
    line = opens_block(text)
    if line is None:
        return None
    return Finding(
        path,
        f"the line {excerpt(line.strip(), _QUOTED)!r} would open a Markdown block; it is shown"
        " as text",
    )
