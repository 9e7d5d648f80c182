"""Find the Mermaid fences in Markdown files and check them, reporting file lines.

Handles what pymdownx.superfences accepts in MkDocs pages: ``` and ~~~ fences of any length,
fences indented inside lists / admonitions / content tabs (the indentation is stripped from
the diagram, as superfences does), attributes after the language (```` ```mermaid title="x" ````
or ```` ``` {.mermaid} ````), and a ```mermaid shown *inside* a longer fence (documentation
about diagrams), which is content, not a diagram.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.safety import excerpt
from netarch.validate.engine import BUDGET, BUDGET_HINT, MermaidProblem
from netarch.validate.linemap import split_lines

# How much of a netarch-view block's body a message quotes: a view id is short, a hostile
# body may be a megabyte.
VIEW_ID_CHARS = 80

_OPENING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_LANGUAGE = re.compile(r"^\s*(?:\{\s*\.?(?P<braced>[\w+-]+)[^}]*\}|(?P<plain>[\w+-]+))")


class DiagramChecker(Protocol):
    """What checks one diagram: ``MermaidValidator``, or anything wrapping it (--render)."""

    def check(self, text: str) -> list[MermaidProblem]: ...


@dataclass
class Fence:
    """One fenced block of one language (mermaid, unless asked for another)."""

    file: str
    start_line: int  # 1-based line of the opening fence
    column: int  # 1-based column of the opening fence's first character
    text: str  # the diagram, indentation stripped
    indent: int = 0  # characters of indentation removed from each diagram line
    terminated: bool = True  # False: no closing fence before the end of the file
    end_line: int = 0  # 1-based line of the closing fence (the last line when unterminated)


def _language(info: str) -> str:
    match = _LANGUAGE.match(info)
    if not match:
        return ""
    return (match["braced"] or match["plain"] or "").lower()


def _strip_indent(line: str, indent: str) -> str:
    """Remove up to ``len(indent)`` leading whitespace characters, as superfences does."""
    count = 0
    while count < len(indent) and count < len(line) and line[count] in " \t":
        count += 1
    return line[count:]


def find_fences(text: str, file: str = "<text>", language: str = "mermaid") -> list[Fence]:
    """Every ```mermaid / ~~~mermaid fence (or of another ``language``) in ``text``, in order."""
    lines = split_lines(text)
    fences: list[Fence] = []
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if not opening:
            index += 1
            continue
        marker = opening["fence"]
        info = opening["info"]
        if marker[0] == "`" and "`" in info:
            # Not a fence opening (CommonMark: a backtick fence's info has no backticks).
            index += 1
            continue
        indent = opening["indent"]
        closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        terminated = end < len(lines)
        if _language(info) == language:
            body = [_strip_indent(line, indent) for line in lines[index + 1 : end]]
            fences.append(
                Fence(
                    file=file,
                    start_line=index + 1,
                    column=len(indent) + 1,
                    text="\n".join(body),
                    indent=len(indent),
                    terminated=terminated,
                    end_line=min(end, len(lines) - 1) + 1,
                )
            )
        # Skip the whole block, whatever its language: a ```mermaid inside a ````markdown
        # example is content, not a diagram.
        index = end + 1
    return fences


def expand_fences(
    markdown: str,
    language: str,
    replacement: Callable[[Fence], str],
    *,
    terminated_only: bool = False,
) -> str:
    """``markdown`` with each fence of ``language`` replaced by ``replacement(fence)``,
    indented as the fence was (so a block inside a list item stays in it).
    ``terminated_only``: a fence never closed stays as it is (the page shows it as code)."""
    fences = find_fences(markdown, "", language=language)
    if terminated_only:
        fences = [fence for fence in fences if fence.terminated]
    if not fences:
        return markdown
    lines = split_lines(markdown)
    for fence in reversed(fences):
        opening = lines[fence.start_line - 1]
        indent = opening[: len(opening) - len(opening.lstrip(" \t"))]
        new = [indent + line if line else line for line in replacement(fence).split("\n")]
        lines[fence.start_line - 1 : fence.end_line] = new
    return "\n".join(lines)


def unknown_views(pages: Mapping[str, str], known: set[str]) -> list[Diagnostic]:
    """A ``netarch-view`` block naming a view the model does not have, at its line: the MkDocs
    plugin stops the build there, so the PR check must report it too."""
    diagnostics: list[Diagnostic] = []
    for display, text in pages.items():
        lines = split_lines(text)
        index = 0
        while index < len(lines):
            opening = _OPENING.match(lines[index])
            if not opening or (opening["fence"][0] == "`" and "`" in opening["info"]):
                index += 1
                continue
            marker = opening["fence"]
            closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
            end = index + 1
            while end < len(lines) and not closing.match(lines[end]):
                end += 1
            view_id = "\n".join(lines[index + 1 : end]).strip()
            if _language(opening["info"]) == "netarch-view" and view_id not in known:
                diagnostics.append(
                    Diagnostic(
                        Location(display, index + 1, len(opening["indent"]) + 1),
                        Severity.ERROR,
                        "VIEW_UNKNOWN",
                        f"unknown view {excerpt(view_id, VIEW_ID_CHARS)!r} in a netarch-view block",
                        hint="known: " + ", ".join(sorted(known)),
                        source_line=lines[index],
                    )
                )
            index = end + 1
    return diagnostics


