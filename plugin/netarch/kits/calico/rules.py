"""The Calico kit's rules: Calico enforcing network policy beside another CNI
(other-networks.md, network 2 "EKS", rule 9), and its IP pools as the pod network's IPAM.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.facts.addresses import cluster_ranges_of, parse_network
from netarch.kits import product_of
from netarch.model.network import Model, ModelPath

rule = kit_rule("calico")
SECTION = "Calico"
DOC = "other-networks.md 2(b)"


@rule(
    "NA300",
    "error",
    "Calico and another component both enforce network policy",
    rationale="Exactly one engine may enforce Kubernetes NetworkPolicies: two of them (Calico's"
    " Felix and the CNI's own policy agent, say) program the datapath twice, and a policy"
    " allowed by one can be dropped by the other: a CNI's own policy agent is switched off"
    " before Calico enforces policy.",
    source="Calico installation guides (policy-only mode beside another CNI)",
    reference=DOC
    + " rule 9; Calico on EKS installation guide; EKS user guide, alternate CNI plugins",
    hint="turn the other engine's network policy off (remove network-policy from its provides)",
    section=SECTION,
)
def one_policy_engine(model: Model) -> Iterator[Finding]:
    engine = model.section("policies").get("enforced_by")
    if product_of(model, engine) != "calico":
        return
    for index, component in enumerate(model.items("components")):
        if component["id"] != engine and "network-policy" in component.get("provides", []):
            yield Finding(
                ("components", index, "provides"),
                f"{component['name']} provides network-policy, but Calico ({engine}) enforces"
                " the policies",
                related=(("policies", "enforced_by"),),
            )


@rule(
    "NA301",
    "warning",
    "Calico policy on the VPC CNI without ANNOTATE_POD_IP",
    rationale="Calico in policy-only mode on the Amazon VPC CNI reads pod addresses from an"
    " annotation that aws-node adds to each pod only with ANNOTATE_POD_IP=true (which needs"
    " patch rights on pods); the EKS guide for alternate policy engines says to set it.",
    source="Calico on EKS installation guide; EKS user guide, alternate CNI plugins",
    reference=DOC + " rule 9",
    hint="set ANNOTATE_POD_IP: true in the VPC CNI's settings",
    section=SECTION,
    requires=("aws_vpc_cni",),
)
def annotate_pod_ip(model: Model) -> Iterator[Finding]:
    if product_of(model, model.section("policies").get("enforced_by")) != "calico":
        return
    section = model.section("pod_networking")
    if product_of(model, section.get("component")) != "aws-vpc-cni":
        return
    settings = section.get("settings")
    if not isinstance(settings, dict):
        return
    value = settings.get("ANNOTATE_POD_IP")
    if value is True or str(value).lower() == "true":
        return
    where: ModelPath = ("pod_networking", "settings")
    if "ANNOTATE_POD_IP" in settings:
        where = (*where, "ANNOTATE_POD_IP")
    yield Finding(
        where,
        "Calico enforces policy on the VPC CNI, but ANNOTATE_POD_IP is not true",
        related=(("policies", "enforced_by"),),
    )


def _pools(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for index, pool in enumerate(model.section("calico").get("ip_pools", [])):
        yield ("calico", "ip_pools", index), pool


@rule(
    "NA302",
    "error",
    "Calico IP pool outside the pod CIDR",
    rationale="Calico hands pods addresses from its IP pools; the cluster's pod CIDR (the"
    " controller manager's cluster-cidr, kube-proxy's clusterCIDR) must contain them, or pods"
    " get addresses the rest of the cluster treats as outside it (masquerading, routes,"
    " policies by range). Installing with another pod CIDR means changing the pool too.",
    source="Calico docs: IP pools and the Kubernetes pod CIDR (CALICO_IPV4POOL_CIDR)",
    hint="make the pool a part of the pod CIDR, or the pod CIDR the union of the pools",
    section=SECTION,
)
def pool_outside_pod_cidr(model: Model) -> Iterator[Finding]:
    pods = cluster_ranges_of(model, "pod_cidr", "pod CIDR")
    if not pods:
        return
    for path, pool in _pools(model):
        network = parse_network(pool.get("cidr"))
        if network is None:
            continue
        same_family = [r for r in pods if r.network.version == network.version]
        if not any(network.subnet_of(r.network) for r in same_family):
            inside = (
                " or ".join(str(r.network) for r in same_family) or "any pod CIDR of its family"
            )
            yield Finding(
                (*path, "cidr"),
                f"Calico IP pool {pool['id']} {network} is not inside the pod CIDR {inside}",
                related=tuple(r.path for r in same_family),
            )


@rule(
    "NA303",
    "error",
    "Calico IP pool block size out of range",
    rationale="Calico gives each node blocks of the pool; the block size is a prefix length"
    " between 20 and 32 for IPv4 (116 and 128 for IPv6), and no shorter than the pool itself."
    " Calico refuses other values.",
    source="Calico IPPool reference (blockSize)",
    hint="use a block size between the pool's prefix length and 32 (IPv4) or 128 (IPv6)",
    section=SECTION,
)
def block_size(model: Model) -> Iterator[Finding]:
    for path, pool in _pools(model):
        network = parse_network(pool.get("cidr"))
        size = pool.get("block_size")
        if network is None or not isinstance(size, int):
            continue
        low, high = (20, 32) if network.version == 4 else (116, 128)
        low = max(low, network.prefixlen)
        if not low <= size <= high:
            yield Finding(
                (*path, "block_size"),
                f"Calico IP pool {pool['id']} block size /{size} is outside /{low} to /{high}",
            )
