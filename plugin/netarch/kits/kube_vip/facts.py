"""kube-vip's section as network facts: its address ranges as load-balancer pools announced by
ARP/NDP or BGP, its control-plane VIP, its BGP peers as sessions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.facts import BgpSession, Fact, HostAddress, LoadBalancerPool
from netarch.facts.addresses import parse_ip
from netarch.facts.core import address_at, origin, pool_entries
from netarch.model.network import Model, ModelPath

KIT = "kube_vip"


def section(model: Model) -> dict[str, Any]:
    return model.section("kube_vip")


def facts(model: Model) -> Iterator[Fact]:
    kube_vip = section(model)
    if not kube_vip:
        return
    component = str(kube_vip["component"])
    mode = "l2" if kube_vip.get("mode") == "arp" else "bgp"
    vip = address_at(
        model,
        ("kube_vip", "control_plane", "address"),
        "vip",
        "kube-vip's control-plane VIP",
        component,
        KIT,
    )
    # The same address as cluster.control_plane_vip is the same fact, stated twice.
    cluster_vip = parse_ip(model.section("cluster").get("control_plane_vip"))
    if vip is not None and vip.address != cluster_vip:
        yield vip
    for index, entry in enumerate(kube_vip.get("ranges", [])):
        base: ModelPath = ("kube_vip", "ranges", index)
        yield LoadBalancerPool(
            str(entry["id"]),
            pool_entries(model, (*base, "addresses"), entry.get("addresses", [])),
            origin(model, base, KIT),
            "kube-vip range",
            (mode,),  # type: ignore[arg-type]
            component,
        )
    bgp = kube_vip.get("bgp") or {}
    local = bgp.get("as")
    for index, peer in enumerate(bgp.get("peers", [])):
        path: ModelPath = ("kube_vip", "bgp", "peers", index)
        address = parse_ip(peer.get("address"))
        if address is not None:
            yield HostAddress(
                "bgp-peer",
                address,
                origin(model, (*path, "address"), KIT),
                str(peer["id"]),
                f"BGP peer {peer['id']} ({address})",
            )
        asns = []
        if isinstance(local, int):
            asns.append(("kube-vip bgp as", ("kube_vip", "bgp", "as"), local))
        asns.append((f"BGP peer {peer['id']} asn", (*path, "asn"), peer["asn"]))
        yield BgpSession(
            peer_id=str(peer["id"]),
            path=path,
            address=peer.get("address"),
            asns=tuple(asns),
            ibgp=peer["asn"] == local,
            multihop_key="multihop" if peer.get("multihop") else None,
            kind="lb-announcer",
            provider=KIT,
            speaker=component,
            router=str(peer.get("router", "")),
            local_asn=local if isinstance(local, int) else None,
            peer_asn=peer["asn"],
        )
