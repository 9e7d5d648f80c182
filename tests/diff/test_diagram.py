"""The change drawn: every kind of change marked, checked by the real, pinned Mermaid."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from netarch.diff import DiffResult, diff_models
from netarch.diff.diagram import MAX_NODES, change_diagram
from netarch.validate import MermaidValidator


@pytest.fixture(scope="module")
def mermaid() -> Iterator[MermaidValidator]:
    with MermaidValidator(workers=1) as validator:
        yield validator


def _diff(tmp_path: Path, base: str, head: str) -> DiffResult:
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(head, encoding="utf-8")
    return diff_models(tmp_path / "base.yaml", tmp_path / "head.yaml", "base.yaml", "head.yaml")


def _class_lines(text: str) -> dict[str, set[str]]:
    """class name -> Mermaid ids, from the ``class a,b name`` statements."""
    classes: dict[str, set[str]] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == "class":
            classes.setdefault(words[2], set()).update(words[1].split(","))
    return classes


def test_every_kind_of_change_is_marked_and_mermaid_accepts_it(
    tmp_path: Path, demo_model_path: Path, mermaid: MermaidValidator
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    peer = (
        "      - id: peer1\n        address: 192.168.100.1\n        router: upstream-router\n"
        "        my_asn: 65000\n        peer_asn: 65001\n"
    )
    head = (
        text.replace(peer, peer.replace("peer1", "peer2").replace("100.1\n", "100.2\n"))
        .replace("    version: 0.16.1", '    version: "0.17.0 \\"end\\" ]]; click x"')
        .replace("pod_cidr: 10.244.0.0/16", "pod_cidr: 10.244.0.0/15")
        .replace("      - id: vlan-a\n", "      - id: vlan-1\n")
        .replace(
            "flows:\n",
            "flows:\n  - {id: new-flow, title: 'A <b>new</b> flow', kind: path,"
            " hops: [external-clients, upstream-router]}\n",
        )
    )
    result = _diff(tmp_path, text, head)
    diagram = change_diagram(result)
    assert diagram is not None
    assert mermaid.check(diagram) == []
    classes = _class_lines(diagram)
    assert "bgp_peer_peer2" in classes["added"]
    assert "bgp_peer_peer1" in classes["removed"]
    assert "component_metallb" in classes["changed"]
    assert classes["renamed"] == {"vlan_vlan_1"}
    assert "vlan-a → vlan-1" in diagram.replace("<br/>", " ")  # labels broken at spaces
    assert "address_plan_cluster" in classes["changed"]
    assert "flow_new_flow" in classes["added"]
    # The router both peers point at is drawn for context, unmarked.
    assert "component_upstream_router" in classes["context"]
    assert "bgp_peer_peer2 --> component_upstream_router" in diagram
    assert "bgp_peer_peer1 -.-> component_upstream_router" in diagram
    # Model text is a label, never Mermaid syntax: its quotes are escaped inside the label.
    [metallb] = [line for line in diagram.splitlines() if "component_metallb[" in line]
    assert metallb.strip().endswith('"]') and metallb.count('"') == 2
    assert "click" in metallb


def test_a_large_change_stays_bounded_and_parses(
    tmp_path: Path, demo_model_path: Path, mermaid: MermaidValidator
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    many = "".join(
        f"  - {{id: extra-{index}, name: 'Extra [{index}]', kind: workload}}\n"
        for index in range(150)
    )
    head = text.replace("components:\n", "components:\n" + many, 1)
    result = _diff(tmp_path, text, head)
    assert len(result.changes) == 150
    diagram = change_diagram(result)
    assert diagram is not None
    nodes = sum(1 for line in diagram.splitlines() if line.strip().startswith("component_"))
    assert nodes == MAX_NODES
    assert mermaid.check(diagram) == []


def test_no_diagram_when_a_side_does_not_load(tmp_path: Path, demo_model_path: Path) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    result = _diff(tmp_path, "netarch: [\n", text)
    assert result.changes and not result.base.loaded
    assert change_diagram(result) is None


def test_no_change_no_diagram(tmp_path: Path, demo_model_path: Path) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    assert change_diagram(_diff(tmp_path, text, text)) is None
