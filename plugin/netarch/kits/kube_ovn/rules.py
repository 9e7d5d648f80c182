"""The Kube-OVN kit's rules: its subnets, VPCs and excludeIps (section A of
network-domain-checks.md, the rules that rest on Kube-OVN's own validation)."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterator
from typing import Any

from netarch.checks.address_plan import DOC
from netarch.checks.framework import Finding, kit_rule
from netarch.facts.addresses import (
    AddressSet,
    Range,
    address_set,
    cluster_range,
    cluster_ranges,
    cluster_ranges_of,
    family,
    parse_ip,
    parse_network,
    range_ends,
    same_family_overlap,
    usable_hosts,
)
from netarch.model.network import Model, ModelPath

rule = kit_rule("kube_ovn")
SECTION = "Kube-OVN subnets"


_SPECIAL = tuple(
    (ipaddress.ip_network(cidr), label)
    for cidr, label in (
        ("0.0.0.0/8", "the 'this network' range 0.0.0.0/8"),
        ("127.0.0.0/8", "loopback 127.0.0.0/8"),
        ("169.254.0.0/16", "link-local 169.254.0.0/16"),
        ("224.0.0.0/4", "multicast 224.0.0.0/4"),
        ("255.255.255.255/32", "the broadcast address"),
        ("::/128", "the unspecified address ::"),
        ("::1/128", "loopback ::1"),
        ("fe80::/10", "link-local fe80::/10"),
        ("ff00::/8", "multicast ff00::/8"),
    )
)


def _kube_ovn_subnets(model: Model) -> Iterator[tuple[ModelPath, str, str]]:
    """(path, label, cidr text) of every Kube-OVN subnet: pod, join and VPC subnets."""
    cluster = model.section("cluster")
    for key, label in (("pod_cidr", "pod CIDR"), ("join_cidr", "join CIDR")):
        value = cluster.get(key)
        for index, text in enumerate(value if isinstance(value, list) else [value]):
            if text is not None:
                path = ("cluster", key, index) if isinstance(value, list) else ("cluster", key)
                yield path, label, str(text)
    for path, subnet in vpc_subnets(model):
        yield (*path, "cidr"), f"subnet {subnet['id']}", str(subnet["cidr"])


@rule(
    "NA104",
    "error",
    "Kube-OVN subnet is a single host, a special range or upper-case IPv6",
    rationale="Kube-OVN only accepts global-unicast subnets with room for hosts: loopback,"
    " multicast, link-local and unspecified ranges and /32 or /128 prefixes are refused, and"
    " IPv6 text must be written in lower case.",
    source="Kube-OVN ValidateSubnet (InvalidSpecialCIDR, InvalidNetworkMask, CIDRGlobalUnicast)",
    reference=DOC + " rule 4",
    hint="use a private unicast range with room for hosts, e.g. 10.244.0.0/16 or fd00:10:244::/64",
    section=SECTION,
)
def special_subnets(model: Model) -> Iterator[Finding]:
    for path, label, text in _kube_ovn_subnets(model):
        network = parse_network(text)
        if network is None:
            continue
        if network.version == 6 and text != text.lower():
            yield Finding(
                path,
                f"{label} {text} is written with upper-case IPv6 digits",
                hint=f"write it in lower case: {text.lower()}",
            )
        if network.num_addresses == 1:
            yield Finding(path, f"{label} {network} is a single host, not a subnet")
        for special, special_label in _SPECIAL:
            if same_family_overlap(network, special):
                yield Finding(path, f"{label} {network} overlaps {special_label}")


def _subnet_ranges(model: Model) -> Iterator[tuple[int, dict[str, Any], list[Range]]]:
    """Per VPC: its index, the VPC, and the ranges of its subnets that parse."""
    for vpc_index, vpc in enumerate(model.items("vpcs")):
        ranges = []
        for subnet_index, subnet in enumerate(vpc.get("subnets", [])):
            network = parse_network(subnet["cidr"])
            if network is not None:
                path = ("vpcs", "items", vpc_index, "subnets", subnet_index, "cidr")
                ranges.append(Range(f"subnet {subnet['id']}", path, network))
        yield vpc_index, vpc, ranges


@rule(
    "NA105",
    "error",
    "Subnets of one VPC overlap",
    rationale="Kube-OVN rejects a subnet that overlaps another subnet of the same VPC (subnets of"
    " different VPCs may overlap). The default VPC also holds the pod (ovn-default) and join subnets.",
    source="Kube-OVN ValidateCidrConflict",
    reference=DOC + " rule 5",
    hint="give the subnet a range no other subnet of this VPC uses",
    section=SECTION,
)
def vpc_overlaps(model: Model) -> Iterator[Finding]:
    for _, vpc, ranges in _subnet_ranges(model):
        if vpc.get("default"):
            ranges = [
                r
                for r in (
                    cluster_range(model, "pod_cidr", "pod CIDR (ovn-default)"),
                    cluster_range(model, "join_cidr", "join CIDR"),
                )
                if r is not None
            ] + ranges
        for first, second in itertools.combinations(ranges, 2):
            if same_family_overlap(first.network, second.network):
                yield Finding(
                    second.path,
                    f"{second.label} {second.network} of VPC {vpc['id']} overlaps the {first.label} {first.network}",
                    related=(first.path,),
                )


@rule(
    "NA106",
    "warning",
    "VPC subnet overlaps the cluster's own ranges",
    rationale="A VPC subnet is attached to workloads next to the default management network;"
    " overlapping the pod, service or join CIDR makes those addresses ambiguous inside the"
    " workload, and Kube-OVN does not check it.",
    source="Kube-OVN VPC documentation (custom VPC subnets)",
    reference=DOC + " rule 6",
    hint="take VPC subnets from a range the cluster does not use, e.g. 172.16.0.0/12",
    section=SECTION,
)
def vpc_vs_cluster(model: Model) -> Iterator[Finding]:
    cluster = cluster_ranges(model)
    for _, vpc, ranges in _subnet_ranges(model):
        if vpc.get("default"):
            continue  # NA105 covers the default VPC, where the overlap is an error.
        for subnet in ranges:
            for own in cluster:
                if same_family_overlap(subnet.network, own.network):
                    yield Finding(
                        subnet.path,
                        f"{subnet.label} {subnet.network} of VPC {vpc['id']} overlaps the {own.label} {own.network}",
                        related=(own.path,),
                    )


def _exclude_entries(model: Model) -> Iterator[tuple[ModelPath, str, dict[str, Any]]]:
    for path, subnet in vpc_subnets(model):
        for index, text in enumerate(subnet.get("exclude_ips", [])):
            yield (*path, "exclude_ips", index), str(text), subnet


def _exclude_set(text: str, path: ModelPath) -> AddressSet | None:
    if ".." in text:
        ends = range_ends(text, "..")
        if ends is None or ends[0].version != ends[1].version or ends[0] > ends[1]:
            return None
        return address_set(f"{ends[0]}-{ends[1]}", path)
    return address_set(text, path) if "/" not in text else None


@rule(
    "NA107",
    "error",
    "excludeIps entry is not an address or an a..b range",
    rationale="Kube-OVN accepts an excludeIps entry only as one address or a range a..b of one"
    " family with a <= b.",
    source="Kube-OVN ValidateSubnet",
    reference=DOC + " rule 7",
    hint="write 10.0.0.5 or 10.0.0.10..10.0.0.20 (start first)",
    section=SECTION,
)
def exclude_syntax(model: Model) -> Iterator[Finding]:
    for path, text, subnet in _exclude_entries(model):
        if _exclude_set(text, path) is None:
            yield Finding(
                path,
                f"excludeIps entry {text!r} of subnet {subnet['id']} is not an address or an ordered a..b range of one family",
            )


@rule(
    "NA108",
    "warning",
    "excludeIps entry outside the subnet",
    rationale="Kube-OVN checks excludeIps syntax and order but not containment, so an entry"
    " outside the subnet CIDR is silently dead: the addresses meant to be reserved are not.",
    source="Kube-OVN ValidateSubnet",
    reference=DOC + " rule 7",
    hint="exclude addresses of this subnet, or remove the entry",
    section=SECTION,
)
def exclude_containment(model: Model) -> Iterator[Finding]:
    for path, text, subnet in _exclude_entries(model):
        entry = _exclude_set(text, path)
        network = parse_network(subnet["cidr"])
        if entry is not None and network is not None and not entry.within(network):
            yield Finding(
                path,
                f"excludeIps entry {text} of subnet {subnet['id']} is not inside its CIDR {network}",
                related=((*path[:-2], "cidr"),),
            )


@rule(
    "NA109",
    "error",
    "Subnet VIP or u2o interconnection IP outside the subnet",
    rationale="Kube-OVN refuses a subnet whose vips or u2oInterconnectionIP are not addresses"
    " of its CIDR.",
    source="Kube-OVN ValidateSubnet",
    reference=DOC + " rule 8",
    hint="use addresses inside the subnet CIDR",
    section=SECTION,
)
def subnet_addresses(model: Model) -> Iterator[Finding]:
    for path, subnet in vpc_subnets(model):
        network = parse_network(subnet["cidr"])
        if network is None:
            continue
        candidates = [((*path, "vips", i), v, "VIP") for i, v in enumerate(subnet.get("vips", []))]
        if "u2o_interconnection_ip" in subnet:
            candidates.append(
                ((*path, "u2o_interconnection_ip"), subnet["u2o_interconnection_ip"], "u2o IP")
            )
        for where, text, label in candidates:
            address = parse_ip(text)
            if address is not None and (
                address.version != network.version or address not in network
            ):
                yield Finding(
                    where,
                    f"{label} {address} of subnet {subnet['id']} lies outside its CIDR {network}",
                    related=((*path, "cidr"),),
                )


@rule(
    "NA110",
    "error",
    "Default-VPC subnet contains the API-server Service IP",
    rationale="The first address of the service CIDR is the kubernetes Service (API server);"
    " Kube-OVN refuses a default-VPC subnet that contains it because pods would route it locally.",
    source="Kube-OVN ValidateSubnet (KUBERNETES_SERVICE_HOST)",
    reference=DOC + " rule 9",
    hint="move the subnet out of the service CIDR",
    section=SECTION,
)
def api_server_ip(model: Model) -> Iterator[Finding]:
    for service in cluster_ranges_of(model, "service_cidr", "service CIDR"):
        api = service.network.network_address + 1
        for _, vpc, ranges in _subnet_ranges(model):
            if not vpc.get("default"):
                continue
            for subnet in ranges:
                if api.version == subnet.network.version and api in subnet.network:
                    yield Finding(
                        subnet.path,
                        f"{subnet.label} {subnet.network} of the default VPC {vpc['id']} contains the API-server Service IP {api}",
                        related=(service.path,),
                    )


@rule(
    "NA103",
    "error",
    "Gateway outside its subnet, or its network/broadcast address",
    rationale="Kube-OVN refuses a subnet whose gateway is not a usable address of the subnet:"
    " pods could not reach their first hop.",
    source="Kube-OVN ValidateSubnet, ValidateNetworkBroadcast",
    reference=DOC + " rule 3",
    hint="use a host address inside the CIDR, conventionally the first one (e.g. 10.244.0.1)",
    section=SECTION,
)
def gateways(model: Model) -> Iterator[Finding]:
    gateway = model.section("cluster").get("pod_gateway")
    address = parse_ip(gateway)
    pod = cluster_range(model, "pod_cidr", "pod CIDR", address.version if address else None)
    if pod is not None:
        yield from gateway_problems(("cluster", "pod_gateway"), gateway, "pod gateway", pod)
    for path, subnet in vpc_subnets(model):
        network = parse_network(subnet["cidr"])
        if network is not None:
            yield from gateway_problems(
                (*path, "gateway"),
                subnet.get("gateway"),
                f"gateway of subnet {subnet['id']}",
                Range(f"subnet {subnet['id']}", (*path, "cidr"), network),
            )


def vpc_subnets(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for vpc_index, vpc in enumerate(model.items("vpcs")):
        for subnet_index, subnet in enumerate(vpc.get("subnets", [])):
            yield ("vpcs", "items", vpc_index, "subnets", subnet_index), subnet


def gateway_problems(path: ModelPath, text: Any, label: str, subnet: Range) -> Iterator[Finding]:
    gateway = parse_ip(text) if text is not None else None
    if gateway is None:
        return
    network = subnet.network
    first_host = next(iter(network.hosts()), network.network_address)
    hint = f"use an address inside {network}, e.g. {first_host}"
    if gateway.version != network.version:
        yield Finding(
            path,
            f"{label} {gateway} is {family(gateway.version)} but the {subnet.label} {network} is {family(network.version)}",
            hint=hint,
            related=(subnet.path,),
        )
    elif gateway not in network:
        yield Finding(
            path,
            f"{label} {gateway} lies outside the {subnet.label} {network}",
            hint=hint,
            related=(subnet.path,),
        )
    elif network.num_addresses > 2 and gateway == network.network_address:
        yield Finding(
            path,
            f"{label} {gateway} is the network address of the {subnet.label} {network}",
            hint=hint,
            related=(subnet.path,),
        )
    elif (
        network.version == 4 and network.num_addresses > 2 and gateway == network.broadcast_address
    ):
        yield Finding(
            path,
            f"{label} {gateway} is the broadcast address of the {subnet.label} {network}",
            hint=hint,
            related=(subnet.path,),
        )


@rule(
    "NA113",
    "warning",
    "Join CIDR too small for the nodes",
    rationale="Every node takes one join-subnet address for its ovn0 interface, and the join"
    " gateway takes another; a node without one cannot reach the overlay.",
    source="Kube-OVN join-subnet design",
    reference=DOC + " rule 12",
    hint="use a join CIDR with room for every node to come, e.g. 100.64.0.0/16",
    section=SECTION,
)
def join_size(model: Model) -> Iterator[Finding]:
    join = cluster_range(model, "join_cidr", "join CIDR")
    nodes = len(model.items("nodes"))
    if join is None or not nodes:
        return
    free = usable_hosts(join.network) - 1  # the join gateway takes one
    if free < nodes:
        yield Finding(
            join.path,
            f"join CIDR {join.network} has room for {max(free, 0)} of the model's {nodes} nodes",
        )
