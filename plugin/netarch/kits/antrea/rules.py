"""The Antrea kit's rules: what antrea-agent.conf says about tunnels, against the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.facts import facts_of
from netarch.model.network import Model, ModelPath
from netarch.registry import product_of

rule = kit_rule("antrea")
SECTION = "Antrea"
SOURCE = "Antrea antrea-agent.conf (tunnelType, trafficEncapMode, trafficEncryptionMode)"
SETTINGS: ModelPath = ("pod_networking", "settings")


def _settings(model: Model) -> dict[str, Any]:
    section = model.section("pod_networking")
    if product_of(model, section.get("component")) != "antrea":
        return {}
    value = section.get("settings")
    return value if isinstance(value, dict) else {}


@rule(
    "NA360",
    "error",
    "Antrea GRE tunnels in a cluster with IPv6",
    rationale="Antrea's GRE tunnel type is not supported for IPv6 clusters, IPv6-only or"
    " dual-stack; Geneve, the default, and VXLAN are.",
    source=SOURCE,
    hint="use tunnelType geneve (the default) or vxlan",
    section=SECTION,
)
def gre_with_ipv6(model: Model) -> Iterator[Finding]:
    if _settings(model).get("tunnelType") != "gre":
        return
    pods = [r for r in facts_of(model).of_role("pod") if r.family == 6]
    if pods:
        yield Finding(
            (*SETTINGS, "tunnelType"),
            f"Antrea tunnelType is gre, but the cluster has the IPv6 pod CIDR {pods[0].networks[0]}",
            related=(pods[0].origin.at(),),
        )


@rule(
    "NA361",
    "error",
    "Antrea's tunnel settings differ from the overlay",
    rationale="trafficEncapMode decides whether Antrea tunnels pod traffic (encap, the default),"
    " routes it natively (noEncap) or tunnels only across subnets (hybrid); tunnelType decides"
    " the encapsulation. A model whose overlay says otherwise documents another data path, with"
    " other MTU, ports and routing needs than the real one.",
    source=SOURCE,
    hint="make cluster.overlay.type match tunnelType (none for noEncap)",
    section=SECTION,
)
def tunnel_differs(model: Model) -> Iterator[Finding]:
    settings = _settings(model)
    overlay = (model.section("cluster").get("overlay") or {}).get("type")
    if not settings or overlay is None:
        return
    mode = settings.get("trafficEncapMode", "encap")
    if mode == "noEncap" and overlay != "none":
        yield Finding(
            (*SETTINGS, "trafficEncapMode"),
            f"Antrea trafficEncapMode is noEncap, but the overlay is {overlay}",
            related=(("cluster", "overlay"),),
        )
    tunnel = settings.get("tunnelType", "geneve")
    if mode in ("encap", "hybrid") and overlay not in ("none", tunnel) and tunnel != "gre":
        where = (*SETTINGS, "tunnelType") if "tunnelType" in settings else SETTINGS
        yield Finding(
            where,
            f"Antrea tunnels with {tunnel}, but the overlay is {overlay}",
            related=(("cluster", "overlay"),),
        )


@rule(
    "NA362",
    "error",
    "Antrea encryption without encap mode",
    rationale="Antrea encrypts tunnel traffic (IPsec or WireGuard) only in encap mode: with"
    " noEncap, hybrid or networkPolicyOnly the traffic it would encrypt is not tunnelled.",
    source=SOURCE,
    hint="use trafficEncapMode encap, or turn trafficEncryptionMode off",
    section=SECTION,
)
def encryption_needs_encap(model: Model) -> Iterator[Finding]:
    settings = _settings(model)
    encryption = settings.get("trafficEncryptionMode", "none")
    mode = settings.get("trafficEncapMode", "encap")
    if encryption != "none" and mode != "encap":
        yield Finding(
            (*SETTINGS, "trafficEncryptionMode"),
            f"Antrea encrypts with {encryption}, but trafficEncapMode is {mode}",
            related=((*SETTINGS, "trafficEncapMode"),),
        )
