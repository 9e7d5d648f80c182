"""Every diagram in corpus/ gets exactly the verdict recorded in corpus/expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from netarch.validate.engine import MermaidValidator
from netarch.validate.fences import check_markdown

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, object] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
FILES = sorted(EXPECTED)

# The diagram kinds design/mermaid.md names, plus others 12.3.0 ships; ids as mermaid.detectType
# returns them.
REQUIRED_KINDS = {
    "flowchart-v2", "sequence", "classDiagram", "stateDiagram", "er", "gantt", "pie",
    "gitGraph", "mindmap", "timeline", "sankey", "xychart", "block", "packet", "architecture",
    "quadrantChart", "journey", "requirement", "c4", "radar", "treemap", "kanban", "info",
    "venn", "ishikawa", "treeView", "agentflow", "swimlane", "eventmodeling", "wardley",
    "cynefin", "usecase", "railroad", "railroadEbnf", "railroadAbnf", "railroadPeg",
}  # fmt: skip


def test_expected_table_matches_the_corpus_files() -> None:
    on_disk = {path.name for path in CORPUS.glob("*.mmd")}
    assert on_disk == set(EXPECTED)


def test_corpus_covers_every_diagram_kind(validator: MermaidValidator) -> None:
    kinds = set()
    for name in FILES:
        if EXPECTED[name] == "ok":
            text = (CORPUS / name).read_text()
            kinds.add(validator.detect_type(text))
    assert kinds >= REQUIRED_KINDS, REQUIRED_KINDS - kinds


def test_corpus_has_an_invalid_diagram_for_most_kinds() -> None:
    bad_kinds = {name.split(".")[0] for name in FILES if EXPECTED[name] != "ok"}
    assert len(bad_kinds) >= 20


@pytest.mark.parametrize("name", FILES)
def test_verdict(validator: MermaidValidator, name: str) -> None:
    problems = validator.check((CORPUS / name).read_text())
    expected = EXPECTED[name]
    if expected == "ok":
        assert problems == []
        return
    assert isinstance(expected, dict)
    assert problems, f"{name} should be rejected"
    first = problems[0]
    assert (first.line, first.code) == (expected["line"], expected["code"])
    assert expected["message"] in first.message
    for problem in problems:
        # Our DOMPurify stand-in must never leak into verdicts.
        assert "DOMPurify" not in problem.message
        assert "\n" not in problem.message


# Everything mermaid strips before parsing: front matter (+ blank line after it), an init
# directive, comment lines and blank lines. 7 lines in all.
PREFIX = '---\ntitle: "Shifted"\n---\n\n%%{init: {"theme": "neutral"}}%%\n%% a comment\n\n'


@pytest.mark.parametrize("name", [n for n in FILES if EXPECTED[n] != "ok"])
def test_line_survives_everything_mermaid_strips(validator: MermaidValidator, name: str) -> None:
    expected = EXPECTED[name]
    assert isinstance(expected, dict)
    problems = validator.check(PREFIX + (CORPUS / name).read_text())
    shift = PREFIX.count("\n")
    assert problems[0].line == (expected["line"] + shift if expected["line"] else 0)
    assert problems[0].code == expected["code"]


@pytest.mark.parametrize("name", [n for n in FILES if EXPECTED[n] != "ok"])
def test_line_inside_an_indented_fence(validator: MermaidValidator, name: str) -> None:
    expected = EXPECTED[name]
    assert isinstance(expected, dict)
    body = (CORPUS / name).read_text().rstrip("\n").split("\n")
    markdown = "# Page\n\n1. A list item\n\n    ```mermaid\n"
    markdown += "".join(f"    {line}\n" if line else "\n" for line in body) + "    ```\n"
    diagnostics = check_markdown(markdown, validator, "page.md")
    assert diagnostics
    fence_line = 5
    want = fence_line + expected["line"] if expected["line"] else fence_line
    assert diagnostics[0].location.line == want
    assert diagnostics[0].location.file == "page.md"
