"""Typed Mermaid builder: views describe diagrams, this package writes the Mermaid text."""

from netarch.mermaid.builder import (
    EdgeStyle,
    Flowchart,
    RenderedDiagram,
    SequenceDiagram,
    Shape,
    SourceRef,
    Subgraph,
)
from netarch.mermaid.escape import assign_ids, is_safe_id, sanitize_id

__all__ = [
    "EdgeStyle",
    "Flowchart",
    "RenderedDiagram",
    "SequenceDiagram",
    "Shape",
    "SourceRef",
    "Subgraph",
    "assign_ids",
    "is_safe_id",
    "sanitize_id",
]
