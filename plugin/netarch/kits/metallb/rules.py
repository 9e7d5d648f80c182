"""The MetalLB kit's rules (section B of network-domain-checks.md): pools, advertisements, BGP
peers, and the flows that show them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from netarch.checks.addresses import (
    AddressSet,
    IPAddress,
    NamedAddress,
    Pool,
    family,
    in_network,
    infrastructure_addresses,
    node_addresses,
    node_networks,
    parse_ip,
    pools,
    range_ends,
)
from netarch.checks.framework import Finding, kit_rule
from netarch.checks.routing import BgpSession
from netarch.model.network import Model, ModelPath

rule = kit_rule("metallb")
SECTION = "MetalLB"
DOC = "network-domain-checks.md §B"
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


# --- who announces ---------------------------------------------------------------------------


def _metallb(model: Model) -> dict[str, Any]:
    return model.section("metallb")


def _speakers(model: Model) -> list[str]:
    """Nodes running a speaker: the model's list, or every node when it gives none."""
    listed = _metallb(model).get("speakers")
    return list(listed) if listed else [n["id"] for n in model.items("nodes")]


def _speakers_path(model: Model) -> ModelPath:
    return ("metallb", "speakers") if _metallb(model).get("speakers") else ("nodes",)


def _excluded(model: Model, node_id: str) -> bool:
    if not model.ids.has("node", node_id):
        return False
    return EXCLUDE_LABEL in (model.element("node", node_id).get("labels") or {})


def _eligible(model: Model, advertisement: dict[str, Any] | None = None) -> list[str]:
    """Nodes that actually announce: allowed by the advertisement, running a speaker, not excluded."""
    speakers = _speakers(model)
    wanted = (advertisement or {}).get("nodes") or speakers
    return [n for n in wanted if n in speakers and not _excluded(model, n)]


def _advertisements(model: Model) -> Iterator[tuple[str, ModelPath, dict[str, Any]]]:
    for mode in ("l2", "bgp"):
        for index, adv in enumerate(_metallb(model).get(mode, {}).get("advertisements", [])):
            yield mode, ("metallb", mode, "advertisements", index), adv


def _selected(model: Model, advertisement: dict[str, Any]) -> list[Pool]:
    """Pools an advertisement announces: its list, or every pool when it names none."""
    names = advertisement.get("pools")
    return [p for p in pools(model) if not names or p.id in names]


def _flow_steps(model: Model, mode: str) -> Iterator[tuple[int, dict[str, Any], ModelPath]]:
    for index, flow in enumerate(model.items("flows")):
        if flow.get("mode") == mode:
            yield index, flow, ("flows", index)


def _is_outside(model: Model, element_id: str) -> bool:
    """An external component (client, router): traffic from it arrives at a node from outside."""
    kind, element = model.participant(element_id)
    return kind == "component" and element.get("kind") == "external"


def _is_node(model: Model, element_id: str) -> bool:
    return model.participant(element_id)[0] == "node"


# --- pools ----------------------------------------------------------------------------------------


@rule(
    "NA120",
    "error",
    "MetalLB pool empty or with a malformed range",
    rationale="MetalLB refuses an IPAddressPool without addresses, and a start-end range whose"
    " start is after its end or whose ends are of different address families.",
    source="MetalLB addressPoolFromCR / ParseCIDR",
    reference=DOC + " rule 13",
    hint="list CIDRs or start-end ranges of one family with start <= end",
    section=SECTION,
)
def pool_entries(model: Model) -> Iterator[Finding]:
    for index, pool in enumerate(_metallb(model).get("pools", [])):
        base: ModelPath = ("metallb", "pools", index)
        if not pool.get("addresses"):
            yield Finding((*base, "addresses"), f"MetalLB pool {pool['id']} has no addresses")
        for position, text in enumerate(pool.get("addresses", [])):
            ends = range_ends(str(text)) if "/" not in str(text) else None
            if ends is None:
                continue
            start, end = ends
            path = (*base, "addresses", position)
            if start.version != end.version:
                yield Finding(
                    path,
                    f"MetalLB pool {pool['id']} range {text} mixes {family(start.version)} and {family(end.version)}",
                )
            elif start > end:
                yield Finding(
                    path,
                    f"MetalLB pool {pool['id']} range {text} starts after it ends",
                    hint=f"write {end}-{start}",
                )


