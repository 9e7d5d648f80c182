"""Mapping mermaid's line numbers (of its cleaned copy) back to the text as written.

The unit tests pin down the replayed preprocessing; the tests that use ``validator`` check the
result against what mermaid 12.3.0 itself reports.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netarch.validate.engine import MermaidValidator
from netarch.validate.linemap import LineMap, map_line, offset_to_line_col, split_lines


def test_plain_text_maps_to_itself() -> None:
    text = "sequenceDiagram\n  A->>B: hi\n  B->>A: ok\n"
    assert [map_line(text, n)[0] for n in (1, 2, 3)] == [1, 2, 3]


def test_front_matter_and_the_blank_lines_after_it_are_skipped() -> None:
    text = "---\ntitle: x\n---\n\n\nsequenceDiagram\n  A->>B: hi\n"
    linemap = LineMap.build(text)
    assert linemap.parsed.startswith("sequenceDiagram\n")
    assert linemap.to_original(1) == (6, 0)
    assert linemap.to_original(2, 3) == (7, 3)


def test_indented_front_matter_is_front_matter() -> None:
    text = "  ---\n  title: x\n  ---\nsequenceDiagram\n"
    assert LineMap.build(text).parsed == "sequenceDiagram\n\n"


def test_front_matter_after_a_directive_is_not_front_matter() -> None:
    text = "%%{init: {}}%%\n---\ntitle: x\n---\ngraph TD\n"
    linemap = LineMap.build(text)
    assert linemap.parsed.startswith("---\n")
    assert linemap.to_original(1) == (2, 0)


def test_unclosed_front_matter_is_kept() -> None:
    text = "---\ntitle: x\ngraph TD\n"
    assert LineMap.build(text).parsed.startswith("---\n")


def test_multi_line_directive_collapses() -> None:
    text = 'graph TD\n%%{init: {\n  "theme": "dark"\n}}%%\n  A --> B\n'
    linemap = LineMap.build(text)
    assert split_lines(linemap.parsed)[:3] == ["graph TD", "", "  A --> B"]
    assert linemap.to_original(3) == (5, 0)


def test_comment_lines_take_the_blank_lines_before_them() -> None:
    # mermaid's /^\s*%%(?!{)[^\n]+\n?/gm: \s* runs over the preceding empty lines too.
    text = "graph TD\n  A\n\n\n  %% note\n  B\n"
    linemap = LineMap.build(text)
    assert split_lines(linemap.parsed)[:3] == ["graph TD", "  A", "  B"]
    assert linemap.to_original(3) == (6, 0)


def test_bare_double_percent_line_is_not_a_comment_for_the_cleaner() -> None:
    # "[^\n]+" needs at least one character after %%.
    assert "%%" in LineMap.build("graph TD\n%%\n  A\n").parsed


def test_leading_indentation_of_the_first_line_is_trimmed_but_columns_still_map() -> None:
    text = "\n\n   sequenceDiagram\n  A->>B: hi\n"
    linemap = LineMap.build(text)
    assert linemap.parsed.startswith("sequenceDiagram")
    assert linemap.to_original(1, 1) == (3, 4)


def test_crlf_and_lone_cr_are_line_breaks() -> None:
    text = "sequenceDiagram\r\n  A->>B: hi\r  B->>A: ok\r\n"
    assert LineMap.build(text).to_original(3, 3) == (3, 3)
    assert split_lines(text)[2] == "  B->>A: ok"


def test_entities_do_not_shift_later_columns_on_the_same_line() -> None:
    text = "graph TD\n  A[#quot;x#quot;] --> B]\n"
    linemap = LineMap.build(text)
    bad_column_in_parsed = split_lines(linemap.parsed)[1].rindex("]") + 1
    assert linemap.to_original(2, bad_column_in_parsed) == (2, text.split("\n")[1].rindex("]") + 1)


def test_positions_past_the_end_move_back_to_the_last_line_with_content() -> None:
    text = "graph TD\n  A -->\n\n\n"
    linemap = LineMap.build(text)
    assert linemap.to_original(9) == (2, 0)
    assert linemap.to_original(4, 1) == (2, 0)


def test_unknown_line_stays_unknown() -> None:
    assert map_line("graph TD\n", 0, 5) == (0, 0)


def test_offset_to_line_col() -> None:
    assert offset_to_line_col("ab\ncd\r\nef", 0) == (1, 1)
    assert offset_to_line_col("ab\ncd\r\nef", 4) == (2, 2)
    assert offset_to_line_col("ab\ncd\r\nef", 7) == (3, 1)


# -- against mermaid itself --------------------------------------------------------------------

SEQUENCE_ERROR = "  A-->>: no target"  # jison grammar


@pytest.mark.parametrize(
    ("prefix", "line"),
    [
        ("", 3),
        ("---\ntitle: t\n---\n", 6),
        ("  ---\n  title: t\n  ---\n\n", 7),
        ('%%{init: {"theme": "dark"}}%%\n', 4),
        ('%%{init: {\n  "theme": "dark"\n}}%%\n', 6),
        ("%% one\n\n%% two\n", 6),
        ("\n\n\n", 6),
    ],
)
def test_jison_lines_against_mermaid(validator: MermaidValidator, prefix: str, line: int) -> None:
    text = prefix + "sequenceDiagram\n  A->>B: hi\n" + SEQUENCE_ERROR + "\n  B->>A: ok\n"
    problems = validator.check(text)
    assert [p.line for p in problems] == [line]
    assert split_lines(text)[line - 1] == SEQUENCE_ERROR


def test_comments_inside_the_body_against_mermaid(validator: MermaidValidator) -> None:
    text = "sequenceDiagram\n  A->>B: hi\n\n\n  %% why\n  %% more\n" + SEQUENCE_ERROR + "\n"
    assert [p.line for p in validator.check(text)] == [7]


def test_flowchart_comments_are_stripped_too(validator: MermaidValidator) -> None:
    # The flowchart database declares preserveCommentsWhenParsing, but parse strips them.
    text = "%% one\n%% two\nflowchart TD\n  A --> B\n  B --> C]\n"
    problems = validator.check(text)
    assert [(p.line, p.column) for p in problems] == [(5, 0)]


def test_crlf_against_mermaid(validator: MermaidValidator) -> None:
    text = "sequenceDiagram\r\n  A->>B: hi\r\n" + SEQUENCE_ERROR + "\r\n"
    assert [p.line for p in validator.check(text)] == [3]


def test_langium_line_and_column_against_mermaid(validator: MermaidValidator) -> None:
    text = '---\ntitle: t\n---\n%% c\npie\n  "a" : 1\n  "b" 2\n'
    problems = validator.check(text)
    assert [(p.line, p.column) for p in problems] == [(7, 7)]
    assert split_lines(text)[6][6] == "2"


def test_jison_column_against_mermaid(validator: MermaidValidator) -> None:
    # jison's column is that of the token where its lexer stood (sometimes the one before the
    # unexpected token); what we guarantee is that stripped text does not shift it.
    body = "classDiagram\n  class Router\n  Router <|--\n"
    [plain] = validator.check(body)
    [shifted] = validator.check("%%{init: {}}%%\n%% c\n" + body)
    [indented] = validator.check("\n\n  " + body)
    assert (plain.line, plain.column) == (3, 12)
    assert (shifted.line, shifted.column) == (5, 12)
    assert (indented.line, indented.column) == (5, 12)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        # Database checks report no position; the line comes from what the message names.
        ("architecture-beta\n  service a(server)[A]\n  service a(server)[B]\n", 3, "[a]"),
        ('packet-beta\n  0-15: "a"\n  20-31: "b"\n', 3, "not contiguous"),
        ("gitGraph\n  commit\n  branch dev\n  checkout prod\n", 4, "not yet created"),
        ("sequenceDiagram\n  A->>B: x\n  deactivate B\n", 3, "inactive participant"),
        # Nothing to go by: line 0, and the message says what is wrong.
        ("flowchart TD\n" + "".join(f"  n{i} --> n{i + 1}\n" for i in range(501)), 0, "500"),
    ],
)
def test_position_less_errors(
    validator: MermaidValidator, text: str, line: int, fragment: str
) -> None:
    [problem] = validator.check(text)
    assert problem.line == line
    assert fragment in problem.message


FILLERS = {
    "sequence": ["  A->>B: hi", "  Note over A: x"],
    "pie": ['  "x" : 1', '  "y" : 2'],
    "flowchart": ["  A --> B", "  B --> C"],
}
HEADERS = {"sequence": "sequenceDiagram", "pie": "pie", "flowchart": "flowchart LR"}
ERRORS = {"sequence": SEQUENCE_ERROR, "pie": '  "z" 3', "flowchart": "  C --> D]"}
NOISE = st.sampled_from(["", "   ", "%% comment", "  %% indented comment", "%%{init: {}}%%"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(HEADERS)),
    front_matter=st.booleans(),
    before=st.lists(st.one_of(NOISE, st.just("FILL")), max_size=6),
    lead=st.lists(NOISE, max_size=3),
)
def test_reported_line_is_the_broken_line(
    validator: MermaidValidator,
    kind: str,
    front_matter: bool,
    before: list[str],
    lead: list[str],
) -> None:
    # Directives are only honoured before the diagram text, so keep them out of the body.
    body = [line for line in before if not line.startswith("%%{")]
    lines = (["---", "title: t", "---"] if front_matter else []) + lead + [HEADERS[kind]]
    lines += [FILLERS[kind][i % 2] if line == "FILL" else line for i, line in enumerate(body)]
    lines += [ERRORS[kind], FILLERS[kind][0]]
    problems = validator.check("\n".join(lines) + "\n")
    assert problems
    assert problems[0].line == lines.index(ERRORS[kind]) + 1
