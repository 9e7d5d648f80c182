"""The facts the core's own sections state (``cluster``, ``nodes``, ``zones``, ``load_balancing``,
``routing``, ``ports``, ``policies``, ``tenants``, ``workloads``): no product is named here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.facts.addresses import address_set, parse_ip
from netarch.facts.types import (
    CORE,
    AddressRange,
    BgpSession,
    Fact,
    GatewayListener,
    GatewayRoute,
    HostAddress,
    LoadBalancedService,
    LoadBalancerPool,
    ModelPath,
    OpenPort,
    Origin,
    Policy,
    PolicyEngine,
    ServiceProxy,
    Tunnel,
    Workload,
)
from netarch.registry import kit_of_product, product_of

Model = Any  # netarch.model.network.Model


def origin(model: Model, path: ModelPath, provider: str = CORE) -> Origin:
    """The origin of a fact written at ``path`` of the model."""
    location = model.location(path)
    return Origin(provider, path, location.file, location.line, location.column)


def value_at(model: Model, path: ModelPath) -> Any:
    """The model's value at ``path``, or None."""
    value: Any = model.data
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def ranges_at(
    model: Model, path: ModelPath, role: str, label: str, provider: str = CORE, owner: str = ""
) -> Iterator[AddressRange]:
    """The ranges of one model value: a CIDR or a list of them (one per family)."""
    value = value_at(model, path)
    items = (
        [((*path, i), t) for i, t in enumerate(value)]
        if isinstance(value, list)
        else [(path, value)]
    )
    for where, text in items:
        if text is None:
            continue
        entry = address_set(text, where)
        if entry is not None and "/" in str(text):
            yield AddressRange(role, entry, origin(model, where, provider), owner, label)  # type: ignore[arg-type]


def address_at(
    model: Model, path: ModelPath, role: str, label: str, owner: str = "", provider: str = CORE
) -> HostAddress | None:
    value = value_at(model, path)
    address = parse_ip(value) if isinstance(value, str) else None
    if address is None:
        return None
    return HostAddress(role, address, origin(model, path, provider), owner, label)  # type: ignore[arg-type]


def pool_entries(model: Model, base: ModelPath, texts: list[Any]) -> tuple[Any, ...]:
    entries = []
    for position, text in enumerate(texts):
        entry = address_set(text, (*base, position))
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def core_facts(model: Model) -> Iterator[Fact]:
    yield from _address_plan(model)
    yield from _nodes(model)
    yield from _load_balancing(model)
    yield from _tunnel(model)
    yield from _routing(model)
    yield from _service_proxy(model)
    yield from _policies(model)
    yield from _workloads(model)
    yield from _ports(model)
    yield from _gateway_api(model)


def _address_plan(model: Model) -> Iterator[Fact]:
    for key, role, label in (
        ("pod_cidr", "pod", "pod CIDR"),
        ("service_cidr", "service", "service CIDR"),
        ("join_cidr", "join", "join CIDR"),
    ):
        yield from ranges_at(model, ("cluster", key), role, label)
    for index, text in enumerate(model.section("cluster").get("node_networks", [])):
        yield from ranges_at(
            model, ("cluster", "node_networks", index), "node-network", f"node network {text}"
        )
    for zone_index, zone in enumerate(model.items("zones")):
        for index, subnet in enumerate(zone.get("subnets", [])):
            for found in ranges_at(
                model,
                ("zones", zone_index, "subnets", index, "cidr"),
                "subnet",
                f"subnet {subnet['id']}",
                owner=str(subnet["id"]),
            ):
                yield AddressRange(
                    found.role,
                    found.addresses,
                    found.origin,
                    found.owner,
                    found.label,
                    str(subnet.get("role", "")),
                )
    for key, role, label in (
        ("control_plane_vip", "vip", "the control-plane VIP"),
        ("pod_gateway", "pod-gateway", "the pod gateway"),
    ):
        found = address_at(model, ("cluster", key), role, label)
        if found is not None:
            yield found
    dns = model.section("cluster").get("dns_service_ip")
    for where in (
        [("cluster", "dns_service_ip", i) for i in range(len(dns))]
        if isinstance(dns, list)
        else [("cluster", "dns_service_ip")]
    ):
        found = address_at(model, where, "dns", "the DNS Service IP")
        if found is not None:
            yield found
    for index, component in enumerate(model.items("components")):
        found = address_at(
            model,
            ("components", index, "address"),
            "component",
            f"component {component['id']}",
            str(component["id"]),
        )
        if found is not None:
            yield found


