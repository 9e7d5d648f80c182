"""Table views: rows derived from the model, cells as safe Markdown."""

from __future__ import annotations

from typing import Any

from netarch.model.network import Model
from netarch.safety import code_span
from netarch.views.base import TableView, View
from netarch.views.text import safe_markdown, source_link


def _component_cell(model: Model, component_id: str) -> str:
    component = model.element("component", component_id)
    name = safe_markdown(component["name"])
    if component.get("optional"):
        name += " (optional)"
    url = component.get("url")
    return f"[{name}]({url})" if url else name


def layers(model: Model) -> list[View]:
    items = model.items("layers")
    if not items:
        return []
    rows = []
    for layer in items:
        component = model.element("component", layer["component"])
        purpose = safe_markdown(layer["purpose"])
        if component.get("enabled_by_default") is False and "default" not in purpose:
            purpose += " (off by default)"
        rows.append(
            (safe_markdown(layer["name"]), _component_cell(model, layer["component"]), purpose)
        )
    return [
        TableView(
            "layers",
            "Layers",
            ("Layer", "Component", "Purpose"),
            tuple(rows),
            model.location(("layers",)),
            origin_path=("layers",),
        )
    ]


_CLUSTER_ROWS: tuple[tuple[str, str], ...] = (
    ("Pod CIDR", "pod_cidr"),
    ("Pod gateway", "pod_gateway"),
    ("Service CIDR", "service_cidr"),
    ("Join CIDR", "join_cidr"),
    ("Cluster domain", "cluster_domain"),
    ("DNS Service IP", "dns_service_ip"),
)


def _addresses(value: Any) -> str:
    """A value or a dual-stack list of values, as code."""
    return ", ".join(code_span(item) for item in (value if isinstance(value, list) else [value]))


def cluster_configuration(model: Model) -> list[View]:
    cluster = model.section("cluster")
    rows = [("Cluster", safe_markdown(cluster["name"]))] if "name" in cluster else []
    rows += [(name, _addresses(cluster[key])) for name, key in _CLUSTER_ROWS if key in cluster]
    overlay = cluster.get("overlay")
    if "routing_mode" in cluster:
        rows.append(("Routing mode", str(cluster["routing_mode"])))
    if overlay:
        if overlay["type"] == "none":
            rows.append(("Overlay", "none: pod traffic crosses the nodes unencapsulated"))
        else:
            rows.append(("Overlay type", overlay["type"].upper()))
        if "pod_mtu" in overlay:
            underlay = f" (underlay {overlay['underlay_mtu']})" if "underlay_mtu" in overlay else ""
            rows.append(("Pod MTU", f"{overlay['pod_mtu']}{underlay}"))
    if cluster.get("node_networks"):
        networks = ", ".join(code_span(network) for network in cluster["node_networks"])
        rows.append(("Node networks", networks))
    if "control_plane_vip" in cluster:
        rows.append(("Control-plane VIP", code_span(cluster["control_plane_vip"])))
    if "cni" in cluster:
        rows.append(("CNI", _component_cell(model, cluster["cni"])))
    if "kube_proxy_mode" in cluster:
        rows.append(("kube-proxy mode", str(cluster["kube_proxy_mode"])))
    if "kube_proxy_replacement" in cluster:
        rows.append(
            ("kube-proxy replacement", _component_cell(model, cluster["kube_proxy_replacement"]))
        )
    sources = (source_link(cluster["parameters_source"]),) if "parameters_source" in cluster else ()
    return [
        TableView(
            "cluster-configuration",
            "Cluster network configuration",
            ("Parameter", "Value"),
            tuple(rows),
            model.location(("cluster",)),
            sources,
            origin_path=("cluster",),
        )
    ]


