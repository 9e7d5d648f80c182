"""The MetalLB kit's diagrams: how a Service's external address reaches a pod, and the VLANs
handed to MetalLB."""

from __future__ import annotations

from typing import Any

from netarch.mermaid.builder import EdgeStyle, Flowchart
from netarch.model.network import Model
from netarch.safety import code_span
from netarch.views.base import TableView, View
from netarch.views.diagrams import diagram_view, element_keys, participant_label
from netarch.views.network import neighbour_protocol


def external_ingress(model: Model) -> list[View]:
    """Client -> routers -> the speakers that announce -> Service load balancing -> pod (D2).

    With externalTrafficPolicy: Local only nodes that run a backend pod announce the address,
    so only they get traffic; the other speakers are drawn without an edge.
    """
    metallb = model.section("metallb")
    service = metallb.get("example_service")
    speakers = list(dict.fromkeys(metallb.get("speakers", [])))  # a node listed twice is one
    if not service or not speakers:
        return []
    routers = _router_ids(model)
    lb_component = model.section("service_load_balancing").get("component")
    announcing, known = _announcing(model, service, speakers)
    chart = Flowchart(direction="TD")
    chart.node("client", "External client", source=model.location(("metallb", "example_service")))
    # Ids are unique within a kind only: a node may share a router's id, or be called "client".
    fixed = ("client", "cluster", "service-lb", "target-pod")
    router_keys = element_keys(routers, fixed, "router")
    node_keys = element_keys(speakers, (*fixed, *router_keys.values()), "node")
    for router in routers:
        chart.node(
            router_keys[router],
            participant_label(model, router),
            source=model.element_location("component", router),
        )
    with chart.subgraph("cluster", "Kubernetes cluster") as cluster:
        for node_id in speakers:
            position = metallb["speakers"].index(node_id)
            node = model.element("node", node_id)
            if not known:
                quiet = "\n(announces only with a local backend)"
            elif node_id in announcing:
                quiet = ""
            else:
                quiet = "\n(no local backend: not announced)"
            cluster.node(
                node_keys[node_id],
                f"{node['name']}\nMetalLB speaker{quiet}",
                source=model.location(("metallb", "speakers", position)),
            )
        if lb_component:
            component = model.element("component", lb_component)
            cluster.node(
                "service-lb",
                f"{component['name']}\nService load balancing\nDNAT to pod IP",
                source=model.location(("service_load_balancing", "component")),
            )
        cluster.node(
            "target-pod",
            _target_pod_label(model, service),
            source=model.location(("metallb", "example_service")),
        )
    neighbour = neighbour_protocol(_metallb_addresses(metallb))
    modes = [
        name.upper() if name == "bgp" else f"L2 ({neighbour})"
        for name in ("l2", "bgp")
        if name in metallb
    ]
    mode_label = " or ".join(modes) if modes else None
    for router in routers:
        chart.edge(
            "client",
            router_keys[router],
            f"Traffic to external IP\n({service['external_ip']})",
            source=model.location(("metallb", "example_service", "external_ip")),
        )
    # Under externalTrafficPolicy Local with no backend placed, which speakers announce is
    # not known: their edges are dotted, "if it runs a backend".
    style = EdgeStyle.SOLID if known else EdgeStyle.DOTTED
    if not known:
        mode_label = f"{mode_label}, if it runs a backend" if mode_label else "if it runs a backend"
    for entry in [router_keys[router] for router in routers] or ["client"]:
        for node_id in speakers:
            if node_id in announcing:
                chart.edge(entry, node_keys[node_id], mode_label, style)
    for node_id in speakers:
        if node_id in announcing:
            chart.edge(
                node_keys[node_id], "service-lb" if lb_component else "target-pod", style=style
            )
    if lb_component:
        chart.edge("service-lb", "target-pod")
    drawn = (*routers, metallb.get("component"), lb_component)
    return [
        diagram_view(
            model, "external-ingress", "External traffic ingress", chart, ("metallb",), drawn
        )
    ]