@rule(
    "NA121",
    "error",
    "MetalLB pools overlap",
    rationale="MetalLB rejects a configuration in which two pool entries share addresses"
    ' ("CIDR ... overlaps with already defined CIDR"); ranges are compared as the CIDRs they'
    " summarise to.",
    source="MetalLB config validation",
    reference=DOC + " rule 14",
    hint="give every pool its own addresses",
    section=SECTION,
)
def pool_overlaps(model: Model) -> Iterator[Finding]:
    entries = [(pool, entry) for pool in pools(model) for entry in pool.entries]
    for (first_pool, first), (second_pool, second) in itertools.combinations(entries, 2):
        if first.overlaps(second):
            where = (
                f"pool {first_pool.id} entry {first.text}"
                if first_pool.id != second_pool.id
                else f"its own entry {first.text}"
            )
            yield Finding(
                second.path,
                f"MetalLB pool {second_pool.id} entry {second.text} overlaps {where}",
                related=(first.path,),
            )


@rule(
    "NA122",
    "error",
    "MetalLB pool contains a node address",
    rationale='MetalLB refuses to hand out a node\'s own IP ("pool cidr ... contains nodeIp"):'
    " announcing it would steal the node's address.",
    source="MetalLB poolsFor",
    reference=DOC + " rule 15",
    hint="take the pool from addresses no node uses",
    section=SECTION,
)
def pool_contains_node(model: Model) -> Iterator[Finding]:
    for pool, entry, node in _entries_holding(model, node_addresses(model)):
        yield Finding(
            entry.path,
            f"MetalLB pool {pool.id} entry {entry.text} contains the address {node.address} of {node.label}",
            related=(node.path,),
        )


def _entries_holding(
    model: Model, addresses: list[NamedAddress]
) -> Iterator[tuple[Pool, AddressSet, NamedAddress]]:
    """Each pool entry with each of ``addresses`` it contains."""
    for pool in pools(model):
        for entry in pool.entries:
            for owner in addresses:
                if entry.contains_ip(owner.address):
                    yield pool, entry, owner


@rule(
    "NA123",
    "warning",
    "MetalLB pool contains the VIP or a router or component address",
    rationale="MetalLB only checks node IPs and other pools; a pool that holds the control-plane"
    " VIP, a router or another device's address hands that address to a Service and breaks both.",
    source="Address-plan hygiene (MetalLB itself checks only node IPs and other pools)",
    reference=DOC + " rule 16",
    hint="shrink the pool so it leaves out infrastructure addresses",
    section=SECTION,
)
def pool_contains_infrastructure(model: Model) -> Iterator[Finding]:
    # Pod, service and join overlaps are NA102 (error); the pod gateway lies inside the pod CIDR.
    owners = [a for a in infrastructure_addresses(model) if a.path != ("cluster", "pod_gateway")]
    for pool, entry, owner in _entries_holding(model, owners):
        yield Finding(
            entry.path,
            f"MetalLB pool {pool.id} entry {entry.text} contains {owner.label}",
            related=(owner.path,),
        )


@rule(
    "NA124",
    "warning",
    "L2 pool not on the announcing nodes' network",
    rationale="In L2 mode a node answers ARP/NDP for the Service IP; that only reaches clients on"
    " the same L2 segment, so the pool must lie in a subnet attached to every announcing node"
    " (ARP does not cross routers).",
    source="MetalLB layer 2 concepts (the announcing node answers ARP on its own network)",
    reference=DOC + " rule 17",
    hint="take L2 pool addresses from the node network of the announcing nodes, or use BGP",
    section=SECTION,
)
def l2_pool_segment(model: Model) -> Iterator[Finding]:
    networks = node_networks(model)
    if not networks:
        return
    for mode, adv_path, adv in _advertisements(model):
        if mode != "l2":
            continue
        announcing = {n: _node_address(model, n) for n in _eligible(model, adv)}
        for pool in _selected(model, adv):
            for entry in pool.entries:
                holding = [n for n in networks if entry.within(n.network)]
                if not holding:
                    yield Finding(
                        entry.path,
                        f"L2 pool {pool.id} entry {entry.text} (announced by {adv['id']}) lies in no node network",
                        related=(adv_path, *(n.path for n in networks)),
                    )
                    continue
                if any(
                    all(a is None or in_network(a, n.network) for a in announcing.values())
                    for n in holding
                ):
                    continue
                home = holding[0]
                outside = [
                    node
                    for node, address in announcing.items()
                    if address is not None and not in_network(address, home.network)
                ]
                yield Finding(
                    entry.path,
                    f"L2 pool {pool.id} entry {entry.text} lies in {home.network}, but {adv['id']} has it announced by {', '.join(outside)}, not on that network",
                    related=(adv_path, home.path),
                )


