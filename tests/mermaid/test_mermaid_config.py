"""Per-diagram layout config goes into the front matter, after the title, and Mermaid reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netarch.mermaid import Flowchart, SequenceDiagram


def test_sequence_config_is_front_matter_that_parses(
    check: Callable[[Any], dict[str, Any]],
) -> None:
    diagram = SequenceDiagram(config={"sequence": {"width": 110, "actorMargin": 30, "wrap": True}})
    diagram.participant("a", "A")
    diagram.participant("b", "B")
    diagram.message("a", "b", "a long message that Mermaid may wrap", source="step-1")
    rendered = diagram.render()
    assert rendered.text.startswith(
        "---\nconfig:\n  sequence:\n    width: 110\n    actorMargin: 30\n    wrap: true\n---\nsequenceDiagram\n"
    )
    check(rendered)
    # Line numbers still lead to the statement's source after the added lines.
    message_line = (
        rendered.text.splitlines().index("    a->>b: a long message that Mermaid may wrap") + 1
    )
    assert rendered.source_for_line(message_line) == "step-1"


def test_flowchart_title_and_config_share_one_front_matter(
    check: Callable[[Any], dict[str, Any]],
) -> None:
    chart = Flowchart("LR", title="Path", config={"flowchart": {"rankSpacing": 18, "padding": 5}})
    chart.chain([chart.node("a", "A"), chart.node("b", "B")])
    text = chart.render().text
    assert text.startswith(
        '---\ntitle: "Path"\nconfig:\n  flowchart:\n    rankSpacing: 18\n    padding: 5\n---\nflowchart LR\n'
    )
    check(text)


def test_no_config_no_front_matter() -> None:
    chart = Flowchart("TD")
    chart.node("a", "A")
    assert chart.render().text.startswith("flowchart TD\n")
