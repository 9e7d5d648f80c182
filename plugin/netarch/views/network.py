"""Views of what every cluster network has, whatever its products: the address plan and the
topology, load balancing of Services, and BGP routing between the cluster and the network."""

from __future__ import annotations

from typing import Any

from netarch.facts import facts_of
from netarch.facts.addresses import in_network, parse_ip, parse_network, proper_network
from netarch.facts.core import value_at
from netarch.mermaid.builder import EdgeStyle, Flowchart
from netarch.model.network import Model, ModelPath
from netarch.safety import code_span
from netarch.views.base import TableView, View
from netarch.views.diagrams import diagram_view, participant_label
from netarch.views.text import safe_markdown


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _code(values: Any) -> str:
    return ", ".join(code_span(value) for value in _listed(values))


def _table(
    model: Model,
    view_id: str,
    title: str,
    headers: tuple[str, ...],
    rows: list[tuple[str, ...]],
    origin: ModelPath,
) -> TableView:
    return TableView(
        view_id, title, headers, tuple(rows), model.location(origin), origin_path=origin
    )


# --- address plan and topology ----------------------------------------------------------------

_CLUSTER_RANGES = (
    ("pod_cidr", "Pod addresses"),
    ("service_cidr", "Service ClusterIPs"),
    ("join_cidr", "Node-to-pod join network"),
    ("node_networks", "Node networks"),
    ("control_plane_vip", "Control-plane VIP"),
    ("dns_service_ip", "DNS Service IP"),
)


def address_plan(model: Model) -> list[View]:
    """Every range and fixed address of the network in one table: what it is for, where."""
    cluster = model.section("cluster")
    rows: list[tuple[str, str, str]] = [
        (label, _code(cluster[key]), "cluster") for key, label in _CLUSTER_RANGES if key in cluster
    ]
    own_ranges = len(rows)
    for zone in model.items("zones"):
        for subnet in zone.get("subnets", []):
            purpose = f"{subnet['role'].capitalize()} subnet `{subnet['id']}`"
            rows.append((purpose, _code(subnet["cidr"]), safe_markdown(zone["name"])))
    # Every load balancer's pools, whichever product provides them (the network facts).
    for pool in facts_of(model).pools:
        written = value_at(model, pool.origin.at("addresses")) or []
        rows.append((f"Load-balancer pool `{pool.id}`", _code(written), "cluster"))
    if len(rows) == own_ranges:  # the cluster table already says as much
        return []
    headers = ("Range", "Addresses", "Where")
    return [_table(model, "address-plan", "Address plan", headers, rows, ("cluster",))]


def topology(model: Model) -> list[View]:
    """Zones (sites, availability zones, racks) with their subnets, routers and nodes.

    Left to right: each zone's routers, the subnets they route, the nodes on each subnet; the
    zones stack top to bottom, so the diagram stays as narrow as three columns.
    """
    zones = model.items("zones")
    if not zones:
        return []
    chart = Flowchart(direction="LR")
    drawn: list[str] = []
    nodes = [
        (index, node, parse_ip(node.get("address")))
        for index, node in enumerate(model.items("nodes"))
    ]
    for index, zone in enumerate(zones):
        base: ModelPath = ("zones", index)
        # A router listed twice is one router, drawn where it is first listed.
        first_listed: dict[str, int] = {}
        for position, router in enumerate(zone.get("routers", [])):
            first_listed.setdefault(router, position)
        routers = [f"router-{zone['id']}-{router}" for router in first_listed]
        with chart.subgraph(f"zone-{zone['id']}", zone["name"]) as group:
            for key, (router, position) in zip(routers, first_listed.items(), strict=True):
                group.node(
                    key,
                    participant_label(model, router),
                    source=model.location((*base, "routers", position)),
                )
                drawn.append(router)
            placed: set[str] = set()
            for position, subnet in enumerate(zone.get("subnets", [])):
                key = f"subnet-{subnet['id']}"
                where = model.location((*base, "subnets", position))
                group.node(
                    key, f"{subnet['role'].capitalize()} subnet\n{subnet['cidr']}", source=where
                )
                for router in routers:
                    group.edge(router, key, source=where)
                network = parse_network(subnet["cidr"])
                for node_index, node, address in nodes:
                    if node.get("zone") != zone["id"] or node["id"] in placed:
                        continue
                    if network is None or address is None or not in_network(address, network):
                        continue
                    placed.add(node["id"])
                    group.node(
                        f"node-{node['id']}",
                        f"{node['name']}\n{node['address']}",
                        source=model.location(("nodes", node_index)),
                    )
                    group.edge(key, f"node-{node['id']}", source=where)
            for node_index, node, _ in nodes:
                if node.get("zone") == zone["id"] and node["id"] not in placed:
                    group.node(
                        f"node-{node['id']}",
                        f"{node['name']}\n{node['address']}",
                        source=model.location(("nodes", node_index)),
                    )
    for index, link in enumerate(model.items("links")):
        ends = [_topology_key(model, end) for end in (link["from"], link["to"])]
        if all(ends):
            chart.edge(
                ends[0],
                ends[1],
                link.get("description"),
                EdgeStyle.OPEN,
                source=model.location(("links", index)),
            )
    return [diagram_view(model, "topology", "Topology", chart, ("zones",), drawn)]


