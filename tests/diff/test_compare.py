"""The model-aware comparison: what counts as a change, how it is grouped and located."""

from __future__ import annotations

from pathlib import Path

import pytest

from netarch.diff import DiffResult, diff_models
from netarch.diff.compare import ADDED, CHANGED, REMOVED, RENAMED, Change, compare_models
from netarch.model.network import Model, load_model

SMALL = """\
netarch: 1
cluster:
  name: edge
  pod_cidr: 10.42.0.0/16
  service_cidr: 10.43.0.0/16
components:
  - id: flannel
    name: Flannel
    kind: platform
    product: flannel
    version: 0.25.1
  - id: coredns
    name: CoreDNS
    kind: platform
nodes:
  - {id: edge1, name: edge-1, address: 192.168.8.11}
  - {id: edge2, name: edge-2, address: 192.168.8.12}
"""


def _model(tmp_path: Path, name: str, text: str, **includes: str) -> Model:
    folder = tmp_path / name
    folder.mkdir()
    for file_name, content in includes.items():
        (folder / f"{file_name}.yaml").write_text(content, encoding="utf-8")
    path = folder / "network.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_model(path, display_path=f"{name}/network.yaml")
    assert loaded.model is not None, loaded.diagnostics
    return loaded.model


def _only(changes: list[Change], kind: str, element_id: str) -> Change:
    found = [c for c in changes if c.kind == kind and c.id == element_id]
    assert len(found) == 1, changes
    return found[0]


def test_the_same_model_has_no_change(tmp_path: Path) -> None:
    assert compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", SMALL)) == []


def test_reordered_lists_are_not_a_change(tmp_path: Path) -> None:
    reordered = SMALL.replace(
        "  - {id: edge1, name: edge-1, address: 192.168.8.11}\n"
        "  - {id: edge2, name: edge-2, address: 192.168.8.12}\n",
        "  - {id: edge2, name: edge-2, address: 192.168.8.12}\n"
        "  - {id: edge1, name: edge-1, address: 192.168.8.11}\n",
    )
    assert reordered != SMALL
    assert compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", reordered)) == []


