"""The Cilium kit's diagrams: eBPF hooks and maps, security identities, and the in-kernel
policy check of an example packet."""

from __future__ import annotations

from netarch.mermaid.builder import Flowchart
from netarch.model.network import Model, ModelPath
from netarch.registry import product_of
from netarch.views.base import View
from netarch.views.diagrams import diagram_view
from netarch.views.isolation import packet_verdict
from netarch.views.text import label


def ebpf_architecture(model: Model) -> list[View]:
    """Kernel space with the eBPF programs and the maps they read (D7)."""
    ebpf = model.section("service_load_balancing").get("ebpf")
    if not ebpf:
        return []
    base: ModelPath = ("service_load_balancing", "ebpf")
    chart = Flowchart(direction="TD")
    with chart.subgraph("kernel", "Kernel space") as kernel:
        with kernel.subgraph("programs", "eBPF programs") as programs:
            for position, hook in enumerate(ebpf["hooks"]):
                programs.node(
                    f"hook-{hook['id']}",
                    label(hook["name"], hook.get("detail")),
                    source=model.location((*base, "hooks", position)),
                )
        with kernel.subgraph("maps", "eBPF maps") as maps:
            for position, ebpf_map in enumerate(ebpf["maps"]):
                maps.node(
                    f"map-{ebpf_map['id']}",
                    ebpf_map["name"],
                    source=model.location((*base, "maps", position)),
                )
    for hook in ebpf["hooks"]:
        chart.edge(f"hook-{hook['id']}", "maps")
    drawn = (model.section("service_load_balancing").get("component"),)
    return [diagram_view(model, "ebpf-architecture", "eBPF architecture", chart, base, drawn)]


def identity(model: Model) -> list[View]:
    """Pod labels -> agent hashes them to an identity -> eBPF map entry (D10)."""
    items = model.items("identities")
    if not items:
        return []
    entry = items[0]
    pod = model.element("pod", entry["pod"])
    labels = [f"{key}={value}" for key, value in pod.get("labels", {}).items()]
    labels.append(f"namespace={model.namespace_of_pod(entry['pod'])}")
    chart = Flowchart(direction="LR")
    where = model.location(("identities", "items", 0))
    chart.node(
        "pod",
        f"Pod: {pod['id']}\nLabels: " + ",\n".join(labels),
        source=model.element_location("pod", pod["id"]),
    )
    chart.node("agent", f"Cilium agent\nlabels → identity {entry['number']}", source=where)
    chart.node("map", f"eBPF map\n{pod['address']} → identity {entry['number']}", source=where)
    chart.chain(["pod", "agent", "map"])
    agent = (model.section("service_load_balancing").get("component"),)
    return [
        diagram_view(model, "identity", "Identity-based security", chart, ("identities",), agent)
    ]


def _identity_number(model: Model, pod_id: str) -> str:
    for entry in model.items("identities"):
        if entry["pod"] == pod_id:
            return str(entry["number"])
    return "?"


def policy_enforcement(model: Model) -> list[View]:
    """The in-kernel lookups for the model's example packet, ending in its verdict (D11)."""
    section = model.section("policy_enforcement")
    engine = model.section("policies").get("enforced_by")
    if not section or product_of(model, engine) != "cilium":
        return []  # another engine's check is the core's view
    example = section["example"]
    source_pod, target_pod = (
        model.element("pod", example["from"]),
        model.element("pod", example["to"]),
    )
    source_namespace, target_namespace = (
        model.namespace_of_pod(example["from"]),
        model.namespace_of_pod(example["to"]),
    )
    src_id, dst_id = (
        _identity_number(model, example["from"]),
        _identity_number(model, example["to"]),
    )
    outcome = packet_verdict(
        model, example["from"], example["to"], example["protocol"], example["port"]
    )
    where = model.location(("policy_enforcement", "example"))
    chart = Flowchart(direction="TD")
    chart.node("packet", f"Packet: {source_pod['address']} → {target_pod['address']}", source=where)
    chart.node(
        "source",
        f"1. Look up source identity:\n{source_pod['address']} → ID {src_id} ({source_namespace})",
        source=where,
    )
    chart.node(
        "destination",
        f"2. Look up destination identity:\n{target_pod['address']} → ID {dst_id} ({target_namespace})",
        source=where,
    )
    chart.node(
        "policy",
        f"3. Check policy map:\n({src_id}, {dst_id}, {example['protocol']}, {example['port']}) → {outcome}",
        source=where,
    )
    result = {"ALLOW": "4. Forward packet", "DENY": "4. Drop packet"}.get(
        outcome, "4. Forward or drop: the model's policies do not decide"
    )
    chart.node("result", result, source=where)
    chart.chain(["packet", "source", "destination", "policy", "result"], source=where)
    return [
        diagram_view(
            model,
            "policy-enforcement",
            "Policy enforcement in the kernel",
            chart,
            ("policy_enforcement",),
        )
    ]


def kernel_enforcement(model: Model) -> list[View]:
    """Pods in user space, their traffic through the eBPF programs in the kernel (D12)."""
    properties = model.section("security_properties")
    tenants = [t for t in model.items("tenants") if t.get("pods")]
    if not properties or not tenants:
        return []
    chart = Flowchart(direction="TD")
    with chart.subgraph("user-space", "User space") as user:
        for tenant in tenants[:2]:
            pod = tenant["pods"][0]
            user.node(
                f"pod-{pod['id']}",
                f"Pod {pod['id']}\n(tenant {tenant['name']})",
                source=model.element_location("pod", pod["id"]),
            )
    with chart.subgraph("kernel-space", "Kernel space") as kernel:
        bullets = "\n".join(f"• {item['name']}" for item in properties["items"])
        kernel.node(
            "ebpf",
            f"eBPF programs\n{bullets}",
            source=model.location(("security_properties", "items")),
        )
    chart.edge("user-space", "kernel-space", "pod traffic")
    return [
        diagram_view(
            model, "kernel-enforcement", "Kernel-level enforcement", chart, ("security_properties",)
        )
    ]


VIEWS = (ebpf_architecture, identity, policy_enforcement, kernel_enforcement)