def _topology_key(model: Model, element_id: str) -> str | None:
    """The key a zone, node or router has in the topology diagram (None: not drawn)."""
    if model.ids.has("zone", element_id):
        return f"zone-{element_id}"
    if model.ids.has("node", element_id):
        node = model.element("node", element_id)
        return f"node-{element_id}" if node.get("zone") else None
    for zone in model.items("zones"):
        if element_id in zone.get("routers", []):
            return f"router-{zone['id']}-{element_id}"
    return None


# --- load balancing -----------------------------------------------------------------------------


def _family_of(text: Any) -> int | None:
    """4 or 6 for an address, a prefix or a range (``a-b``); None when it is neither."""
    first = str(text).split("-")[0]
    address = parse_ip(first) or parse_network(first) or proper_network(first)
    return address.version if address is not None else None


def neighbour_protocol(addresses: Any) -> str:
    """How the node that holds an L2 address answers for it: ARP for IPv4, NDP (neighbour
    advertisements) for IPv6, by the families of ``addresses`` (both when they are unknown)."""
    families = {family for family in map(_family_of, _listed(addresses)) if family}
    if families == {4}:
        return "ARP"
    if families == {6}:
        return "NDP"
    return "ARP (IPv4) and NDP (IPv6)"


def load_balancer_addresses(model: Model) -> list[Any]:
    """The external addresses the load balancing hands out: the example services' own, else
    the pools'."""
    section = model.section("load_balancing")
    given = [service["address"] for service in section.get("services", []) if "address" in service]
    pools = [block for pool in section.get("pools", []) for block in pool["addresses"]]
    return given or pools


_ANNOUNCEMENT = {
    "l2": "the elected node answers {neighbour} for the address",
    "bgp": "announces the address over BGP from the nodes",
    "cloud": "a cloud load balancer in front of the cluster",
    "node-addresses": "any node's own address, on a host port",
}


# Which nodes take the traffic in, by announcement.
_ENTRY_NODES = {
    "l2": "One node\n(the elected announcer)",
    "bgp": "Nodes that announce",
    "cloud": "Nodes\n(node port)",
    "node-addresses": "Every node\n(host port)",
}


_LOCAL_ENTRY_NODES = {
    "l2": "One node with a backend pod\n(the elected announcer)",
    "bgp": "Nodes with a backend pod\n(only they announce)",
    "cloud": "Nodes with a backend pod\n(node port)",
    "node-addresses": "Nodes with a backend pod\n(host port)",
}


def load_balancer_services(model: Model) -> list[View]:
    """The example Services, Ingresses and Gateways: how each is exposed."""
    section = model.section("load_balancing")
    services = section.get("services", [])
    if not services:
        return []
    rows = [
        (
            safe_markdown(service["name"]),
            service.get("kind", "service"),
            safe_markdown(service.get("load_balancer", "")),
            code_span(service["address"]) if "address" in service else "",
            str(service.get("port", "")),
            service.get("targets", ""),
            service.get("external_traffic_policy", ""),
        )
        for service in services
    ]
    headers = ("Name", "Kind", "Load balancer", "Address", "Port", "Targets", "Traffic policy")
    origin: ModelPath = ("load_balancing", "services")
    return [_table(model, "load-balancer-services", "Exposed services", headers, rows, origin)]


def load_balancer_pools(model: Model) -> list[View]:
    pools = model.section("load_balancing").get("pools", [])
    if not pools:
        return []
    rows = [
        (
            code_span(pool["id"]),
            _code(pool["addresses"]),
            safe_markdown(pool.get("description", "")),
        )
        for pool in pools
    ]
    headers = ("Pool", "Addresses", "Description")
    origin: ModelPath = ("load_balancing", "pools")
    return [_table(model, "load-balancer-pools", "Address pools", headers, rows, origin)]


