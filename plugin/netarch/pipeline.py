"""The whole pipeline in one call: YAML -> checked model -> views -> Mermaid + pages -> validated.

This is the API the MkDocs plugin and the CLI share; it knows nothing about MkDocs. It never
raises on bad input: every problem comes back as a Diagnostic, and pages are only returned
when there is no error, so a caller cannot publish half-checked output by mistake. (A caller
that asks not to wait for Mermaid gets its pages early, and ``settle()`` takes them back if a
diagram fails.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from netarch.checks.placement import PLACEMENT, Placement
from netarch.diagnostics import Diagnostic, Location, Severity, has_errors
from netarch.model.network import Model, load_model
from netarch.pages.render import PageRenderer, RenderedPage, TemplateProblem
from netarch.validate.engine import BUDGET, BUDGET_HINT, MermaidProblem
from netarch.views import DiagramView, View, build_views

# Checks a diagram's text with the real Mermaid; the engine (or a cache in front of it).
DiagramChecker = Callable[[str], Sequence[MermaidProblem]]
# Extra model checks (network rules, claims lint) plugged in by the caller.
ModelCheck = Callable[[Model], Sequence[Diagnostic]]


@dataclass
class Generation:
    """What one run produced: pages only when ``ok``; diagnostics always."""

    diagnostics: list[Diagnostic]
    files: list[str]
    model: Model | None = None
    views: dict[str, View] = field(default_factory=dict)
    pages: list[RenderedPage] = field(default_factory=list)
    # Diagrams Mermaid is still checking (``generate(wait_for_diagrams=False)``).
    pending: list[tuple[DiagramView, Future[Sequence[MermaidProblem]]]] = field(
        default_factory=list, repr=False
    )

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def settle(self) -> list[Diagnostic]:
        """Wait for the diagrams still being checked and add their diagnostics (returned too);
        the pages go if one of them is an error."""
        pending, self.pending = self.pending, []
        found: list[Diagnostic] = []
        for view, verdict in pending:
            found += diagram_diagnostics(view, verdict.result())
        self.diagnostics += found
        if has_errors(found):
            self.pages = []
        return found


def generate(
    model_path: Path,
    *,
    display_path: str | None = None,
    renderer: PageRenderer | None = None,
    section_dir: str = "",
    check_diagram: DiagramChecker | None = None,
    model_checks: Sequence[ModelCheck] = (),
    diagram_threads: int = 0,
    project_dir: Path | None = None,
    wait_for_diagrams: bool = True,
    language: str | None = None,
) -> Generation:
    """Run the pipeline on ``model_path``.

    ``project_dir``: the folder the model's includes must stay in (the site's folder for the
    MkDocs plugin; by default the model's own folder).

    ``diagram_threads``: 0 checks the diagrams one by one on this thread (for a checker that
    must stay on it, such as a browser). N >= 1 hands them to N helper threads as soon as the
    views exist -- for a thread-safe checker like ``MermaidValidator.check`` -- so that Mermaid
    works while the network checks run and the pages render here.

    ``language``: the language of the site's build (a multilingual site builds each in
    turn); the pages take the titles the model's ``pages:`` give in it.

    ``wait_for_diagrams=False`` (with helper threads): return as soon as the pages are
    rendered, with the diagrams' verdicts in ``pending`` and the pages in ``pages`` if nothing
    else is an error; Mermaid goes on working while the caller does, and the caller must call
    ``settle()`` before it publishes a page.
    """
    display = display_path or str(model_path)
    loaded = load_model(model_path, display_path=display, project_dir=project_dir)
    result = Generation(list(loaded.diagnostics), loaded.files, loaded.model)
    if loaded.model is None:
        return result
    model = loaded.model
    result.views = build_views(model)
    diagrams = [view for view in result.views.values() if isinstance(view, DiagramView)]
    helpers = ThreadPoolExecutor(max(1, diagram_threads), "netarch-diagrams")
    try:
        verdicts: list[Future[Sequence[MermaidProblem]]] = []
        if check_diagram is not None and diagram_threads > 0:
            verdicts = [helpers.submit(check_diagram, view.diagram.text) for view in diagrams]
        # Rendered before the checks and the diagrams' verdicts are in, and dropped if one of
        # them is an error; the checks see what landed on which page (NA170).
        try:
            pages = (renderer or PageRenderer()).render(
                model, result.views, section_dir, display, language
            )
        except TemplateProblem as problem:
            # A template that cannot be rendered: said where, and no page is published.
            result.diagnostics.append(problem.diagnostic)
            return result
        model.memo[PLACEMENT] = Placement(result.views, pages)
        for check in model_checks:
            result.diagnostics += check(model)
        if verdicts:
            result.pending = list(zip(diagrams, verdicts, strict=True))
        elif check_diagram is not None:
            for view in diagrams:
                result.diagnostics += diagram_diagnostics(view, check_diagram(view.diagram.text))
    finally:
        # The threads end once the queued checks are done; only a settle() waits for them.
        helpers.shutdown(wait=False)
    if not has_errors(result.diagnostics):
        result.pages = pages
    # A caller that waits, or a model already in error (its report should be whole), settles now.
    if wait_for_diagrams or not result.pages:
        result.settle()
    return result


def diagram_diagnostics(view: DiagramView, problems: Sequence[MermaidProblem]) -> list[Diagnostic]:
    """Mermaid's verdict on a generated diagram, pointed at the model element behind the line."""
    lines = view.diagram.text.splitlines()
    diagnostics = []
    for problem in problems:
        source = view.diagram.source_for_line(problem.line) if problem.line else None
        location = source if isinstance(source, Location) else view.origin
        offending = lines[problem.line - 1].strip() if 0 < problem.line <= len(lines) else ""
        where = f"line {problem.line} `{offending}`" if offending else "the diagram"
        if problem.code == BUDGET:
            verdict, severity, hint = "", Severity.ERROR, BUDGET_HINT
        elif problem.is_error:
            verdict, severity = f"Mermaid rejects {where}", Severity.ERROR
            hint = (
                "the text of this model element produced a diagram Mermaid cannot parse;"
                " please report it if the model text is valid"
            )
        else:
            verdict, severity = f"Mermaid draws {where} differently", Severity.WARNING
            hint = "the diagram renders, but not as written; please report it"
        diagnostics.append(
            Diagnostic(
                location,
                severity,
                problem.code,
                f"view {view.id!r} ({view.title}): {verdict + ': ' if verdict else ''}"
                f"{problem.message}",
                hint=hint,
            )
        )
    return diagnostics