def stack_variants(model: Model) -> list[View]:
    section = model.section("variants")
    if not section:
        return []
    setting = section.get("selected_by")
    rows = []
    for variant in section["items"]:
        names = [model.element("component", c)["name"] for c in variant["components"]]
        components = " + ".join(names) if names else "none"
        if variant.get("default"):
            components += " (default)"
        values = variant.get("bundle_variants") or []
        selected = ", ".join(map(code_span, values)) if values else "not selected by the bundle"
        rows.append(
            (
                code_span(variant["id"]),
                safe_markdown(components),
                safe_markdown(variant["platform"]),
                selected,
            )
        )
    header = f"Selected by {code_span(setting)}" if setting else "Selected by"
    sources = (source_link(section["source"]),) if "source" in section else ()
    return [
        TableView(
            "stack-variants",
            "Networking stack variants",
            ("Variant", "Components", "Target platform", header),
            tuple(rows),
            model.location(("variants",)),
            sources,
            origin_path=("variants",),
        )
    ]


def kube_proxy_comparison_table(model: Model) -> list[View]:
    comparison = model.section("service_load_balancing").get("comparison")
    if not comparison:
        return []
    rows = []
    for aspect in comparison["aspects"]:
        right = safe_markdown(aspect["right"])
        if aspect.get("source"):
            right += f" ({source_link(aspect['source'])})"
        rows.append(
            (f"**{safe_markdown(aspect['aspect'])}**", safe_markdown(aspect["left"]), right)
        )
    return [
        TableView(
            "kube-proxy-comparison-table",
            "Comparison",
            ("Aspect", safe_markdown(comparison["left"]), safe_markdown(comparison["right"])),
            tuple(rows),
            model.location(("service_load_balancing", "comparison", "aspects")),
            origin_path=("service_load_balancing", "comparison", "aspects"),
        )
    ]


def _settings_table(model: Model, section: str, view_id: str, title: str) -> list[View]:
    settings: dict[str, Any] = model.section(section).get("settings") or {}
    if not settings:
        return []
    rows = tuple(
        (code_span(key), code_span(_yaml_scalar(value))) for key, value in settings.items()
    )
    return [
        TableView(
            view_id,
            title,
            ("Setting", "Value"),
            rows,
            model.location((section, "settings")),
            origin_path=(section, "settings"),
        )
    ]


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _settings_title(model: Model, section: str) -> str:
    """ "<component> settings", named after the component the section is about."""
    component = model.section(section).get("component")
    if isinstance(component, str) and model.ids.has("component", component):
        return f"{model.element('component', component)['name']} settings"
    return "Settings"


def service_lb_settings(model: Model) -> list[View]:
    title = _settings_title(model, "service_load_balancing")
    return _settings_table(model, "service_load_balancing", "service-lb-settings", title)


def pod_networking_settings(model: Model) -> list[View]:
    title = _settings_title(model, "pod_networking")
    return _settings_table(model, "pod_networking", "pod-networking-settings", title)


def security_properties(model: Model) -> list[View]:
    section = model.section("security_properties")
    if not section.get("items"):
        return []
    rows = []
    for item in section["items"]:
        description = safe_markdown(item["description"])
        if item.get("source"):
            description += f" ({source_link(item['source'])})"
        rows.append((f"**{safe_markdown(item['name'])}**", description))
    return [
        TableView(
            "security-properties",
            "Security properties of policy enforcement",
            ("Property", "Description"),
            tuple(rows),
            model.location(("security_properties", "items")),
            origin_path=("security_properties", "items"),
        )
    ]


def policies(model: Model) -> list[View]:
    """The network policies: what each allows or denies, for which traffic, where enforced."""
    items = model.items("policies")
    if not items:
        return []
    # Columns only for what some policy says: a scope-only model keeps the short table.
    detailed = any(key in item for item in items for key in ("from", "to", "ports", "direction"))
    rows = []
    for item in items:
        traffic = _SCOPES.get(item.get("scope", ""), "")
        row = [code_span(item["id"]), item["action"], traffic]
        if detailed:
            row += [
                item.get("direction", ""),
                _selector(model, item.get("from")),
                _selector(model, item.get("to")),
                ", ".join(_port(port) for port in item.get("ports", [])) or "all",
            ]
        row.append(safe_markdown(item.get("description", "")))
        rows.append(tuple(row))
    headers = ["Policy", "Action", "Traffic"]
    if detailed:
        headers += ["Direction", "From", "To", "Ports"]
    headers.append("Description")
    return [
        TableView(
            "policies",
            "Policies",
            tuple(headers),
            tuple(rows),
            model.location(("policies", "items")),
            origin_path=("policies", "items"),
        )
    ]


