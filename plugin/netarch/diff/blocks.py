"""```` ```netarch-diff ```` blocks: the Markdown report of ``netarch diff`` on a site's page.

````markdown
```netarch-diff
base: docs/network-previous.yaml
head: docs/network.yaml
```
````

Each block is replaced, when the site is built, by the report of the change from ``base`` to
``head`` (``head`` defaults to the site's model), with long lists open and the change drawn.
Paths are model files relative to the site's folder (that of mkdocs.yml) and must stay in it,
as the model and its includes must. Nothing here knows MkDocs: the plugin and
``netarch check`` share it, so the pull request check fails where the build does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from netarch.diagnostics import Diagnostic, Location, Severity, display_path
from netarch.safety import excerpt, inspect_path, resolve_path
from netarch.validate.engine import BUDGET, BUDGET_HINT, MermaidProblem
from netarch.validate.fences import Fence, expand_fences, find_fences
from netarch.validate.linemap import split_lines

if TYPE_CHECKING:
    from netarch.diff import DiffResult
    from netarch.pages.render import PageRenderer

LANGUAGE = "netarch-diff"
KEYS = ("base", "head")
CODE = "DIFF_BLOCK"
_MODEL_SUFFIXES = (".yaml", ".yml")
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:(?P<space>[ \t]*)(?P<value>.*?)[ \t]*$")


@dataclass(frozen=True)
class DiffBlock:
    """A block whose two models exist inside the site's folder."""

    fence: Fence
    base: Path
    head: Path
    base_label: str  # as the report names them: relative to the site's folder
    head_label: str
    # Where each key was written (the fence itself for a left-out head), for the warnings.
    locations: Mapping[str, Location] = field(default_factory=dict)


@dataclass
class BlockReport:
    """What one block turns into."""

    markdown: str
    result: DiffResult
    # Warnings about the block's models (a side that does not load).
    diagnostics: list[Diagnostic]
    # The files of both models, for the plugin to watch and to leave out of the built site.
    files: list[str]


def find_blocks(markdown: str, display: str) -> list[Fence]:
    return find_fences(markdown, display, language=LANGUAGE)


def read_blocks(
    markdown: str, display: str, site_dir: Path, default_model: Path | None
) -> tuple[list[DiffBlock], list[tuple[Fence, Diagnostic]]]:
    """The page's blocks that name two usable models, and a warning for each other block."""
    lines = split_lines(markdown)
    blocks: list[DiffBlock] = []
    problems: list[tuple[Fence, Diagnostic]] = []
    for fence in find_blocks(markdown, display):
        found = _read_block(fence, lines, site_dir, default_model)
        if isinstance(found, Diagnostic):
            problems.append((fence, found))
        else:
            blocks.append(found)
    return blocks, problems


def _problem(
    fence: Fence, lines: Sequence[str], line: int, column: int, message: str, hint: str
) -> Diagnostic:
    return Diagnostic(
        Location(fence.file, line, column),
        Severity.WARNING,
        CODE,
        f"netarch-diff block: {message}",
        hint=hint,
        source_line=lines[line - 1] if 0 < line <= len(lines) else "",
    )


_HINT = (
    "write `base: <model file>` and optionally `head: <model file>` (default: the site's"
    " model), paths relative to mkdocs.yml"
)


def _read_block(
    fence: Fence, lines: Sequence[str], site_dir: Path, default_model: Path | None
) -> DiffBlock | Diagnostic:
    def problem(line: int, column: int, message: str, hint: str = _HINT) -> Diagnostic:
        return _problem(fence, lines, line, column, message, hint)

    if not fence.terminated:
        return problem(
            fence.start_line,
            fence.column,
            "the block is never closed",
            "close it with a line holding the same fence characters as the opening",
        )
    values: dict[str, tuple[str, Location]] = {}
    for offset, text in enumerate(fence.text.splitlines(), start=1):
        line = fence.start_line + offset
        stripped = text.lstrip(" \t")
        column = fence.indent + len(text) - len(stripped) + 1
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY_VALUE.match(stripped)
        if match is None:
            return problem(line, column, f"expected `key: value`, got {excerpt(stripped, 80)!r}")
        key = match["key"]
        if key not in KEYS:
            return problem(line, column, f"unknown key {excerpt(key, 40)!r}")
        if key in values:
            first = values[key][1].line
            return problem(line, column, f"{key!r} is given twice (first on line {first})")
        value = _unquote(match["value"])
        value_column = column + match.start("value")
        if not value:
            return problem(line, value_column, f"{key!r} names no model file")
        values[key] = (value, Location(fence.file, line, value_column))
    if "base" not in values:
        return problem(fence.start_line, fence.column, "no `base:` model file")
    opening = Location(fence.file, fence.start_line, fence.column)
    resolved: dict[str, Path] = {}
    for key in KEYS:
        if key not in values:
            if default_model is None or not inspect_path(default_model).is_file:
                return problem(
                    fence.start_line, fence.column, "no `head:`, and the site's model is missing"
                )
            resolved[key], values[key] = default_model.resolve(), (str(default_model), opening)
            continue
        value, where = values[key]
        path = _model_path(value, site_dir)
        if isinstance(path, str):
            return problem(where.line, where.column, path, _HINT)
        resolved[key] = path
    return DiffBlock(
        fence,
        resolved["base"],
        resolved["head"],
        display_path(resolved["base"], site_dir),
        display_path(resolved["head"], site_dir),
        {key: where for key, (_, where) in values.items()},
    )


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


