"""Every rule: one edit of the base model that triggers it, located at both ends, and a near miss.

Each case edits ``fixtures/base.yaml`` (which passes every check), runs all checks and asserts
the rule's code, severity, the finding's ``file:line:col`` and its related locations. Positions
are written as needles with a ``^`` where the diagnostic must point, so they follow the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from netarch.checks import RULES
from netarch.diagnostics import Diagnostic

from .conftest import Check, at, base_text, edit
from .test_kit_calico import CALICO_CASES
from .test_kits_k3s import KIT_CASES
from .test_networks_misconfigured import MISTAKES

Edits = tuple[tuple[str, str], ...]

EXCLUDE = 'labels: {node.kubernetes.io/exclude-from-external-load-balancers: ""}'
NODE1 = "name: Node 1\n    address: 192.168.100.11"
NODE2 = "name: Node 2\n    address: 192.168.100.12"
NODE3 = "name: Node 3\n    address: 192.168.100.13"
POOL_A = "addresses: [192.168.100.200-192.168.100.250]\n"
PEER_ASN = "peer_asn: 65001\n"
ADV_L2 = "      - id: adv-l2\n        pools: [pool-a]\n"
ADV_BGP = "      - id: adv-bgp\n        pools: [pool-a]\n"
SUBNET_A_END = "u2o_interconnection_ip: 172.16.0.254\n"
SETTINGS_END = "    devices: ovn0 genev_sys_6081\n"


def pool_b(addresses: str) -> tuple[str, str]:
    return POOL_A, f"{POOL_A}    - id: pool-b\n      addresses: [{addresses}]\n"


def peer(extra: str) -> tuple[str, str]:
    return PEER_ASN, f"{PEER_ASN}        {extra}\n"


def node_line(node: str, extra: str) -> tuple[str, str]:
    return node, f"{node}\n    {extra}"


def setting(extra: str) -> tuple[str, str]:
    return SETTINGS_END, f"{SETTINGS_END}    {extra}\n"


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    severity: str
    edits: Edits
    where: str
    related: tuple[str, ...] = ()
    # Edits that come close but must not trigger the rule; () means the base model itself.
    near_miss: Edits = ()


CASES: tuple[Case, ...] = (
    # --- A. address plan -------------------------------------------------------------------------
    Case(
        "invalid gateway address",
        "NA100",
        "error",
        (("pod_gateway: 10.244.0.1", "pod_gateway: 10.244.0.300"),),
        "pod_gateway: ^10.244.0.300",
        near_miss=(("pod_gateway: 10.244.0.1", "pod_gateway: 10.244.0.30"),),
    ),
    Case(
        "CIDR with host bits",
        "NA100",
        "error",
        (("service_cidr: 10.96.0.0/16", "service_cidr: 10.96.0.1/16"),),
        "service_cidr: ^10.96.0.1/16",
    ),
    Case(
        "pool range with a bad end",
        "NA100",
        "error",
        (("192.168.100.200-192.168.100.250]", "192.168.100.200-192.168.100.256]"),),
        "addresses: [^192.168.100.200-192.168.100.256]",
    ),
    Case(
        "service CIDR inside pod CIDR",
        "NA101",
        "error",
        (("service_cidr: 10.96.0.0/16", "service_cidr: 10.244.128.0/17"),),
        "service_cidr: ^10.244.128.0/17",
        ("pod_cidr: ^10.244.0.0/16",),
        (("service_cidr: 10.96.0.0/16", "service_cidr: 10.245.0.0/16"),),
    ),
    Case(
        "MetalLB pool overlapping the pod CIDR",
        "NA102",
        "error",
        ((POOL_A, "addresses: [10.244.255.0/24]\n"),),
        "addresses: [^10.244.255.0/24]",
        ("pod_cidr: ^10.244.0.0/16",),
        ((POOL_A, "addresses: [10.245.255.0/24]\n"),),
    ),
    Case(
        "node address inside the service CIDR",
        "NA102",
        "error",
        ((NODE3, "name: Node 3\n    address: 10.96.0.13"),),
        "address: ^10.96.0.13",
        ("service_cidr: ^10.96.0.0/16",),
        ((NODE3, "name: Node 3\n    address: 10.97.0.13"),),
    ),
    Case(
        "node network overlapping the join CIDR",
        "NA102",
        "error",
        (
            (
                "node_networks: [192.168.100.0/24]",
                "node_networks: [192.168.100.0/24, 100.64.255.0/24]",
            ),
        ),
        "join_cidr: ^100.64.0.0/16",
        ("node_networks: [192.168.100.0/24, ^100.64.255.0/24]",),
        (
            (
                "node_networks: [192.168.100.0/24]",
                "node_networks: [192.168.100.0/24, 100.65.255.0/24]",
            ),
        ),
    ),
    Case(
        "pod gateway outside the pod CIDR",
        "NA103",
        "error",
        (("pod_gateway: 10.244.0.1", "pod_gateway: 10.245.0.1"),),
        "pod_gateway: ^10.245.0.1",
        ("pod_cidr: ^10.244.0.0/16",),
        (("pod_gateway: 10.244.0.1", "pod_gateway: 10.244.255.254"),),
    ),
    Case(
        "pod gateway is the broadcast address",
        "NA103",
        "error",
        (("pod_gateway: 10.244.0.1", "pod_gateway: 10.244.255.255"),),
        "pod_gateway: ^10.244.255.255",
        ("pod_cidr: ^10.244.0.0/16",),
    ),
    Case(
        "VPC subnet gateway outside its subnet",
        "NA103",
        "error",
        (("gateway: 172.16.0.1", "gateway: 172.16.1.1"),),
        "gateway: ^172.16.1.1",
        ("cidr: ^172.16.0.0/24",),
        (("gateway: 172.16.0.1", "gateway: 172.16.0.2"),),
    ),
    Case(
        "join CIDR in link-local space",
        "NA104",
        "error",
        (("join_cidr: 100.64.0.0/16", "join_cidr: 169.254.0.0/16"),),
        "join_cidr: ^169.254.0.0/16",
        near_miss=(("join_cidr: 100.64.0.0/16", "join_cidr: 169.255.0.0/16"),),
    ),
    Case(
        "join CIDR of a single host",
        "NA104",
        "error",
        (("join_cidr: 100.64.0.0/16", "join_cidr: 100.64.0.1/32"),),
        "join_cidr: ^100.64.0.1/32",
        near_miss=(("join_cidr: 100.64.0.0/16", "join_cidr: 100.64.0.0/30"),),
    ),
    Case(
        "upper-case IPv6 subnet",
        "NA104",
        "error",
        (("cidr: 10.250.0.0/24", "cidr: FD00:10::/64"),),
        "cidr: ^FD00:10::/64",
        near_miss=(("cidr: 10.250.0.0/24", "cidr: fd00:10::/64"),),
    ),
    Case(
        "default-VPC subnet overlapping the pod CIDR",
        "NA105",
        "error",
        (("cidr: 10.250.0.0/24", "cidr: 10.244.1.0/24"),),
        "cidr: ^10.244.1.0/24",
        ("pod_cidr: ^10.244.0.0/16",),
        # Another VPC may reuse the range (NA106 warns about it instead).
        (("cidr: 172.16.0.0/24", "cidr: 10.244.1.0/24"),),
    ),
    Case(
        "two subnets of one VPC overlapping",
        "NA105",
        "error",
        (
            (
                SUBNET_A_END,
                f"{SUBNET_A_END}        - id: subnet-b\n          cidr: 172.16.0.128/25\n",
            ),
        ),
        "cidr: ^172.16.0.128/25",
        ("cidr: ^172.16.0.0/24",),
        ((SUBNET_A_END, f"{SUBNET_A_END}        - id: subnet-b\n          cidr: 172.16.1.0/24\n"),),
    ),
    Case(
        "tenant VPC subnet overlapping the pod CIDR",
        "NA106",
        "warning",
        (("cidr: 172.16.0.0/24", "cidr: 10.244.5.0/24"),),
        "cidr: ^10.244.5.0/24",
        ("pod_cidr: ^10.244.0.0/16",),
        (("cidr: 172.16.0.0/24", "cidr: 10.243.255.0/24"),),
    ),
    Case(
        "excludeIps range backwards",
        "NA107",
        "error",
        (("[172.16.0.2..172.16.0.9]", "[172.16.0.9..172.16.0.2]"),),
        "exclude_ips: [^172.16.0.9..172.16.0.2]",
        near_miss=(("[172.16.0.2..172.16.0.9]", "[172.16.0.9..172.16.0.9, 172.16.0.20]"),),
    ),
    Case(
        "excludeIps range mixing families",
        "NA107",
        "error",
        (("[172.16.0.2..172.16.0.9]", "[172.16.0.2..fd00::9]"),),
        "exclude_ips: [^172.16.0.2..fd00::9]",
    ),
    Case(
        "excludeIps outside the subnet",
        "NA108",
        "warning",
        (("[172.16.0.2..172.16.0.9]", "[172.16.1.2..172.16.1.9]"),),
        "exclude_ips: [^172.16.1.2..172.16.1.9]",
        ("cidr: ^172.16.0.0/24",),
        (("[172.16.0.2..172.16.0.9]", "[172.16.0.250..172.16.0.255]"),),
    ),
    Case(
        "VIP outside the subnet",
        "NA109",
        "error",
        (("vips: [172.16.0.100]", "vips: [172.16.1.100]"),),
        "vips: [^172.16.1.100]",
        ("cidr: ^172.16.0.0/24",),
        (("vips: [172.16.0.100]", "vips: [172.16.0.101]"),),
    ),
    Case(
        "u2o interconnection IP outside the subnet",
        "NA109",
        "error",
        (("u2o_interconnection_ip: 172.16.0.254", "u2o_interconnection_ip: 172.16.1.254"),),
        "u2o_interconnection_ip: ^172.16.1.254",
        ("cidr: ^172.16.0.0/24",),
    ),
    Case(
        "default-VPC subnet holding the API-server IP",
        "NA110",
        "error",
        (("cidr: 10.250.0.0/24", "cidr: 10.96.0.0/28"),),
        "cidr: ^10.96.0.0/28",
        ("service_cidr: ^10.96.0.0/16",),
        (("cidr: 10.250.0.0/24", "cidr: 10.96.0.16/28"),),
    ),
    Case(
        "service CIDR larger than /12",
        "NA111",
        "error",
        (("service_cidr: 10.96.0.0/16", "service_cidr: 10.96.0.0/11"),),
        "service_cidr: ^10.96.0.0/11",
        near_miss=(("service_cidr: 10.96.0.0/16", "service_cidr: 10.96.0.0/12"),),
    ),
    Case(
        "distribution service subnets differ",
        "NA112",
        "error",
        (("service_subnets: [10.96.0.0/16]", "service_subnets: [10.96.0.0/12]"),),
        "service_subnets: ^[10.96.0.0/12]",
        ("service_cidr: ^10.96.0.0/16",),
        # Dual stack: an extra IPv6 subnet is fine.
        (("service_subnets: [10.96.0.0/16]", "service_subnets: [10.96.0.0/16, fd00:96::/112]"),),
    ),
    Case(
        "k3s defaults differ from the model",
        "NA112",
        "error",
        (
            (
                "name: talos\n    pod_subnets: [10.244.0.0/16]\n    service_subnets: [10.96.0.0/16]\n",
                "name: k3s\n",
            ),
        ),
        "name: ^k3s",
        ("pod_cidr: ^10.244.0.0/16",),
        (("name: talos", "name: k3s"),),
    ),
    Case(
        "the nodes' pod ranges overlap the CNI's own pod pool",
        "NA154",
        "error",
        (("k8sServicePort: 7445", "k8sServicePort: 7445\n    ipam.mode: kubernetes"),),
        "pod_subnets: [^10.244.0.0/16]",
        ("pod_cidr: ^10.244.0.0/16", "ipam.mode: ^kubernetes"),
        # The same layout while Cilium allocates from a pool of its own.
        (("k8sServicePort: 7445", "k8sServicePort: 7445\n    ipam.mode: cluster-pool"),),
    ),
    Case(
        "distribution DNS domain differs",
        "NA112",
        "error",
        (("dns_domain: cozy.local", "dns_domain: cluster.local"),),
        "dns_domain: ^cluster.local",
        ("cluster_domain: ^cozy.local",),
    ),
    Case(
        "join CIDR too small for three nodes",
        "NA113",
        "warning",
        (("join_cidr: 100.64.0.0/16", "join_cidr: 100.64.0.0/30"),),
        "join_cidr: ^100.64.0.0/30",
        near_miss=(("join_cidr: 100.64.0.0/16", "join_cidr: 100.64.0.0/29"),),
    ),
    Case(
        "pod address outside the pod CIDR",
        "NA114",
        "warning",
        (("address: 10.244.0.10", "address: 10.245.0.10"),),
        "address: ^10.245.0.10",
        ("pod_cidr: ^10.244.0.0/16",),
        (("address: 10.244.0.10", "address: 10.244.255.10"),),
    ),
    Case(
        "Service external IP in no pool",
        "NA114",
        "warning",
        (("external_ip: 192.168.100.200", "external_ip: 192.168.100.100"),),
        "external_ip: ^192.168.100.100",
        ("- ^id: pool-a",),
        (("external_ip: 192.168.100.200", "external_ip: 192.168.100.250"),),
    ),
    Case(
        "two nodes with one address",
        "NA115",
        "error",
        ((NODE2, "name: Node 2\n    address: 192.168.100.11"),),
        "name: Node 2\n    address: ^192.168.100.11",
        ("name: Node 1\n    address: ^192.168.100.11",),
        ((NODE2, "name: Node 2\n    address: 192.168.100.14"),),
    ),
    # --- B. MetalLB ------------------------------------------------------------------------------
    Case(
        "pool range backwards",
        "NA120",
        "error",
        ((POOL_A, "addresses: [192.168.100.250-192.168.100.200]\n"),),
        "addresses: [^192.168.100.250-192.168.100.200]",
        near_miss=((POOL_A, "addresses: [192.168.100.200-192.168.100.200]\n"),),
    ),
    Case(
        "empty pool",
        "NA120",
        "error",
        ((POOL_A, "addresses: []\n"),),
        "addresses: ^[]",
    ),
    Case(
        "pool range mixing families",
        "NA120",
        "error",
        ((POOL_A, "addresses: [192.168.100.200-fd00::1]\n"),),
        "addresses: [^192.168.100.200-fd00::1]",
    ),
    Case(
        "two pools overlapping",
        "NA121",
        "error",
        (pool_b("192.168.100.240/28"),),
        "addresses: [^192.168.100.240/28]",
        ("addresses: [^192.168.100.200-192.168.100.250]",),
        (pool_b("192.168.100.192/29"),),
    ),
    Case(
        "pool containing a node address",
        "NA122",
        "error",
        ((POOL_A, "addresses: [192.168.100.11-192.168.100.20]\n"),),
        "addresses: [^192.168.100.11-192.168.100.20]",
        ("name: Node 1\n    address: ^192.168.100.11",),
        ((POOL_A, "addresses: [192.168.100.14-192.168.100.20]\n"),),
    ),
    Case(
        "pool containing the router address",
        "NA123",
        "warning",
        ((POOL_A, "addresses: [192.168.100.0/29]\n"),),
        "addresses: [^192.168.100.0/29]",
        ("kind: external\n    address: ^192.168.100.1",),
        ((POOL_A, "addresses: [192.168.100.2-192.168.100.7]\n"),),
    ),
    Case(
        "L2 pool outside every node network",
        "NA124",
        "warning",
        ((POOL_A, "addresses: [10.50.0.0/24]\n"),),
        "addresses: [^10.50.0.0/24]",
        ("- ^id: adv-l2", "node_networks: [^192.168.100.0/24]"),
    ),
    Case(
        "L2 pool announced by a node on another network",
        "NA124",
        "warning",
        (
            (
                "node_networks: [192.168.100.0/24]",
                "node_networks: [192.168.100.0/24, 192.168.101.0/24]",
            ),
            (NODE1, "name: Node 1\n    address: 192.168.101.11"),
            (ADV_L2, f"{ADV_L2}        nodes: [node1]\n"),
        ),
        "addresses: [^192.168.100.200-192.168.100.250]",
        ("- ^id: adv-l2", "node_networks: [^192.168.100.0/24"),
        (
            (
                "node_networks: [192.168.100.0/24]",
                "node_networks: [192.168.100.0/24, 192.168.101.0/24]",
            ),
            (NODE1, "name: Node 1\n    address: 192.168.101.11"),
            (ADV_L2, f"{ADV_L2}        nodes: [node2]\n"),
        ),
    ),
    Case(
        "pool no advertisement announces",
        "NA125",
        "warning",
        (pool_b("192.168.100.192/29"),),
        "- ^id: pool-b",
        near_miss=(pool_b("192.168.100.192/29"), (ADV_BGP, "      - id: adv-bgp\n")),
    ),
    Case(
        "L2 flow spreading traffic over two nodes",
        "NA126",
        "error",
        (
            (
                "      - {from: node1, to: cilium, text: Packet enters the kernel}\n",
                '      - {from: client, to: node2, text: "More traffic to 192.168.100.200:443"}\n'
                "      - {from: node1, to: cilium, text: Packet enters the kernel}\n",
            ),
        ),
        "^{from: client, to: node2",
        ('^{from: client, to: node1, text: "ARP',),
        (
            (
                "      - {from: node1, to: cilium, text: Packet enters the kernel}\n",
                '      - {from: node1, to: node2, text: "Node to node"}\n'
                "      - {from: node1, to: cilium, text: Packet enters the kernel}\n",
            ),
        ),
    ),
    Case(
        "L2 flow mentioning ECMP",
        "NA126",
        "error",
        (("text: Packet enters the kernel}", "text: ECMP picks this node}"),),
        "^{from: node1, to: cilium",
        near_miss=(("text: Packet enters the kernel}", "text: The leader takes all traffic}"),),
    ),
    Case(
        "L2 leader that does not announce",
        "NA126",
        "error",
        ((ADV_L2, f"{ADV_L2}        nodes: [node2]\n"),),
        "leader: ^node1",
        ("speakers: ^[node1, node2, node3]",),
        ((ADV_L2, f"{ADV_L2}        nodes: [node1]\n"),),
    ),
    Case(
        "BGP flow through an excluded node",
        "NA127",
        "error",
        (node_line(NODE2, EXCLUDE),),
        "^{from: node2, to: router",
        ("speakers: ^[node1, node2, node3]",),
        (node_line(NODE3, EXCLUDE),),
    ),
    Case(
        "BGP peer with peer_asn and dynamic_asn",
        "NA128",
        "error",
        (peer("dynamic_asn: external"),),
        "- ^id: peer1",
        near_miss=(("peer_asn: 65001", "dynamic_asn: external"),),
    ),
    Case(
        "ebgp_multihop on an iBGP session",
        "NA128",
        "error",
        ((PEER_ASN, "peer_asn: 65000\n        ebgp_multihop: true\n"),),
        "ebgp_multihop: ^true",
        near_miss=(peer("ebgp_multihop: true"),),
    ),
    *(
        Case(
            f"reserved ASN {asn}",
            "NA129",
            "error",
            (("peer_asn: 65001", f"peer_asn: {asn}"),),
            f"peer_asn: ^{asn}",
            near_miss=(("peer_asn: 65001", "peer_asn: 65534"),),
        )
        for asn in (0, 23456, 65535, 4294967295, 4294967296)
    ),
    Case(
        "my ASN zero",
        "NA129",
        "error",
        (("my_asn: 65000", "my_asn: 0"),),
        "my_asn: ^0",
    ),
    *(
        Case(
            f"documentation ASN {asn}",
            "NA130",
            "warning",
            (("peer_asn: 65001", f"peer_asn: {asn}"),),
            f"peer_asn: ^{asn}",
            near_miss=(("peer_asn: 65001", "peer_asn: 64512"),),
        )
        for asn in (64496, 64511, 65536, 65551)
    ),
    Case(
        "eBGP peer off the node network without multihop",
        "NA131",
        "warning",
        (("address: 192.168.100.1\n        router", "address: 10.0.0.1\n        router"),),
        "address: ^10.0.0.1",
        ("node_networks: [^192.168.100.0/24]",),
        (
            ("address: 192.168.100.1\n        router", "address: 10.0.0.1\n        router"),
            peer("ebgp_multihop: true"),
        ),
    ),
    Case(
        "hold time below 3 s",
        "NA132",
        "error",
        (peer("hold_time: 2"),),
        "hold_time: ^2",
        near_miss=(peer("hold_time: 3"),),
    ),
    Case(
        "keepalive above the default hold time",
        "NA132",
        "error",
        (peer("keepalive_time: 100"),),
        "keepalive_time: ^100",
        near_miss=(peer("keepalive_time: 30"),),
    ),
    Case(
        "aggregation length shorter than the pool's prefixes",
        "NA133",
        "error",
        ((ADV_BGP, f"{ADV_BGP}        aggregation_length: 24\n"),),
        "aggregation_length: ^24",
        ("- ^id: pool-a",),
        ((ADV_BGP, f"{ADV_BGP}        aggregation_length: 28\n"),),
    ),
    Case(
        "aggregation length beyond /32",
        "NA133",
        "error",
        ((ADV_BGP, f"{ADV_BGP}        aggregation_length: 33\n"),),
        "aggregation_length: ^33",
        ("- ^id: pool-a",),
        ((ADV_BGP, f"{ADV_BGP}        aggregation_length: 32\n"),),
    ),
    Case(
        "two advertisements of one pool with different localPref",
        "NA134",
        "error",
        (
            (
                ADV_BGP,
                f"{ADV_BGP}      - id: adv-bgp2\n        pools: [pool-a]\n        local_pref: 100\n",
            ),
        ),
        "- ^id: adv-bgp2",
        ("- ^id: adv-bgp\n",),
        # Different aggregation lengths are different BGP updates, free to differ in localPref.
        (
            (
                ADV_BGP,
                f"{ADV_BGP}      - id: adv-bgp2\n        pools: [pool-a]\n        local_pref: 100\n"
                "        aggregation_length: 31\n",
            ),
        ),
    ),
    Case(
        "advertisement whose only node is excluded",
        "NA135",
        "warning",
        ((ADV_L2, f"{ADV_L2}        nodes: [node3]\n"), node_line(NODE3, EXCLUDE)),
        "- ^id: adv-l2",
        ("speakers: ^[node1, node2, node3]",),
        ((ADV_L2, f"{ADV_L2}        nodes: [node3]\n"),),
    ),
    Case(
        "L2 mode under kube-proxy IPVS without strictARP",
        "NA138",
        "error",
        (
            (
                "  cluster_domain: cozy.local\n",
                "  cluster_domain: cozy.local\n  kube_proxy_mode: ipvs\n",
            ),
        ),
        "kube_proxy_mode: ^ipvs",
        related=("- ^id: adv-l2",),
        near_miss=(
            (
                "  cluster_domain: cozy.local\n",
                "  cluster_domain: cozy.local\n  kube_proxy_mode: ipvs\n  kube_proxy_strict_arp: true\n",
            ),
        ),
    ),
    # --- C. Cilium ------------------------------------------------------------------------------
    Case(
        "kube-proxy replaced but not disabled",
        "NA140",
        "error",
        (("kube_proxy_disabled: true", "kube_proxy_disabled: false"),),
        "kube_proxy_disabled: ^false",
        ("kube_proxy_replacement: ^cilium",),
        # Without a kube-proxy replacement, kube-proxy has to run.
        (
            ("  kube_proxy_replacement: cilium\n", ""),
            ("kubeProxyReplacement: true", "kubeProxyReplacement: false"),
            ("kube_proxy_disabled: true", "kube_proxy_disabled: false"),
        ),
    ),
    Case(
        "kube-proxy replaced, distribution silent about it",
        "NA140",
        "error",
        (("    kube_proxy_disabled: true\n", ""),),
        "distribution:\n    ^name: talos",
        ("kube_proxy_replacement: ^cilium",),
    ),
    Case(
        "node pod range outside the pod CIDR",
        "NA117",
        "error",
        (node_line(NODE1, "pod_cidrs: [10.245.1.0/24]"),),
        "pod_cidrs: [^10.245.1.0/24]",
        ("pod_cidr: ^10.244.0.0/16",),
        (node_line(NODE1, "pod_cidrs: [10.244.1.0/24]"),),
    ),
    Case(
        "two nodes with overlapping pod ranges",
        "NA117",
        "error",
        (
            node_line(NODE1, "pod_cidrs: [10.244.1.0/24]"),
            node_line(NODE2, "pod_cidrs: [10.244.1.128/25]"),
        ),
        "pod_cidrs: [^10.244.1.128/25]",
        ("pod_cidrs: [^10.244.1.0/24]",),
        (
            node_line(NODE1, "pod_cidrs: [10.244.1.0/24]"),
            node_line(NODE2, "pod_cidrs: [10.244.2.0/24]"),
        ),
    ),
    Case(
        "pod address outside its node's pod range",
        "NA118",
        "warning",
        (
            node_line(NODE1, "pod_cidrs: [10.244.1.0/24]"),
            (
                "          address: 10.244.0.10\n",
                "          address: 10.244.0.10\n          node: node1\n",
            ),
        ),
        "address: ^10.244.0.10",
        ("pod_cidrs: [^10.244.1.0/24]",),
        (
            node_line(NODE1, "pod_cidrs: [10.244.0.0/24]"),
            (
                "          address: 10.244.0.10\n",
                "          address: 10.244.0.10\n          node: node1\n",
            ),
        ),
    ),
    Case(
        "iBGP to a router that is no route reflector, without a node mesh",
        "NA149",
        "warning",
        (
            (
                "claims:\n",
                "routing:\n  speaker: cilium\n  local_asn: 65010\n  peers:\n"
                "    - {id: tor, router: router, address: 192.168.100.1, asn: 65010}\nclaims:\n",
            ),
        ),
        "address: 192.168.100.1, asn: ^65010}",
        ("local_asn: ^65010",),
        (
            (
                "claims:\n",
                "routing:\n  speaker: cilium\n  local_asn: 65010\n  node_mesh: true\n  peers:\n"
                "    - {id: tor, router: router, address: 192.168.100.1, asn: 65010}\nclaims:\n",
            ),
        ),
    ),
    Case(
        "kube-proxy switched off and nothing replacing it",
        "NA147",
        "error",
        (
            ("  kube_proxy_replacement: cilium\n", ""),
            ("kubeProxyReplacement: true", "kubeProxyReplacement: false"),
        ),
        "kube_proxy_disabled: ^true",
        near_miss=(
            ("  kube_proxy_replacement: cilium\n", ""),
            ("kubeProxyReplacement: true", "kubeProxyReplacement: false"),
            ("kube_proxy_disabled: true", "kube_proxy_disabled: false"),
        ),
    ),
    Case(
        "k8sServiceHost is the kubernetes ClusterIP",
        "NA141",
        "error",
        (("k8sServiceHost: localhost", "k8sServiceHost: 10.96.0.1"),),
        "k8sServiceHost: ^10.96.0.1",
        ("service_cidr: ^10.96.0.0/16",),
        (("k8sServiceHost: localhost", "k8sServiceHost: 192.168.100.10"),),
    ),
    Case(
        "k8sServiceHost is a Service name",
        "NA141",
        "error",
        (("k8sServiceHost: localhost", "k8sServiceHost: kubernetes.default.svc"),),
        "k8sServiceHost: ^kubernetes.default.svc",
        near_miss=(("k8sServiceHost: localhost", "k8sServiceHost: api.example.org"),),
    ),
    Case(
        "chain not starting with the primary CNI",
        "NA142",
        "error",
        (("[kube-ovn, portmap, cilium-cni]", "[portmap, kube-ovn, cilium-cni]"),),
        "plugins: [^portmap",
        ("cni: ^kube-ovn",),
    ),
    Case(
        "chain not ending with Cilium",
        "NA142",
        "error",
        (("[kube-ovn, portmap, cilium-cni]", "[kube-ovn, cilium-cni, portmap]"),),
        "cilium-cni, ^portmap]",
        ("kube_proxy_replacement: ^cilium",),
    ),
    Case(
        "chained Cilium in tunnel routing mode",
        "NA142",
        "error",
        (("routingMode: native", "routingMode: tunnel"),),
        "routingMode: ^tunnel",
    ),
    Case(
        "chained Cilium without the Geneve device",
        "NA142",
        "error",
        (("devices: ovn0 genev_sys_6081", "devices: ovn0"),),
        "devices: ^ovn0",
        near_miss=(("devices: ovn0 genev_sys_6081", "devices: ovn0,genev_sys_6081,eth0"),),
    ),
    Case(
        "Kube-OVN load balancer left on",
        "NA143",
        "error",
        (("ENABLE_LB: false", "ENABLE_LB: true"),),
        "ENABLE_LB: ^true",
        ("kube_proxy_replacement: ^cilium",),
        # Kube-OVN may balance Services when nothing else does.
        (("  kube_proxy_replacement: cilium\n", ""), ("ENABLE_LB: false", "ENABLE_LB: true")),
    ),
    Case(
        "Cilium encryption on the chained variant",
        "NA144",
        "warning",
        (setting("encryption.enabled: true"),),
        "encryption.enabled: ^true",
        ("cni_chain:\n    ^mode: generic-veth",),
        (setting("encryption.enabled: false"),),
    ),
    Case(
        "all traffic policed with node IPv6 unfiltered",
        "NA145",
        "warning",
        (
            setting("hostFirewall.enabled: true\n    ipv6.enabled: false"),
            ("The policy lookup runs in the kernel.", "All pod traffic is policed by Cilium."),
        ),
        "text: ^All pod traffic is policed by Cilium.",
        ("ipv6.enabled: ^false",),
        (
            setting("hostFirewall.enabled: true\n    ipv6.enabled: true"),
            ("The policy lookup runs in the kernel.", "All pod traffic is policed by Cilium."),
        ),
    ),
    Case(
        "Hubble relay in an example with Hubble off",
        "NA146",
        "error",
        (("enabled: true\n          relay:", "enabled: false\n          relay:"),),
        "relay:\n            enabled: ^true",
        ("hubble:\n          enabled: ^false",),
    ),
    Case(
        "Hubble UI setting with Hubble off",
        "NA146",
        "error",
        (setting("hubble.enabled: false\n    hubble.ui.enabled: true"),),
        "hubble.ui.enabled: ^true",
        ("hubble.enabled: ^false",),
        (setting("hubble.enabled: false\n    hubble.ui.enabled: false"),),
    ),
    # --- D. MTU ---------------------------------------------------------------------------------
    Case(
        "pod MTU above underlay minus GENEVE overhead",
        "NA150",
        "error",
        (("pod_mtu: 1400", "pod_mtu: 1450"),),
        "pod_mtu: ^1450",
        ("underlay_mtu: ^1500",),
    ),
    Case(
        "pod MTU above underlay minus VXLAN overhead",
        "NA150",
        "error",
        (
            ("type: geneve\n    udp_port: 6081", "type: vxlan\n    udp_port: 4789"),
            ("pod_mtu: 1400", "pod_mtu: 1460"),
        ),
        "pod_mtu: ^1460",
        ("underlay_mtu: ^1500",),
        (
            ("type: geneve\n    udp_port: 6081", "type: vxlan\n    udp_port: 4789"),
            ("pod_mtu: 1400", "pod_mtu: 1450"),
        ),
    ),
    Case(
        "pod MTU above a smaller node MTU",
        "NA150",
        "error",
        (node_line(NODE3, "mtu: 1450"),),
        "pod_mtu: ^1400",
        ("mtu: ^1450",),
        (node_line(NODE3, "mtu: 1500"),),
    ),
    Case(
        "IPsec without room in the MTU",
        "NA151",
        "warning",
        (("encryption: none", "encryption: ipsec"),),
        "encryption: ^ipsec",
        ("pod_mtu: ^1400",),
        (
            ("encryption: none", "encryption: ipsec\n    extra_encapsulation: 60"),
            ("pod_mtu: 1400", "pod_mtu: 1340"),
        ),
    ),
    Case(
        "jumbo node next to 1500-byte underlay",
        "NA152",
        "warning",
        (node_line(NODE2, "mtu: 9000"),),
        "mtu: ^9000",
        ("underlay_mtu: ^1500",),
        (node_line(NODE2, "mtu: 1500"),),
    ),
    Case(
        "GENEVE on a non-standard port",
        "NA153",
        "warning",
        (("udp_port: 6081", "udp_port: 6082"),),
        "udp_port: ^6082",
        near_miss=(("type: geneve\n    udp_port: 6081", "type: vxlan\n    udp_port: 4789"),),
    ),
    # --- E. tenancy -----------------------------------------------------------------------------
    Case(
        "child of root not named tenant-<name>",
        "NA160",
        "error",
        (("namespace: tenant-a\n", "namespace: tenant-aa\n"),),
        "namespace: ^tenant-aa",
        ("namespace: ^tenant-root",),
        (
            (
                "namespace: tenant-a-ab\n      parent: tenant-a",
                "namespace: tenant-ab\n      parent: root",
            ),
        ),
    ),
    Case(
        "grandchild not named <parent-namespace>-<name>",
        "NA160",
        "error",
        (("namespace: tenant-a-ab", "namespace: tenant-ab"),),
        "namespace: ^tenant-ab",
        ("namespace: ^tenant-a\n",),
    ),
    Case(
        "root tenant not in tenant-root",
        "NA160",
        "error",
        (
            ("namespace: tenant-root", "namespace: tenant-main"),
            ("namespace: tenant-a\n", "namespace: tenant-main-a\n"),
            ("namespace: tenant-a-ab", "namespace: tenant-main-a-ab"),
        ),
        "namespace: ^tenant-main\n",
    ),
    Case(
        "Service on the kubelet port",
        "NA161",
        "warning",
        (("port: 443", "port: 10250"),),
        "port: ^10250",
        near_miss=(("port: 443", "port: 8443"),),
    ),
    # --- addresses, routing and load balancing in the core's own sections ------------------------
    Case(
        "DNS Service IP outside the service CIDR",
        "NA116",
        "error",
        (
            (
                "  cluster_domain: cozy.local\n",
                "  cluster_domain: cozy.local\n  dns_service_ip: 10.97.0.10\n",
            ),
        ),
        "dns_service_ip: ^10.97.0.10",
        related=("service_cidr: ^10.96.0.0/16",),
        near_miss=(
            (
                "  cluster_domain: cozy.local\n",
                "  cluster_domain: cozy.local\n  dns_service_ip: 10.96.0.10\n",
            ),
        ),
    ),
    Case(
        "BGP announcement without a routing section",
        "NA136",
        "error",
        (
            (
                "claims:\n",
                "load_balancing:\n  announced_by: cilium\n  announcement: bgp\nclaims:\n",
            ),
        ),
        "announcement: ^bgp",
        near_miss=(
            (
                "claims:\n",
                "load_balancing:\n  announced_by: cilium\n  announcement: bgp\n"
                "routing:\n  speaker: cilium\n  local_asn: 64512\n"
                "  advertises: [load-balancer-addresses]\n"
                "  peers:\n    - {id: tor, router: router, address: 192.168.100.1, asn: 65001}\n"
                "claims:\n",
            ),
        ),
    ),
    Case(
        "native routing over two subnets with nothing announcing pod routes",
        "NA137",
        "warning",
        (
            (
                "  node_networks: [192.168.100.0/24]\n",
                "  node_networks: [192.168.100.0/24, 192.168.101.0/24]\n  routing_mode: native\n",
            ),
        ),
        "routing_mode: ^native",
        related=(
            "node_networks: [^192.168.100.0/24, ",
            "node_networks: [192.168.100.0/24, ^192.168.101.0/24]",
        ),
        near_miss=(
            (
                "  node_networks: [192.168.100.0/24]\n",
                "  node_networks: [192.168.100.0/24]\n  routing_mode: native\n",
            ),
        ),
    ),
    Case(
        "firewall matrix without the overlay's port",
        "NA139",
        "warning",
        (
            (
                "claims:\n",
                "ports:\n  - {from: nodes, to: router, protocol: tcp, port: 179}\nclaims:\n",
            ),
        ),
        "ports:\n  ^- {from: nodes, to: router",
        related=("overlay:\n    ^type: geneve",),
        near_miss=(
            (
                "claims:\n",
                "ports:\n  - {from: nodes, to: nodes, protocol: udp, port: 6081}\n"
                "  - {from: nodes, to: router, protocol: tcp, port: 179}\nclaims:\n",
            ),
        ),
    ),
    Case(
        "firewall matrix without TCP 179 for the load balancer's BGP peer",
        "NA139",
        "warning",
        (
            (
                "claims:\n",
                "ports:\n  - {from: nodes, to: nodes, protocol: udp, port: 6081}\nclaims:\n",
            ),
        ),
        "ports:\n  ^- {from: nodes, to: nodes",
        related=("  bgp:\n    peers:\n      - ^id: peer1",),
        near_miss=(
            (
                "claims:\n",
                "ports:\n  - {from: nodes, to: nodes, protocol: udp, port: 6081}\n"
                "  - {from: nodes, to: router, protocol: tcp, port: 179}\nclaims:\n",
            ),
        ),
    ),
    Case(
        "native routing over two subnets, pods on subnets of the network itself",
        "NA137",
        "warning",
        (
            (
                "  node_networks: [192.168.100.0/24]\n",
                "  node_networks: [192.168.100.0/24, 192.168.101.0/24]\n  routing_mode: native\n",
            ),
            ("nodes:\n", "zones:\n  - id: zone-a\n    name: Zone A\nnodes:\n"),
        ),
        "routing_mode: ^native",
        related=(
            "node_networks: [^192.168.100.0/24, ",
            "node_networks: [192.168.100.0/24, ^192.168.101.0/24]",
        ),
        # A VPC CNI gives pods addresses of the zone's own pods subnet: the VPC routes them.
        near_miss=(
            (
                "  node_networks: [192.168.100.0/24]\n",
                "  node_networks: [192.168.100.0/24, 192.168.101.0/24]\n  routing_mode: native\n",
            ),
            (
                "nodes:\n",
                "zones:\n  - id: zone-a\n    name: Zone A\n    subnets:\n"
                "      - {id: pods-a, cidr: 100.100.0.0/17, role: pods}\nnodes:\n",
            ),
        ),
    ),
    Case(
        "a Cilium Helm value Cilium does not accept",
        "NA175",
        "error",
        (("    routingMode: native\n", "    routingMode: nativ\n"),),
        "routingMode: ^nativ",
        near_miss=(
            ("    routingMode: native\n", "    routingMode: tunnel\n    tunnelProtocol: geneve\n"),
        ),
    ),
    Case(
        "a Kube-OVN option of the wrong type",
        "NA175",
        "error",
        (("    ENABLE_LB: false\n", "    ENABLE_LB: false\n    NETWORK_TYPE: gre\n"),),
        "NETWORK_TYPE: ^gre",
    ),
    # --- pages and kits --------------------------------------------------------------------------
    Case(
        "flow placed on a page that does not exist",
        "NA170",
        "warning",
        (("    mode: bgp\n", "    mode: bgp\n    page: nowhere\n"),),
        "page: ^nowhere",
        near_miss=(("    mode: bgp\n", "    mode: bgp\n    page: cluster\n"),),
    ),
    Case(
        "example for a page the model does not have",
        "NA170",
        "warning",
        (("    section: cluster\n", "    section: observability\n"),),
        "section: ^observability",
    ),
    Case(
        "MetalLB section without a MetalLB component",
        "NA171",
        "error",
        (("    kind: platform\n    product: metallb\n", "    kind: platform\n"),),
        "metallb:\n  ^component: metallb",
    ),
    Case(
        "misspelt product, the kit of the product left off",
        "NA173",
        "warning",
        (("  - id: portmap\n", "  - id: portmap\n    product: kube-ovm\n"),),
        "product: ^kube-ovm",
        near_miss=(("  - id: portmap\n", "  - id: portmap\n    product: portmap\n"),),
    ),
    Case(
        "page listing a view the model does not have",
        "NA172",
        "error",
        (("claims:\n", "pages:\n  - id: cluster\n    views: [no-such-view]\nclaims:\n"),),
        "views: [^no-such-view]",
        near_miss=(("claims:\n", "pages:\n  - id: cluster\n    views: [nodes]\nclaims:\n"),),
    ),
    Case(
        "page title holding HTML",
        "NA176",
        "warning",
        (("claims:\n", "pages:\n  - id: cluster\n    title: A </title><b>x\nclaims:\n"),),
        "title: ^A </title>",
        near_miss=(
            ("claims:\n", "pages:\n  - id: cluster\n    title: Addresses & routes\nclaims:\n"),
        ),
    ),
    Case(
        "page introduction written as a diagram fence",
        "NA177",
        "warning",
        (
            (
                "claims:\n",
                "pages:\n  - id: cluster\n    intro: |\n      ~~~mermaid\n      graph TD\n"
                "      ~~~\nclaims:\n",
            ),
        ),
        "intro: ^|",
        near_miss=(
            (
                "claims:\n",
                "pages:\n  - id: cluster\n    intro: Run it with --dry-run first; ~~~ is a"
                " marker\nclaims:\n",
            ),
        ),
    ),
    # --- silences and claims --------------------------------------------------------------------
    Case(
        "silence that matches nothing",
        "NA190",
        "warning",
        (
            (
                "    - id: pool-a\n",
                "    - id: pool-a\n      silence: [{rule: NA121, reason: kept on purpose}]\n",
            ),
        ),
        "silence: [^{rule: NA121",
        near_miss=(
            (
                "    - id: pool-a\n",
                "    - id: pool-a\n      silence: [{rule: NA121, reason: kept on purpose}]\n",
            ),
            pool_b("192.168.100.240/28"),
        ),
    ),
    Case(
        "silence of a rule that does not exist",
        "NA190",
        "warning",
        (
            (
                "    - id: pool-a\n",
                "    - id: pool-a\n      silence: [{rule: NA999, reason: typo}]\n",
            ),
        ),
        "silence: [^{rule: NA999",
    ),
    Case(
        "unsourced latency figure",
        "NA201",
        "warning",
        (("The policy lookup runs in the kernel.", "The policy lookup takes about 100 ns."),),
        "text: ^The policy lookup takes about 100 ns.",
        near_miss=(
            (
                "The policy lookup runs in the kernel.",
                "The policy lookup takes about 100 ns.\n    source: https://example.org/bench",
            ),
        ),
    ),
    Case(
        "unsourced absolute security wording",
        "NA202",
        "warning",
        (("The policy lookup runs in the kernel.", "Policy enforcement cannot be bypassed."),),
        "text: ^Policy enforcement cannot be bypassed.",
        near_miss=(
            (
                "The policy lookup runs in the kernel.",
                "Policy enforcement cannot be bypassed.\n    source: https://example.org/proof",
            ),
        ),
    ),
    Case(
        "primed pod label",
        "NA203",
        "warning",
        (("text: Packet enters the kernel}", 'text: "ALLOW → Pod A\'"}'),),
        'text: ^"ALLOW → Pod A',
        near_miss=(
            ("text: Packet enters the kernel}", 'text: "ALLOW → another pod of tenant a"}'),
        ),
    ),
    Case(
        "placeholder address",
        "NA203",
        "warning",
        (("The policy lookup runs in the kernel.", "Clients reach 10.x.x.20 first."),),
        "text: ^Clients reach 10.x.x.20 first.",
        near_miss=(("The policy lookup runs in the kernel.", "Clients reach 192.0.2.20 first."),),
    ),
    Case(
        "placeholder id",
        "NA203",
        "warning",
        (
            (
                "  - id: portmap\n",
                "  - id: todo-router\n    name: Router\n    kind: external\n  - id: portmap\n",
            ),
        ),
        "id: ^todo-router",
        near_miss=(
            (
                "  - id: portmap\n",
                "  - id: edge-router\n    name: Router\n    kind: external\n  - id: portmap\n",
            ),
        ),
    ),
)


def _matches(diagnostic: Diagnostic, case: Case, text: str) -> bool:
    return diagnostic.code == case.code and str(diagnostic.location) == at(text, case.where)


def assert_triggers(check: Check, case: Case, text: str) -> None:
    """``case``'s rule fires on ``text`` where the case says, with its related places."""
    diagnostics = check(text)
    here = [d for d in diagnostics if _matches(d, case, text)]
    assert here, f"no {case.code} at {at(text, case.where)}; got:\n" + "\n".join(
        d.headline() for d in diagnostics
    )
    expected_related = [at(text, needle) for needle in case.related]
    located = [d for d in here if [str(r) for r in d.related] == expected_related]
    assert located, f"{case.code} related {expected_related}, got {[d.related for d in here]}"
    diagnostic = located[0]
    assert diagnostic.severity.value == case.severity
    assert diagnostic.message and diagnostic.hint
    assert diagnostic.source_line.strip(), "the offending line is shown under the message"