def _node_address(model: Model, node_id: str) -> IPAddress | None:
    if not model.ids.has("node", node_id):
        return None
    return parse_ip(model.element("node", node_id).get("address"))


@rule(
    "NA125",
    "warning",
    "MetalLB pool that no advertisement announces",
    rationale="MetalLB allocates IPs from a pool that no L2Advertisement or BGPAdvertisement"
    " selects, but never announces them: the Service gets an external IP nobody can reach. An"
    " advertisement without a pool list selects every pool.",
    source="MetalLB setL2/BGPAdvertisementsToPools",
    reference=DOC + " rule 18",
    hint="list the pool in an L2 or BGP advertisement (or leave the advertisement's pools empty)",
    section=SECTION,
)
def unannounced_pools(model: Model) -> Iterator[Finding]:
    announced: set[str] = set()
    for _, _, adv in _advertisements(model):
        announced |= {p.id for p in _selected(model, adv)}
    for pool in pools(model):
        if pool.id not in announced:
            yield Finding(
                pool.path,
                f"MetalLB pool {pool.id} is selected by no L2Advertisement or BGPAdvertisement",
            )


# --- flows --------------------------------------------------------------------------------------


@rule(
    "NA126",
    "error",
    "L2 mode shown spreading traffic over several nodes",
    rationale="In L2 mode one elected node (the leader) answers ARP for a Service IP and receives"
    " all its traffic; there is no ECMP and no spreading over nodes, which is a BGP-only feature."
    " A flow or leader that shows otherwise documents something MetalLB cannot do.",
    source="MetalLB layer 2 concepts; the PR #422 L2 alert",
    reference=DOC + " rule 19",
    hint="show one node (the leader) receiving the traffic, or make it a BGP flow",
    section=SECTION,
)
def l2_single_node(model: Model) -> Iterator[Finding]:
    l2 = _metallb(model).get("l2") or {}
    leader = l2.get("leader")
    if leader and l2.get("advertisements"):
        eligible = set().union(*(_eligible(model, a) for a in l2["advertisements"]))
        if leader not in eligible:
            yield Finding(
                ("metallb", "l2", "leader"),
                f"L2 leader {leader} is not a node that announces (speakers of an L2Advertisement)",
                hint="make the leader one of the speaker nodes an L2Advertisement allows",
                related=(_speakers_path(model),),
            )
    for _, flow, base in _flow_steps(model, "l2"):
        first_receiver: tuple[str, ModelPath] | None = None
        for position, step in enumerate(flow.get("steps", [])):
            path = (*base, "steps", position)
            if "ECMP" in step.get("text", ""):
                yield Finding(path, f"L2 flow {flow['id']} mentions ECMP, which only BGP mode has")
            sender, receiver = step.get("from"), step.get("to")
            if not sender or not receiver or step.get("reply"):
                continue
            if not (_is_outside(model, sender) and _is_node(model, receiver)):
                continue
            if leader and receiver != leader:
                yield Finding(
                    path,
                    f"L2 flow {flow['id']} sends traffic from {sender} to {receiver}, but the L2 leader is {leader}",
                    related=(("metallb", "l2", "leader"),),
                )
            if first_receiver is None:
                first_receiver = (receiver, path)
            elif receiver != first_receiver[0]:
                yield Finding(
                    path,
                    f"L2 flow {flow['id']} sends traffic from {sender} to {receiver} as well as to {first_receiver[0]}: in L2 mode one node receives all traffic for a Service IP",
                    related=(first_receiver[1],),
                )


