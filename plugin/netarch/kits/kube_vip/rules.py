"""The kube-vip kit's rules: what its own settings must agree on. Its ranges are load-balancer
pools and its peers BGP sessions for the core's rules (overlap, node and VIP addresses, on-link,
ASNs, ports)."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.facts.addresses import parse_ip
from netarch.model.network import Model

rule = kit_rule("kube_vip")
SECTION = "kube-vip"


@rule(
    "NA395",
    "error",
    "kube-vip's control-plane VIP is not the cluster's API endpoint",
    rationale="kube-vip holds the address that the nodes and kubeconfigs reach the API server"
    " at: kubeadm is initialised with --control-plane-endpoint at that VIP, and the API server's"
    " certificate names it. A VIP other than the cluster's control-plane endpoint is an address"
    " nobody uses, while the real endpoint has no one to hold it.",
    source="kube-vip docs (static Pods: kubeadm init --control-plane-endpoint $VIP; vip_address)",
    hint="make kube_vip.control_plane.address the cluster's control_plane_vip",
    section=SECTION,
)
def control_plane_vip(model: Model) -> Iterator[Finding]:
    control_plane = model.section("kube_vip").get("control_plane") or {}
    mine = parse_ip(control_plane.get("address"))
    endpoint = parse_ip(model.section("cluster").get("control_plane_vip"))
    if mine is not None and endpoint is not None and mine != endpoint:
        yield Finding(
            ("kube_vip", "control_plane", "address"),
            f"kube-vip holds {mine}, but the cluster's control-plane VIP is {endpoint}",
            related=(("cluster", "control_plane_vip"),),
        )


@rule(
    "NA396",
    "error",
    "kube-vip BGP mode without peers, or ARP mode with BGP peers",
    rationale="kube-vip announces its addresses one way: by ARP/NDP from the elected node"
    " (vip_arp) or by BGP to its peers (bgp_enable, bgp_peers). In BGP mode without a peer the"
    " addresses reach no router; in ARP mode BGP peers are never contacted.",
    source="kube-vip docs (ARP and BGP modes; bgp_peers)",
    hint="list the BGP peers in kube_vip.bgp.peers, or set the mode that is configured",
    section=SECTION,
)
def mode_and_peers(model: Model) -> Iterator[Finding]:
    section = model.section("kube_vip")
    peers = (section.get("bgp") or {}).get("peers") or []
    if section.get("mode") == "bgp" and not peers:
        yield Finding(("kube_vip", "mode"), "kube-vip announces by BGP, but it has no BGP peer")
    elif section.get("mode") == "arp" and peers:
        yield Finding(
            ("kube_vip", "bgp", "peers"),
            "kube-vip announces by ARP, so these BGP peers are never contacted",
            related=(("kube_vip", "mode"),),
        )
