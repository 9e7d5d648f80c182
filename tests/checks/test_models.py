"""Whole models beyond the base fixture: a minimal one and an IPv6 one."""

from __future__ import annotations

from .conftest import Check, at, edit

MINIMAL = """\
netarch: 1
cluster:
  pod_cidr: 10.244.0.0/16
  service_cidr: 10.96.0.0/16
components:
  - id: cilium
    name: Cilium
    kind: platform
"""

IPV6 = """\
netarch: 1
cluster:
  pod_cidr: fd00:10:244::/64
  pod_gateway: fd00:10:244::1
  service_cidr: fd00:10:96::/112
  join_cidr: fd00:100:64::/112
  node_networks: [2001:db8:100::/64]
  overlay: {type: geneve, underlay_mtu: 9000, pod_mtu: 8900}
components:
  - id: router
    name: Router
    kind: external
    address: 2001:db8:100::1
  - id: metallb
    name: MetalLB
    kind: platform
    product: metallb
nodes:
  - {id: node1, name: Node 1, address: "2001:db8:100::11"}
  - {id: node2, name: Node 2, address: "2001:db8:100::12"}
metallb:
  component: router
  pools:
    - id: v6
      addresses: [2001:db8:100::200-2001:db8:100::2ff]
  l2:
    advertisements: [{id: l2}]
  bgp:
    peers:
      - {id: peer1, address: "2001:db8:100::1", my_asn: 4200000001, peer_asn: 4200000002}
    advertisements: [{id: bgp, aggregation_length: 120}]
"""


def test_minimal_model_has_nothing_to_report(check: Check) -> None:
    assert check(MINIMAL) == []


def test_ipv6_model_is_clean(check: Check) -> None:
    assert [d.headline() for d in check(IPV6)] == []


def test_ipv6_service_cidr_limit_is_108(check: Check) -> None:
    text = edit(IPV6, ("service_cidr: fd00:10:96::/112", "service_cidr: fd00:10:96::/107"))
    [diagnostic] = check(text)
    assert diagnostic.code == "NA111"
    assert str(diagnostic.location) == at(text, "service_cidr: ^fd00:10:96::/107")


def test_ipv6_gateway_family_mismatch(check: Check) -> None:
    text = edit(IPV6, ("pod_gateway: fd00:10:244::1", "pod_gateway: 10.244.0.1"))
    [diagnostic] = check(text)
    assert diagnostic.code == "NA103"
    assert "is IPv4 but the pod CIDR fd00:10:244::/64 is IPv6" in diagnostic.message


def test_ipv6_aggregation_length(check: Check) -> None:
    text = edit(IPV6, ("aggregation_length: 120", "aggregation_length: 119"))
    [diagnostic] = check(text)
    assert diagnostic.code == "NA133"
    assert "shorter than the /120 prefix" in diagnostic.message
    # Longer than the pool's /120 is fine: MetalLB announces the smaller prefixes.
    assert check(edit(IPV6, ("aggregation_length: 120", "aggregation_length: 124"))) == []


def test_ipv6_pool_overlapping_a_node(check: Check) -> None:
    text = edit(IPV6, ("2001:db8:100::200-2001:db8:100::2ff", "2001:db8:100::/120"))
    found = sorted((d.code, str(d.related[0])) for d in check(text))
    assert ("NA122", at(text, 'address: ^"2001:db8:100::11"')) in found
    assert ("NA122", at(text, 'address: ^"2001:db8:100::12"')) in found