def assert_near_miss(check: Check, case: Case, text: str) -> None:
    found = [d.headline() for d in check(text) if d.code == case.code]
    assert not found, found


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.name}" for c in CASES])
def test_rule_triggers(check: Check, case: Case) -> None:
    assert_triggers(check, case, edit(base_text(), *case.edits))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.name}" for c in CASES])
def test_rule_near_miss(check: Check, case: Case) -> None:
    assert_near_miss(check, case, edit(base_text(), *case.near_miss))


def test_base_model_is_clean(check: Check) -> None:
    assert check(base_text()) == []


def test_every_rule_has_a_case() -> None:
    # Rules of kits the base model does not use have their cases with their own models.
    from .test_rules_examples import CASES as EXAMPLE_CASES

    kit_cases = {case[0] for case in (*KIT_CASES, *CALICO_CASES)} | {m.code for m in MISTAKES}
    example_cases = {c.code for c in EXAMPLE_CASES}
    assert {r.code for r in RULES} == {c.code for c in CASES} | kit_cases | example_cases


def test_host_bits_hint_names_the_network(check: Check) -> None:
    text = edit(base_text(), ("service_cidr: 10.96.0.0/16", "service_cidr: 10.96.0.1/16"))
    [diagnostic] = [d for d in check(text) if d.code == "NA100"]
    assert "10.96.0.0/16" in diagnostic.hint


def test_pod_mtu_message_names_the_overhead(check: Check) -> None:
    text = edit(base_text(), ("pod_mtu: 1400", "pod_mtu: 1450"))
    [diagnostic] = [d for d in check(text) if d.code == "NA150"]
    assert "100 bytes of GENEVE overhead" in diagnostic.message
    assert "1400" in diagnostic.hint


def test_overlap_names_both_pools(check: Check) -> None:
    text = edit(base_text(), pool_b("192.168.100.240/28"))
    [diagnostic] = [d for d in check(text) if d.code == "NA121"]
    assert "pool-b" in diagnostic.message and "pool-a" in diagnostic.message