def _model_path(value: str, site_dir: Path) -> Path | str:
    """The model file ``value`` names, or why it cannot be read (as the plugin confines the
    model and its includes: inside the site's folder, symbolic links followed)."""
    shown = excerpt(value, 120)
    written = Path(value)
    if written.is_absolute() or value.startswith(("\\", "~")):
        return f"{shown!r} is not relative to the site's folder"
    if written.suffix.lower() not in _MODEL_SUFFIXES:
        return f"{shown!r} is not a model file (.yaml or .yml)"
    folder = site_dir.resolve()
    found = inspect_path(folder / written)
    if found.kind == "unusable":  # too long, a link loop, no permission
        return f"{shown!r}: {found.problem}"
    path = resolve_path(folder / written)
    if path is None:
        return f"{shown!r} cannot be resolved"
    if not path.is_relative_to(folder):
        return f"{shown!r} is outside the site's folder (symbolic links that lead out count)"
    if found.kind == "missing":
        return f"{shown!r}: no such model file"
    if not found.is_file:
        return f"{shown!r}: {found.problem or 'a folder, not a model file'}"
    return path


def run_block(
    block: DiffBlock,
    *,
    project_dir: Path,
    renderer: PageRenderer | None = None,
    severity_overrides: Mapping[str, str] | None = None,
) -> BlockReport:
    """Compare the block's two models as the site generates them; never raises on bad models."""
    from netarch.diff import diff_models
    from netarch.diff.report import to_markdown

    result = diff_models(
        block.base,
        block.head,
        block.base_label,
        block.head_label,
        project_dir=project_dir,
        renderer=renderer,
        severity_overrides=severity_overrides,
    )
    diagnostics = []
    for key, side in (("base", result.base), ("head", result.head)):
        if not side.loaded:
            first = side.errors[0].headline() if side.errors else "it cannot be read"
            diagnostics.append(
                Diagnostic(
                    block.locations[key],
                    Severity.WARNING,
                    CODE,
                    f"netarch-diff block: the {key} model {side.label} does not load"
                    f" ({len(side.errors)} error(s)), so the report counts it as empty;"
                    f" the first: {first}",
                    hint=f"run `netarch check {side.label}`",
                )
            )
    markdown = to_markdown(result, fold=False, marker=False)
    return BlockReport(markdown, result, diagnostics, [*result.base.files, *result.head.files])


def diagram_problems(
    block: Fence, report: str, check: Callable[[str], Sequence[MermaidProblem]]
) -> list[Diagnostic]:
    """Mermaid's verdict on the diagrams of a block's ``report`` (its Markdown), at the
    block."""
    where = Location(block.file, block.start_line, block.column)
    diagnostics = []
    for fence in find_fences(report):
        diagram = split_lines(fence.text)
        for problem in check(fence.text):
            line = diagram[problem.line - 1].strip() if 0 < problem.line <= len(diagram) else ""
            at = f"line {problem.line} `{line}`" if line else "the diagram"
            verdict = "rejects" if problem.is_error else "draws differently"
            diagnostics.append(
                Diagnostic(
                    where,
                    Severity.ERROR if problem.is_error else Severity.WARNING,
                    problem.code,
                    f"netarch-diff block: Mermaid {verdict} {at} of the change diagram:"
                    f" {problem.message}",
                    hint=BUDGET_HINT
                    if problem.code == BUDGET
                    else "the report's diagram comes from netarch's builder; please report it",
                )
            )
    return diagnostics


@dataclass
class PageBlocks:
    """The blocks of one page, run."""

    # Body of each block that could be made -> its report's Markdown.
    reports: dict[str, str] = field(default_factory=dict)
    # Blocks that could not be made, each with its warning.
    problems: list[tuple[Fence, Diagnostic]] = field(default_factory=list)
    # Warnings and Mermaid's verdicts about the reports, at their blocks.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The model files the blocks read.
    files: list[str] = field(default_factory=list)
    # Each block run, with its report: for a caller that checks the diagrams later.
    made: list[tuple[Fence, str]] = field(default_factory=list)


def run_page_blocks(
    markdown: str,
    display: str,
    *,
    site_dir: Path,
    default_model: Path | None,
    renderer: PageRenderer | None = None,
    severity_overrides: Mapping[str, str] | None = None,
    check: Callable[[str], Sequence[MermaidProblem]] | None = None,
    done: Mapping[str, str] | None = None,
) -> PageBlocks:
    """Every block of a page (``display`` names it in messages), compared as the site's
    plugin compares them, each report's diagram checked with ``check`` (without one, the
    caller checks ``made`` itself). A block whose body is in ``done`` (the same block on an
    earlier page) is not run again."""
    found = PageBlocks()
    blocks, found.problems = read_blocks(markdown, display, site_dir, default_model)
    for block in blocks:
        text = block.fence.text
        if text in found.reports or (done is not None and text in done):
            continue
        report = run_block(
            block,
            project_dir=site_dir,
            renderer=renderer,
            severity_overrides=severity_overrides,
        )
        found.diagnostics += report.diagnostics
        if check is not None:
            found.diagnostics += diagram_problems(block.fence, report.markdown, check)
        found.reports[text] = report.markdown
        found.files += report.files
        found.made.append((block.fence, report.markdown))
    return found


def expand_blocks(markdown: str, replacement: Callable[[Fence], str]) -> str:
    """``markdown`` with each block replaced by ``replacement(block)``, indented as it was."""
    return expand_fences(markdown, LANGUAGE, replacement)