def _nodes(model: Model) -> Iterator[Fact]:
    for index, node in enumerate(model.items("nodes")):
        node_id = str(node["id"])
        main = address_at(model, ("nodes", index, "address"), "node", f"node {node_id}", node_id)
        if main is not None:
            yield main
        for number, interface in enumerate(node.get("interfaces", [])):
            for position, _text in enumerate(interface.get("addresses", [])):
                path = ("nodes", index, "interfaces", number, "addresses", position)
                label = f"node {node_id} {interface.get('name', 'interface')}"
                extra = address_at(model, path, "node-interface", label, node_id)
                if extra is not None and (main is None or extra.address != main.address):
                    yield extra
        yield from ranges_at(
            model,
            ("nodes", index, "pod_cidrs"),
            "node-pod-range",
            f"node {node_id}'s pod range",
            owner=node_id,
        )


def _load_balancing(model: Model) -> Iterator[Fact]:
    section = model.section("load_balancing")
    announcement = section.get("announcement")
    for index, pool in enumerate(section.get("pools", [])):
        base: ModelPath = ("load_balancing", "pools", index)
        yield LoadBalancerPool(
            str(pool["id"]),
            pool_entries(model, (*base, "addresses"), pool.get("addresses", [])),
            origin(model, base),
            "load-balancer pool",
            (announcement,) if announcement else (),
            str(section.get("announced_by", "")),
        )
    for index, service in enumerate(section.get("services", [])):
        base = ("load_balancing", "services", index)
        addresses = []
        listed = service.get("addresses")
        for where, text in (
            [((*base, "addresses", i), t) for i, t in enumerate(listed)]
            if isinstance(listed, list)
            else [((*base, "address"), service.get("address"))]
        ):
            address = parse_ip(text) if isinstance(text, str) else None
            if address is not None:
                addresses.append((address, where))
        ports = [service["port"]] if isinstance(service.get("port"), int) else []
        ports += [p["port"] for p in service.get("ports", []) if isinstance(p.get("port"), int)]
        yield LoadBalancedService(
            str(service["id"]),
            str(service["name"]),
            origin(model, base),
            tuple(addresses),
            tuple(ports),
            str(service.get("pool", "")),
            str(service.get("external_traffic_policy", "Cluster")),
            tuple(service.get("backends", [])),
        )


def _families(model: Model) -> tuple[int, ...]:
    found = []
    for node in model.items("nodes"):
        address = parse_ip(node.get("address"))
        if address is not None and address.version not in found:
            found.append(address.version)
    return tuple(sorted(found))


def _tunnel(model: Model) -> Iterator[Fact]:
    cluster = model.section("cluster")
    overlay = cluster.get("overlay")
    if not isinstance(overlay, dict):
        return
    kind = str(overlay.get("type", "none"))
    kit = kit_of_product(model, product_of(model, cluster.get("cni")))
    reserved = kit.overlay_overhead.get(kind) if kit is not None else None
    port = overlay.get("udp_port")
    if not isinstance(port, int):
        port = kit.overlay_ports.get(kind) if kit is not None else None
        if port is None:
            port = {"geneve": 6081, "vxlan": 4789}.get(kind)
    written = overlay.get("underlay_family")
    families = (4 if written == "ipv4" else 6,) if written else _families(model)
    yield Tunnel(
        kind,
        origin(model, ("cluster", "overlay")),
        port,
        families,
        overlay.get("pod_mtu"),
        overlay.get("underlay_mtu"),
        str(overlay.get("encryption", "none")),
        int(overlay.get("extra_encapsulation") or 0),
        reserved,
        kit.title if kit is not None and reserved is not None else "",
    )


