"""Property-based fuzzing of what a pull request controls: model text and Markdown pages.

Each example has a deadline: a parser that goes super-linear on some input fails here with
the input that did it, instead of hanging a CI job.
"""

from __future__ import annotations

from pathlib import Path

from html_audit import live_markup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netarch.model.source import load_document
from netarch.safety import safe_links
from netarch.validate.fences import find_fences, unknown_views

_YAML_TOKENS = st.sampled_from(
    [
        "a: ",
        "include: ",
        "- ",
        "  ",
        "\n",
        ": ",
        "&x ",
        "*x",
        "<<: ",
        "!!str ",
        "!tag ",
        "!!python/object:os.system ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "'",
        '"',
        "|",
        ">",
        "#",
        "---\n",
        "...\n",
        "? ",
        "\t",
        "\\",
        "\x00",
        "\ufeff",
        "/proc/self/environ",
        "../",
        "x" * 50,
        "1",
        "null",
    ]
)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_YAML_TOKENS | st.text(max_size=4), max_size=60).map("".join))
def test_any_model_text_loads_or_is_explained(text: str) -> None:
    document, diagnostics = load_document(Path("/nonexistent/network.yaml"), "network.yaml", text)
    assert document is not None or diagnostics  # never an exception, never silence
    for diagnostic in diagnostics:
        assert diagnostic.location.file.endswith(".yaml")
        assert len(diagnostic.message) <= 500 and "\n" not in diagnostic.message


_MARKDOWN_TOKENS = st.sampled_from(
    [
        "```",
        "````",
        "~~~",
        "mermaid",
        "netarch-view",
        "{.mermaid}",
        "\n",
        "    ",
        "> ",
        "- ",
        "flowchart LR\n  a --> b",
        "[x](javascript:alert((1)))",
        "[r]: javascript:alert(1)",
        "]:",
        "](",
        "<",
        "`",
        "x",
    ]
)


@settings(max_examples=300, deadline=1000)
@given(st.lists(_MARKDOWN_TOKENS | st.text(max_size=4), max_size=80).map("".join))
def test_any_markdown_page_is_scanned_without_error(text: str) -> None:
    fences = find_fences(text, "page.md")
    lines = text.count("\n") + 1
    for fence in fences:
        assert 1 <= fence.start_line <= lines
    for problem in unknown_views({"page.md": text}, {"layers"}):
        assert problem.location.file == "page.md" and problem.location.line >= 1
    defused = safe_links(text)
    # Only "#" is ever inserted, and only in front of a link target.
    assert defused.replace("#", "") == text.replace("#", "")


@settings(max_examples=200, deadline=1000)
@given(st.lists(_MARKDOWN_TOKENS | st.text(max_size=4), max_size=60).map("".join))
def test_defused_links_never_reach_the_html(text: str) -> None:
    problems = [p for p in live_markup(safe_links(text)) if "href" in p or "src" in p]
    assert not problems
