"""What a change does to each generated page, for ``mkdocs serve`` (the ``diff_base`` option).

The model in the working tree is compared with the model at a base revision, as
``netarch diff`` compares them; then each page whose text differs gets a note saying which of
its views changed, which model changes show on it and which rule findings concern it. A
change shows on a page when the lines of the page that differ name the element (its id or
name) or show one of its changed values; a finding, when they name the element it is about.
Pages whose text is the same get nothing.

Nothing here knows MkDocs; the plugin imports it only when the option is on.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netarch.diagnostics import Diagnostic
from netarch.diff import DiffResult, ItemChange, Side, describe_side
from netarch.diff.compare import ADDED, MISSING, REMOVED, Change
from netarch.diff.diagram import LEGEND, change_diagram
from netarch.diff.git import (
    GitError,
    checkout_model,
    default_base,
    model_in_repository,
    repository_root,
    resolve_revision,
)
from netarch.diff.report import change_rows, finding_item, md_text
from netarch.model.source import format_path
from netarch.validate.engine import MermaidProblem

if TYPE_CHECKING:
    from netarch.model.network import Model
    from netarch.pages.render import PageRenderer, RenderedPage

# The option's value that means "the merge base with the default branch", as `netarch diff`.
AUTO = "auto"
# Class of the note, for themes and tests (an admonition: `!!! info netarch-changes`).
NOTE_CLASS = "netarch-changes"
# Shorter values name too much by chance ("on", "10", "a"): they are not looked for.
_MIN_TOKEN = 3
_ROWS_SHOWN = 30


class BaseUnavailable(Exception):
    """The base revision cannot be compared with: no repository, no such revision, ..."""


@dataclass(frozen=True)
class Base:
    """The model at the base revision, run through the pipeline as the site runs its own."""

    name: str  # as the reader knows it: the revision, or merge-base(<branch>)
    commit: str
    side: Side
    argument: str  # what `netarch diff` takes to compare with it ("" for the merge base)


@dataclass
class PageNote:
    """What the change does to one generated page."""

    page: str  # src_uri
    new: bool  # the page does not exist at the base revision
    views: list[ItemChange] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    introduced: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)


class BaseRevision:
    """The base side, kept across ``serve`` rebuilds while its commit and the site's settings
    stay the same: only the working tree's model changes from one save to the next."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        self._kept: tuple[tuple[Any, ...], Base] | None = None

    def load(
        self,
        model: Path,
        site_dir: Path,
        *,
        renderer: PageRenderer,
        section_dir: str,
        severity_overrides: Mapping[str, str],
    ) -> Base:
        """The base; raises BaseUnavailable with a one-line reason."""
        from netarch.pages.render import template_files

        try:
            root = repository_root(model.parent if model.parent.is_dir() else site_dir)
            relative = model_in_repository(model, root)
            if self.revision == AUTO:
                name, commit = default_base(root)
            else:
                name, commit = self.revision, resolve_revision(self.revision, root)
        except GitError as error:
            raise BaseUnavailable(str(error)) from None
        key = (
            commit,
            str(relative),
            section_dir,
            tuple(sorted(severity_overrides.items())),
            template_files(renderer.template_dirs),
        )
        if self._kept is not None and self._kept[0] == key:
            return self._kept[1]
        with tempfile.TemporaryDirectory(prefix="netarch-diff-base-") as scratch:
            copy = Path(scratch)
            try:
                path = checkout_model(root, commit, relative, copy)
            except GitError as error:
                raise BaseUnavailable(str(error)) from None
            side = describe_side(
                path,
                f"{name}:{relative}",
                project_dir=_site_in(copy, site_dir, root),
                renderer=renderer,
                section_dir=section_dir,
                severity_overrides=severity_overrides,
            )
        if not side.loaded:
            first = side.errors[0].message if side.errors else "it cannot be read"
            raise BaseUnavailable(
                f"the model at {name} ({commit[:12]}) does not load, nothing to compare with:"
                f" {first}"
            )
        base = Base(name, commit, side, "" if self.revision == AUTO else self.revision)
        self._kept = (key, base)
        return base


def _site_in(copy: Path, site_dir: Path, root: Path) -> Path:
    """The site's folder inside the copy of the revision: what the includes must stay in."""
    try:
        return copy / site_dir.resolve().relative_to(root.resolve())
    except ValueError:  # the site's folder is above the repository: the repository then
        return copy


def page_notes(result: DiffResult, pages: Sequence[RenderedPage]) -> dict[str, PageNote]:
    """A note for each of ``pages`` (HEAD's) whose text the change alters."""
    changed_views = {item.name: item for item in result.views if item.change != REMOVED}
    # What names each change and finding, worked out once for all the pages.
    changes = [(change, _change_tokens(change, result)) for change in result.changes]
    introduced = [(d, _finding_tokens(d, result.head)) for d in result.findings_introduced]
    fixed = [(d, _finding_tokens(d, result.base)) for d in result.findings_fixed]
    notes: dict[str, PageNote] = {}
    for page in pages:
        old = result.base.pages.get(page.src_uri)
        new = result.head.pages.get(page.src_uri)
        if new is None or old == new:
            continue
        lines = _changed_lines(old or "", new)
        note = PageNote(page.src_uri, old is None)
        note.views = [changed_views[view] for view in page.views if view in changed_views]
        note.changes = [change for change, tokens in changes if _shown(lines, tokens)]
        note.introduced = [d for d, tokens in introduced if _shown(lines, tokens)]
        note.fixed = [d for d, tokens in fixed if _shown(lines, tokens)]
        notes[page.src_uri] = note
    return notes


