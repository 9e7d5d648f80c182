"""Top-level sections walked before are not walked again, and verdicts and positions stay exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from netarch.model import references
from netarch.model.network import network_schema
from netarch.model.references import IdIndex, check_references
from netarch.model.source import load_document

DEMO = Path(__file__).resolve().parents[2] / "docs" / "network.yaml"


def _check(text: str) -> tuple[IdIndex, list[str]]:
    document, problems = load_document(DEMO, display_path="network.yaml", text=text)
    assert document is not None and not problems
    index, found = check_references(document, network_schema())
    return index, [f"{d.location}: {d.code} {d.message}" for d in found]


@pytest.fixture
def demo() -> str:
    return DEMO.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    references._SECTION_WALKS.clear()


def test_same_result_with_and_without_remembered_sections(demo: str) -> None:
    cold_index, cold = _check(demo)
    warm_index, warm = _check(demo)
    assert cold == warm == []
    assert warm_index.definitions == cold_index.definitions
    assert warm_index.references == cold_index.references
    assert len(references._SECTION_WALKS.sections()) >= 10


def test_only_the_edited_section_is_walked_again(
    demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(demo)
    walked: list[tuple[str | int, ...]] = []
    real_walk = references._Walker.walk

    def spy(self: references._Walker, instance: object, schema: object, path: tuple) -> None:
        if len(path) == 1:
            walked.append(path)
        real_walk(self, instance, schema, path)

    monkeypatch.setattr(references._Walker, "walk", spy)
    _check(demo.replace("    component: metallb\n", "    component: cilium\n", 1))
    assert walked == [("layers",)]


def test_a_new_dangling_reference_in_an_edited_section_is_found(demo: str) -> None:
    _check(demo)
    _, found = _check(demo.replace("    component: metallb\n", "    component: metalb\n", 1))
    assert len(found) == 1
    assert "NA020" in found[0] and '"metalb"' in found[0]


def test_removing_an_id_breaks_references_from_remembered_sections(demo: str) -> None:
    _check(demo)
    # Only `components` changes; `layers` (remembered) still refers to metallb.
    _, found = _check(demo.replace("  - id: metallb\n", "  - id: metallb-speaker\n", 1))
    assert any("NA020" in line and '"metallb"' in line for line in found), found


def test_positions_follow_lines_that_moved(demo: str) -> None:
    dangling = demo.replace("    component: metallb\n", "    component: metalb\n", 1)
    _, before = _check(dangling)
    # Two lines inserted above every section: the remembered walk of `layers` must not keep
    # the old line numbers.
    index, after = _check(dangling.replace("site:\n", "# one\n# two\nsite:\n", 1))
    assert len(before) == len(after) == 1
    assert before[0].startswith("network.yaml:162:")
    assert after[0].startswith("network.yaml:164:")
    assert index.location_of("component", "metallb").line == 62 + 2
