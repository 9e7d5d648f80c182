"""Finding Mermaid fences in Markdown and reporting problems at Markdown file lines."""

from __future__ import annotations

from pathlib import Path

from netarch.diagnostics import Severity
from netarch.validate.engine import MermaidValidator
from netarch.validate.fences import check_docs_dir, check_markdown, check_pages, find_fences


def test_backtick_and_tilde_fences() -> None:
    text = '# T\n\n```mermaid\ngraph TD\n  a-->b\n```\n\n~~~mermaid\npie\n  "a" : 1\n~~~\n'
    fences = find_fences(text, "x.md")
    assert [(f.file, f.start_line, f.column) for f in fences] == [("x.md", 3, 1), ("x.md", 8, 1)]
    assert fences[0].text == "graph TD\n  a-->b"
    assert fences[1].text == 'pie\n  "a" : 1'


def test_other_languages_are_ignored() -> None:
    text = "```python\nprint('```mermaid')\n```\n```\nplain\n```\n"
    assert find_fences(text) == []


def test_attributes_after_the_language() -> None:
    text = '```mermaid title="Core"\ngraph TD\n```\n``` { .mermaid }\npie\n```\n```Mermaid\ninfo\n```\n'
    assert [f.start_line for f in find_fences(text)] == [1, 4, 7]


def test_mermaidjs_is_not_mermaid() -> None:
    assert find_fences("```mermaid-js\ngraph TD\n```\n") == []


def test_longer_fence_contains_shorter_ones() -> None:
    text = "````mermaid\ngraph TD\n  a[```] --> b\n```\n````\n"
    [fence] = find_fences(text)
    assert fence.text == "graph TD\n  a[```] --> b\n```"


def test_mermaid_shown_inside_a_markdown_example_is_content() -> None:
    text = "````markdown\n```mermaid\ngraph TD\n  a -->\n```\n````\n"
    assert find_fences(text) == []


def test_closing_fence_must_be_long_enough_and_bare() -> None:
    text = "````mermaid\ngraph TD\n```\n```` trailing\n````\n"
    [fence] = find_fences(text)
    assert fence.start_line == 1
    assert fence.text == "graph TD\n```\n```` trailing"


def test_indented_fences_in_lists_admonitions_and_tabs() -> None:
    text = (
        "- item\n"
        "\n"
        "    ```mermaid\n"
        "    graph TD\n"
        "      a --> b\n"
        "    ```\n"
        '!!! note "Diagram"\n'
        "\n"
        '    === "Tab"\n'
        "\n"
        "        ```mermaid\n"
        "        pie\n"
        '          "a" : 1\n'
        "        ```\n"
    )
    fences = find_fences(text)
    assert [(f.start_line, f.column, f.indent) for f in fences] == [(3, 5, 4), (11, 9, 8)]
    assert fences[0].text == "graph TD\n  a --> b"
    assert fences[1].text == 'pie\n  "a" : 1'


def test_unterminated_fence_is_found_and_flagged() -> None:
    [fence] = find_fences("text\n```mermaid\ngraph TD\n  a --> b\n")
    assert (fence.start_line, fence.terminated) == (2, False)


def test_empty_fence_text() -> None:
    [fence] = find_fences("```mermaid\n```\n")
    assert fence.text == ""


# -- check_markdown --------------------------------------------------------------------------

PAGE = """# Network

Intro paragraph.

1. First, the core:

    ```mermaid
    ---
    title: Core
    ---
    flowchart LR
      %% the spine
      spine1 --> leaf1
      spine1 --> leaf2]
    ```

2. Then a valid one:

    ```mermaid
    sequenceDiagram
      A->>B: hi
    ```
"""


def test_bad_fence_maps_to_the_exact_file_line(validator: MermaidValidator) -> None:
    [diagnostic] = check_markdown(PAGE, validator, "docs/network.md")
    lines = PAGE.split("\n")
    assert diagnostic.location.file == "docs/network.md"
    assert diagnostic.location.line == 14
    assert lines[13] == "      spine1 --> leaf2]"
    assert diagnostic.source_line == lines[13]
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.code == "MERMAID"
    assert diagnostic.message.startswith("Lexical error")
    assert "\n" not in diagnostic.message
    assert diagnostic.headline().startswith("docs/network.md:14")


def test_column_adds_the_fence_indentation(validator: MermaidValidator) -> None:
    page = '- x\n\n    ```mermaid\n    pie\n      "a" 1\n    ```\n'
    [diagnostic] = check_markdown(page, validator, "p.md")
    # In the diagram: line 2, column 7 ("1"); the fence is indented by 4.
    assert (diagnostic.location.line, diagnostic.location.column) == (5, 11)
    assert diagnostic.source_line[diagnostic.location.column - 1] == "1"


