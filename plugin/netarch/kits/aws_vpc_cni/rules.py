"""The Amazon VPC CNI kit's rules (other-networks.md, network 2 "EKS", rules 4 and 5): the
subnets pods take their addresses from.

The model keeps the CNI's environment (``aws-node``) in ``pod_networking.settings`` and the
VPC's subnets in ``zones``; a zone is an availability zone. Only what the model states is
checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.facts.addresses import cluster_ranges_of, parse_ip, parse_network
from netarch.kits import product_of
from netarch.model.network import Model, ModelPath

rule = kit_rule("aws_vpc_cni")
SECTION = "Amazon VPC CNI"
DOC = "other-networks.md 2(b)"
SETTINGS: ModelPath = ("pod_networking", "settings")
CUSTOM_NETWORKING = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"


def _settings(model: Model) -> dict[str, Any]:
    section = model.section("pod_networking")
    if product_of(model, section.get("component")) != "aws-vpc-cni":
        return {}
    value = section.get("settings")
    return value if isinstance(value, dict) else {}


def custom_networking(model: Model) -> bool:
    value = _settings(model).get(CUSTOM_NETWORKING)
    return value is True or str(value).lower() == "true"


def _subnets(model: Model, role: str | None = None) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for zone_index, zone in enumerate(model.items("zones")):
        for index, subnet in enumerate(zone.get("subnets", [])):
            if role is None or subnet.get("role") == role:
                yield ("zones", zone_index, "subnets", index), subnet


@rule(
    "NA320",
    "error",
    "Custom networking without a pod subnet in a zone with nodes",
    rationale="With custom networking a node takes its pods' addresses from the subnet of an"
    " ENIConfig, chosen per availability zone (ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone,"
    " one ENIConfig named after each zone), and that subnet must be in the node's zone. A zone"
    " with nodes but no pod subnet leaves its nodes without addresses for pods. Custom"
    " networking is for IPv4 clusters only.",
    source="aws/amazon-vpc-cni-k8s README.md (AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG,"
    " ENI_CONFIG_LABEL_DEF); aws/aws-eks-best-practices latest/bpg/networking/custom-networking.adoc",
    reference=DOC + " rule 4",
    hint="add a subnet with role: pods to the zone (and its ENIConfig), or move the nodes",
    section=SECTION,
)
def eniconfig_per_zone(model: Model) -> Iterator[Finding]:
    if not custom_networking(model):
        return
    switch: ModelPath = (*SETTINGS, CUSTOM_NETWORKING)
    for pod in cluster_ranges_of(model, "pod_cidr", "pod CIDR"):
        if pod.network.version == 6:
            yield Finding(
                pod.path,
                f"custom networking is for IPv4 clusters only, but the pod CIDR {pod.network}"
                " is IPv6",
                related=(switch,),
            )
    zoned = {node.get("zone") for node in model.items("nodes")}
    for zone_index, zone in enumerate(model.items("zones")):
        if zone["id"] not in zoned:
            continue
        if not any(s.get("role") == "pods" for s in zone.get("subnets", [])):
            yield Finding(
                ("zones", zone_index),
                f"zone {zone['name']} has nodes but no pods subnet for its ENIConfig",
                related=(switch,),
            )


@rule(
    "NA321",
    "error",
    "VPC subnet larger than /16 or smaller than /28",
    rationale="An IPv4 VPC subnet is between /16 and /28; AWS refuses others. Every subnet also"
    " loses five addresses: the first four and the last are reserved.",
    source="EC2 API CreateSubnet",
    reference=DOC + " rule 1",
    hint="split the range into subnets of /16 to /28",
    section=SECTION,
)
def subnet_size(model: Model) -> Iterator[Finding]:
    for path, subnet in _subnets(model):
        network = parse_network(subnet.get("cidr"))
        if network is not None and network.version == 4 and not 16 <= network.prefixlen <= 28:
            yield Finding(
                (*path, "cidr"),
                f"subnet {subnet['id']} {network} is a /{network.prefixlen}; VPC subnets are"
                " /16 to /28",
            )


_SHARED_SPACE = (ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("198.19.0.0/16"))


@rule(
    "NA322",
    "warning",
    "Pod subnet outside the ranges advised for custom networking",
    rationale="Custom networking exists to give pods addresses that do not use up the routable"
    " VPC range: AWS's best practices put the secondary VPC range for pods in carrier-grade"
    " NAT space, 100.64.0.0/10, or in 198.19.0.0/16. A pod subnet elsewhere probably takes"
    " addresses that the rest of the network needs.",
    source="aws/aws-eks-best-practices latest/bpg/networking/custom-networking.adoc",
    reference=DOC + " rule 5",
    hint="take the pod subnets from a secondary VPC range in 100.64.0.0/10 or 198.19.0.0/16",
    section=SECTION,
)
def pod_subnet_space(model: Model) -> Iterator[Finding]:
    if not custom_networking(model):
        return
    for path, subnet in _subnets(model, "pods"):
        network = parse_network(subnet.get("cidr"))
        if network is None or network.version != 4:
            continue
        if not any(network.subnet_of(space) for space in _SHARED_SPACE):
            yield Finding(
                (*path, "cidr"),
                f"pods subnet {subnet['id']} {network} lies outside 100.64.0.0/10 and"
                " 198.19.0.0/16",
                related=((*SETTINGS, CUSTOM_NETWORKING),),
            )


@rule(
    "NA323",
    "error",
    "Node outside its zone's node subnets",
    rationale="A node's primary address belongs to a subnet of its availability zone: VPC"
    " subnets do not span zones. A node whose address lies in no node subnet of its zone is in"
    " another zone, or the subnets are wrong, and its pods would take addresses from the wrong"
    " zone's ENIConfig.",
    source="Amazon VPC user guide (a subnet resides in one Availability Zone); Amazon VPC CNI"
    " README (ENIConfig subnet in the node's zone)",
    reference=DOC + " rule 4",
    hint="put the node in the zone whose node subnet holds its address",
    section=SECTION,
)
def node_in_zone(model: Model) -> Iterator[Finding]:
    zones = {zone["id"]: (index, zone) for index, zone in enumerate(model.items("zones"))}
    for node_index, node in enumerate(model.items("nodes")):
        address = parse_ip(node.get("address"))
        if address is None or node.get("zone") not in zones:
            continue
        zone_index, zone = zones[node["zone"]]
        subnets = [
            network
            for subnet in zone.get("subnets", [])
            if subnet.get("role") == "nodes"
            and (network := parse_network(subnet.get("cidr"))) is not None
        ]
        if subnets and not any(address.version == n.version and address in n for n in subnets):
            yield Finding(
                ("nodes", node_index, "address"),
                f"node {node['id']} address {address} lies in no node subnet of zone"
                f" {zone['name']}",
                related=(("zones", zone_index),),
            )
