"""Validate Mermaid diagrams with the pinned Mermaid build (see ``engine``)."""

from netarch.validate.engine import (
    MAX_TEXT_SIZE,
    MermaidNotFound,
    MermaidProblem,
    MermaidValidator,
    find_mermaid_js,
)

__all__ = [
    "MAX_TEXT_SIZE",
    "MermaidNotFound",
    "MermaidProblem",
    "MermaidValidator",
    "find_mermaid_js",
]
