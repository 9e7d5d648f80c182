"""The MetalLB kit's rules (section B of network-domain-checks.md): advertisements, BGP peers,
and the flows that show them. What holds for every load-balancer pool (overlaps, node and
infrastructure addresses, L2 on the nodes' network) and every BGP session is checked by the
core over the facts this kit provides (kits/metallb/facts.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.facts.addresses import Pool, family, pools, range_ends
from netarch.kits.metallb.facts import EXCLUDE_LABEL, advertisements, peers
from netarch.kits.metallb.facts import eligible as _eligible
from netarch.kits.metallb.facts import is_ibgp as _is_ibgp
from netarch.model.network import Model, ModelPath

rule = kit_rule("metallb")
SECTION = "MetalLB"
DOC = "network-domain-checks.md §B"


# --- who announces ---------------------------------------------------------------------------


def _metallb(model: Model) -> dict[str, Any]:
    return model.section("metallb")


def _selected(model: Model, advertisement: dict[str, Any]) -> list[Pool]:
    """Pools an advertisement announces: its list, or every pool when it names none."""
    names = advertisement.get("pools")
    return [p for p in pools(model) if not names or p.id in names]


def _speakers_path(model: Model) -> ModelPath:
    return ("metallb", "speakers") if _metallb(model).get("speakers") else ("nodes",)


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
    for _, _, adv in advertisements(model):
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
    for path, peer in peers(model):
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


def _bgp_advertisements(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for mode, path, adv in advertisements(model):
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
    for mode, path, adv in advertisements(model):
        if not _eligible(model, adv):
            kind = "L2Advertisement" if mode == "l2" else "BGPAdvertisement"
            yield Finding(
                path,
                f"{kind} {adv['id']} has no eligible node: every allowed node lacks a speaker or is labelled {EXCLUDE_LABEL}",
                related=(_speakers_path(model),),
            )
