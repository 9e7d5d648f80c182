"""Errors in generated diagrams lead back to the model element that produced the line."""

from __future__ import annotations

import threading
from pathlib import Path

import yaml

from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.pipeline import generate
from netarch.validate.engine import MermaidProblem, MermaidValidator


def test_a_mermaid_error_points_at_the_model_line_behind_the_diagram_line(
    demo_model_path: Path,
) -> None:
    seen: dict[str, str] = {}

    def reject_the_note(text: str) -> list[MermaidProblem]:
        # Pretend Mermaid rejects the line of the BGP diagram that holds the ECMP note.
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("Note over") and "ECMP" in line:
                seen["line"] = line.strip()
                return [MermaidProblem(number, 5, "Parse error on line 11")]
        return []

    result = generate(
        demo_model_path, display_path="docs/network.yaml", check_diagram=reject_the_note
    )
    assert not result.ok and result.pages == []
    (problem,) = [d for d in result.diagnostics if d.code == "MERMAID"]
    model_lines = demo_model_path.read_text(encoding="utf-8").splitlines()
    assert problem.location.file == "docs/network.yaml"
    assert "{note: upstream-router" in model_lines[problem.location.line - 1]
    assert "view 'flow-bgp-announcement'" in problem.message
    assert seen["line"] in problem.message


def test_an_oversized_label_is_caught_by_the_real_mermaid_and_located(
    tmp_path: Path, demo_model_path: Path
) -> None:
    data = yaml.safe_load(demo_model_path.read_text(encoding="utf-8"))
    data["components"][3]["features"][0] = "x" * 60_000  # Cilium: shown in the CNI diagram
    model = tmp_path / "network.yaml"
    model.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with MermaidValidator() as validator:
        result = generate(model, display_path="network.yaml", check_diagram=validator.check)
    problems = [d for d in result.diagnostics if d.code.startswith("MERMAID")]
    assert problems and all(p.is_error for p in problems)
    assert {p.location.file for p in problems} == {"network.yaml"}
    assert any("cni-architecture" in p.message for p in problems)
    assert result.pages == []


def test_the_demo_model_passes_every_check_with_the_real_mermaid(demo_model_path: Path) -> None:
    with MermaidValidator() as validator:
        result = generate(demo_model_path, check_diagram=validator.check)
        assert result.ok, [d.headline() for d in result.diagnostics]
        assert validator.parses >= 14


def test_diagrams_checked_on_helper_threads_give_the_same_result(demo_model_path: Path) -> None:
    calls: list[str] = []

    def reject_the_note(text: str) -> list[MermaidProblem]:
        calls.append(threading.current_thread().name)
        if "Note over" in text:
            return [MermaidProblem(1, 0, "rejected")]
        return []

    inline = generate(demo_model_path, check_diagram=reject_the_note)
    on_threads = generate(demo_model_path, check_diagram=reject_the_note, diagram_threads=3)
    assert on_threads.diagnostics == inline.diagnostics  # same problems, same order
    assert not on_threads.ok and on_threads.pages == []  # rendered meanwhile, then dropped
    threads = set(calls)
    assert threading.current_thread().name in threads  # the inline run
    assert any(name.startswith("netarch-diagrams") for name in threads)

    def accept(text: str) -> list[MermaidProblem]:
        return []

    clean = generate(demo_model_path, check_diagram=accept, diagram_threads=2)
    assert clean.ok and [p.markdown for p in clean.pages] == [
        p.markdown for p in generate(demo_model_path, check_diagram=accept).pages
    ]


def test_a_diagram_drawn_differently_is_a_warning_and_pages_are_still_written(
    demo_model_path: Path,
) -> None:
    def misdrawn(text: str) -> list[MermaidProblem]:
        return [MermaidProblem(1, 0, "drawn past the edge", "MERMAID_MISDRAWN")]

    result = generate(demo_model_path, check_diagram=misdrawn)
    warnings = [d for d in result.diagnostics if d.code == "MERMAID_MISDRAWN"]
    assert warnings and all(d.severity.value == "warning" for d in warnings)
    assert "Mermaid draws" in warnings[0].message
    assert result.ok and result.pages


def test_a_caller_that_does_not_wait_gets_the_pages_while_mermaid_works(
    demo_model_path: Path,
) -> None:
    released = threading.Event()

    def slow_reject_the_note(text: str) -> list[MermaidProblem]:
        assert released.wait(10), "generate() waited for a verdict"
        return [MermaidProblem(1, 0, "rejected")] if "Note over" in text else []

    early = generate(
        demo_model_path,
        check_diagram=slow_reject_the_note,
        diagram_threads=1,
        wait_for_diagrams=False,
    )
    assert early.pending and early.pages and early.ok  # nothing judged yet
    released.set()
    found = early.settle()
    assert found and all(d.code == "MERMAID" for d in found)
    assert found == [d for d in early.diagnostics if d.code == "MERMAID"]
    assert not early.ok and early.pages == [] and early.pending == []
    assert early.settle() == []  # settled once


def test_a_model_in_error_is_settled_at_once_for_a_whole_report(demo_model_path: Path) -> None:
    checked: list[str] = []

    def reject_the_note(text: str) -> list[MermaidProblem]:
        checked.append(text)
        return [MermaidProblem(1, 0, "rejected")] if "Note over" in text else []

    def one_error(model: object) -> list[Diagnostic]:
        return [Diagnostic(Location("network.yaml", 1, 1), Severity.ERROR, "NA999", "broken")]

    result = generate(
        demo_model_path,
        check_diagram=reject_the_note,
        model_checks=[one_error],
        diagram_threads=1,
        wait_for_diagrams=False,
    )
    assert result.pending == [] and result.pages == [] and len(checked) >= 14
    codes = {d.code for d in result.diagnostics}
    assert {"NA999", "MERMAID"} <= codes  # the model's error and Mermaid's, in one report
