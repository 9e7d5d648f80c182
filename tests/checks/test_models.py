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
  - id: kube-ovn
    name: Kube-OVN
    kind: platform
    product: kube-ovn
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


DUAL_STACK = """\
netarch: 1
cluster:
  pod_cidr: [10.42.0.0/16, "2001:db8:42::/56"]
  service_cidr: [10.43.0.0/16, "2001:db8:43::/112"]
  dns_service_ip: [10.43.0.10, "2001:db8:43::a"]
  node_networks: [192.168.1.0/24, "2001:db8:1::/64"]
components:
  - id: cni
    name: Some CNI
    kind: platform
"""


def test_dual_stack_model_is_clean(check: Check) -> None:
    assert [d.headline() for d in check(DUAL_STACK)] == []


def test_dual_stack_checks_each_family(check: Check) -> None:
    text = edit(
        DUAL_STACK,
        ('"2001:db8:43::/112"]\n', '"2001:db8:43::/100"]\n'),
        ('"2001:db8:43::a"]', '"2001:db8:44::a"]'),
    )
    found = {d.code: d for d in check(text)}
    assert set(found) == {"NA111", "NA116"}
    assert str(found["NA111"].location) == at(
        text, 'service_cidr: [10.43.0.0/16, ^"2001:db8:43::/100"]'
    )
    assert (
        "2001:db8:44::a lies outside the service CIDR 2001:db8:43::/100" in found["NA116"].message
    )


def test_dual_stack_overlap_across_ranges_of_one_family(check: Check) -> None:
    text = edit(DUAL_STACK, ('"2001:db8:43::/112"]', '"2001:db8:42::/112"]'))
    assert "NA101" in {d.code for d in check(text)}