def load_balancer_path(model: Model) -> list[View]:
    """Client -> (router or cloud load balancer) -> nodes -> pods, for the first service."""
    section = model.section("load_balancing")
    if not section:
        return []
    announcement = section["announcement"]
    base: ModelPath = ("load_balancing",)
    service = (section.get("services") or [{}])[0]
    # Top down: the edge labels say how traffic gets in, and stay readable in an article.
    chart = Flowchart(direction="TD")
    chart.node("client", "Client", source=model.location(base))
    announcer = section["announced_by"]
    address = service.get("address", "external address")
    routers: list[str] = []
    if announcement == "cloud":
        name = service.get("load_balancer") or "Cloud load balancer"
        chart.node("entry", f"{name}\n{address}", source=model.location((*base, "announced_by")))
        entries = ["entry"]
    else:
        # Every router that peers with the cluster takes traffic in, not only the first.
        peers = model.section("routing").get("peers", [])
        routers = list(dict.fromkeys(peer["router"] for peer in peers))
        entries = [f"entry-{router}" for router in routers] or ["entry"]
        for key, router in zip(entries, routers or [None], strict=True):
            label = participant_label(model, router) if router else "Network"
            chart.node(key, label, source=model.location((*base, "announcement")))
    targets = service.get("targets", "pods" if announcement == "cloud" else "nodes")
    # externalTrafficPolicy Local: only nodes that run a backend pod take the traffic in (and
    # announce the address), and they hand it to that local pod.
    local = service.get("external_traffic_policy") == "Local"
    with chart.subgraph("cluster", "Cluster") as cluster:
        if announcement != "cloud" or targets == "nodes":
            entry_nodes = _LOCAL_ENTRY_NODES if local else _ENTRY_NODES
            cluster.node(
                "nodes", entry_nodes[announcement], source=model.location((*base, "announcement"))
            )
        cluster.node("pods", "Backend pods", source=model.location(base))
    for entry in entries:
        chart.edge("client", entry, f"to {address}")
    if announcement == "cloud" and targets == "pods":
        chart.edge("entry", "pods", "IP targets: straight to pod addresses")
    else:
        how = _ANNOUNCEMENT[announcement] if announcement != "cloud" else "instance targets"
        how = how.format(neighbour=neighbour_protocol(load_balancer_addresses(model)))
        for entry in entries:
            chart.edge(entry, "nodes", how)
        to_pods = "to a backend on the same node" if local else "Service load balancing"
        chart.edge("nodes", "pods", to_pods, EdgeStyle.SOLID)
    title = "Path of external traffic"
    return [diagram_view(model, "load-balancer-path", title, chart, base, (announcer, *routers))]


# --- routing ------------------------------------------------------------------------------------


def bgp_peering(model: Model) -> list[View]:
    """The BGP sessions: speaking nodes (by zone) to their peers, with the ASNs."""
    routing = model.section("routing")
    peers = routing.get("peers", [])
    if not peers:
        return []
    base: ModelPath = ("routing",)
    # A node listed twice is one speaker.
    speakers = list(dict.fromkeys(routing.get("speakers") or []))
    speakers = speakers or [node["id"] for node in model.items("nodes")]
    zone_of = {node["id"]: node.get("zone") for node in model.items("nodes")}
    chart = Flowchart(direction="TD")
    for index, peer in enumerate(peers):
        chart.node(
            f"peer-{peer['id']}",
            f"{participant_label(model, peer['router'], with_role=False)}\n"
            f"{peer['address']} · AS {peer['asn']}",
            source=model.location(("routing", "peers", index)),
        )
    speaker = model.element("component", routing["speaker"])["name"]
    with chart.subgraph("cluster", f"Cluster · AS {routing['local_asn']} ({speaker})") as group:
        for node_id in speakers:
            node = model.element("node", node_id)
            group.node(
                f"node-{node_id}",
                f"{node['name']}\n{node['address']}",
                source=model.element_location("node", node_id),
            )
    for index, peer in enumerate(peers):
        kind = _session(routing, peer)
        for node_id in speakers:
            if peer.get("zone") in (None, zone_of.get(node_id)):
                chart.edge(
                    f"node-{node_id}",
                    f"peer-{peer['id']}",
                    kind,
                    source=model.location(("routing", "peers", index)),
                )
    drawn = (routing["speaker"], *(peer["router"] for peer in peers))
    return [diagram_view(model, "bgp-peering", "BGP peering", chart, base, drawn)]