def test_problem_without_line_points_at_the_fence(validator: MermaidValidator) -> None:
    page = "intro\n\n```mermaid\nsankey-beta\nA,B,1\nB,C,1\nC,A,1\n```\n"
    [diagnostic] = check_markdown(page, validator, "p.md")
    assert diagnostic.code == "MERMAID_RENDER"
    assert "browser" in diagnostic.hint
    # The cycle-closing link is located: diagram line 4 -> file line 7.
    assert diagnostic.location.line == 7
    page = "intro\n\n```mermaid\narchitecture-beta\n  group g(cloud)[G]\n  group g(cloud)[H]\n```\n"
    [diagnostic] = check_markdown(page, validator, "p.md")
    assert diagnostic.location.line == 6


def test_position_less_problem_falls_back_to_the_opening_fence(
    validator: MermaidValidator,
) -> None:
    page = (
        "# T\n\n```mermaid\nflowchart TD\n"
        + "".join(f"  n{i} --> n{i + 1}\n" for i in range(501))
        + "```\n"
    )
    [diagnostic] = check_markdown(page, validator, "p.md")
    assert (diagnostic.location.line, diagnostic.location.column) == (3, 0)
    assert diagnostic.source_line == "```mermaid"


def test_unterminated_fence_is_an_error(validator: MermaidValidator) -> None:
    [diagnostic] = check_markdown("# T\n\n  ```mermaid\n  graph TD\n", validator, "p.md")
    assert diagnostic.code == "MERMAID_FENCE"
    assert (diagnostic.location.line, diagnostic.location.column) == (3, 3)
    assert "unterminated" in diagnostic.message
    assert diagnostic.hint


def test_size_limit_inside_markdown(validator: MermaidValidator) -> None:
    big = "flowchart TD\n" + "%% padding padding padding\n" * 2000
    [diagnostic] = check_markdown(f"```mermaid\n{big}```\n", validator, "p.md")
    assert diagnostic.code == "MERMAID_SIZE"
    assert diagnostic.location.line == 1


def test_path_input_and_default_display(validator: MermaidValidator, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```mermaid\ngraph TD\n  a -->\n```\n")
    [diagnostic] = check_markdown(page, validator)
    assert diagnostic.location.file == str(page)
    assert diagnostic.location.line == 3


def test_crlf_markdown(validator: MermaidValidator) -> None:
    page = "# T\r\n\r\n```mermaid\r\nsequenceDiagram\r\n  A-->>: x\r\n```\r\n"
    [diagnostic] = check_markdown(page, validator, "p.md")
    assert diagnostic.location.line == 5


def test_check_docs_dir(validator: MermaidValidator, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "ok.md").write_text("```mermaid\ngraph TD\n  a --> b\n```\n")
    (tmp_path / "sub" / "bad.md").write_text("text\n\n```mermaid\ngraph TD\n  a -->\n```\n")
    (tmp_path / "notes.txt").write_text("```mermaid\nnonsense\n```\n")
    diagnostics = check_docs_dir(tmp_path, validator)
    assert [(d.location.file, d.location.line) for d in diagnostics] == [
        (str(tmp_path / "sub" / "bad.md"), 5)
    ]


def test_a_diagram_drawn_differently_is_a_warning_at_its_line(
    validator: MermaidValidator,
) -> None:
    page = (
        "# Rollout\n\n```mermaid\ngantt\n  dateFormat YYYY-MM-DD\n  section S\n"
        "  Racks :racks, 2024-03-01, 3d\n  Uplinks :up, after rack, 2d\n```\n"
    )
    [warning] = check_markdown(page, validator, "docs/rollout.md")
    assert warning.severity == Severity.WARNING and warning.code == "MERMAID_MISDRAWN"
    assert (warning.location.file, warning.location.line) == ("docs/rollout.md", 8)
    assert 'after "rack"' in warning.message


def test_check_pages_is_check_markdown_per_page_with_one_batch_first(
    validator: MermaidValidator,
) -> None:
    pages = {
        "a.md": "```mermaid\nflowchart LR\n  a --> b\n```\n\n```mermaid\nflowchart LR\n  c -->\n```\n",
        "b.md": 'text\n\n```mermaid\npie\n  "x" : 1\n```\n\n```mermaid\nflowchart LR\n',
    }
    batches: list[list[str]] = []
    combined = check_pages(pages, validator, check_many=batches.append)
    assert combined == [
        d for name, text in pages.items() for d in check_markdown(text, validator, name)
    ]
    # One batch, every closed fence of every page; the unclosed one is reported, not parsed.
    assert batches == [
        [f.text for name, text in pages.items() for f in find_fences(text, name) if f.terminated]
    ]
    assert len(batches[0]) == 3
    assert [d.code for d in combined] == ["MERMAID", "MERMAID_FENCE"]