@rule(
    "NA127",
    "error",
    "BGP flow shows a node that does not announce",
    rationale="With BGP the router only forwards to next hops that announced the route: nodes"
    " running a speaker that an advertisement allows (and, with externalTrafficPolicy: Local,"
    " only those with endpoints). ECMP over several nodes needs several announcing nodes.",
    source="MetalLB BGP concepts",
    reference=DOC + " rule 19",
    hint="show only speaker nodes exchanging traffic with the router",
    section=SECTION,
)
def bgp_announcing_nodes(model: Model) -> Iterator[Finding]:
    if not model.items("nodes"):
        return
    eligible = set(_eligible(model))
    for _, flow, base in _flow_steps(model, "bgp"):
        for position, step in enumerate(flow.get("steps", [])):
            ends = [step.get("from"), step.get("to")]
            if None in ends:
                continue
            for node, other in (ends, ends[::-1]):
                if _is_node(model, node) and _is_outside(model, other) and node not in eligible:
                    yield Finding(
                        (*base, "steps", position),
                        f"BGP flow {flow['id']} shows {node} exchanging traffic with {other}, but {node} does not announce (no speaker, or excluded from load balancers)",
                        related=(_speakers_path(model),),
                    )


# --- BGP peers ------------------------------------------------------------------------------------


