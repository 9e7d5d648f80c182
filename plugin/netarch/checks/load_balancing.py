"""Load-balancer pools, whoever provides them (a kit's pools, or the core's ``load_balancing``
section): overlaps, addresses they must not hand out, and whether addresses announced on the
link lie on the announcing nodes' network. Rule texts name no product: the rules page of a
model shows them whichever load balancer it uses."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from netarch.checks.framework import Finding, rule
from netarch.facts import LoadBalancedService, LoadBalancerPool, facts_of
from netarch.facts.addresses import AddressSet, in_network
from netarch.facts.types import AddressRange, HostAddress, ModelPath
from netarch.model.network import Model

SECTION = "Load balancing"
DOC = "network-domain-checks.md §B"


def node_attached(model: Model) -> list[AddressRange]:
    """The networks the nodes sit on: node networks and the zones' node subnets, each network
    once (the same /24 written in both places is one network)."""
    found: dict[object, AddressRange] = {}
    facts = facts_of(model)
    candidates = [
        *facts.of_role("node-network"),
        *(r for r in facts.of_role("subnet") if r.purpose == "nodes"),
    ]
    for candidate in candidates:
        found.setdefault(candidate.networks, candidate)
    return list(found.values())


def _where(pool: LoadBalancerPool, other: LoadBalancerPool, entry: AddressSet) -> str:
    if pool.id == other.id and pool.origin.provider == other.origin.provider:
        return f"its own entry {entry.text}"
    return f"{other.label} {other.id} entry {entry.text}"


@rule(
    "NA121",
    "error",
    "Load-balancer pools overlap",
    rationale="Two pools that share addresses hand the same address to two Services: a"
    " controller that validates its pools refuses the overlap, and two controllers that each"
    " own a range hand the shared addresses out twice without knowing of each other. Ranges are"
    " compared as the CIDRs they summarise to.",
    source="Load-balancer controllers' pool validation; one owner per address (RFC 826, RFC 4861)",
    reference=DOC + " rule 14",
    hint="give every pool its own addresses",
    section=SECTION,
)
def pool_overlaps(model: Model) -> Iterator[Finding]:
    entries = [(pool, entry) for pool in facts_of(model).pools for entry in pool.entries]
    for (first_pool, first), (second_pool, second) in itertools.combinations(entries, 2):
        if first.overlaps(second):
            yield Finding(
                second.path,
                f"{second_pool.label} {second_pool.id} entry {second.text} overlaps"
                f" {_where(second_pool, first_pool, first)}",
                related=(first.path,),
            )


def entries_holding(
    model: Model, addresses: list[HostAddress]
) -> Iterator[tuple[LoadBalancerPool, AddressSet, HostAddress]]:
    """Each pool entry with each of ``addresses`` it contains."""
    for pool in facts_of(model).pools:
        for entry in pool.entries:
            for owner in addresses:
                if entry.contains_ip(owner.address):
                    yield pool, entry, owner


@rule(
    "NA122",
    "error",
    "Load-balancer pool contains a node address",
    rationale="A load balancer that announces a node's own address for a Service steals it from"
    " the node: its traffic goes to whichever node answers, and controllers that check their"
    " pools refuse such a pool.",
    source="ARP and NDP (RFC 826, RFC 4861): one owner per address",
    reference=DOC + " rule 15",
    hint="take the pool from addresses no node uses",
    section=SECTION,
)
def pool_contains_node(model: Model) -> Iterator[Finding]:
    nodes = facts_of(model).addresses_of("node", "node-interface")
    for pool, entry, node in entries_holding(model, nodes):
        yield Finding(
            entry.path,
            f"{pool.label} {pool.id} entry {entry.text} contains the address {node.address} of {node.label}",
            related=(node.origin.at(),),
        )


def _owner_label(owner: HostAddress) -> str:
    if owner.role == "vip":
        return f"{owner.label} {owner.address}"
    if owner.role == "component":
        return f"{owner.label} ({owner.address})"
    return owner.label


@rule(
    "NA123",
    "warning",
    "Load-balancer pool contains the VIP or a router or component address",
    rationale="A pool that holds the control-plane VIP, a router or another device's address"
    " hands that address to a Service and breaks both. Load-balancer controllers check at most"
    " node addresses and their other pools.",
    source="Address-plan hygiene; one owner per address (RFC 826, RFC 4861)",
    reference=DOC + " rule 16",
    hint="shrink the pool so it leaves out infrastructure addresses",
    section=SECTION,
)
def pool_contains_infrastructure(model: Model) -> Iterator[Finding]:
    # Pod, service and join overlaps are NA102 (error); the pod gateway lies inside the pod CIDR.
    owners = facts_of(model).addresses_of("vip", "component", "bgp-peer", "dns")
    for pool, entry, owner in entries_holding(model, owners):
        if (
            owner.origin.path
            and owner.origin.path[: len(pool.origin.path or ())] == pool.origin.path
        ):
            continue  # an address the pool's own product takes from it
        yield Finding(
            entry.path,
            f"{pool.label} {pool.id} entry {entry.text} contains {_owner_label(owner)}",
            related=(owner.origin.at(),),
        )


def _node_address(model: Model, node_id: str) -> object:
    for address in facts_of(model).addresses_of("node"):
        if address.owner == node_id:
            return address.address
    return None


@rule(
    "NA124",
    "warning",
    "L2 pool not on the announcing nodes' network",
    rationale="Announced on the link, a node answers ARP (IPv4) or NDP (IPv6) for the Service"
    " address; that only reaches clients on the same L2 segment, so the pool must lie in a subnet"
    " attached to every announcing node (ARP and NDP do not cross routers).",
    source="ARP (RFC 826) and NDP (RFC 4861) reach only the local link",
    reference=DOC + " rule 17",
    hint="take L2 pool addresses from the node network of the announcing nodes, or use BGP",
    section=SECTION,
)
def l2_pool_segment(model: Model) -> Iterator[Finding]:
    networks = node_attached(model)
    if not networks:
        return
    for pool in facts_of(model).pools:
        if "l2" not in pool.announcements:
            continue
        announcers = pool.announced_by or (
            (pool.announcer or pool.label, pool.origin.at(), pool.nodes),
        )
        for name, where, node_ids in announcers:
            chosen = node_ids or tuple(n["id"] for n in model.items("nodes"))
            announcing = {n: _node_address(model, n) for n in chosen}
            for entry in pool.entries:
                yield from _l2_entry(pool, entry, name, where, announcing, networks)


def _l2_entry(
    pool: LoadBalancerPool,
    entry: AddressSet,
    name: str,
    where: ModelPath,
    announcing: dict[str, object],
    networks: list[AddressRange],
) -> Iterator[Finding]:
    holding = [n for n in networks if any(entry.within(net) for net in n.networks)]
    if not holding:
        yield Finding(
            entry.path,
            f"L2 pool {pool.id} entry {entry.text} (announced by {name}) lies in no node network",
            related=(where, *(n.origin.at() for n in networks)),
        )
        return
    if any(
        all(a is None or in_network(a, n.networks[0]) for a in announcing.values())  # type: ignore[arg-type]
        for n in holding
    ):
        return
    home = holding[0]
    outside = [
        node
        for node, address in announcing.items()
        if address is not None and not in_network(address, home.networks[0])  # type: ignore[arg-type]
    ]
    yield Finding(
        entry.path,
        f"L2 pool {pool.id} entry {entry.text} lies in {home.networks[0]}, but {name} has it"
        f" announced by {', '.join(outside)}, not on that network",
        related=(where, home.origin.at()),
    )


@rule(
    "NA138",
    "error",
    "L2 announcement under kube-proxy IPVS without strictARP",
    rationale="In IPVS mode kube-proxy puts every Service address on the kube-ipvs0 interface of"
    " every node, and the nodes answer ARP for it. When a load balancer announces addresses on"
    " the link only the elected node may answer; without kube-proxy's strictARP all nodes do,"
    " and clients reach random nodes.",
    source="Kubernetes kube-proxy configuration (ipvs.strictARP); load balancers' installation"
    " docs for IPVS clusters",
    reference=DOC,
    hint="set ipvs.strictARP: true in kube-proxy's configuration",
    section=SECTION,
)
def ipvs_without_strict_arp(model: Model) -> Iterator[Finding]:
    facts = facts_of(model)
    l2 = [pool for pool in facts.pools if "l2" in pool.announcements]
    if not l2:
        return
    for proxy in facts.proxies:
        if proxy.kind == "kube-proxy" and proxy.mode == "ipvs" and proxy.strict_arp is not True:
            pool = l2[0]
            yield Finding(
                proxy.origin.at(),
                "kube-proxy runs in IPVS mode without strictARP, so every node answers ARP for the"
                f" addresses {pool.announcer or 'the load balancer'} announces on the link",
                related=(pool.announced_by[0][1] if pool.announced_by else pool.origin.at(),),
            )


def _pool_of(model: Model, service: LoadBalancedService) -> LoadBalancerPool | None:
    """The pool a Service's address comes from: the one it names, else the one holding it."""
    pools = facts_of(model).pools
    named = [p for p in pools if service.pool and p.id == service.pool]
    if named:
        return named[0]
    for address, _ in service.addresses:
        for pool in pools:
            if any(entry.contains_ip(address) for entry in pool.entries):
                return pool
    return None


