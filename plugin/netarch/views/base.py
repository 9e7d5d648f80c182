"""What a view is: one diagram or one table derived from the model, with its id and origin."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from netarch.diagnostics import Location
from netarch.mermaid.builder import RenderedDiagram
from netarch.model.network import Model


@dataclass(frozen=True)
class DiagramView:
    id: str
    title: str
    diagram: RenderedDiagram
    # The model element the view is drawn from, for errors that no single line explains.
    origin: Location
    # (label, page-relative target) pairs shown under the diagram: Mermaid links are
    # disabled by mkdocs-material (securityLevel strict), so the legend carries them.
    legend: tuple[tuple[str, str], ...] = ()
    # The same element as a model path, for findings about the view (NA170).
    origin_path: tuple[str | int, ...] = ()

    kind = "diagram"

    def to_markdown(self) -> str:
        text = f"```mermaid\n{self.diagram.text.rstrip()}\n```\n"
        if self.legend:
            links = " · ".join(f"[{label}]({target})" for label, target in self.legend)
            text += f"\n<small>In this diagram: {links}</small>\n"
        return text


@dataclass(frozen=True)
class TableView:
    id: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    origin: Location
    # Markdown footnote-like source lines under the table.
    sources: tuple[str, ...] = field(default=())
    origin_path: tuple[str | int, ...] = ()

    kind = "table"

    def to_markdown(self) -> str:
        lines = [
            "| " + " | ".join(_cell(h) for h in self.headers) + " |",
            "|" + "|".join("---" for _ in self.headers) + "|",
        ]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in self.rows]
        text = "\n".join(lines) + "\n"
        if self.sources:
            text += "".join(f"\n<small>Source: {s}</small>\n" for s in self.sources)
        return text


View = DiagramView | TableView
ViewBuilder = Callable[[Model], Sequence[View]]


def _cell(text: str) -> str:
    # A table cell is one line of Markdown: pipes would end the cell, newlines the row.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")
