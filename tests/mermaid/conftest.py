"""Fixtures for the Mermaid builder tests: the real, pinned Mermaid, twice.

* ``check`` asks ``MermaidValidator`` (the project's validator) whether a diagram parses.
* ``structure`` reads back what Mermaid's own diagram database made of the text (nodes with
  their labels and shapes, edges, subgraph membership; participants and messages), because
  "it parses" is not enough: ``A["direction LR"]`` parses and silently loses the node.
  It runs in its own V8 isolate so it does not depend on the validator's internals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from netarch.mermaid import RenderedDiagram
from netarch.validate import MermaidValidator, find_mermaid_js

# DOMPurify without a window is a bare object; parsing only needs its methods to exist.
_PURIFY_STUB = (
    "return t.isSupported=!1,t.sanitize=(x)=>x,t.addHook=()=>{},t.removeHook=()=>{},"
    "t.removeHooks=()=>{},t.removeAllHooks=()=>{},t.setConfig=()=>{},t.clearConfig=()=>{},t;"
)
_PURIFY_BARE = "return t.isSupported=!1,t;"

_STRUCTURE_JS = r"""
globalThis.__structure = async function (text) {
  // getDiagramFromText does not strip front matter itself (parse does).
  const body = text.replace(/^---\n[\s\S]*?\n---\n/, '');
  const d = await mermaid.mermaidAPI.getDiagramFromText(body);
  const db = d.db;
  if (db.getVertices) {
    return JSON.stringify({
      kind: 'flowchart',
      direction: db.getDirection ? db.getDirection() : null,
      vertices: Object.fromEntries([...db.getVertices().entries()].map(
        ([k, v]) => [k, {text: v.text, type: v.type ?? null, link: v.link ?? null}])),
      edges: db.getEdges().map(e => ({start: e.start, end: e.end, type: e.type,
                                       stroke: e.stroke, text: e.text})),
      subgraphs: db.getSubGraphs().map(s => ({id: s.id, title: s.title, nodes: s.nodes,
                                               dir: s.dir ?? null})),
    });
  }
  return JSON.stringify({
    kind: 'sequence',
    actors: Object.fromEntries([...db.getActors().entries()].map(
      ([k, v]) => [k, {description: v.description, type: v.type}])),
    messages: db.getMessages().map(m => ({from: m.from ?? null, to: m.to ?? null,
                                          message: m.message, type: m.type,
                                          placement: m.placement ?? null})),
  });
};
"""


class MermaidStructure:
    """Mermaid's parsed model of a diagram, as plain JSON-like data."""

    def __init__(self) -> None:
        from py_mini_racer import MiniRacer

        source = find_mermaid_js().read_text(encoding="utf-8")
        if source.count(_PURIFY_BARE) != 1:
            raise RuntimeError("mermaid.min.js changed: update the DOMPurify stub")
        self._ctx = MiniRacer()
        self._ctx.eval(source.replace(_PURIFY_BARE, _PURIFY_STUB))
        self._ctx.eval(_STRUCTURE_JS)
        # Registers the lazily loaded diagram types that getDiagramFromText needs.
        for sample in ("flowchart TD\n  A", "sequenceDiagram\n  A->>B: x"):
            self._await(self._ctx.eval(f"mermaid.parse({json.dumps(sample)})"))

    @staticmethod
    def _await(value: Any) -> Any:
        get = getattr(value, "get", None)
        return get(timeout=30) if callable(get) else value

    def __call__(self, text: str) -> dict[str, Any]:
        raw = self._await(self._ctx.eval(f"__structure({json.dumps(text)})"))
        return json.loads(str(raw))

    def close(self) -> None:
        self._ctx.close()


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
