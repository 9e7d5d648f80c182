"""MetalLB's model section as network facts: IPAddressPools and how L2Advertisements and
BGPAdvertisements announce them, BGPPeers as BGP sessions, the example Service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.facts import BgpSession, Fact, HostAddress, LoadBalancedService, LoadBalancerPool
from netarch.facts.addresses import parse_ip
from netarch.facts.core import origin, pool_entries
from netarch.model.network import Model, ModelPath

KIT = "metallb"
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


def section(model: Model) -> dict[str, Any]:
    return model.section("metallb")


def speakers(model: Model) -> list[str]:
    """Nodes running a speaker: the model's list, or every node when it gives none."""
    listed = section(model).get("speakers")
    return list(listed) if listed else [n["id"] for n in model.items("nodes")]


def excluded(model: Model, node_id: str) -> bool:
    if not model.ids.has("node", node_id):
        return False
    return EXCLUDE_LABEL in (model.element("node", node_id).get("labels") or {})


def eligible(model: Model, advertisement: dict[str, Any] | None = None) -> list[str]:
    """Nodes that actually announce: allowed by the advertisement, running a speaker, not excluded."""
    running = speakers(model)
    wanted = (advertisement or {}).get("nodes") or running
    return [n for n in wanted if n in running and not excluded(model, n)]


def advertisements(model: Model) -> Iterator[tuple[str, ModelPath, dict[str, Any]]]:
    for mode in ("l2", "bgp"):
        for index, adv in enumerate(section(model).get(mode, {}).get("advertisements", [])):
            yield mode, ("metallb", mode, "advertisements", index), adv


def selects(advertisement: dict[str, Any], pool_id: str) -> bool:
    """An advertisement announces the pools it lists, or every pool when it lists none."""
    names = advertisement.get("pools")
    return not names or pool_id in names


def is_ibgp(peer: dict[str, Any]) -> bool:
    return peer.get("dynamic_asn") == "internal" or (
        "peer_asn" in peer and peer["peer_asn"] == peer.get("my_asn")
    )


def peers(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    for index, peer in enumerate(section(model).get("bgp", {}).get("peers", [])):
        yield ("metallb", "bgp", "peers", index), peer


def facts(model: Model) -> Iterator[Fact]:
    metallb = section(model)
    component = str(metallb.get("component", ""))
    adverts = list(advertisements(model))
    for index, pool in enumerate(metallb.get("pools", [])):
        base: ModelPath = ("metallb", "pools", index)
        modes: list[str] = []
        nodes: set[str] = set()
        l2_by: list[tuple[str, ModelPath, tuple[str, ...]]] = []
        for mode, path, adv in adverts:
            if not selects(adv, pool["id"]):
                continue
            if mode not in modes:
                modes.append(mode)
            nodes |= set(eligible(model, adv))
            if mode == "l2":
                l2_by.append((str(adv["id"]), path, tuple(eligible(model, adv))))
        yield LoadBalancerPool(
            str(pool["id"]),
            pool_entries(model, (*base, "addresses"), pool.get("addresses", [])),
            origin(model, base, KIT),
            "MetalLB pool",
            tuple(modes),  # type: ignore[arg-type]
            component,
            tuple(n for n in speakers(model) if n in nodes),
            tuple(l2_by),
        )
    for path, peer in peers(model):
        address = parse_ip(peer.get("address"))
        if address is not None:
            yield HostAddress(
                "bgp-peer",
                address,
                origin(model, (*path, "address"), KIT),
                str(peer["id"]),
                f"BGP peer {peer['id']} ({address})",
            )
        yield BgpSession(
            peer_id=str(peer["id"]),
            path=path,
            address=peer.get("address"),
            asns=tuple(
                (f"BGP peer {peer['id']} {key}", (*path, key), peer[key])
                for key in ("my_asn", "peer_asn")
                if isinstance(peer.get(key), int)
            ),
            ibgp=is_ibgp(peer),
            multihop_key="ebgp_multihop" if peer.get("ebgp_multihop") else None,
            hold_time=peer.get("hold_time"),
            keepalive_time=peer.get("keepalive_time"),
            kind="lb-announcer",
            provider=KIT,
            speaker=component,
            nodes=tuple(peer.get("nodes", ())) or tuple(eligible(model)),
            router=str(peer.get("router", "")),
            local_asn=peer.get("my_asn") if isinstance(peer.get("my_asn"), int) else None,
            peer_asn=peer.get("peer_asn") if isinstance(peer.get("peer_asn"), int) else None,
        )
    service = metallb.get("example_service")
    if isinstance(service, dict):
        base = ("metallb", "example_service")
        external = parse_ip(service.get("external_ip"))
        target = service.get("target_pod")
        yield LoadBalancedService(
            "example_service",
            str(service["name"]),
            origin(model, base, KIT),
            ((external, (*base, "external_ip")),) if external is not None else (),
            (service["port"],) if isinstance(service.get("port"), int) else (),
            "",
            str(service.get("external_traffic_policy", "Cluster")),
            (str(target),) if target else (),
        )
