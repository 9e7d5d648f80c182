"""Valid top-level sections are not validated again (live preview), without changing verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netarch.model import schema_check
from netarch.model.network import network_schema
from netarch.model.schema_check import check_schema
from netarch.model.source import load_document

DEMO = Path(__file__).resolve().parents[2] / "docs" / "network.yaml"


def _codes(text: str, schema: dict[str, Any] | None = None) -> list[str]:
    document, problems = load_document(DEMO, display_path="network.yaml", text=text)
    assert document is not None and not problems
    found = check_schema(document, schema or network_schema())
    return [f"{d.location}: {d.code} {d.path}: {d.message}" for d in found]


@pytest.fixture
def demo() -> str:
    return DEMO.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    schema_check._VALID_SECTIONS.clear()


def test_unchanged_valid_sections_are_skipped(demo: str) -> None:
    assert _codes(demo) == []
    remembered = schema_check._VALID_SECTIONS.sections()
    assert {"components", "metallb", "flows"} <= remembered
    edited = demo.replace("Cozystack layers four", "Cozystack (edited) layers four", 1)
    assert edited != demo
    document, _ = load_document(DEMO, text=edited)
    assert document is not None
    validator, to_check = schema_check._validator_skipping_valid_sections(
        document, network_schema()
    )
    properties = validator.schema["properties"]
    assert list(to_check) == ["site"]  # only the edited section is validated again
    assert properties["site"] is not True
    assert all(properties[name] is True for name in document.data if name != "site")
    assert _codes(edited) == []


def test_an_error_in_an_edited_section_is_still_found(demo: str) -> None:
    assert _codes(demo) == []
    broken = demo.replace("    name: MetalLB\n", "    name: [MetalLB]\n", 1)
    assert broken != demo
    errors = _codes(broken)
    assert len(errors) == 1 and "NA012 components[2].name" in errors[0], errors


def test_a_failing_section_is_not_remembered_as_valid(demo: str) -> None:
    broken = demo.replace("    name: MetalLB\n", "    name: [MetalLB]\n", 1)
    first = _codes(broken)
    assert first
    assert "components" not in schema_check._VALID_SECTIONS.sections()
    assert _codes(broken) == first  # the same errors again, not a cached "valid"


def test_root_keywords_still_apply_when_every_section_is_remembered(demo: str) -> None:
    assert _codes(demo) == []
    # Dropping a required top-level key leaves every other section unchanged (and skipped).
    without_cluster = _drop_section(demo, "cluster")
    errors = _codes(without_cluster)
    assert any("NA013" in error and "'cluster'" in error for error in errors), errors


def test_unknown_top_level_key_is_still_reported(demo: str) -> None:
    assert _codes(demo) == []
    errors = _codes(demo + "\nclusterr: {}\n")
    assert any("NA011 clusterr" in error for error in errors), errors


def test_memo_is_per_schema(demo: str) -> None:
    assert _codes(demo) == []
    stricter = dict(network_schema())
    stricter["properties"] = {**stricter["properties"], "site": {"type": "string"}}
    errors = _codes(demo, stricter)
    assert any("site" in error for error in errors), errors


def test_same_text_different_type_is_checked_again(demo: str) -> None:
    assert _codes(demo) == []
    # "true" as a string and as a boolean print alike but differ to the schema.
    first = _codes(demo.replace("    name: MetalLB\n", "    name: 'true'\n", 1))
    second = _codes(demo.replace("    name: MetalLB\n", "    name: true\n", 1))
    assert first == []
    assert len(second) == 1 and "NA012" in second[0], second


def _drop_section(text: str, name: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i][:1].isalpha()),
        len(lines),
    )
    return "".join(lines[:start] + lines[end:])
