"""The Calico kit as the CNI: its IP pools are checked against the pod CIDR and their block
size, IP-in-IP's header counts in the MTU, and its VXLAN port is IANA's."""

from __future__ import annotations

import pytest

from .conftest import Check, at, edit

CALICO = """\
netarch: 1
cluster:
  pod_cidr: [192.168.0.0/16, "fd00:192:168::/48"]
  service_cidr: 10.96.0.0/12
  node_networks: [10.10.0.0/24]
  overlay: {type: ipip, underlay_mtu: 1500, pod_mtu: 1480}
  cni: calico
components:
  - {id: calico, name: Calico, kind: platform, product: calico, provides: [cni, ipam, network-policy]}
nodes:
  - {id: n1, name: node-1, address: 10.10.0.11}
calico:
  ip_pools:
    - {id: default-ipv4-ippool, cidr: 192.168.0.0/16, block_size: 26, encapsulation: IPIP, nat_outgoing: true}
    - {id: default-ipv6-ippool, cidr: "fd00:192:168::/48", block_size: 122, encapsulation: None}
"""


def test_a_calico_cluster_checks_clean(check: Check) -> None:
    assert [d.headline() for d in check(CALICO)] == []


CALICO_CASES = [
    (
        "NA302",
        (("cidr: 192.168.0.0/16, block", "cidr: 172.16.0.0/16, block"),),
        "cidr: ^172.16.0.0/16",
    ),
    ("NA303", (("block_size: 26", "block_size: 18"),), "block_size: ^18"),
    ("NA303", (("block_size: 122", "block_size: 40"),), "block_size: ^40"),
    # IP-in-IP takes 20 bytes: a 1500-byte underlay leaves 1480 for pods.
    ("NA150", (("pod_mtu: 1480", "pod_mtu: 1500"),), "pod_mtu: ^1500"),
]


@pytest.mark.parametrize(("code", "edits", "where"), CALICO_CASES)
def test_each_calico_finding(check: Check, code: str, edits, where: str) -> None:
    text = edit(CALICO, *edits)
    found = [str(d.location) for d in check(text) if d.code == code]
    assert found == [at(text, where)], [d.headline() for d in check(text)]


def test_calicos_vxlan_port_is_ianas(check: Check) -> None:
    vxlan = edit(
        CALICO,
        (
            "overlay: {type: ipip, underlay_mtu: 1500, pod_mtu: 1480}",
            "overlay: {type: vxlan, udp_port: 4789, underlay_mtu: 1500, pod_mtu: 1450}",
        ),
    )
    assert check(vxlan) == []
    wrong = edit(vxlan, ("udp_port: 4789", "udp_port: 8472"))
    [finding] = [d for d in check(wrong) if d.code == "NA153"]
    assert "not 4789, Calico's default" in finding.message
