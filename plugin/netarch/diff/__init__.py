"""What a change to the model changes in the network: ``diff_models(base, head)``.

Each side is run through the pipeline (model, rule findings, views, pages) without Mermaid or
MkDocs; then the models are compared element by element (``compare``), what their policies let
reach what (``reachability``), the findings by what they say, and the generated pages and views
by their text. A side whose model does not load
keeps its diagnostics and counts as empty, so the other side is still described.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from netarch.diagnostics import Diagnostic

# The pipeline, the checks and the model are imported where used: a site that only shows a
# report kept from an earlier build (``netarch.diff.blocks``) needs none of them (~80 ms).
if TYPE_CHECKING:
    from netarch.diff.compare import Change
    from netarch.diff.reachability import ReachabilityDiff
    from netarch.model.network import Model
    from netarch.pages.render import PageRenderer
    from netarch.pipeline import Generation

__all__ = [
    "DiffResult",
    "ItemChange",
    "Side",
    "describe_side",
    "diff_models",
    "diff_sides",
    "side_of",
]


@dataclass
class Side:
    """One version of the model, run through the pipeline."""

    label: str  # what the reader knows it as: a file, or "REV:path"
    model: Model | None
    # Why the model did not load (empty when it did).
    errors: list[Diagnostic] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # src_uri -> Markdown
    diagrams: dict[str, str] = field(default_factory=dict)  # view id -> Mermaid text
    tables: dict[str, str] = field(default_factory=dict)  # view id -> Markdown table
    # The model's files as the loader read them (the model and its includes), to watch.
    files: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return self.model is not None


@dataclass(frozen=True)
class ItemChange:
    """A generated page or view whose text differs: added, removed or changed."""

    name: str
    change: str
    type: str = "page"  # page, diagram or table


@dataclass
class DiffResult:
    base: Side
    head: Side
    changes: list[Change]
    findings_introduced: list[Diagnostic]
    findings_fixed: list[Diagnostic]
    pages: list[ItemChange]
    views: list[ItemChange]
    # Who can reach whom before and after, from the policies: the meaning of "policy changed".
    reachability: ReachabilityDiff = field(default_factory=lambda: _no_reachability())

    @property
    def impact(self) -> list[Change]:
        """Changes that alter reachability or address space, first in every report."""
        return [change for change in self.changes if change.impact]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.changes
            or self.reachability.changes
            or self.findings_introduced
            or self.findings_fixed
            or self.pages
            or self.views
            or self.base.loaded != self.head.loaded
        )


def describe_side(
    path: Path,
    label: str,
    *,
    project_dir: Path | None = None,
    renderer: PageRenderer | None = None,
    section_dir: str = "",
    severity_overrides: Mapping[str, str] | None = None,
) -> Side:
    """Load, check and generate one side; never raises on a bad model.

    The keywords are a site's settings (the MkDocs plugin's): the folder includes must stay
    in, its templates and page folder, and its severities, so that both sides are generated
    as that site generates them.
    """
    from netarch.checks import run_checks
    from netarch.pipeline import generate

    generation = generate(
        path,
        display_path=label,
        project_dir=project_dir,
        renderer=renderer,
        section_dir=section_dir,
    )
    if generation.model is None:
        return side_of(generation, label, [])
    return side_of(generation, label, run_checks(generation.model, severity_overrides))


def side_of(generation: Generation, label: str, findings: list[Diagnostic]) -> Side:
    """One side from a run of the pipeline that already happened (``serve`` has the working
    tree's), with the rule ``findings`` on its model."""
    from netarch.views import DiagramView

    if generation.model is None:
        errors = [d for d in generation.diagnostics if d.is_error]
        return Side(label, None, errors=errors, files=list(generation.files))
    side = Side(label, generation.model, findings=findings, files=list(generation.files))
    # Every page names the model file it came from; that name differs between the sides.
    side.pages = {
        page.src_uri: page.markdown.replace(f"`{label}`", "`<model>`") for page in generation.pages
    }
    for view_id, view in generation.views.items():
        if isinstance(view, DiagramView):
            side.diagrams[view_id] = view.diagram.text
        else:
            side.tables[view_id] = view.to_markdown()
    return side


def diff_models(
    base: Path,
    head: Path,
    base_label: str,
    head_label: str,
    *,
    project_dir: Path | None = None,
    renderer: PageRenderer | None = None,
    section_dir: str = "",
    severity_overrides: Mapping[str, str] | None = None,
) -> DiffResult:
    describe = partial(
        describe_side,
        project_dir=project_dir,
        renderer=renderer,
        section_dir=section_dir,
        severity_overrides=severity_overrides,
    )
    return diff_sides(describe(base, base_label), describe(head, head_label))


def _no_reachability() -> ReachabilityDiff:
    from netarch.diff.reachability import ReachabilityDiff

    return ReachabilityDiff()


def diff_sides(base: Side, head: Side) -> DiffResult:
    from netarch.diff.compare import compare_models
    from netarch.diff.reachability import compare_reachability

    introduced, fixed = _finding_changes(base.findings, head.findings)
    views = _text_changes(base.diagrams, head.diagrams, "diagram")
    views += _text_changes(base.tables, head.tables, "table")
    return DiffResult(
        base,
        head,
        compare_models(base.model, head.model),
        introduced,
        fixed,
        _text_changes(base.pages, head.pages, "page"),
        sorted(views, key=lambda item: item.name),
        compare_reachability(base.model, head.model),
    )


# Line and column numbers inside a message move with unrelated edits: not part of identity.
# Only positions: ":443" after an address or "::1" in an IPv6 address stay.
_POSITION = re.compile(r"(?<=\.yaml)(:\d+)+|(?<=\.yml)(:\d+)+|\bline \d+|\bcolumn \d+")


def _finding_key(finding: Diagnostic) -> tuple[str, str, str]:
    # The model path is left out too: its list indexes change when a list is reordered.
    return (finding.code, finding.severity.value, _POSITION.sub("", finding.message))


def _finding_changes(
    base: list[Diagnostic], head: list[Diagnostic]
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Findings only HEAD has (introduced) and only BASE has (fixed), matched by code and what
    they say (as many times as each side says it), not by line."""
    return _unmatched(head, base), _unmatched(base, head)


def _unmatched(findings: list[Diagnostic], others: list[Diagnostic]) -> list[Diagnostic]:
    left = Counter(_finding_key(finding) for finding in others)
    result = []
    for finding in findings:
        key = _finding_key(finding)
        if left[key]:
            left[key] -= 1
        else:
            result.append(finding)
    return result


def _text_changes(old: dict[str, str], new: dict[str, str], kind: str) -> list[ItemChange]:
    from netarch.diff.compare import ADDED, CHANGED, REMOVED

    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(ItemChange(name, REMOVED, kind))
        elif name not in old:
            changes.append(ItemChange(name, ADDED, kind))
        elif old[name] != new[name]:
            changes.append(ItemChange(name, CHANGED, kind))
    return changes
