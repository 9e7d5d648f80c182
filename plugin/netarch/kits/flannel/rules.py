"""The Flannel kit's rules: what its backends need from the network, and what it does not do."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.checks.routing import attached_networks
from netarch.kits import product_of
from netarch.model.network import Model

rule = kit_rule("flannel")
SECTION = "Flannel"
PRODUCT = "flannel"


def _is_flannel(model: Model, component_id: object) -> bool:
    return product_of(model, component_id) == PRODUCT


@rule(
    "NA370",
    "error",
    "Flannel host-gw across subnets",
    rationale="Without an overlay, Flannel uses its host-gw backend: every node installs a route"
    " to each other node's pod subnet with that node's address as the next hop. A next hop must"
    " be on a directly connected network, so host-gw works only when all nodes share one layer 2"
    " network; across routers the routes are never installed.",
    source="flannel Documentation/backends.md (host-gw: direct layer 2 connectivity)",
    hint="use the VXLAN backend (overlay type vxlan) or put every node on one L2 network",
    section=SECTION,
)
def host_gateway_across_subnets(model: Model) -> Iterator[Finding]:
    cluster = model.section("cluster")
    if cluster.get("routing_mode") != "native" or not _is_flannel(model, cluster.get("cni")):
        return
    networks = attached_networks(model)
    if len(networks) > 1:
        yield Finding(
            ("cluster", "routing_mode"),
            f"Flannel routes pods natively (host-gw), but the nodes sit on {len(networks)} networks",
            related=tuple(path for path, _ in networks),
        )


@rule(
    "NA371",
    "error",
    "Network policies said to be enforced by Flannel",
    rationale="Flannel connects pods and nothing more: it has no NetworkPolicy engine, so a"
    " policy written for a Flannel-only cluster is accepted by the API server and never applied."
    " Policies need another engine beside it: a policy controller that runs next to Flannel.",
    source="flannel README (networking only; network policy by other projects)",
    hint="set policies.enforced_by to the component that enforces them",
    section=SECTION,
)
def policies_enforced_by_flannel(model: Model) -> Iterator[Finding]:
    enforcer = model.section("policies").get("enforced_by")
    if _is_flannel(model, enforcer):
        yield Finding(
            ("policies", "enforced_by"),
            f"policies are said to be enforced by {enforcer}, a Flannel component, and Flannel"
            " enforces no network policy",
        )


# What each backend puts between the nodes, in the model's overlay types.
_BACKEND_OVERLAY = {"vxlan": "vxlan", "host-gw": "none", "ipip": "ipip"}


@rule(
    "NA372",
    "error",
    "Flannel backend differs from the overlay",
    rationale="Flannel's net-conf.json Backend.Type decides what crosses the network between"
    " nodes: VXLAN packets (vxlan), plain routed pod packets (host-gw), IP-in-IP (ipip). The"
    " model's overlay then describes another data path, with other MTU, ports and routing needs"
    " than the real one.",
    source="flannel Documentation/backends.md (Backend.Type)",
    hint="make cluster.overlay.type match Backend.Type (host-gw: type none, routing_mode native)",
    section=SECTION,
)
def backend_differs(model: Model) -> Iterator[Finding]:
    section = model.section("pod_networking")
    if not _is_flannel(model, section.get("component")):
        return
    backend = (section.get("settings") or {}).get("Backend.Type")
    overlay = (model.section("cluster").get("overlay") or {}).get("type")
    wanted = _BACKEND_OVERLAY.get(str(backend))
    if wanted is not None and overlay is not None and overlay != wanted:
        yield Finding(
            ("pod_networking", "settings", "Backend.Type"),
            f"Flannel's backend is {backend}, but the overlay is {overlay}",
            related=(("cluster", "overlay"),),
        )