def _changed_lines(old: str, new: str) -> str:
    """The lines only one of the two texts has, as one text to search."""
    found = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            found.append(line[1:])
    return "\n".join(found)


def _shown(lines: str, tokens: Iterable[str]) -> bool:
    return any(_word(token).search(lines) for token in tokens)


def _word(token: str) -> re.Pattern[str]:
    # Whole words only: node1 is not in node10, tenant-d is not in tenant-d-public.
    return re.compile(rf"(?<![\w.-]){re.escape(token)}(?![\w-])")


def _change_tokens(change: Change, result: DiffResult) -> set[str]:
    """What names the changed element on a page: its ids, its name (a Mermaid id writes "-"
    as "_"), and the values that changed."""
    tokens: set[str] = set()
    if change.kind != "settings":  # a section's name is not the change
        for element_id in (change.id, change.old_id):
            if element_id:
                tokens |= {element_id, element_id.replace("-", "_")}
        for model in (result.base.model, result.head.model):
            tokens |= _names(model, change.kind, change.id, change.old_id)
    if change.change not in (ADDED, REMOVED):
        for item in change.fields:
            tokens |= _values(item.old, item.new)
    return {token for token in tokens if len(token) >= _MIN_TOKEN}


def _names(model: Model | None, kind: str, *ids: str | None) -> set[str]:
    names = set()
    for element_id in ids:
        if model is not None and element_id and model.ids.has(kind, element_id):
            name = model.element(kind, element_id).get("name")
            if isinstance(name, str):
                names.add(name)
    return names


def _values(old: Any, new: Any) -> set[str]:
    """The scalar values one side has and the other has not (items, for lists)."""

    def scalars(value: Any) -> set[str]:
        items = value if isinstance(value, list) else [value]
        return {str(item) for item in items if isinstance(item, (str, int, float))}

    olds = scalars(old) if old is not MISSING else set()
    news = scalars(new) if new is not MISSING else set()
    return (olds - news) | (news - olds) if olds != news else set()


def _finding_tokens(finding: Diagnostic, side: Side) -> set[str]:
    """What names the element a finding is about: the innermost element around its path."""
    model = side.model
    if model is None or not finding.path:
        return set()
    around = [
        definition
        for definition in model.ids.definitions.values()
        if _inside(finding.path, format_path(definition.element_path))
    ]
    best = max(around, key=lambda definition: len(definition.element_path), default=None)
    if best is None:  # about a section's own value: that value names it
        for path in model.document.value_locations:
            if format_path(path) == finding.path:
                return _values(MISSING, _at(model.data, path))
        return set()
    tokens = {best.id, best.id.replace("-", "_"), *_names(model, best.kind, best.id)}
    return {token for token in tokens if len(token) >= _MIN_TOKEN}


def _inside(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        data = data[step]
    return data


def note_markdown(
    note: PageNote,
    result: DiffResult,
    base: Base,
    view_titles: Mapping[str, str],
    check: Callable[[str], Sequence[MermaidProblem]] | None,
) -> tuple[str, list[MermaidProblem]]:
    """The note as an admonition to put under the page's title, and Mermaid's problems with
    its diagram (the diagram is left out when there are any)."""
    title = f"Changed since {base.name} ({base.commit[:12]})"
    if note.new:
        body = ["This page is new: the model at that revision does not generate it."]
    else:
        body = ["This page differs from the one the model at that revision generates."]
    if note.views:
        shown = ", ".join(
            f"{item.type} *{md_text(view_titles.get(item.name, item.name))}* ({item.change})"
            for item in note.views
        )
        body[0] += f" Views: {shown}."
    if note.changes:
        rows = change_rows(note.changes[:_ROWS_SHOWN])
        body += ["", "| Change | Element | Old → new | Where |", "|---|---|---|---|", *rows]
        if len(note.changes) > _ROWS_SHOWN:
            body += ["", f"And {len(note.changes) - _ROWS_SHOWN} more."]
    elif not note.new:
        body += ["", "No changed element is named in what differs (wording, layout, order)."]
    for heading, findings in (
        ("Findings introduced", note.introduced),
        ("Findings fixed", note.fixed),
    ):
        if findings:
            body += ["", f"**{heading}**", "", *map(finding_item, findings)]
    problems: list[MermaidProblem] = []
    drawn = change_diagram(dataclasses.replace(result, changes=note.changes))
    if drawn and check is not None:
        problems = list(check(drawn))
    if drawn and not problems:
        body += ["", "```mermaid", *drawn.rstrip().splitlines(), "```", "", LEGEND]
    command = f"netarch diff {base.argument}".strip()
    body += ["", f"The whole change, every page: <code>{md_text(command)}</code>."]
    indented = [f"    {line}" if line else "" for line in body]
    return "\n".join([f'!!! info {NOTE_CLASS} "{md_text(title)}"', "", *indented, ""]), problems