def _routing(model: Model) -> Iterator[Fact]:
    routing = model.section("routing")
    if not routing:
        return
    local = routing.get("local_asn")
    reflectors = set(routing.get("route_reflectors", []))
    speakers = tuple(routing.get("speakers", []))
    own_asn = {
        node["id"]: (index, node["bgp"]["asn"])
        for index, node in enumerate(model.items("nodes"))
        if isinstance((node.get("bgp") or {}).get("asn"), int)
    }
    for index, peer in enumerate(routing.get("peers", [])):
        path: ModelPath = ("routing", "peers", index)
        peer_asn = peer.get("asn") if isinstance(peer.get("asn"), int) else None
        # Nodes with an ASN of their own speak with it; the others with the local ASN.
        nodes = speakers or tuple(n["id"] for n in model.items("nodes"))
        groups: list[tuple[tuple[str, ...], ModelPath, Any]] = []
        if not any(n in own_asn for n in nodes):
            groups.append((speakers, ("routing", "local_asn"), local))
        else:
            shared = tuple(n for n in nodes if n not in own_asn)
            if shared:
                groups.append((shared, ("routing", "local_asn"), local))
            for node_id in nodes:
                if node_id in own_asn:
                    node_index, asn = own_asn[node_id]
                    groups.append(((node_id,), ("nodes", node_index, "bgp", "asn"), asn))
        for group_nodes, local_path, local_asn in groups:
            asns = []
            if isinstance(local_asn, int):
                label = (
                    "the local ASN" if local_path[0] == "routing" else f"node {group_nodes[0]} ASN"
                )
                asns.append((label, local_path, local_asn))
            if peer_asn is not None:
                asns.append((f"BGP peer {peer['id']} asn", (*path, "asn"), peer_asn))
            yield BgpSession(
                peer_id=str(peer["id"]),
                path=path,
                address=peer.get("address"),
                asns=tuple(asns),
                ibgp=peer_asn == local_asn,
                multihop_key="multihop" if (peer.get("multihop") or 1) > 1 else None,
                hold_time=peer.get("hold_time"),
                keepalive_time=peer.get("keepalive_time"),
                kind="route-reflector" if peer.get("router") in reflectors else "peer",
                provider=CORE,
                speaker=str(routing.get("speaker", "")),
                nodes=group_nodes,
                router=str(peer.get("router", "")),
                zone=str(peer.get("zone", "")),
                local_asn=local_asn if isinstance(local_asn, int) else None,
                peer_asn=peer_asn,
                reflector=peer.get("router") in reflectors,
            )
    if routing.get("node_mesh") is True and isinstance(local, int):
        yield BgpSession(
            peer_id="node-to-node mesh",
            path=("routing", "node_mesh"),
            address=None,
            asns=(),
            ibgp=True,
            multihop_key=None,
            kind="node-mesh",
            provider=CORE,
            speaker=str(routing.get("speaker", "")),
            nodes=speakers,
            local_asn=local,
            peer_asn=local,
        )


def _service_proxy(model: Model) -> Iterator[Fact]:
    cluster = model.section("cluster")
    replacement = cluster.get("kube_proxy_replacement")
    if isinstance(replacement, str):
        yield ServiceProxy(
            "replacement",
            origin(model, ("cluster", "kube_proxy_replacement")),
            component=replacement,
        )
    distribution = cluster.get("distribution")
    if isinstance(distribution, dict):
        disabled = distribution.get("kube_proxy_disabled")
        where: ModelPath = ("cluster", "distribution")
        if "kube_proxy_disabled" in distribution:
            where = (*where, "kube_proxy_disabled")
        yield ServiceProxy("kube-proxy", origin(model, where), runs=disabled is not True)
    mode = cluster.get("kube_proxy_mode")
    if isinstance(mode, str):
        strict = cluster.get("kube_proxy_strict_arp")
        yield ServiceProxy(
            "kube-proxy",
            origin(model, ("cluster", "kube_proxy_mode")),
            runs=mode != "none",
            mode="" if mode == "none" else mode,
            strict_arp=strict if isinstance(strict, bool) else None,
        )


