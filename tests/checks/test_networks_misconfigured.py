"""Three real cluster networks, each correct as written (no finding, no silence), then the
mistakes an engineer makes in them, one at a time, as they would write them.

- calico-bgp-metallb: bare-metal kubeadm, Calico BGP to the top-of-rack routers, kube-proxy
  in IPVS mode, MetalLB announcing over BGP to the border routers;
- k3s-dual-stack: k3s with Flannel VXLAN and ServiceLB, IPv4 and IPv6;
- kubeadm-ipv6-antrea-kube-vip: IPv6 only, Antrea Geneve, kube-proxy IPVS, kube-vip (NDP),
  NodeLocal DNSCache, Envoy Gateway.

Each mistake names the rule that must catch it, and where.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from .conftest import Check, at, edit

NETWORKS = Path(__file__).with_name("fixtures") / "networks"
CALICO = "calico-bgp-metallb"
K3S = "k3s-dual-stack"
IPV6 = "kubeadm-ipv6-antrea-kube-vip"


def network(name: str) -> str:
    return (NETWORKS / f"{name}.yaml").read_text(encoding="utf-8")


class Mistake(NamedTuple):
    network: str
    what: str
    edits: tuple[tuple[str, str], ...]
    code: str
    where: str


L2_FOR_METALLB = (
    "    advertisements:\n      - {id: public-bgp, pools: [public]}\n",
    "    advertisements:\n      - {id: public-bgp, pools: [public]}\n"
    "  l2:\n    advertisements:\n      - {id: office-l2, pools: [office]}\n",
)

MISTAKES = [
    # --- Calico BGP + kube-proxy IPVS + MetalLB BGP -------------------------------------------
    Mistake(
        CALICO,
        "MetalLB pool written as the rack's whole node subnet",
        (("addresses: [10.40.0.0/24]", "addresses: [172.20.1.0/24]"),),
        "NA122",
        "addresses: [^172.20.1.0/24]",
    ),
    Mistake(
        CALICO,
        "MetalLB pool cut from the pod CIDR",
        (("addresses: [10.40.0.0/24]", "addresses: [10.32.250.0/24]"),),
        "NA102",
        "addresses: [^10.32.250.0/24]",
    ),
    Mistake(
        CALICO,
        "an L2 pool added for the office, strictARP left off",
        (
            ("strict_arp: true", "strict_arp: false"),
            (
                "    - {id: public, addresses: [10.40.0.0/24]}\n",
                "    - {id: public, addresses: [10.40.0.0/24]}\n"
                "    - {id: office, addresses: [172.20.1.200-172.20.1.220]}\n",
            ),
            L2_FOR_METALLB,
        ),
        "NA138",
        "mode: ^ipvs",
    ),
    Mistake(
        CALICO,
        "an L2 pool on rack A's subnet, announced from rack B's nodes too",
        (
            (
                "    - {id: public, addresses: [10.40.0.0/24]}\n",
                "    - {id: public, addresses: [10.40.0.0/24]}\n"
                "    - {id: office, addresses: [172.20.1.200-172.20.1.220]}\n",
            ),
            L2_FOR_METALLB,
        ),
        "NA124",
        "addresses: [^172.20.1.200-172.20.1.220]",
    ),
    Mistake(
        CALICO,
        "kube-proxy's clusterCIDR left at the kubeadm example's 10.244.0.0/16",
        (("cluster_cidr: 10.32.0.0/16", "cluster_cidr: 10.244.0.0/16"),),
        "NA390",
        "cluster_cidr: ^10.244.0.0/16",
    ),
    Mistake(
        CALICO,
        "Calico's AS set to rack A's ToR AS",
        (("local_asn: 64601", "local_asn: 65101"),),
        "NA149",
        "address: 172.20.1.1, asn: ^65101",
    ),
    Mistake(
        CALICO,
        "firewall matrix without BGP to the first border router",
        (
            (
                "  - {from: nodes, to: border-1, protocol: tcp, port: 179, purpose: MetalLB BGP}\n",
                "",
            ),
        ),
        "NA139",
        "ports:\n  ^- {from: nodes, to: tor-a",
    ),
    Mistake(
        CALICO,
        "ingress pod written with the address of a pod on another node",
        (("address: 10.32.2.10, node: a2", "address: 10.32.3.99, node: a2"),),
        "NA118",
        "address: ^10.32.3.99, node: a2",
    ),
    Mistake(
        CALICO,
        "b2's pod range copied from b1",
        (("pod_cidrs: [10.32.4.0/24]", "pod_cidrs: [10.32.3.0/24]"),),
        "NA117",
        "172.20.2.12, roles: [worker], zone: rack-b, pod_cidrs: [^10.32.3.0/24]",
    ),
    Mistake(
        CALICO,
        "Calico IP pool left at the manifest's 192.168.0.0/16",
        (("cidr: 10.32.0.0/16, block_size", "cidr: 192.168.0.0/16, block_size"),),
        "NA302",
        "cidr: ^192.168.0.0/16",
    ),
    Mistake(
        CALICO,
        "Calico's eBPF data plane named the kube-proxy replacement, kube-proxy kept",
        (("  cni: calico\n", "  cni: calico\n  kube_proxy_replacement: calico\n"),),
        "NA140",
        "distribution:\n    ^name: kubeadm",
    ),
    Mistake(
        CALICO,
        "multihop dropped from a session to a border router off the node networks",
        (
            (
                "peer_asn: 65000, ebgp_multihop: true}\n      - {id: border-2",
                "peer_asn: 65000}\n      - {id: border-2",
            ),
        ),
        "NA131",
        "- {id: border-1, address: ^172.20.0.1",
    ),
    Mistake(
        CALICO,
        "MetalLB's AS typed as AS_TRANS",
        (("router: border-2, my_asn: 64602", "router: border-2, my_asn: 23456"),),
        "NA129",
        "my_asn: ^23456",
    ),
    Mistake(
        CALICO,
        "MetalLB speakers kept off the nodes that run the ingress pods (Local policy)",
        (("  speakers: [a2, b1, b2]\n", "  speakers: [b2]\n"),),
        "NA119",
        "external_traffic_policy: ^Local",
    ),
    # --- k3s dual-stack, Flannel VXLAN, ServiceLB ---------------------------------------------
    Mistake(
        K3S,
        "pod MTU left at the NIC's 1500 over VXLAN",
        (("pod_mtu: 1450", "pod_mtu: 1500"),),
        "NA150",
        "pod_mtu: ^1500",
    ),
    Mistake(
        K3S,
        "pod CIDR changed in the model only (k3s keeps 10.42.0.0/16)",
        (
            ("pod_cidr: [10.42.0.0/16,", "pod_cidr: [10.52.0.0/16,"),
            ('    pod_subnets: [10.42.0.0/16, "2001:db8:42::/56"]\n', ""),
        ),
        "NA112",
        "    name: ^k3s",
    ),
    Mistake(
        K3S,
        "IPv6 service CIDR written as a /100",
        (('"2001:db8:43::/112"]\n  cluster_domain', '"2001:db8:43::/100"]\n  cluster_domain'),),
        "NA111",
        'service_cidr: [10.43.0.0/16, ^"2001:db8:43::/100"]',
    ),
    Mistake(
        K3S,
        "cluster DNS address taken from the pod CIDR",
        (("dns_service_ip: 10.43.0.10", "dns_service_ip: 10.42.0.10"),),
        "NA116",
        "dns_service_ip: ^10.42.0.10",
    ),
    Mistake(
        K3S,
        "MetalLB installed without disabling ServiceLB",
        (
            (
                "  - {id: gateway,",
                "  - {id: metallb, name: MetalLB, kind: platform, product: metallb,"
                " provides: [load-balancer-addresses]}\n  - {id: gateway,",
            ),
        ),
        "NA380",
        "name: ServiceLB, kind: platform, product: ^servicelb",
    ),
    Mistake(
        K3S,
        "firewall matrix without Flannel's VXLAN port",
        (
            (
                "  - {from: nodes, to: nodes, protocol: udp, port: 8472, purpose: Flannel VXLAN}\n",
                "",
            ),
        ),
        "NA139",
        "ports:\n  ^- {from: nodes, to: control-plane",
    ),
    Mistake(
        K3S,
        "VXLAN port written as IANA's 4789 for Flannel",
        (("overlay: {type: vxlan,", "overlay: {type: vxlan, udp_port: 4789,"),),
        "NA153",
        "udp_port: ^4789",
    ),
    Mistake(
        K3S,
        "k3s started with --disable-kube-proxy, nothing in its place",
        (
            ("  kube_proxy_mode: iptables\n", ""),
            (
                "    dns_domain: cluster.local\n",
                "    dns_domain: cluster.local\n    kube_proxy_disabled: true\n",
            ),
        ),
        "NA147",
        "kube_proxy_disabled: ^true",
    ),
    Mistake(
        K3S,
        "agent2's IPv6 pod range from another site's plan",
        (('"2001:db8:42:2::/64"]', '"2001:db8:99:2::/64"]'),),
        "NA117",
        'pod_cidrs: [10.42.2.0/24, ^"2001:db8:99:2::/64"]',
    ),
    Mistake(
        K3S,
        "policies said to be enforced by Flannel",
        (("enforced_by: kube-router-np", "enforced_by: flannel"),),
        "NA371",
        "enforced_by: ^flannel",
    ),
    Mistake(
        K3S,
        "a second LoadBalancer Service on 443",
        (
            (
                "      backends: [traefik-1]\n",
                "      backends: [traefik-1]\n    - id: gitea\n      name: git/gitea\n"
                "      ports: [{port: 443}, {port: 22}]\n",
            ),
        ),
        "NA381",
        "ports: [{port: ^443}, {port: 22}]",
    ),
    # --- IPv6 only, Antrea, kube-proxy IPVS, kube-vip -------------------------------------------
    Mistake(
        IPV6,
        "kube-vip range starting at the node addresses",
        (
            (
                'addresses: ["2001:db8:60::200-2001:db8:60::2ff"]',
                'addresses: ["2001:db8:60::10-2001:db8:60::2ff"]',
            ),
        ),
        "NA122",
        'addresses: [^"2001:db8:60::10-2001:db8:60::2ff"]',
    ),
    Mistake(
        IPV6,
        "kube-vip range that holds the API VIP",
        (
            (
                'addresses: ["2001:db8:60::200-2001:db8:60::2ff"]',
                'addresses: ["2001:db8:60::100-2001:db8:60::1ff"]',
            ),
        ),
        "NA123",
        'addresses: [^"2001:db8:60::100-2001:db8:60::1ff"]',
    ),
    Mistake(
        IPV6,
        "kube-vip range on a subnet no node is attached to",
        (
            (
                'addresses: ["2001:db8:60::200-2001:db8:60::2ff"]',
                'addresses: ["2001:db8:61::200-2001:db8:61::2ff"]',
            ),
        ),
        "NA124",
        'addresses: [^"2001:db8:61::200-2001:db8:61::2ff"]',
    ),
    Mistake(
        IPV6,
        "pod MTU worked out with IPv4's 50 bytes for Geneve",
        (("pod_mtu: 1430", "pod_mtu: 1450"),),
        "NA150",
        "pod_mtu: ^1450",
    ),
    Mistake(
        IPV6,
        "strictARP left off under IPVS with kube-vip answering NDP",
        (("strict_arp: true", "strict_arp: false"),),
        "NA138",
        "mode: ^ipvs",
    ),
    Mistake(
        IPV6,
        "kube-vip given another VIP than the control-plane endpoint",
        (
            (
                'control_plane: {address: "2001:db8:60::100"',
                'control_plane: {address: "2001:db8:60::101"',
            ),
        ),
        "NA395",
        'control_plane: {address: ^"2001:db8:60::101"',
    ),
    Mistake(
        IPV6,
        "kube-vip switched to BGP with no peer configured",
        (("  mode: arp\n", "  mode: bgp\n"),),
        "NA396",
        "  mode: ^bgp",
    ),
    Mistake(
        IPV6,
        "kube-proxy's clusterCIDR kept as an IPv4 range",
        (('cluster_cidr: "fd00:10:244::/56"', "cluster_cidr: 10.244.0.0/16"),),
        "NA390",
        "cluster_cidr: ^10.244.0.0/16",
    ),
    Mistake(
        IPV6,
        "IPv6 service CIDR written as a /64",
        (
            ('service_cidr: "fd00:10:96::/112"', 'service_cidr: "fd00:10:96::/64"'),
            ('service_subnets: ["fd00:10:96::/112"]', 'service_subnets: ["fd00:10:96::/64"]'),
        ),
        "NA111",
        'service_cidr: ^"fd00:10:96::/64"',
    ),
    Mistake(
        CALICO,
        "MetalLB and Calico both peering with rack A's ToR from the same nodes",
        (
            (
                "{id: border-1, address: 172.20.0.1, router: border-1,",
                "{id: border-1, address: 172.20.1.1, router: tor-a,",
            ),
        ),
        "NA148",
        "- {id: border-1, address: ^172.20.1.1",
    ),
    Mistake(
        K3S,
        "Flannel's backend set to host-gw while the overlay says VXLAN",
        (
            (
                "load_balancing:\n",
                "pod_networking:\n  component: flannel\n  settings:\n    Backend.Type: host-gw\n"
                "load_balancing:\n",
            ),
        ),
        "NA372",
        "Backend.Type: ^host-gw",
    ),
    Mistake(
        IPV6,
        "NodeLocal DNSCache given an IPv6 link-local address",
        (
            (
                'address: "fd00::10"\n  kubelet_cluster_dns: "fd00::10"',
                'address: "fe80::10"\n  kubelet_cluster_dns: "fe80::10"',
            ),
        ),
        "NA351",
        'address: ^"fe80::10"',
    ),
    Mistake(
        IPV6,
        "NodeLocal DNSCache address taken from the service CIDR",
        (
            (
                'address: "fd00::10"\n  kubelet_cluster_dns: "fd00::10"',
                'address: "fd00:10:96::20"\n  kubelet_cluster_dns: "fd00:10:96::20"',
            ),
        ),
        "NA350",
        'address: ^"fd00:10:96::20"',
    ),
    Mistake(
        IPV6,
        "kubelet left on the DNS Service IP under IPVS",
        (('  kubelet_cluster_dns: "fd00::10"\n', ""),),
        "NA352",
        'address: ^"fd00::10"',
    ),
    Mistake(
        IPV6,
        "Antrea switched to GRE tunnels",
        (("tunnelType: geneve", "tunnelType: gre"),),
        "NA360",
        "tunnelType: ^gre",
    ),
    Mistake(
        IPV6,
        "Antrea set to noEncap, the model still drawing Geneve",
        (("trafficEncapMode: encap", "trafficEncapMode: noEncap"),),
        "NA361",
        "trafficEncapMode: ^noEncap",
    ),
    Mistake(
        IPV6,
        "WireGuard turned on in hybrid mode",
        (
            ("trafficEncapMode: encap", "trafficEncapMode: hybrid"),
            ("trafficEncryptionMode: none", "trafficEncryptionMode: wireguard"),
        ),
        "NA362",
        "trafficEncryptionMode: ^wireguard",
    ),
    Mistake(
        IPV6,
        "a second HTTPS listener for the same host and port",
        (
            (
                "        - {name: tls-passthrough,",
                "        - {name: https-new, port: 443, protocol: HTTPS, hostname: shop.example.com}\n"
                "        - {name: tls-passthrough,",
            ),
        ),
        "NA184",
        "        - ^{name: https-new",
    ),
    Mistake(
        IPV6,
        "the web route attached to the TLS passthrough listener",
        (
            (
                "gateway: shop, listener: https, hostnames",
                "gateway: shop, listener: tls-passthrough, hostnames",
            ),
        ),
        "NA185",
        "kind: ^HTTPRoute, gateway: shop, listener: tls-passthrough",
    ),
    Mistake(
        IPV6,
        "the payments route written for another domain",
        (("hostnames: [pay.example.com]", "hostnames: [pay.example.org]"),),
        "NA185",
        "hostnames: ^[pay.example.org]",
    ),
    Mistake(
        IPV6,
        "a route to a listener that was renamed",
        (("listener: http}", "listener: plain-http}"),),
        "NA185",
        "listener: ^plain-http}",
    ),
    Mistake(
        IPV6,
        "Envoy Gateway's class copied with another implementation's controller name",
        (
            (
                "controller: gateway.envoyproxy.io/gatewayclass-controller",
                "controller: example.net/gateway-controller",
            ),
        ),
        "NA355",
        "controller: ^example.net/gateway-controller",
    ),
]


def _ids(mistakes: list[Mistake]) -> list[str]:
    return [f"{m.network}-{m.code}-{m.what}" for m in mistakes]


@pytest.mark.parametrize("name", [CALICO, K3S, IPV6])
def test_each_network_checks_clean(check: Check, name: str) -> None:
    assert [d.headline() for d in check(network(name))] == []


@pytest.mark.parametrize("mistake", MISTAKES, ids=_ids(MISTAKES))
def test_each_mistake_is_caught_where_it_is_written(check: Check, mistake: Mistake) -> None:
    text = edit(network(mistake.network), *mistake.edits)
    found = check(text)
    located = [str(d.location) for d in found if d.code == mistake.code]
    assert at(text, mistake.where) in located, [d.headline() for d in found]
