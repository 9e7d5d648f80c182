"""Live preview: what ``mkdocs serve`` keeps between rebuilds, and how it shows a broken model.

This module knows nothing of MkDocs. The plugin feeds it each rebuild's generation and
diagnostics; it answers which paths to watch, which pages stand in for the generated ones
while the model is broken, and the HTML that lists the problems (all model text escaped).
"""

from __future__ import annotations

import html
import posixpath
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import jinja2

from netarch.diagnostics import (
    Diagnostic,
    Location,
    Severity,
    display_path,
    sorted_diagnostics,
)

if TYPE_CHECKING:  # not imported at run time: a build from cached pages never loads them
    from netarch.pipeline import Generation

# Class names on the HTML we inject: themes style `admonition danger`; tests look for ours.
PROBLEMS_CLASS = "netarch-problems"
VIEW_PROBLEM_CLASS = "netarch-view-problem"


class Watcher(Protocol):
    """The public part of MkDocs' ``LiveReloadServer`` that the preview uses."""

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None: ...


@dataclass(frozen=True, order=True)
class WatchTarget:
    path: str
    recursive: bool = True


def watch_targets(
    files: Iterable[str | Path], base_dir: Path, folders: Iterable[Path] = ()
) -> set[WatchTarget]:
    """What to watch for the model ``files`` (as the loader lists them) and template ``folders``.

    Relative names are taken from ``base_dir`` (the loader lists the root file by its display
    path when it cannot read it). A file that does not exist, e.g. a mistyped include, is
    watched through its folder, so that creating it triggers a rebuild.
    """
    targets: set[WatchTarget] = set()
    for name in files:
        path = Path(name)
        path = (path if path.is_absolute() else base_dir / path).resolve()
        if path.is_file():
            targets.add(WatchTarget(str(path)))
        elif path.parent.is_dir():
            targets.add(WatchTarget(str(path.parent), recursive=False))
    for folder in folders:
        if folder.is_dir():
            targets.add(WatchTarget(str(folder.resolve())))
    return targets


def template_listing(folders: Iterable[Path]) -> frozenset[str]:
    """Every file in the template ``folders``: names only, Jinja notices edits by itself."""
    from netarch.pages.render import template_files

    return frozenset(path for path, _, _ in template_files(folders))


class WatchList:
    """The paths watched for the model, kept across rebuilds.

    It only grows: a file dropped from the model costs at most a needless rebuild, whereas
    unwatching the includes that a failed load did not reach would lose edits to them.
    Targets found before the server exists (the first build) are watched once it attaches.
    """

    def __init__(self) -> None:
        self.targets: set[WatchTarget] = set()
        self._server: Watcher | None = None

    def attach(self, server: Watcher) -> None:
        self._server = server
        for target in sorted(self.targets):
            server.watch(target.path, recursive=target.recursive)

    def add(self, targets: Iterable[WatchTarget]) -> list[WatchTarget]:
        """Watch the targets not watched yet; returns them."""
        new = sorted(set(targets) - self.targets)
        self.targets.update(new)
        if self._server is not None:
            for target in new:
                self._server.watch(target.path, recursive=target.recursive)
        return new