_ENTITIES = {
    "world": "anywhere outside",
    "cluster": "the whole cluster",
    "nodes": "the nodes",
    "kube-apiserver": "the API server",
    "dns": "the cluster DNS",
}


def _selector(model: Model, selector: Any) -> str:
    """A policy peer in words: "tenant a, pods app=web", "10.0.0.0/8", "anywhere outside"."""
    if not isinstance(selector, dict):
        return ""
    parts = []
    if "tenant" in selector:
        parts.append("tenant " + safe_markdown(model.element("tenant", selector["tenant"])["name"]))
    if "namespace" in selector:
        parts.append("namespace " + code_span(selector["namespace"]))
    if selector.get("labels"):
        labels = ", ".join(f"{key}={value}" for key, value in selector["labels"].items())
        parts.append("pods " + code_span(labels))
    if "cidr" in selector:
        parts.append(code_span(selector["cidr"]))
    if "entity" in selector:
        parts.append(_ENTITIES[selector["entity"]])
    return ", ".join(parts)


def _port(port: dict[str, Any]) -> str:
    return (
        f"{port['protocol'].upper()} {port['port']}" if "port" in port else port["protocol"].upper()
    )


_SCOPES = {
    "same-tenant": "within a tenant",
    "cross-tenant": "between tenants",
    "tenant": "of every tenant, to or from anything",
    "world": "to or from outside the cluster",
    "system": "to or from system components",
}


def nodes(model: Model) -> list[View]:
    """The example nodes and their addresses."""
    items = model.items("nodes")
    if not items:
        return []
    with_interfaces = any(node.get("interfaces") for node in items)
    rows = []
    for node in items:
        row = [
            safe_markdown(node["name"]),
            code_span(node["address"]),
            ", ".join(node.get("roles", [])),
            str(node.get("mtu", "")),
        ]
        if with_interfaces:
            row.append("<br>".join(_interface(i) for i in node.get("interfaces", [])))
        rows.append(tuple(row))
    headers = ("Node", "Address", "Roles", "MTU", *(("Interfaces",) if with_interfaces else ()))
    return [
        TableView(
            "nodes",
            "Nodes",
            headers,
            tuple(rows),
            model.location(("nodes",)),
            origin_path=("nodes",),
        )
    ]


def _interface(interface: dict[str, Any]) -> str:
    """``eth1`` `10.0.1.11`, `2001:db8::11` (VLAN 100, MTU 9000)."""
    addresses = ", ".join(code_span(address) for address in interface["addresses"])
    extra = [f"VLAN {interface['vlan']}"] if "vlan" in interface else []
    extra += [f"MTU {interface['mtu']}"] if "mtu" in interface else []
    return f"{code_span(interface['name'])} {addresses}" + (
        f" ({', '.join(extra)})" if extra else ""
    )


def component_inventory(model: Model) -> list[View]:
    """Every component: what it is, what it provides, where it runs, which version."""
    rows = []
    for component in model.items("components"):
        rows.append(
            (
                _component_cell(model, component["id"]),
                component["kind"],
                safe_markdown(component.get("role", "")),
                ", ".join(component.get("provides", [])),
                code_span(component["namespace"]) if "namespace" in component else "",
                code_span(component["version"]) if "version" in component else "",
                code_span(component["address"]) if "address" in component else "",
            )
        )
    return [
        TableView(
            "components",
            "Components",
            ("Component", "Kind", "Role", "Provides", "Namespace", "Version", "Address"),
            tuple(rows),
            model.location(("components",)),
            origin_path=("components",),
        )
    ]


TABLE_BUILDERS = (
    component_inventory,
    nodes,
    layers,
    cluster_configuration,
    stack_variants,
    kube_proxy_comparison_table,
    service_lb_settings,
    pod_networking_settings,
    security_properties,
    policies,
)