def _session(routing: dict[str, Any], peer: dict[str, Any]) -> str:
    kind = "iBGP" if peer["asn"] == routing["local_asn"] else "eBGP"
    if peer["router"] in routing.get("route_reflectors", []):
        kind += " (route reflector)"
    return kind


def bgp_peers(model: Model) -> list[View]:
    routing = model.section("routing")
    peers = routing.get("peers", [])
    if not peers:
        return []
    rows = [
        (
            code_span(peer["id"]),
            safe_markdown(model.element("component", peer["router"])["name"]),
            code_span(peer["address"]),
            str(routing["local_asn"]),
            str(peer["asn"]),
            _session(routing, peer),
            str(peer.get("multihop", "")),
            _zone_name(model, peer.get("zone")),
            _timers(peer),
        )
        for peer in peers
    ]
    headers = (
        "Peer",
        "Router",
        "Address",
        "Local ASN",
        "Peer ASN",
        "Session",
        "Multihop",
        "Nodes of zone",
        "Hold / keepalive",
    )
    return [_table(model, "bgp-peers", "BGP peers", headers, rows, ("routing", "peers"))]


# --- ports and egress -----------------------------------------------------------------------

_ENDPOINT_WORDS = {"nodes": "every node", "pods": "pods", "world": "anywhere outside"}


def _endpoint(model: Model, value: str) -> str:
    if value in _ENDPOINT_WORDS:
        return _ENDPOINT_WORDS[value]
    for kind in ("component", "node", "zone"):
        if model.ids.has(kind, value):
            return safe_markdown(model.element(kind, value)["name"])
    return safe_markdown(value)


def ports(model: Model) -> list[View]:
    """The firewall matrix: what must be open, from where to where, for what."""
    entries = model.items("ports")
    if not entries:
        return []
    rows = [
        (
            _endpoint(model, entry["from"]),
            _endpoint(model, entry["to"]),
            entry["protocol"].upper(),
            str(entry.get("port", "")),
            safe_markdown(entry.get("purpose", "")),
            safe_markdown(model.element("component", entry["component"])["name"])
            if "component" in entry
            else "",
        )
        for entry in entries
    ]
    headers = ("From", "To", "Protocol", "Port", "Purpose", "Needed by")
    return [_table(model, "ports", "Ports and protocols", headers, rows, ("ports",))]


def egress(model: Model) -> list[View]:
    section = model.section("egress")
    if not section:
        return []
    rows: list[tuple[str, str]] = []
    if "masquerade" in section:
        masquerade = section["masquerade"]
        if isinstance(masquerade, dict):
            for key, family in (("ipv4", "IPv4"), ("ipv6", "IPv6")):
                if key in masquerade:
                    translated = (
                        "the node's address (SNAT)" if masquerade[key] else "its own address"
                    )
                    rows.append((f"{family} pod traffic leaves with", translated))
        else:
            translated = "the node's address (SNAT)" if masquerade else "its own address"
            rows.append(("Pod traffic leaves with", translated))
    if section.get("not_masqueraded"):
        rows.append(("Reached with the pod's own address", _code(section["not_masqueraded"])))
    if "via" in section:
        via = {
            "nodes": "the nodes",
            "nat-gateway": "a NAT gateway",
            "egress-gateway": "egress gateway nodes",
        }
        gateway = section.get("gateway")
        name = ""
        if gateway:
            kind = "component" if model.ids.has("component", gateway) else "node"
            name = f" ({safe_markdown(model.element(kind, gateway)['name'])})"
        rows.append(("Leaves the cluster through", via[section["via"]] + name))
    headers = ("Egress", "")
    return [_table(model, "egress", "Egress", headers, rows, ("egress",))]


def _zone_name(model: Model, zone_id: Any) -> str:
    """The zone whose nodes peer, by name; every speaker when the peer names none."""
    for zone in model.items("zones"):
        if zone["id"] == zone_id:
            return safe_markdown(zone["name"])
    return "all"


def _timers(peer: dict[str, Any]) -> str:
    hold, keepalive = peer.get("hold_time"), peer.get("keepalive_time")
    if hold is None and keepalive is None:
        return ""
    return f"{hold if hold is not None else 'default'} s / {keepalive if keepalive is not None else 'default'} s"


TABLE_BUILDERS = (
    address_plan,
    load_balancer_pools,
    load_balancer_services,
    bgp_peers,
    ports,
    egress,
)
DIAGRAM_BUILDERS = (topology, load_balancer_path, bgp_peering)
