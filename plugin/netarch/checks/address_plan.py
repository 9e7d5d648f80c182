"""Section A of network-domain-checks.md: the address plan (CIDRs, gateway, VPC subnets)."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, rule
from netarch.facts import facts_of
from netarch.facts.addresses import (
    NamedAddress,
    Range,
    cluster_range,
    cluster_ranges,
    cluster_ranges_of,
    in_network,
    node_addresses,
    node_networks,
    parse_ip,
    parse_network,
    proper_network,
    range_ends,
    same_family_overlap,
    typed_values,
)
from netarch.model.network import Model, ModelPath

SECTION = "Address plan"
DOC = "network-domain-checks.md §A"


def _field(path: ModelPath) -> str:
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "value")


@rule(
    "NA100",
    "error",
    "Address or prefix does not parse",
    rationale="Every address, CIDR and range is read by a component that rejects malformed text;"
    " a CIDR with host bits set (10.244.0.1/16) is at best silently widened and at worst refused,"
    " and the rest of the checks cannot reason about it.",
    source="Python ipaddress (strict networks); kube-apiserver and CNI CIDR parsing",
    reference=DOC + " rule 1",
    hint="write a plain address (10.0.0.1) or the network address with its prefix (10.0.0.0/24)",
    section=SECTION,
)
def invalid_addresses(model: Model) -> Iterator[Finding]:
    for path, kind, value in typed_values(model):
        name = _field(path)
        if kind == "ip" and parse_ip(value) is None:
            yield Finding(path, f"{name} {value!r} is not a valid IP address")
        elif kind == "cidr" or (kind == "address_range" and "/" in value):
            yield from _invalid_cidr(path, name, value)
        elif kind == "address_range" and range_ends(value) is None:
            yield Finding(
                path,
                f"{name} entry {value!r} is not a start-end range of two IP addresses",
                hint="write start-end with two addresses, e.g. 192.168.100.200-192.168.100.250",
            )


def _invalid_cidr(path: ModelPath, name: str, value: str) -> Iterator[Finding]:
    if parse_network(value) is not None:
        return
    network = proper_network(value)
    if network is None:
        yield Finding(path, f"{name} {value!r} is not a valid CIDR (address/prefix length)")
    else:
        yield Finding(
            path,
            f"{name} {value} has host bits set",
            hint=f"the network is {network}; write that (or the intended prefix length)",
        )


@rule(
    "NA101",
    "error",
    "Pod, service and join CIDRs overlap",
    rationale="Pods, Services and (where the CNI has one) the node-to-pod join network each take"
    " their addresses from their own range; CNIs refuse overlapping subnets, and a Service IP"
    " that is also a pod IP is unroutable.",
    source="Kubernetes cluster networking (disjoint pod and service ranges)",
    reference=DOC + " rule 1",
    hint="pick disjoint ranges, e.g. 10.244.0.0/16 for pods and 10.96.0.0/16 for Services",
    section=SECTION,
)
def cluster_overlaps(model: Model) -> Iterator[Finding]:
    for first, second in itertools.combinations(cluster_ranges(model), 2):
        if same_family_overlap(first.network, second.network):
            yield Finding(
                second.path,
                f"{second.label} {second.network} overlaps the {first.label} {first.network}",
                related=(first.path,),
            )


@rule(
    "NA102",
    "error",
    "Cluster range overlaps the underlay, the VIP or a load-balancer pool",
    rationale="Pod, Service and join routes are installed on every node: a node network, the"
    " control-plane VIP, a node address or a load-balancer pool inside those ranges makes"
    " routing ambiguous. Node addresses, the floating VIP and external load-balancer addresses"
    " are separate kinds of address.",
    source="Kubernetes cluster networking; longest-prefix routing (RFC 1812)",
    reference=DOC + " rule 2",
    hint="move the pool, node network or VIP out of the pod, service and join CIDRs",
    section=SECTION,
)
def cluster_vs_underlay(model: Model) -> Iterator[Finding]:
    ranges = cluster_ranges(model)
    vip = parse_ip(model.section("cluster").get("control_plane_vip"))
    for cluster in ranges:
        for underlay in node_networks(model):
            if same_family_overlap(cluster.network, underlay.network):
                yield Finding(
                    cluster.path,
                    f"{cluster.label} {cluster.network} overlaps the {underlay.label}",
                    related=(underlay.path,),
                )
        if vip is not None and vip.version == cluster.network.version and vip in cluster.network:
            yield Finding(
                ("cluster", "control_plane_vip"),
                f"control-plane VIP {vip} lies inside the {cluster.label} {cluster.network}",
                related=(cluster.path,),
            )
        for node in node_addresses(model):
            if node.address.version == cluster.network.version and node.address in cluster.network:
                yield Finding(
                    node.path,
                    f"{node.label} address {node.address} lies inside the {cluster.label} {cluster.network}",
                    related=(cluster.path,),
                )
        for pool in facts_of(model).pools:
            for entry in pool.entries:
                if entry.overlaps_network(cluster.network):
                    yield Finding(
                        entry.path,
                        f"{pool.label} {pool.id} entry {entry.text} overlaps the {cluster.label} {cluster.network}",
                        related=(cluster.path,),
                    )


@rule(
    "NA111",
    "error",
    "Service CIDR larger than /12 (IPv4) or /108 (IPv6)",
    rationale="kube-apiserver refuses a service-cluster-ip-range with more than 20 host bits"
    ' ("service-cluster-ip-range is too large").',
    source="kube-apiserver service CIDR validation",
    reference=DOC + " rule 10",
    hint="use a prefix of /12 or longer for IPv4 (e.g. 10.96.0.0/16), /108 or longer for IPv6",
    section=SECTION,
)
def service_size(model: Model) -> Iterator[Finding]:
    for service in cluster_ranges_of(model, "service_cidr", "service CIDR"):
        limit = 12 if service.network.version == 4 else 108
        if service.network.prefixlen >= limit:
            continue
        yield Finding(
            service.path,
            f"service CIDR {service.network} has {service.network.max_prefixlen - service.network.prefixlen} host bits; at most 20 are allowed (/{limit} or longer)",
        )


# k3s and RKE2 use these when the distribution sets nothing.
_DISTRIBUTION_DEFAULTS = {
    "k3s": ("10.42.0.0/16", "10.43.0.0/16"),
    "rke2": ("10.42.0.0/16", "10.43.0.0/16"),
}


@rule(
    "NA112",
    "error",
    "Cluster ranges differ from the distribution's",
    rationale="The pod CIDR, service CIDR and cluster domain are configured twice: in the"
    " Kubernetes distribution (its pod and service subnets and DNS domain) and in the network's"
    " own components. When they differ, Services and DNS break.",
    source="Kubernetes cluster-cidr, service-cluster-ip-range and cluster-domain settings",
    reference=DOC + " rule 11",
    hint="make the distribution's settings and the model's cluster section the same",
    section=SECTION,
)
def distribution_mismatch(model: Model) -> Iterator[Finding]:
    cluster = model.section("cluster")
    distribution = cluster.get("distribution")
    if not isinstance(distribution, dict):
        return
    base: ModelPath = ("cluster", "distribution")
    # A CNI with its own pod pool (Kube-OVN's centralised IPAM) does not use the distribution's
    # pod subnets: those only feed the nodes' pod ranges, which NA154 keeps disjoint from it.
    own_pool = model.section("pod_networking").get("ipam") == "centralised"
    for key, listed, label in (
        ("pod_cidr", "pod_subnets", "pod"),
        ("service_cidr", "service_subnets", "service"),
    ):
        if own_pool and key == "pod_cidr":
            continue
        for own_range in cluster_ranges_of(model, key, label):
            yield from _distribution_differs(distribution, base, key, listed, label, own_range)
    domain = cluster.get("cluster_domain")
    if domain and distribution.get("dns_domain") and distribution["dns_domain"] != domain:
        yield Finding(
            (*base, "dns_domain"),
            f"distribution dns_domain {distribution['dns_domain']} differs from the cluster domain {domain}",
            related=(("cluster", "cluster_domain"),),
        )


def _distribution_differs(
    distribution: dict[str, Any],
    base: ModelPath,
    key: str,
    listed: str,
    label: str,
    own_range: Range,
) -> Iterator[Finding]:
    own = own_range.network
    if listed in distribution:
        networks = [parse_network(t) for t in distribution[listed]]
        same_family = [n for n in networks if n is not None and n.version == own.version]
        if same_family and own not in same_family:
            yield Finding(
                (*base, listed),
                f"distribution {listed} {', '.join(map(str, same_family))} differ from the {label} CIDR {own}",
                related=(own_range.path,),
            )
    elif distribution.get("name") in _DISTRIBUTION_DEFAULTS:
        default = ipaddress.ip_network(
            _DISTRIBUTION_DEFAULTS[distribution["name"]][0 if label == "pod" else 1]
        )
        if default.version == own.version and default != own:
            yield Finding(
                (*base, "name"),
                f"{distribution['name']} uses the {label} CIDR {default} unless told otherwise, but the model's is {own}",
                hint=f"set {listed} (and the distribution's own setting) to {own}",
                related=(own_range.path,),
            )


@rule(
    "NA114",
    "warning",
    "Example address outside the range it belongs to",
    rationale="Pods get addresses from the pod CIDR, ClusterIPs from the service CIDR, external"
    " IPs from a load-balancer pool, and nodes and the VIP sit in a node network. An example that breaks"
    " this teaches the reader a wrong address plan.",
    source="netarch model consistency",
    reference=DOC,
    hint="use an address from the range the element takes its address from",
    section=SECTION,
)
def example_addresses(model: Model) -> Iterator[Finding]:
    pod_ranges = cluster_ranges_of(model, "pod_cidr", "pod CIDR")
    if pod_ranges:
        for tenant_index, tenant in enumerate(model.items("tenants")):
            for pod_index, item in enumerate(tenant.get("pods", [])):
                address = parse_ip(item.get("address"))
                if address is not None and not any(
                    in_network(address, pod.network) for pod in pod_ranges
                ):
                    networks = " or ".join(str(pod.network) for pod in pod_ranges)
                    yield Finding(
                        ("tenants", "items", tenant_index, "pods", pod_index, "address"),
                        f"pod {item['id']} address {address} lies outside the pod CIDR {networks}",
                        related=tuple(pod.path for pod in pod_ranges),
                    )
    service = model.section("metallb").get("example_service") or {}
    base: ModelPath = ("metallb", "example_service")
    cluster_ip = parse_ip(service.get("cluster_ip"))
    svc = cluster_range(
        model, "service_cidr", "service CIDR", cluster_ip.version if cluster_ip else None
    )
    if svc is not None and cluster_ip is not None and not in_network(cluster_ip, svc.network):
        yield Finding(
            (*base, "cluster_ip"),
            f"Service {service['name']} ClusterIP {cluster_ip} lies outside the service CIDR {svc.network}",
            related=(svc.path,),
        )
    external = parse_ip(service.get("external_ip"))
    all_pools = [p for p in facts_of(model).pools if p.entries]
    if (
        external is not None
        and all_pools
        and not any(e.contains_ip(external) for p in all_pools for e in p.entries)
    ):
        yield Finding(
            (*base, "external_ip"),
            f"Service {service['name']} external IP {external} is in no"
            f" {' or '.join(sorted({p.label for p in all_pools}))}",
            related=tuple(p.origin.at() for p in all_pools),
        )
    networks = node_networks(model)
    if networks:
        vip = parse_ip(model.section("cluster").get("control_plane_vip"))
        # Each node's main address; its other interfaces may sit on other networks (storage,
        # a VLAN), which the node networks need not list.
        located = [node for node in node_addresses(model) if len(node.path) == 3]
        if vip is not None:
            located.append(NamedAddress("control-plane VIP", ("cluster", "control_plane_vip"), vip))
        for item in located:
            if not any(in_network(item.address, n.network) for n in networks):
                yield Finding(
                    item.path,
                    f"{item.label} address {item.address} is in no node network",
                    related=tuple(n.path for n in networks),
                )


@rule(
    "NA116",
    "error",
    "DNS Service IP outside the service CIDR",
    rationale="The cluster DNS Service (kube-dns) gets its ClusterIP from the service CIDR, and"
    " every kubelet hands that address to pods (clusterDNS). An address outside the range cannot"
    " be the Service's, so name resolution fails in every pod.",
    source="Kubernetes kubelet clusterDNS; kube-apiserver service-cluster-ip-range",
    reference=DOC,
    hint="use an address of the service CIDR, conventionally its tenth (e.g. 10.96.0.10)",
    section=SECTION,
)
def dns_service_ip(model: Model) -> Iterator[Finding]:
    value = model.section("cluster").get("dns_service_ip")
    texts = value if isinstance(value, list) else [value] if value is not None else []
    services = cluster_ranges_of(model, "service_cidr", "service CIDR")
    for index, text in enumerate(texts):
        address = parse_ip(text)
        if address is None or not services:
            continue
        same_family = [r for r in services if r.network.version == address.version]
        if not any(in_network(address, r.network) for r in same_family):
            path = (
                ("cluster", "dns_service_ip", index)
                if isinstance(value, list)
                else ("cluster", "dns_service_ip")
            )
            networks = " or ".join(str(r.network) for r in same_family) or "of its family"
            yield Finding(
                path,
                f"DNS Service IP {address} lies outside the service CIDR {networks}",
                related=tuple(r.path for r in same_family or services),
            )


@rule(
    "NA115",
    "error",
    "One address given to two things",
    rationale="Nodes, pods, the control-plane VIP, the pod gateway, components and ClusterIPs each"
    " own their address; two owners of one IP answer each other's ARP and traffic goes astray.",
    source="netarch model consistency",
    reference=DOC,
    hint="give each element its own address",
    section=SECTION,
)
def duplicate_addresses(model: Model) -> Iterator[Finding]:
    owners: list[NamedAddress] = [*node_addresses(model)]
    cluster = model.section("cluster")
    for key, label in (("control_plane_vip", "control-plane VIP"), ("pod_gateway", "pod gateway")):
        address = parse_ip(cluster.get(key))
        if address is not None:
            owners.append(NamedAddress(label, ("cluster", key), address))
    for index, component in enumerate(model.items("components")):
        address = parse_ip(component.get("address"))
        if address is not None:
            owners.append(
                NamedAddress(
                    f"component {component['id']}", ("components", index, "address"), address
                )
            )
    for tenant_index, tenant in enumerate(model.items("tenants")):
        for pod_index, item in enumerate(tenant.get("pods", [])):
            address = parse_ip(item.get("address"))
            if address is not None:
                path = ("tenants", "items", tenant_index, "pods", pod_index, "address")
                owners.append(NamedAddress(f"pod {item['id']}", path, address))
    service = model.section("metallb").get("example_service") or {}
    cluster_ip = parse_ip(service.get("cluster_ip"))
    if cluster_ip is not None:
        owners.append(
            NamedAddress(
                f"Service {service['name']} ClusterIP",
                ("metallb", "example_service", "cluster_ip"),
                cluster_ip,
            )
        )
    first_owner: dict[Any, NamedAddress] = {}
    for owner in owners:
        earlier = first_owner.setdefault(owner.address, owner)
        if earlier is not owner:
            yield Finding(
                owner.path,
                f"{owner.label} has address {owner.address}, which {earlier.label} already has",
                related=(earlier.path,),
            )


@rule(
    "NA117",
    "error",
    "Node pod range outside the pod CIDR, or shared by two nodes",
    rationale="Each node hands its pods addresses from its own pod range (Node.spec.podCIDRs),"
    " which the controller manager cuts out of the cluster's pod CIDR: a range outside it is"
    " routed and masqueraded as outside traffic, and two nodes with overlapping ranges give two"
    " pods the same address.",
    source="Kubernetes kube-controller-manager --cluster-cidr and node IPAM (Node.spec.podCIDRs)",
    reference=DOC + " rule 1",
    hint="give each node its own part of the pod CIDR",
    section=SECTION,
)
def node_pod_ranges(model: Model) -> Iterator[Finding]:
    facts = facts_of(model)
    # Node.spec.podCIDRs are cut from the controller manager's cluster CIDR: the model's pod
    # CIDR, not the pools a CNI may hand out beside it.
    pods = [r for r in facts.of_role("pod") if r.origin.provider == "core"]
    own = facts.of_role("node-pod-range")
    for node_range in own:
        network = node_range.networks[0]
        same_family = [p for p in pods if p.family == node_range.family]
        if same_family and not any(
            network.subnet_of(p.networks[0])  # type: ignore[arg-type]
            for p in same_family
        ):
            yield Finding(
                node_range.origin.at(),
                f"node {node_range.owner}'s pod range {network} is not inside the pod CIDR"
                f" {' or '.join(str(p.networks[0]) for p in same_family)}",
                related=tuple(p.origin.at() for p in same_family),
            )
    for first, second in itertools.combinations(own, 2):
        if first.owner != second.owner and same_family_overlap(
            first.networks[0], second.networks[0]
        ):
            yield Finding(
                second.origin.at(),
                f"node {second.owner}'s pod range {second.networks[0]} overlaps node"
                f" {first.owner}'s {first.networks[0]}",
                related=(first.origin.at(),),
            )


@rule(
    "NA118",
    "warning",
    "Pod address outside its node's pod range",
    rationale="A pod takes its address from the pod range of the node it runs on; an example pod"
    " on a node whose range does not hold its address shows a route that does not exist (the"
    " other nodes send that address to another node).",
    source="Kubernetes node IPAM (Node.spec.podCIDRs); host-local IPAM",
    reference=DOC,
    hint="give the pod an address of its node's pod range, or put it on the node that owns it",
    section=SECTION,
)
def pod_outside_node_range(model: Model) -> Iterator[Finding]:
    facts = facts_of(model)
    ranges: dict[str, list[Any]] = {}
    for node_range in facts.of_role("node-pod-range"):
        ranges.setdefault(node_range.owner, []).append(node_range)
    for workload in facts.workloads:
        if workload.address is None or workload.node not in ranges:
            continue
        own = [r for r in ranges[workload.node] if r.family == workload.address.version]
        if own and not any(in_network(workload.address, r.networks[0]) for r in own):
            yield Finding(
                workload.origin.at("address"),
                f"pod {workload.id} on node {workload.node} has address {workload.address},"
                f" outside the node's pod range {' or '.join(str(r.networks[0]) for r in own)}",
                related=tuple(r.origin.at() for r in own),
            )