@dataclass
class LivePreview:
    """The state of the preview from one rebuild to the next."""

    watches: WatchList = field(default_factory=WatchList)
    # src_uri -> title of the pages of the last generation that worked.
    pages: dict[str, str] = field(default_factory=dict)
    # Errors of the current rebuild, shown in the browser.
    problems: list[Diagnostic] = field(default_factory=list)
    # The current generation failed: its pages show the problems instead of stale content.
    broken: bool = False

    def start(self) -> None:
        """A rebuild begins: forget the previous rebuild's problems."""
        self.problems = []
        self.broken = False

    def record(self, generation: Generation, section_dir: str, section_title: str) -> None:
        if generation.ok:
            self.pages = {page.src_uri: page.title for page in generation.pages}
            return
        self.broken = True
        # Includes downgraded Mermaid errors: without pages there is nothing current to show.
        self.add(generation.diagnostics)
        if not self.pages:  # broken since the server started: one page to show the errors
            self.pages = {posixpath.join(section_dir, "index.md"): section_title}

    def check_still_there(self, files: Iterable[str], base_dir: Path) -> list[Diagnostic]:
        """At the end of a rebuild that worked: the model ``files`` it read that are no longer
        regular files (replaced by a folder, removed meanwhile). Then the pages of this
        rebuild are not current, and are shown as errors like those of a broken model, even
        if no rebuild follows (a watch that saw nothing, a file gone with its watch)."""
        if self.broken:
            return []
        problems = []
        for name in files:
            path = Path(name) if Path(name).is_absolute() else base_dir / name
            if path.is_file():
                continue
            shown = display_path(path, base_dir)
            now = "a folder" if path.is_dir() else "missing" if not path.exists() else "not a file"
            problems.append(
                Diagnostic(
                    Location(shown),
                    Severity.ERROR,
                    "NA005",
                    f"cannot read {shown}: it was a model file when this rebuild read it, and"
                    f" is {now} now",
                    hint="put the model file back; the site rebuilds by itself",
                )
            )
        if problems:
            self.broken = True
            self.add(problems)
        return problems

    def add(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            if diagnostic.is_error and diagnostic not in self.problems:
                self.problems.append(diagnostic)

    def error_pages(self) -> dict[str, str]:
        """The generated pages that show the problems in this rebuild (none when it worked)."""
        return dict(self.pages) if self.broken else {}

    def banner(self) -> str:
        """HTML to put above the content of the other pages ("" when there is no problem)."""
        if not self.problems:
            return ""
        if self.broken:
            note = (
                "The generated pages are not current: they show these errors instead. Fix them "
                "and save; the site rebuilds by itself."
            )
        else:
            note = "Fix them and save; the site rebuilds by itself."
        return problems_html(self.problems, f"netarch: {_count(self.problems)}", note)

    def error_page_html(self) -> str:
        note = (
            "This page is generated from the network model, which has errors, so it shows them "
            "instead of its last version. Fix them and save: the page comes back without "
            "restarting mkdocs serve."
        )
        return problems_html(self.problems, f"netarch: {_count(self.problems)}", note)


def problems_html(problems: Sequence[Diagnostic], title: str, note: str) -> str:
    """An admonition listing ``problems`` as the terminal shows them (file:line:col first)."""
    items = "".join(
        f"<pre><code>{html.escape(d.format_human())}</code></pre>"
        for d in sorted_diagnostics(problems)
    )
    return (
        f'<div class="admonition danger {PROBLEMS_CLASS}">'
        f'<p class="admonition-title">{html.escape(title)}</p>'
        f"<p>{html.escape(note)}</p>{items}</div>\n"
    )


def view_problem_html(message: str) -> str:
    """Stands in for a ``netarch-view`` block that cannot be shown (a raw HTML block)."""
    return (
        f'<div class="admonition danger {VIEW_PROBLEM_CLASS}">'
        f'<p class="admonition-title">netarch</p><p>{html.escape(message)}</p></div>'
    )


def crash_diagnostic(error: BaseException, fallback: Location) -> Diagnostic:
    """An exception raised while generating, as a Diagnostic the preview can show.

    Most are template mistakes (the templates are watched, so they are edited live); those
    point at the template line. Anything else points at the model, with the exception text.
    """
    location = fallback
    code = "INTERNAL"
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        location, code = Location(error.filename, error.lineno), "TEMPLATE"
    else:
        # Jinja rewrites tracebacks so that template frames carry the template file and line.
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith(".jinja"):
                location, code = Location(frame.filename, frame.lineno or 0), "TEMPLATE"
                break
    hint = (
        "fix the template and save"
        if code == "TEMPLATE"
        else "this is a netarch bug unless the model is at fault; please report it"
    )
    message = f"generating the pages failed: {type(error).__name__}: {error}"
    return Diagnostic(location, Severity.ERROR, code, message, hint=hint)


def _count(problems: Sequence[Diagnostic]) -> str:
    return f"{len(problems)} error{'s' if len(problems) != 1 else ''} in the site"