def _metallb_addresses(metallb: dict[str, Any]) -> list[Any]:
    """The example Service's address, else every pool's blocks."""
    service = metallb.get("example_service") or {}
    if "external_ip" in service:
        return [service["external_ip"]]
    return [block for pool in metallb.get("pools", []) for block in pool.get("addresses", [])]


def _announcing(
    model: Model, service: dict[str, Any], speakers: list[str]
) -> tuple[set[str], bool]:
    """The speakers that may announce the Service, and whether that is known: all of them;
    with externalTrafficPolicy Local only the node that runs its backend pod, and when the
    model does not say where that runs, any of them (not known)."""
    if service.get("external_traffic_policy") != "Local":
        return set(speakers), True
    node = (
        model.element("pod", service["target_pod"]).get("node") if "target_pod" in service else None
    )
    return ({node} & set(speakers), True) if node else (set(speakers), False)


def _target_pod_label(model: Model, service: dict[str, Any]) -> str:
    if "target_pod" not in service:
        return "Target pod\n(pod CIDR)"
    pod = model.element("pod", service["target_pod"])
    return f"Target pod {pod['id']}\n{pod['address']} (pod CIDR)"


def _router_ids(model: Model) -> list[str]:
    """Every router the speakers peer with, in order; else the network's gateway."""
    peers = model.section("metallb").get("bgp", {}).get("peers", [])
    routers = list(dict.fromkeys(peer["router"] for peer in peers if peer.get("router")))
    if routers:
        return routers
    for component in model.items("components"):
        if component["kind"] == "external" and component.get("role") == "gateway":
            return [component["id"]]
    return []


def vlans(model: Model) -> list[View]:
    """Extra VLANs handed to MetalLB in L2 or BGP mode (D5)."""
    section = model.section("metallb").get("vlans")
    if not section:
        return []
    items = section["items"]
    chart = Flowchart(direction="TD")
    chart.node("external", "External traffic", source=model.location(("metallb", "vlans")))
    purposes = ", ".join(item.get("purpose", item["name"]) for item in items)
    with chart.subgraph("vlans", f"Additional VLANs\n({purposes})") as group:
        for position, item in enumerate(items):
            group.node(
                item["id"],
                item["name"],
                source=model.location(("metallb", "vlans", "items", position)),
            )
    with chart.subgraph("metallb", "MetalLB") as lb:
        # In the VLANs' order, so that their edges run straight down instead of crossing.
        for mode in dict.fromkeys(item["mode"] for item in items):
            name = "L2 mode" if mode == "l2" else "BGP mode"
            lb.node(f"mode-{mode}", f"{name} → Service → Pod")
    chart.edge("external", "vlans")
    for item in items:
        chart.edge(item["id"], f"mode-{item['mode']}")
    title = "VLAN integration for external traffic"
    drawn = (model.section("metallb").get("component"),)
    return [diagram_view(model, "vlans", title, chart, ("metallb", "vlans"), drawn)]


def address_pools(model: Model) -> list[View]:
    """The pools MetalLB assigns Service addresses from, and what announces each."""
    metallb = model.section("metallb")
    pools = metallb.get("pools", [])
    if not pools:
        return []
    announced: dict[str, list[str]] = {}
    for mode, name in (("l2", "L2"), ("bgp", "BGP")):
        for advertisement in metallb.get(mode, {}).get("advertisements", []):
            for pool in advertisement.get("pools", []):
                announced.setdefault(pool, []).append(f"{name} (`{advertisement['id']}`)")
    rows = tuple(
        (
            code_span(pool["id"]),
            ", ".join(code_span(block) for block in pool.get("addresses", [])),
            "yes" if pool.get("auto_assign", True) else "no",
            ", ".join(announced.get(pool["id"], [])) or "not announced",
        )
        for pool in pools
    )
    return [
        TableView(
            "address-pools",
            "Address pools",
            ("Pool", "Addresses", "Assigned automatically", "Announced by"),
            rows,
            model.location(("metallb", "pools")),
            origin_path=("metallb", "pools"),
        )
    ]


VIEWS = (address_pools, external_ingress, vlans)
