"""The loaders against the real schema and the Cozystack model, with mistakes injected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from netarch.diagnostics import Diagnostic
from netarch.model.network import network_schema
from netarch.model.references import IdIndex, check_references, definition_places
from netarch.model.schema_check import check_schema, load_schema
from netarch.model.source import load_document

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "plugin" / "netarch" / "model" / "network.schema.json"
MODEL_PATH = REPO / "docs" / "network.yaml"
DISPLAY = "docs/network.yaml"

pytestmark = pytest.mark.skipif(
    not (SCHEMA_PATH.is_file() and MODEL_PATH.is_file()), reason="real schema/model not there yet"
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return load_schema(SCHEMA_PATH)


def test_the_shipped_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    # netarch loads it at run time without this (slow) check: this test is the check.
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    assert network_schema() == schema


def run(text: str, schema: dict[str, Any]) -> tuple[IdIndex, list[Diagnostic]]:
    doc, diagnostics = load_document(MODEL_PATH, DISPLAY, text=text)
    assert doc is not None
    diagnostics += check_schema(doc, schema)
    index, problems = check_references(doc, schema)
    return index, diagnostics + problems


def _referenced_kinds(node: Any) -> set[str]:
    kinds: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("x-netarch-ref", "x-netarch-ref-keys"):
                kinds.update([value] if isinstance(value, str) else value)
            kinds |= _referenced_kinds(value)
    elif isinstance(node, list):
        for value in node:
            kinds |= _referenced_kinds(value)
    return kinds


def test_every_referenced_kind_is_defined_by_the_schema(schema: dict[str, Any]) -> None:
    assert _referenced_kinds(schema) <= set(definition_places(schema))


def test_the_demo_model_is_clean(schema: dict[str, Any]) -> None:
    index, diagnostics = run(MODEL_PATH.read_text(encoding="utf-8"), schema)
    assert [d.headline() for d in diagnostics] == []
    assert index.references and all(r.target is not None for r in index.references)


def _replace_at(text: str, line: int, column: int, old: str, new: str) -> str:
    lines = text.split("\n")
    row = lines[line - 1]
    assert row[column - 1 :].startswith(old)
    lines[line - 1] = row[: column - 1] + new + row[column - 1 + len(old) :]
    return "\n".join(lines)


def test_a_misspelt_reference_is_located_with_a_suggestion(schema: dict[str, Any]) -> None:
    text = MODEL_PATH.read_text(encoding="utf-8")
    index, _ = run(text, schema)
    lines = text.split("\n")
    reference = next(
        r
        for r in index.references
        if len(r.id) > 4 and lines[r.location.line - 1][r.location.column - 1 :].startswith(r.id)
    )
    typo = reference.id[:-1] + ("x" if reference.id[-1] != "x" else "y")
    _, diagnostics = run(
        _replace_at(text, reference.location.line, reference.location.column, reference.id, typo),
        schema,
    )
    (dangling,) = diagnostics
    assert dangling.code == "NA020"
    assert dangling.location == reference.location
    assert json.dumps(typo) in dangling.message
    assert dangling.hint.startswith(f"did you mean {json.dumps(reference.id)}?")


def test_a_duplicate_id_points_at_both_definitions(schema: dict[str, Any]) -> None:
    text = MODEL_PATH.read_text(encoding="utf-8")
    index, _ = run(text, schema)
    kind = next(k for k in index.kinds() if len(index.ids(k)) >= 2)
    first, second = (index.get(kind, element_id) for element_id in index.ids(kind)[:2])
    assert first is not None and second is not None
    line, column = second.location.line, second.location.column
    _, diagnostics = run(_replace_at(text, line, column, second.id, first.id), schema)
    duplicate = next(d for d in diagnostics if d.code == "NA021")
    assert duplicate.location == second.location
    assert duplicate.related == (first.location,)


def test_unknown_top_level_key_suggests_the_real_one(schema: dict[str, Any]) -> None:
    name = next(iter(schema["properties"]))
    text = MODEL_PATH.read_text(encoding="utf-8").rstrip("\n") + f"\n{name}x: 1\n"
    _, diagnostics = run(text, schema)
    (unknown,) = diagnostics
    assert unknown.code == "NA011"
    assert unknown.hint == f"did you mean '{name}'?"
    assert unknown.location.line == len(text.splitlines())
