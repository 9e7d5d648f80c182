"""Node styles: ``class_def`` and ``add_class`` write classDef and class statements Mermaid
reads back as the node's classes; names and styles that could end a statement are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from netarch.mermaid import Flowchart, RenderedDiagram

Check = Callable[[RenderedDiagram | str], dict[str, Any]]


def test_classes_are_written_after_the_edges_and_read_back(check: Check) -> None:
    chart = Flowchart("LR")
    chart.node("a", "Added node")
    chart.node("b", "Changed; node")
    chart.node("c", "Plain")
    chart.edge("a", "b")
    chart.class_def("added", {"fill": "#e6ffed", "stroke": "#2da44e", "stroke-width": "2px"})
    chart.class_def("changed", {"fill": "#fff8c5"})
    chart.add_class("added", "a")
    chart.add_class("changed", "b")
    text = chart.render().text
    assert text.splitlines()[-5:] == [
        "    a --> b",
        "    classDef added fill:#e6ffed,stroke:#2da44e,stroke-width:2px",
        "    classDef changed fill:#fff8c5",
        "    class a added",
        "    class b changed",
    ]
    vertices = check(text)["vertices"]
    assert vertices["a"]["classes"] == ["added"]
    assert vertices["b"]["classes"] == ["changed"]
    assert vertices["c"]["classes"] == []


@pytest.mark.parametrize(
    ("name", "style"),
    [
        ("bad name", {"fill": "#fff"}),
        ("x;y", {"fill": "#fff"}),
        ("ok", {"fill": "#fff\nclass a ok"}),
        ("ok", {"fill": "red;stroke:blue"}),
        ("ok", {"fill:x": "red"}),
    ],
)
def test_unsafe_class_names_and_styles_are_refused(name: str, style: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Flowchart().class_def(name, style)


def test_a_class_must_be_defined_and_its_nodes_exist() -> None:
    chart = Flowchart()
    chart.node("a", "A")
    with pytest.raises(ValueError, match="unknown class"):
        chart.add_class("added", "a")
    chart.class_def("added", {"fill": "#fff"})
    with pytest.raises(ValueError, match="unknown node"):
        chart.add_class("added", "nope")
