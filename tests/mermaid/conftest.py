"""Fixtures for the Mermaid builder tests: the real, pinned Mermaid, twice.

* ``check`` asks ``MermaidValidator`` (the project's validator) whether a diagram parses.
* ``structure`` reads back what Mermaid's own diagram database made of the text (nodes with
  their labels and shapes, edges, subgraph membership; participants and messages), because
  "it parses" is not enough: ``A["direction LR"]`` parses and silently loses the node.
  It runs mermaid in node (``mermaid_structure.js``), independent of the validator.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from netarch.mermaid import RenderedDiagram
from netarch.validate import MermaidValidator, find_mermaid_js

_READER_JS = Path(__file__).with_name("mermaid_structure.js")


class MermaidStructure:
    """Mermaid's parsed model of a diagram, as plain JSON-like data.

    A node process rather than a second mini-racer isolate: mini-racer 0.14 crashes the whole
    process when an isolate is created on another thread after the validator's worker thread
    created one.
    """

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.skip("node is needed to read back Mermaid's parsed structure")
        self._process = subprocess.Popen(
            [node, str(_READER_JS), str(find_mermaid_js())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def __call__(self, text: str) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(text) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        assert answer["ok"], answer["error"]
        return answer["structure"]

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=10)


@pytest.fixture(scope="session")
def validator() -> Iterator[MermaidValidator]:
    with MermaidValidator() as instance:
        yield instance


@pytest.fixture(scope="session")
def structure() -> Iterator[MermaidStructure]:
    reader = MermaidStructure()
    yield reader
    reader.close()


@pytest.fixture(scope="session")
def check(
    validator: MermaidValidator, structure: MermaidStructure
) -> Callable[[RenderedDiagram | str], dict[str, Any]]:
    """Assert the real Mermaid accepts the diagram; return Mermaid's parsed structure."""

    def run(diagram: RenderedDiagram | str) -> dict[str, Any]:
        text = diagram if isinstance(diagram, str) else diagram.text
        problems = validator.check(text)
        shown = text if len(text) < 3000 else text[:3000] + "\n[...]"
        assert problems == [], f"mermaid rejected:\n{shown}\n{problems}"
        return structure(text)

    return run
