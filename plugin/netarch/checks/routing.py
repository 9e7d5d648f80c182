"""BGP between the cluster and the network (section B of network-domain-checks.md, the rules
that hold for every BGP speaker): ASNs, reachability of peers, timers, and whether what must
be announced is announced.

The sessions are network facts (netarch.facts): the core's ``routing`` section and every
active kit that knows another way to write them (MetalLB's BGPPeers, a CNI's BGP) provide them,
so one rule checks them all, in the words of the model that wrote them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, rule
from netarch.checks.load_balancing import node_attached
from netarch.checks.mtu import overlay_port
from netarch.facts import BgpSession, facts_of
from netarch.facts.addresses import in_network, parse_ip
from netarch.model.network import Model, ModelPath

SECTION = "Routing"
DOC = "network-domain-checks.md §B"


def bgp_sessions(model: Model) -> list[BgpSession]:
    """Every BGP session of the model, whoever provides it (the core's routing section, a CNI's
    BGP, a load balancer's BGP peers)."""
    return facts_of(model).sessions


def _asns(model: Model) -> Iterator[tuple[ModelPath, str, int]]:
    seen: set[ModelPath] = set()
    for session in bgp_sessions(model):
        for label, path, asn in session.asns:
            if path not in seen:  # the local ASN is shared by every core session
                seen.add(path)
                yield path, label, asn


# RFC 7607 (0), RFC 6793 (AS_TRANS), RFC 7300 (last ASNs).
_RESERVED_ASNS = {
    0: "reserved (RFC 7607)",
    23456: "AS_TRANS (RFC 6793)",
    65535: "reserved (RFC 7300)",
    4294967295: "reserved (RFC 7300)",
}
_PRIVATE_HINT = "use a private ASN: 64512-65534 or 4200000000-4294967294 (RFC 6996)"


@rule(
    "NA129",
    "error",
    "Reserved or out-of-range ASN",
    rationale="ASN 0 (RFC 7607), 23456 AS_TRANS (RFC 6793), 65535 and 4294967295 (RFC 7300) must"
    " not be used on a session, and an ASN is at most 4294967294; BGP speakers refuse them.",
    source="RFC 7607, RFC 6793, RFC 7300",
    reference=DOC + " rules 20-21",
    hint=_PRIVATE_HINT,
    section=SECTION,
)
def reserved_asns(model: Model) -> Iterator[Finding]:
    for path, label, asn in _asns(model):
        if asn in _RESERVED_ASNS:
            yield Finding(path, f"{label} {asn} is {_RESERVED_ASNS[asn]}")
        elif not 1 <= asn <= 4294967294:
            yield Finding(path, f"{label} {asn} is outside 1-4294967294")


@rule(
    "NA130",
    "warning",
    "Documentation ASN",
    rationale="ASNs 64496-64511 and 65536-65551 are reserved for documentation (RFC 5398); a"
    " real session with them is a copied example.",
    source="RFC 5398",
    reference=DOC + " rule 21",
    hint=_PRIVATE_HINT,
    section=SECTION,
)
def documentation_asns(model: Model) -> Iterator[Finding]:
    for path, label, asn in _asns(model):
        if 64496 <= asn <= 64511 or 65536 <= asn <= 65551:
            yield Finding(path, f"{label} {asn} is a documentation ASN (RFC 5398)")


def attached_networks(model: Model) -> list[tuple[ModelPath, Any]]:
    """Networks the nodes sit on: the node networks and the zones' node subnets, each network
    once however many times it is written."""
    return [(r.origin.at(), r.networks[0]) for r in node_attached(model)]


@rule(
    "NA131",
    "warning",
    "eBGP peer not on a node network and no multihop",
    rationale="A single-hop eBGP session is sent with TTL 1 and needs a directly connected peer;"
    " a peer address outside every node-attached subnet never comes up without multihop.",
    source="RFC 4271 practice (eBGP TTL 1)",
    reference=DOC + " rule 22",
    hint="peer with a router on a node network, or set the session's multihop",
    section=SECTION,
)
def peer_reachability(model: Model) -> Iterator[Finding]:
    networks = attached_networks(model)
    if not networks:
        return
    for session in bgp_sessions(model):
        address = parse_ip(session.address)
        if address is None or session.multihop_key or session.ibgp:
            continue
        if not any(in_network(address, network) for _, network in networks):
            yield Finding(
                (*session.path, "address"),
                f"BGP peer {session.peer_id} address {address} lies in no node network and the"
                " session is single-hop",
                related=tuple(path for path, _ in networks),
            )


@rule(
    "NA132",
    "error",
    "BGP hold or keepalive time invalid",
    rationale="The BGP hold time is 0 (no keepalives) or at least 3 seconds, and the keepalive"
    " interval cannot exceed it (usually a third of it); speakers refuse other values.",
    source="RFC 4271 §4.2, §10",
    reference=DOC + " rule 23",
    hint="use a hold time of 0 or >= 3 s and a keepalive of at most the hold time (usually hold/3)",
    section=SECTION,
)
def bgp_timers(model: Model) -> Iterator[Finding]:
    for session in bgp_sessions(model):
        hold, keepalive = session.hold_time, session.keepalive_time
        if isinstance(hold, int) and 0 < hold < 3:
            yield Finding(
                (*session.path, "hold_time"),
                f"BGP peer {session.peer_id} hold_time {hold} s is below 3 s",
            )
        effective_hold = hold if isinstance(hold, int) else 90
        if isinstance(keepalive, int) and keepalive > effective_hold:
            yield Finding(
                (*session.path, "keepalive_time"),
                f"BGP peer {session.peer_id} keepalive_time {keepalive} s exceeds the hold"
                f" time {effective_hold} s",
                related=((*session.path, "hold_time"),) if hold is not None else (),
            )


@rule(
    "NA136",
    "error",
    "Load-balancer addresses meant for BGP that nothing announces",
    rationale="Allocating an address does not make it reachable: with BGP announcement, the"
    " speakers must advertise load-balancer addresses to their peers; a speaker with no"
    " matching advertisement announces nothing, and the Services stay unreachable.",
    source="RFC 4271 (a speaker announces only the routes it is told to)",
    reference=DOC,
    hint="add load-balancer-addresses to routing.advertises (and peers to routing.peers)",
    section=SECTION,
)
def unannounced_load_balancer_addresses(model: Model) -> Iterator[Finding]:
    load_balancing = model.section("load_balancing")
    if load_balancing.get("announcement") != "bgp":
        return
    routing = model.section("routing")
    if "load-balancer-addresses" in routing.get("advertises", []) and routing.get("peers"):
        return
    facts = facts_of(model)
    announcer = load_balancing.get("announced_by")
    if any(s.kind == "lb-announcer" and s.speaker == announcer for s in facts.sessions) and any(
        "bgp" in pool.announcements and pool.announcer == announcer for pool in facts.pools
    ):
        return  # the load balancer announces its pools to its own BGP peers
    yield Finding(
        ("load_balancing", "announcement"),
        "load-balancer addresses are announced by BGP, but the routing section"
        + (" advertises no load-balancer addresses" if routing else " is missing"),
        related=(("routing",),) if routing else (),
    )


@rule(
    "NA137",
    "warning",
    "Native routing across subnets without pod routes",
    rationale="With native routing, pod packets leave the node with pod addresses: every router"
    " between nodes must know every node's pod range. Nodes on one L2 segment can route"
    " directly; across subnets, zones or racks the pod ranges must be announced (BGP) or"
    " configured as static routes. Where pods take their addresses from subnets of the"
    " network itself (a zone's pods subnet, as cloud VPC CNIs do), its routers know them.",
    source="RFC 4271; native routing requirements of routing CNIs",
    reference=DOC + "; Cilium routing docs (native routing requirements)",
    hint="announce the pod CIDR over BGP (routing.advertises: [pod-cidr]), or use a tunnel",
    section=SECTION,
)
def native_routing_without_pod_routes(model: Model) -> Iterator[Finding]:
    if model.section("cluster").get("routing_mode") != "native":
        return
    if "pod-cidr" in model.section("routing").get("advertises", []):
        return
    if any(
        subnet.get("role") == "pods"
        for zone in model.items("zones")
        for subnet in zone.get("subnets", [])
    ):
        return  # pods live on the underlay's own subnets, which its route tables hold
    networks = attached_networks(model)
    if len(networks) > 1:
        yield Finding(
            ("cluster", "routing_mode"),
            f"native routing with nodes on {len(networks)} subnets, and nothing announces the"
            " pod CIDR",
            related=tuple(path for path, _ in networks),
        )


def _port_matches(entry: dict[str, Any], protocol: str, port: int) -> bool:
    if entry.get("protocol") != protocol:
        return False
    value = entry.get("port")
    if isinstance(value, int):
        return value == port
    if isinstance(value, str) and "-" in value:
        low, high = (int(part) for part in value.split("-", 1))
        return low <= port <= high
    return False


def _between_nodes(model: Model, end: Any) -> bool:
    return (
        end in ("nodes", "control-plane", "workers")
        or model.ids.has("node", str(end))
        or model.ids.has("zone", str(end))
    )


@rule(
    "NA139",
    "warning",
    "Port the network needs missing from the firewall matrix",
    rationale="Where the model lists the ports that are open, the ones the network itself needs"
    " must be among them: the overlay's UDP port between nodes while pods are tunnelled, and"
    " TCP 179 from the nodes to every BGP peer. A firewall built from an incomplete matrix"
    " drops the overlay or keeps BGP sessions down.",
    source="RFC 7348 and RFC 8926 (overlay ports); RFC 4271 §8 (BGP on TCP 179)",
    reference=DOC,
    hint="add the missing entry to `ports`",
    section=SECTION,
)
def missing_ports(model: Model) -> Iterator[Finding]:
    entries = model.items("ports")
    if not entries:
        return
    cluster = model.section("cluster")
    overlay = cluster.get("overlay") or {}
    port = overlay_port(model)
    if (
        port is not None
        and cluster.get("routing_mode") != "native"
        and not any(
            _port_matches(e, "udp", port)
            and _between_nodes(model, e.get("from"))
            and _between_nodes(model, e.get("to"))
            for e in entries
        )
    ):
        yield Finding(
            ("ports",),
            f"no entry opens UDP {port} between nodes for the {overlay['type'].upper()} overlay",
            related=(("cluster", "overlay"),),
        )
    for session in bgp_sessions(model):
        if session.kind == "node-mesh":
            continue  # between the nodes: "nodes to nodes" covers it like any node traffic
        ends = {session.router, "world", session.zone} - {""}
        if not any(
            _port_matches(e, "tcp", 179)
            and _between_nodes(model, e.get("from"))
            and e.get("to") in ends
            for e in entries
        ):
            who = {"lb-announcer": "load-balancer BGP peer"}.get(session.kind, "BGP peer")
            yield Finding(
                ("ports",),
                f"no entry opens TCP 179 from the nodes to {who} {session.peer_id}",
                related=(session.path,),
            )


@rule(
    "NA149",
    "warning",
    "iBGP to a router that reflects nothing, without a node mesh",
    rationale="An iBGP speaker does not pass routes learned from one iBGP peer on to another"
    " (RFC 4271 §9.2): with the nodes in the router's own AS, the router keeps each node's pod"
    " routes to itself unless it is a route reflector (RFC 4456) or the nodes peer with each"
    " other in a full mesh. A CNI's AS equal to the top-of-rack routers' AS is this case.",
    source="RFC 4271 §9.2 (iBGP split horizon); RFC 4456 (route reflection)",
    reference=DOC,
    hint="use another AS on the nodes (eBGP), make the router a route reflector"
    " (routing.route_reflectors), or keep the node-to-node mesh (routing.node_mesh: true)",
    section=SECTION,
)
def ibgp_without_reflection(model: Model) -> Iterator[Finding]:
    sessions = bgp_sessions(model)
    if any(s.kind == "node-mesh" for s in sessions):
        return
    if len(model.items("nodes")) < 2:
        return
    for session in sessions:
        if session.kind != "peer" or not session.ibgp or session.reflector:
            continue
        if session.local_asn is None:
            continue
        yield Finding(
            (*session.path, "asn"),
            f"BGP peer {session.peer_id} is in the nodes' own AS {session.local_asn} (iBGP), is"
            " no route reflector, and the nodes have no iBGP mesh: one node's routes never reach"
            " the others",
            related=tuple(path for _, path, _ in session.asns if path != (*session.path, "asn")),
        )


@rule(
    "NA148",
    "error",
    "Two BGP speakers on the same nodes peer with the same router address",
    rationale="A router keeps one BGP session per neighbour address: when two speakers on one"
    " node (a CNI and a load balancer, say) both open a session from the node's address to the"
    " same router address, the connection collision drops one of them (RFC 4271 §6.8), and the"
    " routes of the one that loses are withdrawn. One speaker must carry both sets of routes.",
    source="RFC 4271 §6.8 (BGP connection collision detection)",
    reference=DOC,
    hint="let one speaker announce both (the CNI can announce load-balancer addresses), or peer"
    " with another router address",
    section=SECTION,
)
def two_speakers_one_peer(model: Model) -> Iterator[Finding]:
    all_nodes = {str(n["id"]) for n in model.items("nodes")}
    first: dict[str, BgpSession] = {}
    for session in bgp_sessions(model):
        address = parse_ip(session.address)
        if address is None:
            continue
        earlier = first.setdefault(str(address), session)
        if earlier is session or earlier.speaker == session.speaker:
            continue
        shared = (set(earlier.nodes) or all_nodes) & (set(session.nodes) or all_nodes)
        if shared:
            yield Finding(
                (*session.path, "address"),
                f"BGP peer {session.peer_id} ({address}) is also a peer of {earlier.speaker or 'another speaker'}"
                f" from nodes {', '.join(sorted(shared))}: the router keeps one session per node",
                related=((*earlier.path, "address"),),
            )
