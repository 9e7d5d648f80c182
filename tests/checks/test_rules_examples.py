"""Rules of kits that fixtures/base.yaml does not exercise, on the example models instead.

Same shape as test_rules.py: each case edits one example model (which passes every check),
asserts the rule's code, severity, ``file:line:col`` and related locations, and a near miss
that must not trigger it. The bases are the examples' own models, so a rule is tested on the
kind of network it is written for: Cilium alone on bare metal, EKS with the VPC CNI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import Check, edit
from .test_rules import Case, assert_near_miss, assert_triggers

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CILIUM_SETTINGS_END = "    hubble.ui.enabled: true\n"
GATEWAY_TARGETS = "      port: 443\n      targets: nodes\n"
PODS_B = "      - id: pods-b\n        cidr: 100.64.128.0/17\n        role: pods\n"
PUBLIC_B = "      - id: public-b\n        cidr: 192.168.1.0/24\n        role: public\n"
API_TARGETS = "      targets: pods\n      external_traffic_policy"
WEB_TARGETS = "      targets: pods\n  notes:"


def example_text(name: str) -> str:
    return (EXAMPLES / name / "docs" / "network.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class ExampleCase(Case):
    # The example whose model the edits apply to.
    base: str = "cilium-bgp"


CASES: tuple[ExampleCase, ...] = (
    # --- Cilium alone ----------------------------------------------------------------------------
    ExampleCase(
        "native routing CIDR narrower than the pod CIDR",
        "NA340",
        "error",
        (("ipv4NativeRoutingCIDR: 10.244.0.0/16", "ipv4NativeRoutingCIDR: 10.244.0.0/17"),),
        "ipv4NativeRoutingCIDR: ^10.244.0.0/17",
        related=("pod_cidr: ^10.244.0.0/16",),
        near_miss=(("ipv4NativeRoutingCIDR: 10.244.0.0/16", "ipv4NativeRoutingCIDR: 10.0.0.0/8"),),
    ),
    ExampleCase(
        "native routing without a native routing CIDR",
        "NA340",
        "error",
        (("    ipv4NativeRoutingCIDR: 10.244.0.0/16\n", ""),),
        "    routingMode: ^native\n",
    ),
    ExampleCase(
        "L2 announcement of a Service with externalTrafficPolicy Local",
        "NA341",
        "warning",
        (
            ("  announcement: bgp\n", "  announcement: l2\n"),
            (GATEWAY_TARGETS, GATEWAY_TARGETS + "      external_traffic_policy: Local\n"),
        ),
        "external_traffic_policy: ^Local",
        related=("  announcement: ^l2",),
        near_miss=(
            ("  announcement: bgp\n", "  announcement: l2\n"),
            (GATEWAY_TARGETS, GATEWAY_TARGETS + "      external_traffic_policy: Cluster\n"),
        ),
    ),
    ExampleCase(
        "Gateway API without kube-proxy replacement",
        "NA342",
        "error",
        (
            ("  kube_proxy_replacement: cilium\n", ""),
            ("    kubeProxyReplacement: true\n", "    kubeProxyReplacement: false\n"),
        ),
        "gatewayAPI.enabled: ^true",
        near_miss=(
            ("  kube_proxy_replacement: cilium\n", ""),
            ("    kubeProxyReplacement: true\n", "    kubeProxyReplacement: false\n"),
            (CILIUM_SETTINGS_END, CILIUM_SETTINGS_END + "    nodePort.enabled: true\n"),
        ),
    ),
    ExampleCase(
        "L2 announcements without kube-proxy replacement",
        "NA342",
        "error",
        (
            ("  kube_proxy_replacement: cilium\n", ""),
            ("    kubeProxyReplacement: true\n", "    kubeProxyReplacement: false\n"),
            (CILIUM_SETTINGS_END, CILIUM_SETTINGS_END + "    l2announcements.enabled: true\n"),
        ),
        "l2announcements.enabled: ^true",
    ),
    ExampleCase(
        "direct node routes across racks without skipping unreachable nodes",
        "NA343",
        "error",
        (
            (
                "    directRoutingSkipUnreachable: true\n",
                "    directRoutingSkipUnreachable: false\n",
            ),
        ),
        "autoDirectNodeRoutes: ^true",
        related=("cidr: ^192.168.10.0/24", "cidr: ^192.168.20.0/24"),
    ),
    ExampleCase(
        "direct node routes across racks with nothing announcing the pod ranges",
        "NA343",
        "error",
        (
            (
                "  advertises: [pod-cidr, load-balancer-addresses]",
                "  advertises: [load-balancer-addresses]",
            ),
        ),
        "autoDirectNodeRoutes: ^true",
        related=("cidr: ^192.168.10.0/24", "cidr: ^192.168.20.0/24"),
        # One rack: every node shares the L2 segment, direct routes work.
        near_miss=(
            ("    directRoutingSkipUnreachable: true\n", ""),
            (
                "  advertises: [pod-cidr, load-balancer-addresses]",
                "  advertises: [load-balancer-addresses]",
            ),
            ("    address: 192.168.20.11\n", "    address: 192.168.10.21\n"),
            ("    address: 192.168.20.12\n", "    address: 192.168.10.22\n"),
        ),
    ),
    ExampleCase(
        "cluster pool left at its default while the service CIDR is in 10/8",
        "NA344",
        "error",
        (("    ipam.operator.clusterPoolIPv4PodCIDRList: 10.244.0.0/16\n", ""),),
        "ipam.mode: ^cluster-pool",
        related=("service_cidr: ^10.96.0.0/16",),
        near_miss=(
            ("    ipam.operator.clusterPoolIPv4PodCIDRList: 10.244.0.0/16\n", ""),
            ("  service_cidr: 10.96.0.0/16", "  service_cidr: 172.20.0.0/16"),
            ("  dns_service_ip: 10.96.0.10", "  dns_service_ip: 172.20.0.10"),
        ),
    ),
    # --- EKS: Calico for policy, the Amazon VPC CNI, the AWS Load Balancer Controller ---------------
    ExampleCase(
        "the VPC CNI enforces policy beside Calico",
        "NA300",
        "error",
        (
            (
                "    provides: [cni, ipam, egress]\n",
                "    provides: [cni, ipam, egress, network-policy]\n",
            ),
        ),
        "provides: ^[cni, ipam, egress, network-policy]",
        related=("enforced_by: ^calico",),
        base="eks",
    ),
    ExampleCase(
        "Calico on the VPC CNI without pod IP annotations",
        "NA301",
        "warning",
        (("    ANNOTATE_POD_IP: true\n", "    ANNOTATE_POD_IP: false\n"),),
        "ANNOTATE_POD_IP: ^false",
        related=("enforced_by: ^calico",),
        base="eks",
    ),
    ExampleCase(
        "custom networking with a zone that has nodes but no pods subnet",
        "NA320",
        "error",
        ((PODS_B, ""),),
        "  - ^id: zone-b",
        related=("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: ^true",),
        near_miss=(
            (PODS_B, ""),
            (
                "    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: true\n",
                "    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: false\n",
            ),
        ),
        base="eks",
    ),
    ExampleCase(
        "a VPC subnet smaller than /28",
        "NA321",
        "error",
        (("        cidr: 192.168.2.0/28\n", "        cidr: 192.168.2.0/29\n"),),
        "cidr: ^192.168.2.0/29",
        base="eks",
    ),
    ExampleCase(
        "a pods subnet outside carrier-grade NAT space",
        "NA322",
        "warning",
        (("        cidr: 100.64.128.0/17\n", "        cidr: 10.200.0.0/17\n"),),
        "cidr: ^10.200.0.0/17",
        related=("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: ^true",),
        near_miss=(("        cidr: 100.64.128.0/17\n", "        cidr: 198.19.0.0/17\n"),),
        base="eks",
    ),
    ExampleCase(
        "a node in a zone whose node subnet does not hold its address",
        "NA323",
        "error",
        (("    zone: zone-b\n", "    zone: zone-a\n"),),
        "address: ^192.168.32.10",
        related=("  - ^id: zone-a",),
        base="eks",
    ),
    ExampleCase(
        "IP targets with a CNI that gives pods no VPC addresses",
        "NA330",
        "error",
        (("  cni: vpc-cni\n", "  cni: calico\n"),),
        "      targets: ^pods\n      external_traffic_policy",
        related=("  cni: ^calico",),
        near_miss=(
            ("  cni: vpc-cni\n", "  cni: calico\n"),
            (API_TARGETS, "      targets: nodes\n      external_traffic_policy"),
            (WEB_TARGETS, "      targets: nodes\n  notes:"),
        ),
        base="eks",
    ),
    ExampleCase(
        "externalTrafficPolicy Local on IP targets",
        "NA331",
        "warning",
        (("external_traffic_policy: Cluster\n", "external_traffic_policy: Local\n"),),
        "external_traffic_policy: ^Local",
        related=("      targets: ^pods\n      external_traffic_policy",),
        base="eks",
    ),
    ExampleCase(
        "an Application Load Balancer with subnets in one zone",
        "NA332",
        "error",
        ((PUBLIC_B, ""),),
        "kind: ^ingress",
        near_miss=((PUBLIC_B, PUBLIC_B.replace("role: public", "role: private")),),
        base="eks",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.name}" for c in CASES])
def test_rule_triggers(check: Check, case: ExampleCase) -> None:
    assert_triggers(check, case, edit(example_text(case.base), *case.edits))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.name}" for c in CASES])
def test_rule_near_miss(check: Check, case: ExampleCase) -> None:
    assert_near_miss(check, case, edit(example_text(case.base), *case.near_miss))


@pytest.mark.parametrize("name", sorted({case.base for case in CASES}))
def test_example_base_is_clean(check: Check, name: str) -> None:
    assert check(example_text(name)) == []
