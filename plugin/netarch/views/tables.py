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
        )
    ]


_CLUSTER_ROWS: tuple[tuple[str, str], ...] = (
    ("Pod CIDR", "pod_cidr"),
    ("Pod gateway", "pod_gateway"),
    ("Service CIDR", "service_cidr"),
    ("Join CIDR", "join_cidr"),
    ("Cluster domain", "cluster_domain"),
)


def cluster_configuration(model: Model) -> list[View]:
    cluster = model.section("cluster")
    rows = [(name, code_span(cluster[key])) for name, key in _CLUSTER_ROWS if key in cluster]
    overlay = cluster.get("overlay")
    if overlay:
        rows.append(("Overlay type", overlay["type"].upper()))
        if "pod_mtu" in overlay:
            underlay = f" (underlay {overlay['underlay_mtu']})" if "underlay_mtu" in overlay else ""
            rows.append(("Pod MTU", f"{overlay['pod_mtu']}{underlay}"))
    if "cni" in cluster:
        rows.append(("CNI", _component_cell(model, cluster["cni"])))
    if "kube_proxy_replacement" in cluster:
        rows.append(
            ("kube-proxy replacement", _component_cell(model, cluster["kube_proxy_replacement"]))
        )
    sources = (source_link(cluster["parameters_source"]),) if "parameters_source" in cluster else ()
    return [
        TableView(
            "cluster-configuration",
            "Cluster network configuration",
            ("Parameter", "Default value"),
            tuple(rows),
            model.location(("cluster",)),
            sources,
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
        TableView(view_id, title, ("Setting", "Value"), rows, model.location((section, "settings")))
    ]


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def service_lb_settings(model: Model) -> list[View]:
    return _settings_table(
        model, "service_load_balancing", "service-lb-settings", "Cilium settings"
    )


def pod_networking_settings(model: Model) -> list[View]:
    return _settings_table(model, "pod_networking", "pod-networking-settings", "Kube-OVN settings")


def security_properties(model: Model) -> list[View]:
    section = model.section("security_properties")
    if not section:
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
            "Security properties of eBPF enforcement",
            ("Property", "Description"),
            tuple(rows),
            model.location(("security_properties", "items")),
        )
    ]


TABLE_BUILDERS = (
    layers,
    cluster_configuration,
    stack_variants,
    kube_proxy_comparison_table,
    service_lb_settings,
    pod_networking_settings,
    security_properties,
)