def test_a_set_like_list_in_another_order_is_not_a_change(
    tmp_path: Path, demo_model_path: Path
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    swapped = text.replace("speakers: [node1, node2, node3]", "speakers: [node3, node1, node2]")
    assert swapped != text
    result = _diff(tmp_path, text, swapped)
    assert result.changes == []


def test_an_element_moved_to_an_include_file_is_not_a_change(tmp_path: Path) -> None:
    without_nodes, _, _ = SMALL.partition("nodes:\n")
    split = "include: [nodes.yaml]\n" + without_nodes
    nodes = "nodes:\n" + SMALL.partition("nodes:\n")[2]
    head = _model(tmp_path, "b", split, nodes=nodes)
    assert "b/nodes.yaml" in str(head.element_location("node", "edge1"))
    assert compare_models(_model(tmp_path, "a", SMALL), head) == []


def test_the_same_content_under_a_new_id_is_a_rename(tmp_path: Path) -> None:
    renamed = SMALL.replace("{id: edge2,", "{id: edge-two,")
    changes = compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", renamed))
    assert len(changes) == 1
    change = changes[0]
    assert (change.change, change.kind, change.old_id, change.id) == (
        RENAMED,
        "node",
        "edge2",
        "edge-two",
    )
    assert change.location is not None and change.location.file == "b/network.yaml"
    assert change.location.line == 17
    assert change.base_location is not None and change.base_location.file == "a/network.yaml"


def test_a_rename_with_its_keys_in_another_order_is_still_a_rename(tmp_path: Path) -> None:
    renamed = SMALL.replace(
        "{id: edge2, name: edge-2, address: 192.168.8.12}",
        "{address: 192.168.8.12, id: edge-two, name: edge-2}",
    )
    [change] = compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", renamed))
    assert (change.change, change.old_id, change.id) == (RENAMED, "edge2", "edge-two")


def test_a_new_id_with_other_content_is_a_removal_and_an_addition(tmp_path: Path) -> None:
    other = SMALL.replace(
        "{id: edge2, name: edge-2, address: 192.168.8.12}",
        "{id: edge3, name: edge-3, address: 192.168.8.13}",
    )
    changes = compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", other))
    assert {(c.change, c.id) for c in changes} == {(REMOVED, "edge2"), (ADDED, "edge3")}
    removed = _only(changes, "node", "edge2")
    # A removal points at BASE, where the element still is.
    assert removed.location is not None and removed.location.file == "a/network.yaml"
    assert removed.location.line == 17


def test_a_changed_field_has_its_old_and_new_value_and_head_line(tmp_path: Path) -> None:
    newer = SMALL.replace("version: 0.25.1", "version: 0.26.0")
    changes = compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", newer))
    change = _only(changes, "component", "flannel")
    assert (change.change, change.group, change.impact) == (CHANGED, "components", "")
    [field] = change.fields
    assert (field.name, field.old, field.new) == ("version", "0.25.1", "0.26.0")
    assert field.location is not None
    assert (field.location.file, field.location.line) == ("b/network.yaml", 11)


def test_a_changed_node_address_is_topology_and_address_space(tmp_path: Path) -> None:
    moved = SMALL.replace("address: 192.168.8.12", "address: 192.168.9.12")
    [change] = compare_models(_model(tmp_path, "a", SMALL), _model(tmp_path, "b", moved))
    assert (change.kind, change.group) == ("node", "topology")
    assert change.impact == "address space: address"


def _diff(tmp_path: Path, base: str, head: str) -> DiffResult:
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(head, encoding="utf-8")
    return diff_models(tmp_path / "base.yaml", tmp_path / "head.yaml", "base.yaml", "head.yaml")


# (replace this, with that) in the demo model -> (kind, id, group, the impact's start or "").
DEMO_CHANGES = [
    pytest.param(
        "pod_cidr: 10.244.0.0/16",
        "pod_cidr: 10.240.0.0/12",
        ("settings", "cluster", "address-plan", "address space: cluster.pod_cidr"),
        id="cluster-range",
    ),
    pytest.param(
        "addresses: [192.168.100.200-192.168.100.250]",
        "addresses: [192.168.100.200-192.168.100.240]",
        ("pool", "cozystack", "address-plan", "address space: addresses"),
        id="pool-range",
    ),
    pytest.param(
        "peer_asn: 65001",
        "peer_asn: 65002",
        ("bgp-peer", "peer1", "routing", "routing: peer_asn"),
        id="peer-asn",
    ),
    pytest.param(
        "      action: allow\n      scope: cross-tenant\n      from: {tenant: tenant-root}",
        "      action: deny\n      scope: cross-tenant\n      from: {tenant: tenant-root}",
        ("policy", "from-parent-tenant", "policy", "reachability: action"),
        id="policy-action",
    ),
    pytest.param(
        "      action: allow\n      scope: same-tenant\n",
        "      action: allow\n      scope: same-tenant\n      ports: [{protocol: tcp, port: 443}]\n",
        ("policy", "same-tenant", "policy", "reachability: ports"),
        id="policy-ports",
    ),
    pytest.param(
        "      action: allow\n      scope: same-tenant\n",
        "      action: allow\n      scope: same-tenant\n      to: {labels: {app: web}}\n",
        ("policy", "same-tenant", "policy", "reachability: to"),
        id="policy-peer",
    ),
    pytest.param(
        "        purpose: DMZ / public\n        mode: bgp",
        "        purpose: DMZ / public\n        mode: l2",
        ("vlan", "vlan-b", "topology", ""),
        id="vlan-mode",
    ),
    pytest.param(
        "    external_traffic_policy: Cluster\n  l2:",
        "    external_traffic_policy: Local\n  l2:",
        ("settings", "metallb", "load-balancing", "announcement: "),
        id="announcement",
    ),
    pytest.param(
        "    version: 0.16.1",
        "    version: 0.15.0",
        ("component", "metallb", "components", ""),
        id="component-version",
    ),
    pytest.param(
        "    hops: [external-clients, upstream-router, metallb, cilium, kube-ovn, pods]",
        "    hops: [external-clients, upstream-router, cilium, metallb, kube-ovn, pods]",
        ("flow", "overview", "flows", ""),
        id="flow-hops-order",
    ),
    pytest.param(
        "    address: 192.168.100.13\n",
        "    address: 192.168.100.14\n",
        ("node", "node3", "topology", "address space: address"),
        id="node-address",
    ),
]


@pytest.mark.parametrize(("before", "after", "expected"), DEMO_CHANGES)
def test_each_kind_of_change_in_the_demo_model(
    tmp_path: Path,
    demo_model_path: Path,
    before: str,
    after: str,
    expected: tuple[str, str, str, str],
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    assert text.count(before) == 1
    result = _diff(tmp_path, text, text.replace(before, after))
    kind, element_id, group, impact = expected
    change = _only(result.changes, kind, element_id)
    assert change.change == CHANGED
    assert change.group == group
    assert change.impact.startswith(impact) if impact else change.impact == ""
    assert change.location is not None and change.location.file == "head.yaml"
    # The first changed value's HEAD line holds its new value.
    field = change.fields[0]
    assert field.location is not None
    head_line = text.replace(before, after).splitlines()[field.location.line - 1]
    new = field.new[0] if isinstance(field.new, list) else field.new
    assert str(new) in head_line


def test_a_peer_added_and_removed_is_called_out_first(
    tmp_path: Path, demo_model_path: Path
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    peer = (
        "      - id: peer1\n        address: 192.168.100.1\n        router: upstream-router\n"
        "        my_asn: 65000\n        peer_asn: 65001\n"
    )
    assert peer in text
    second = peer.replace("peer1", "peer2").replace("100.1\n", "100.2\n")
    added = _diff(tmp_path, text, text.replace(peer, peer + second))
    # A version bump too, which is not about reachability and comes after.
    change = _only(added.changes, "bgp-peer", "peer2")
    assert (change.change, change.impact) == (ADDED, "routing: bgp-peer added")
    assert added.changes[0] is change
    removed = _diff(tmp_path, text.replace(peer, peer + second), text)
    change = _only(removed.changes, "bgp-peer", "peer2")
    assert (change.change, change.impact) == (REMOVED, "routing: bgp-peer removed")
    assert change.location is not None and change.location.file == "base.yaml"


def test_impact_changes_come_before_the_others(tmp_path: Path, demo_model_path: Path) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    head = text.replace("    version: 0.16.1", "    version: 0.17.0").replace(
        "peer_asn: 65001", "peer_asn: 65009"
    )
    result = _diff(tmp_path, text, head)
    assert [c.id for c in result.changes] == ["peer1", "metallb"]
    assert [c.id for c in result.impact] == ["peer1"]


def test_findings_introduced_and_fixed_are_matched_by_what_they_say(
    tmp_path: Path, demo_model_path: Path
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    # The service range now overlaps the pod range (NA101), and lines shift above everything.
    broken = text.replace("service_cidr: 10.96.0.0/16", "service_cidr: 10.244.128.0/20").replace(
        "netarch: 1\n", "netarch: 1\n# a comment\n\n"
    )
    result = _diff(tmp_path, text, broken)
    assert "NA101" in {d.code for d in result.findings_introduced}
    assert all(d.location.file == "head.yaml" for d in result.findings_introduced)
    # Findings present on both sides, only on other lines, are neither new nor fixed.
    assert result.findings_fixed == []
    back = _diff(tmp_path, broken, text)
    assert "NA101" in {d.code for d in back.findings_fixed}
    assert back.findings_introduced == []


def test_the_pages_and_views_whose_text_changes(tmp_path: Path, demo_model_path: Path) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    result = _diff(tmp_path, text, text.replace("peer_asn: 65001", "peer_asn: 65002"))
    assert result.pages and all(item.change == CHANGED for item in result.pages)
    assert "ingress.md" in {item.name for item in result.pages}
    assert "cluster.md" not in {item.name for item in result.pages}
    assert result.views == []  # the peer is in no diagram or table, only in the page's text
    ranges = _diff(tmp_path, text, text.replace("pod_cidr: 10.244.0.0/16", "pod_cidr: 10.0.0.0/8"))
    assert ("address-plan", "table", CHANGED) in {
        (item.name, item.type, item.change) for item in ranges.views
    }
    # Every tenant allowed to reach every other, not only the parent.
    opened = text.replace(
        "      scope: cross-tenant\n      from: {tenant: tenant-root}\n",
        "      scope: cross-tenant\n",
    )
    policy = _diff(tmp_path, text, opened)
    assert ("tenant-isolation-model", "diagram", CHANGED) in {
        (item.name, item.type, item.change) for item in policy.views
    }
    # The same model under two names changes no page (each page names its model file).
    same = _diff(tmp_path, text, text)
    assert (same.pages, same.views, same.changes) == ([], [], [])
    assert not same.has_changes


def test_a_model_that_does_not_load_on_one_side(tmp_path: Path) -> None:
    result = _diff(tmp_path, "netarch: 1\ncluster: [unclosed\n", SMALL)
    assert not result.base.loaded and result.base.errors
    assert result.base.errors[0].code == "NA001"
    assert result.head.loaded
    # The loaded side is still described: everything in it is new.
    assert {(c.change, c.kind, c.id) for c in result.changes} >= {
        (ADDED, "component", "flannel"),
        (ADDED, "node", "edge1"),
    }
    assert result.has_changes


def test_a_pool_that_now_overlaps_the_pod_range_is_a_new_finding(
    tmp_path: Path, demo_model_path: Path
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    pool = "addresses: [192.168.100.200-192.168.100.250]"
    result = _diff(tmp_path, text, text.replace(pool, pool[:-1] + ", 10.244.200.0/24]"))
    [change] = result.changes
    assert (change.kind, change.id, change.impact) == (
        "pool",
        "cozystack",
        "address space: addresses",
    )
    overlap = [d for d in result.findings_introduced if d.code == "NA102"]
    assert [d.message for d in overlap] == [
        "MetalLB pool cozystack entry 10.244.200.0/24 overlaps the pod CIDR 10.244.0.0/16"
    ]
    assert result.findings_fixed == []


def test_findings_match_across_moved_lines_but_not_across_other_addresses() -> None:
    from netarch.diagnostics import Diagnostic, Location, Severity
    from netarch.diff import _finding_changes

    def finding(line: int, message: str) -> Diagnostic:
        return Diagnostic(Location("m.yaml", line, 1), Severity.WARNING, "NA999", message)

    base = [
        finding(3, "defined in m.yaml:3:1 (line 3) too"),
        finding(4, "peer 2001:db8::1 port 179"),
    ]
    head = [
        finding(9, "defined in m.yaml:9:1 (line 9) too"),
        finding(10, "peer 2001:db8::2 port 179"),
    ]
    introduced, fixed = _finding_changes(base, head)
    assert [d.message for d in introduced] == ["peer 2001:db8::2 port 179"]
    assert [d.message for d in fixed] == ["peer 2001:db8::1 port 179"]


def test_a_policy_is_named_by_the_part_that_changed(tmp_path: Path, demo_model_path: Path) -> None:
    """Its peers and ports by their top key, once; a range in a peer is about reachability."""
    text = demo_model_path.read_text(encoding="utf-8")
    before = "      action: allow\n      scope: same-tenant\n"
    after = before + (
        "      to: {cidr: 10.0.0.0/8}\n"
        "      ports: [{protocol: tcp, port: 443}, {protocol: udp, port: 53}]\n"
    )
    assert text.count(before) == 1
    change = _only(
        _diff(tmp_path, text, text.replace(before, after)).changes, "policy", "same-tenant"
    )
    assert change.impact == "reachability: ports; reachability: to"
