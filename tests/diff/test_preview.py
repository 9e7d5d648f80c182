"""Which page a change shows on: the demo model against its proposed next version."""

from __future__ import annotations

from pathlib import Path

import pytest

from netarch.diff import diff_models
from netarch.diff.preview import PageNote, page_notes
from netarch.pipeline import generate


@pytest.fixture(scope="module")
def notes(repo_root: Path) -> dict[str, PageNote]:
    base, head = repo_root / "docs" / "network.yaml", repo_root / "docs" / "network-next.yaml"
    result = diff_models(base, head, "docs/network.yaml", "next", project_dir=repo_root)
    generation = generate(head, project_dir=repo_root)
    return page_notes(result, generation.pages)


def _changes(note: PageNote) -> set[str]:
    return {f"{change.kind} {change.id}" for change in note.changes}


def test_only_the_pages_whose_text_differs_get_a_note(notes: dict[str, PageNote]) -> None:
    assert sorted(notes) == [
        "cluster.md",
        "components.md",
        "ingress.md",
        "tenant-isolation.md",
        "traffic-flows.md",
    ]
    assert not any(note.new for note in notes.values())


def test_each_page_lists_the_changes_its_differing_lines_name(
    notes: dict[str, PageNote],
) -> None:
    assert _changes(notes["cluster.md"]) == {
        "pool tenant-d-public",  # the address plan
        "settings cluster",  # the DNS address, by its value
        "node node4",  # the node table, by its name "Node 4"
    }
    assert _changes(notes["components.md"]) == {"component upstream-router-2"}
    # The ingress diagram draws the new router and node (as Mermaid ids), the pool table the
    # pool, the peer table the peer; the speakers' list adds node4.
    assert _changes(notes["ingress.md"]) == {
        "pool tenant-d-public",
        "node node4",
        "settings metallb",
        "bgp-peer peer2",
        "component upstream-router-2",
    }
    # "tenant-d" is a whole word there, not the start of "tenant-d-public".
    assert _changes(notes["tenant-isolation.md"]) == {
        "pod shop-d1",
        "policy tenant-a-frontend-https",
        "policy tenant-d-from-world",
        "tenant tenant-d",
    }
    assert _changes(notes["traffic-flows.md"]) == {"pod shop-d1"}


def test_a_finding_goes_to_the_pages_that_name_its_element(notes: dict[str, PageNote]) -> None:
    with_finding = {page for page, note in notes.items() if note.introduced}
    assert with_finding == {"cluster.md", "ingress.md"}  # the pool NA125 is about
    assert [d.code for d in notes["ingress.md"].introduced] == ["NA125"]
    assert not any(note.fixed for note in notes.values())


def test_the_views_that_changed_on_each_page(notes: dict[str, PageNote]) -> None:
    assert [item.name for item in notes["ingress.md"].views] == [
        "external-ingress",
        "address-pools",
    ]
    assert [item.name for item in notes["components.md"].views] == ["components"]
