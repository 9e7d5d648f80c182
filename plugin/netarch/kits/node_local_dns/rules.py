"""The NodeLocal DNSCache kit's rules: its local address, and kubelet's DNS address under IPVS."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.facts import facts_of
from netarch.facts.addresses import in_network, parse_ip
from netarch.model.network import Model

rule = kit_rule("node_local_dns")
SECTION = "NodeLocal DNSCache"
SOURCE = "Kubernetes docs, Using NodeLocal DNSCache in Kubernetes Clusters (configuration)"
# The ranges the Kubernetes docs recommend for the local listen address.
LOCAL_SCOPE = {4: ipaddress.ip_network("169.254.0.0/16"), 6: ipaddress.ip_network("fd00::/8")}


def _address(model: Model) -> object:
    return parse_ip(model.section("node_local_dns").get("address"))


@rule(
    "NA350",
    "error",
    "NodeLocal DNSCache address collides with a cluster address",
    rationale="Every node puts the cache's listen address on a local interface and answers DNS"
    " on it: an address that is also a pod, Service, node or load-balancer address is taken from"
    " its owner on every node. The docs ask for an address guaranteed not to collide with any"
    " existing address of the cluster.",
    source=SOURCE,
    hint="use an address of local scope: 169.254.20.10 (IPv4 link-local) or one of fd00::/8 (IPv6)",
    section=SECTION,
)
def address_collides(model: Model) -> Iterator[Finding]:
    address = _address(model)
    if address is None:
        return
    facts = facts_of(model)
    ranges = [
        r for r in facts.ranges if r.role in ("pod", "service", "join", "node-network", "subnet")
    ]
    pools = [(p, e) for p in facts.pools for e in p.entries]
    for found in ranges:
        if any(in_network(address, n) for n in found.networks):  # type: ignore[arg-type]
            yield Finding(
                ("node_local_dns", "address"),
                f"the NodeLocal DNSCache address {address} lies in the {found.label}",
                related=(found.origin.at(),),
            )
    for pool, entry in pools:
        if entry.contains_ip(address):  # type: ignore[arg-type]
            yield Finding(
                ("node_local_dns", "address"),
                f"the NodeLocal DNSCache address {address} lies in {pool.label} {pool.id}",
                related=(entry.path,),
            )


@rule(
    "NA351",
    "warning",
    "NodeLocal DNSCache address not of local scope",
    rationale="The docs recommend a local-scope address for the cache: one of IPv4 link-local"
    " space (169.254.0.0/16) or of IPv6 unique local space (fd00::/8). An IPv6 link-local address"
    " (fe80::/10) is only valid with an interface zone, which a pod's resolv.conf cannot give;"
    " a routable address may be someone else's outside the cluster.",
    source=SOURCE,
    hint="use 169.254.20.10 for IPv4, or an address of fd00::/8 for IPv6",
    section=SECTION,
)
def address_scope(model: Model) -> Iterator[Finding]:
    address = _address(model)
    if address is None:
        return
    local = LOCAL_SCOPE[address.version]  # type: ignore[attr-defined]
    if not in_network(address, local):  # type: ignore[arg-type]
        extra = " (IPv6 link-local needs an interface zone)" if address.is_link_local else ""  # type: ignore[attr-defined]
        yield Finding(
            ("node_local_dns", "address"),
            f"the NodeLocal DNSCache address {address} is not in {local}{extra}",
        )


@rule(
    "NA352",
    "warning",
    "NodeLocal DNSCache under kube-proxy IPVS with kubelet still on the DNS Service",
    rationale="In IPVS mode the cache cannot listen on the cluster DNS Service address (the IPVS"
    " interface holds it), so it listens on its local address only; kubelet's --cluster-dns must"
    " then be changed to that address, or pods keep asking the Service and the cache is never"
    " used.",
    source=SOURCE,
    hint="set kubelet's clusterDNS to the NodeLocal DNSCache address (kubelet_cluster_dns)",
    section=SECTION,
)
def ipvs_cluster_dns(model: Model) -> Iterator[Finding]:
    address = _address(model)
    if address is None:
        return
    if not any(p.mode == "ipvs" for p in facts_of(model).proxies if p.kind == "kube-proxy"):
        return
    given = parse_ip(model.section("node_local_dns").get("kubelet_cluster_dns"))
    if given != address:
        where = (
            ("node_local_dns", "kubelet_cluster_dns")
            if given is not None
            else ("node_local_dns", "address")
        )
        yield Finding(
            where,
            f"kube-proxy runs in IPVS mode, but kubelet hands pods"
            f" {given or 'the cluster DNS Service IP'}, not the cache's {address}",
        )