def _peers(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for index, peer in enumerate(_metallb(model).get("bgp", {}).get("peers", [])):
        yield ("metallb", "bgp", "peers", index), peer


def _is_ibgp(peer: dict[str, Any]) -> bool:
    return peer.get("dynamic_asn") == "internal" or (
        "peer_asn" in peer and peer["peer_asn"] == peer.get("my_asn")
    )


@rule(
    "NA128",
    "error",
    "BGPPeer ASN settings inconsistent",
    rationale="MetalLB needs exactly one of peerASN or dynamicASN on a BGPPeer, and refuses"
    " ebgpMultiHop on an iBGP session (peer ASN equal to my ASN).",
    source="MetalLB peerFromCR",
    reference=DOC + " rule 20",
    hint="set either peer_asn or dynamic_asn; drop ebgp_multihop for iBGP peers",
    section=SECTION,
)
def peer_asn_fields(model: Model) -> Iterator[Finding]:
    for path, peer in _peers(model):
        has_static, has_dynamic = "peer_asn" in peer, "dynamic_asn" in peer
        if has_static == has_dynamic:
            which = (
                "both peer_asn and dynamic_asn"
                if has_static
                else "neither peer_asn nor dynamic_asn"
            )
            yield Finding(path, f"BGP peer {peer['id']} has {which}")
        if peer.get("ebgp_multihop") and _is_ibgp(peer):
            yield Finding(
                (*path, "ebgp_multihop"),
                f"BGP peer {peer['id']} is iBGP (same ASN on both ends) but sets ebgp_multihop",
            )


def bgp_sessions(model: Model) -> Iterator[BgpSession]:
    """MetalLB's BGPPeers as sessions for the core's BGP rules (ASNs, reachability, timers)."""
    for path, peer in _peers(model):
        yield BgpSession(
            peer_id=peer["id"],
            path=path,
            address=peer.get("address"),
            asns=tuple(
                (f"BGP peer {peer['id']} {key}", (*path, key), peer[key])
                for key in ("my_asn", "peer_asn")
                if isinstance(peer.get(key), int)
            ),
            ibgp=_is_ibgp(peer),
            multihop_key="ebgp_multihop" if peer.get("ebgp_multihop") else None,
            hold_time=peer.get("hold_time"),
            keepalive_time=peer.get("keepalive_time"),
        )


def _bgp_advertisements(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for mode, path, adv in _advertisements(model):
        if mode == "bgp":
            yield path, adv


@rule(
    "NA133",
    "error",
    "BGP aggregation length invalid for the pool",
    rationale="aggregationLength is at most 32 for IPv4 (128 for IPv6) and cannot be shorter than"
    " the least specific prefix of the pool it aggregates; MetalLB refuses the advertisement.",
    source="MetalLB bgpAdvertisementFromCR",
    reference=DOC + " rule 24",
    hint="use an aggregation length between the pool's prefix length and 32 (IPv4) / 128 (IPv6)",
    section=SECTION,
)
def aggregation_length(model: Model) -> Iterator[Finding]:
    for path, adv in _bgp_advertisements(model):
        length = adv.get("aggregation_length")
        if not isinstance(length, int):
            continue
        where = (*path, "aggregation_length")
        for pool in _selected(model, adv):
            for version in sorted({e.version for e in pool.entries}):
                entries = [e for e in pool.entries if e.version == version]
                limit = 32 if version == 4 else 128
                # MetalLB takes each entry's least specific CIDR (a range summarises to
                # several); the aggregation length may not be shorter than any of them.
                lowest, entry = max((min(n.prefixlen for n in e.networks), e) for e in entries)
                if length > limit:
                    yield Finding(
                        where,
                        f"BGP advertisement {adv['id']} aggregation_length {length} exceeds {limit} for the {family(version)} pool {pool.id}",
                        related=(pool.path,),
                    )
                elif length < lowest:
                    yield Finding(
                        where,
                        f"BGP advertisement {adv['id']} aggregation_length {length} is shorter than the /{lowest} prefix of pool {pool.id} entry {entry.text}",
                        related=(pool.path,),
                    )


@rule(
    "NA134",
    "error",
    "BGP advertisements disagree on localPref",
    rationale="Two BGPAdvertisements that announce the same pool with the same aggregation length"
    " to the same peers and nodes must use the same localPref; MetalLB refuses the conflicting"
    " pair (an unset localPref is 0).",
    source="MetalLB validateBGPAdvPerPool",
    reference=DOC + " rule 24",
    hint="give the advertisements of one pool the same local_pref",
    section=SECTION,
)
def local_pref_conflicts(model: Model) -> Iterator[Finding]:
    advertisements = list(_bgp_advertisements(model))
    for (first_path, first), (second_path, second) in itertools.combinations(advertisements, 2):
        shared = {p.id for p in _selected(model, first)} & {p.id for p in _selected(model, second)}
        first_pref, second_pref = first.get("local_pref", 0), second.get("local_pref", 0)
        # Different aggregation lengths make different BGP updates, which may differ in localPref.
        same_updates = first.get("aggregation_length") == second.get("aggregation_length")
        if shared and same_updates and first_pref != second_pref:
            yield Finding(
                second_path,
                f"BGP advertisement {second['id']} (local_pref {second_pref}) and {first['id']} (local_pref {first_pref}) both announce pool {', '.join(sorted(shared))}",
                related=(first_path,),
            )


@rule(
    "NA135",
    "warning",
    "Advertisement with no node that can announce",
    rationale="Speakers skip nodes labelled node.kubernetes.io/exclude-from-external-load-balancers"
    " (some distributions put it on control-plane nodes unless it is removed) and"
    " nodes without a speaker: an advertisement left with no eligible node announces nothing.",
    source="MetalLB speaker node filter (exclude-from-external-load-balancers)",
    reference=DOC + " rule 26",
    hint="remove the exclude label, run a speaker on the nodes, or widen the advertisement's nodes",
    section=SECTION,
)
def eligible_nodes(model: Model) -> Iterator[Finding]:
    if not model.items("nodes"):
        return
    for mode, path, adv in _advertisements(model):
        if not _eligible(model, adv):
            kind = "L2Advertisement" if mode == "l2" else "BGPAdvertisement"
            yield Finding(
                path,
                f"{kind} {adv['id']} has no eligible node: every allowed node lacks a speaker or is labelled {EXCLUDE_LABEL}",
                related=(_speakers_path(model),),
            )


@rule(
    "NA138",
    "error",
    "L2 mode under kube-proxy IPVS without strictARP",
    rationale="In IPVS mode kube-proxy puts every Service address on the kube-ipvs0 interface of"
    " every node, and the nodes answer ARP for it. In L2 mode only the elected speaker may"
    " answer; without kube-proxy's strictARP all nodes do, and clients reach random nodes.",
    source="MetalLB installation docs (kube-proxy in IPVS mode needs strictARP: true)",
    reference=DOC,
    hint="set ipvs.strictARP: true in kube-proxy's configuration (kube_proxy_strict_arp: true)",
    section=SECTION,
)
def ipvs_without_strict_arp(model: Model) -> Iterator[Finding]:
    cluster = model.section("cluster")
    if cluster.get("kube_proxy_mode") != "ipvs" or not _metallb(model).get("l2"):
        return
    if cluster.get("kube_proxy_strict_arp") is not True:
        yield Finding(
            ("cluster", "kube_proxy_mode"),
            "kube-proxy runs in IPVS mode without strictARP, so every node answers ARP for the"
            " addresses MetalLB announces in L2 mode",
            related=(("metallb", "l2"),),
        )