@rule(
    "NA119",
    "error",
    "externalTrafficPolicy Local with no backend on an announcing node",
    rationale="With externalTrafficPolicy: Local a node forwards a Service's external traffic"
    " only to the Service's pods on that node, and a load balancer announces the address only"
    " from nodes that run one (BGP), or elects such a node (L2). When none of the nodes that may"
    " announce the pool runs a backend, the address is announced by nobody, or traffic reaches a"
    " node that drops it.",
    source="Kubernetes Service externalTrafficPolicy (Local: node-local endpoints only)",
    reference=DOC + " rule 19",
    hint="run the announcer on the backends' nodes, or use externalTrafficPolicy: Cluster",
    section=SECTION,
)
def local_policy_without_backend(model: Model) -> Iterator[Finding]:
    facts = facts_of(model)
    where = {w.id: w for w in facts.workloads}
    for service in facts.services:
        if service.external_traffic_policy != "Local" or not service.backends:
            continue
        pool = _pool_of(model, service)
        if pool is None or not pool.nodes:
            continue  # every node may announce: some node runs each backend
        nodes = {where[b].node for b in service.backends if b in where and where[b].node}
        if nodes and not nodes & set(pool.nodes):
            yield Finding(
                service.origin.at("external_traffic_policy"),
                f"{service.name} uses externalTrafficPolicy: Local, but its backends run on"
                f" {', '.join(sorted(nodes))}, and {pool.label} {pool.id} is announced only from"
                f" {', '.join(pool.nodes)}",
                related=(pool.origin.at(),),
            )