def _policies(model: Model) -> Iterator[Fact]:
    section = model.section("policies")
    engine = section.get("enforced_by")
    if isinstance(engine, str):
        yield PolicyEngine(engine, origin(model, ("policies", "enforced_by")))
    positions: dict[str, int] = {}
    for index, item in enumerate(section.get("items", [])):
        tier = str(item.get("tier", ""))
        positions[tier] = positions.get(tier, -1) + 1
        yield Policy(
            str(item["id"]),
            str(item["action"]),
            origin(model, ("policies", "items", index)),
            str(item.get("enforced_by", engine or "")),
            tier,
            item.get("priority") if isinstance(item.get("priority"), int) else None,
            positions[tier],
            str(item.get("direction", "")),
        )


def _workloads(model: Model) -> Iterator[Fact]:
    for tenant_index, tenant in enumerate(model.items("tenants")):
        for pod_index, pod in enumerate(tenant.get("pods", [])):
            yield _workload(
                model,
                ("tenants", "items", tenant_index, "pods", pod_index),
                pod,
                str(tenant.get("namespace", "")),
                str(tenant["id"]),
            )
    for index, pod in enumerate(model.data.get("workloads") or []):
        yield _workload(model, ("workloads", index), pod, str(pod.get("namespace", "")), "")


def _workload(
    model: Model, path: ModelPath, pod: dict[str, Any], namespace: str, tenant: str
) -> Workload:
    return Workload(
        str(pod["id"]),
        origin(model, path),
        namespace,
        tenant,
        str(pod.get("node", "")),
        parse_ip(pod.get("address")) if isinstance(pod.get("address"), str) else None,
        tuple(sorted((pod.get("labels") or {}).items())),
    )


def _ports(model: Model) -> Iterator[Fact]:
    for index, entry in enumerate(model.items("ports")):
        value = entry.get("port")
        low = high = value if isinstance(value, int) else None
        if isinstance(value, str) and "-" in value:
            first, _, last = value.partition("-")
            if first.isdigit() and last.isdigit():
                low, high = int(first), int(last)
        yield OpenPort(
            str(entry.get("from")),
            str(entry.get("to")),
            str(entry.get("protocol")),
            low,
            high,
            origin(model, ("ports", index)),
        )


def _gateway_api(model: Model) -> Iterator[Fact]:
    section = model.section("gateway_api")
    controllers = {c["id"]: str(c["controller"]) for c in section.get("classes", [])}
    for index, gateway in enumerate(section.get("gateways", [])):
        base: ModelPath = ("gateway_api", "gateways", index)
        ports = []
        for number, listener in enumerate(gateway.get("listeners", [])):
            ports.append(listener["port"])
            yield GatewayListener(
                str(gateway["id"]),
                str(listener["name"]),
                int(listener["port"]),
                str(listener["protocol"]),
                origin(model, (*base, "listeners", number)),
                str(listener.get("hostname", "")),
                controllers.get(gateway.get("class", ""), ""),
            )
        addresses = []
        for position, text in enumerate(gateway.get("addresses", [])):
            address = parse_ip(text)
            if address is not None:
                addresses.append((address, (*base, "addresses", position)))
        # A Gateway's addresses are a load-balanced Service's, whoever provisions them.
        yield LoadBalancedService(
            str(gateway["id"]),
            str(gateway["name"]),
            origin(model, base),
            tuple(addresses),
            tuple(dict.fromkeys(ports)),
        )
    for index, route in enumerate(section.get("routes", [])):
        yield GatewayRoute(
            str(route["id"]),
            str(route["kind"]),
            str(route["gateway"]),
            origin(model, ("gateway_api", "routes", index)),
            str(route.get("listener", "")),
            tuple(route.get("hostnames", [])),
            tuple(route.get("backends", [])),
        )