def check_markdown(
    path_or_text: Path | str,
    validator: DiagramChecker,
    display_path: str | None = None,
) -> list[Diagnostic]:
    """Check every Mermaid fence of one Markdown document.

    ``path_or_text``: a :class:`~pathlib.Path` is read from disk; a ``str`` is the Markdown
    itself. Diagnostics point at lines of the Markdown file.
    """
    if isinstance(path_or_text, Path):
        text = path_or_text.read_text(encoding="utf-8")
        display = display_path or str(path_or_text)
    else:
        text = path_or_text
        display = display_path or "<markdown>"
    return _check_fences(text, find_fences(text, display), validator, display)


def check_pages(
    pages: Mapping[str, str],
    validator: DiagramChecker,
    *,
    fences: Mapping[str, list[Fence]] | None = None,
    check_many: Callable[[list[str]], object] | None = None,
) -> list[Diagnostic]:
    """:func:`check_markdown` for every page (display path -> Markdown), in order.

    ``fences``: the pages' fences, when the caller has found them already (each page is
    scanned once). ``check_many`` (``MermaidValidator.check_many``): every diagram of every
    page is parsed at once first, on all Mermaid isolates, so the checks page by page find
    the verdicts cached.
    """
    found = fences if fences is not None else find_page_fences(pages)
    if check_many is not None:
        check_many([fence.text for page in found.values() for fence in page if fence.terminated])
    diagnostics: list[Diagnostic] = []
    for display, text in pages.items():
        diagnostics += _check_fences(text, found[display], validator, display)
    return diagnostics


def find_page_fences(pages: Mapping[str, str]) -> dict[str, list[Fence]]:
    """:func:`find_fences` of every page (display path -> Markdown)."""
    return {display: find_fences(text, display) for display, text in pages.items()}


def _check_fences(
    text: str, fences: list[Fence], validator: DiagramChecker, display: str
) -> list[Diagnostic]:
    file_lines = split_lines(text)
    diagnostics: list[Diagnostic] = []
    for fence in fences:
        if not fence.terminated:
            diagnostics.append(
                Diagnostic(
                    Location(display, fence.start_line, fence.column),
                    Severity.ERROR,
                    "MERMAID_FENCE",
                    "unterminated mermaid fence: the diagram is never closed, so the page "
                    "shows it as text",
                    hint="close it with a line holding the same fence characters "
                    "(at least as many) as the opening",
                    source_line=file_lines[fence.start_line - 1],
                )
            )
            continue
        for problem in validator.check(fence.text):
            diagnostics.append(_to_diagnostic(problem, fence, display, file_lines))
    return diagnostics


def _to_diagnostic(
    problem: MermaidProblem, fence: Fence, display: str, file_lines: list[str]
) -> Diagnostic:
    if problem.line:
        # Diagram line 1 is the line after the opening fence.
        line = fence.start_line + problem.line
        column = fence.indent + problem.column if problem.column else 0
    else:
        # No position from mermaid (database checks, size): point at the fence itself.
        line, column = fence.start_line, 0
    message = problem.message.strip().splitlines()[0] if problem.message.strip() else ""
    return Diagnostic(
        Location(display, line, column),
        Severity.ERROR if problem.is_error else Severity.WARNING,
        problem.code,
        message or "mermaid rejected the diagram",
        hint=_HINTS.get(problem.code, ""),
        source_line=file_lines[line - 1] if 0 < line <= len(file_lines) else "",
    )


_HINTS = {
    "MERMAID_RENDER": "mermaid.parse accepts this diagram, but drawing it fails in the browser",
    "MERMAID_SIZE": "split the diagram: the browser shows a placeholder instead of it",
    "MERMAID_EMPTY": "remove the empty fence or add a diagram",
    "MERMAID_MISDRAWN": "the diagram renders without an error, but not as its text says",
    BUDGET: BUDGET_HINT,
    "MERMAID_CSS": "remove url(), @import and CSS escapes from the diagram's own configuration;"
    " give the site its styles in extra_css, served with it",
}


def check_docs_dir(path: Path, validator: DiagramChecker) -> list[Diagnostic]:
    """Check every ``*.md`` below ``path`` (sorted, so output is stable)."""
    diagnostics: list[Diagnostic] = []
    for markdown in sorted(Path(path).rglob("*.md")):
        diagnostics.extend(check_markdown(markdown, validator, str(markdown)))
    return diagnostics
