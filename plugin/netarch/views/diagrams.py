"""Diagram views: each function reads one part of the model and draws it with the builder.

Every node, edge and message passes the model element it came from as ``source``, so that a
Mermaid error on a line of the generated diagram leads back to ``network.yaml:LINE:COL``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from netarch.mermaid.builder import EdgeStyle, Flowchart, SequenceDiagram, Shape
from netarch.model.network import Model, ModelPath
from netarch.views.base import DiagramView, View
from netarch.views.text import label, safe_markdown


def participant_label(model: Model, element_id: str, *, with_role: bool = True) -> str:
    """A flow participant's label; without the role where width is scarce (sequences, LR)."""
    kind, element = model.participant(element_id)
    if kind == "component":
        return label(element["name"], element.get("role") if with_role else None)
    if kind == "node":
        return element["name"]
    tenant = model.tenant_of_pod(element_id)
    return f"Pod {element['id']}\n({tenant['namespace']})"


def _view(
    model: Model,
    view_id: str,
    title: str,
    diagram: Any,
    origin: ModelPath,
    components: Iterable[str | None] = (),
) -> DiagramView:
    legend = _legend(model, components)
    return DiagramView(view_id, title, diagram.render(), model.location(origin), legend)


# A web address that stays one Markdown link target: nothing that ends it or breaks out of it.
_LINKABLE = re.compile(r"https?://[^\s()<>\[\]\"'`\\]+\Z")


def _legend(model: Model, component_ids: Iterable[str | None]) -> tuple[tuple[str, str], ...]:
    """(name, url) of the drawn components that link to their project's documentation.

    Mermaid's own links are off under mkdocs-material (securityLevel strict), so the legend
    under the diagram carries them. Names are Markdown-safe text; other addresses are left out.
    """
    links: dict[str, tuple[str, str]] = {}
    for component_id in component_ids:
        if not component_id or component_id in links:
            continue
        kind, component = model.participant(component_id)
        url = str(component.get("url", "")) if kind == "component" else ""
        if _LINKABLE.match(url):
            name = safe_markdown(component["name"]).replace("[", "\\[").replace("]", "\\]")
            links[component_id] = (name, url)
    return tuple(links.values())


# Mermaid gives each sequence participant 150 px plus a 50 px margin and never wraps messages,
# so a six-participant flow is ~1300 px wide and shrinks to unreadable text in an article.
# Narrower actors with wrapped messages fit; likewise tighter spacing for long LR chains.
COMPACT_SEQUENCE = {"sequence": {"width": 110, "actorMargin": 30, "wrap": True}}
COMPACT_CHAIN = {"flowchart": {"rankSpacing": 18, "padding": 5}}


# --- flows ------------------------------------------------------------------------------


def path_flow(model: Model, index: int, flow: dict[str, Any]) -> DiagramView:
    """A path flow: its hops as one chain, left to right or top down."""
    direction = flow.get("direction", "LR")
    chart = Flowchart(direction=direction, config=COMPACT_CHAIN if direction == "LR" else None)
    base: ModelPath = ("flows", index)
    for position, hop in enumerate(flow["hops"]):
        chart.node(
            hop,
            participant_label(model, hop, with_role=flow.get("direction", "LR") != "LR"),
            source=model.location((*base, "hops", position)),
        )
    chart.chain(flow["hops"], source=model.location((*base, "hops")))
    return _view(model, f"flow-{flow['id']}", flow["title"], chart, base, flow["hops"])


def sequence_flow(model: Model, index: int, flow: dict[str, Any]) -> DiagramView:
    """A sequence flow: participants, messages (dashed for replies) and notes, in order."""
    diagram = SequenceDiagram(config=COMPACT_SEQUENCE)
    base: ModelPath = ("flows", index)
    for position, participant in enumerate(flow.get("participants", [])):
        diagram.participant(
            participant,
            participant_label(model, participant, with_role=False),
            source=model.location((*base, "participants", position)),
        )
    for position, step in enumerate(flow.get("steps", [])):
        where = model.location((*base, "steps", position))
        if "note" in step:
            diagram.note(step["note"], step["text"], source=where)
        else:
            diagram.message(
                step["from"], step["to"], step["text"], reply=bool(step.get("reply")), source=where
            )
    participants = flow.get("participants", [])
    return _view(model, f"flow-{flow['id']}", flow["title"], diagram, base, participants)


def flows(model: Model) -> list[View]:
    views: list[View] = []
    for index, flow in enumerate(model.items("flows")):
        build = path_flow if flow["kind"] == "path" else sequence_flow
        views.append(build(model, index, flow))
    return views


# --- external ingress ---------------------------------------------------------------------


def external_ingress(model: Model) -> list[View]:
    """Client -> router -> every speaker node -> Cilium -> target pod (D2)."""
    metallb = model.section("metallb")
    service = metallb.get("example_service")
    speakers = metallb.get("speakers", [])
    if not service or not speakers:
        return []
    router = _router_id(model)
    lb_component = model.section("service_load_balancing").get("component")
    chart = Flowchart(direction="TD")
    chart.node("client", "External client", source=model.location(("metallb", "example_service")))
    if router:
        chart.node(
            router,
            participant_label(model, router),
            source=model.element_location("component", router),
        )
    with chart.subgraph("cluster", "Kubernetes cluster") as cluster:
        for position, node_id in enumerate(speakers):
            node = model.element("node", node_id)
            cluster.node(
                node_id,
                f"{node['name']}\nMetalLB speaker",
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
    modes = [
        name.upper() if name == "bgp" else "L2 (ARP)" for name in ("l2", "bgp") if name in metallb
    ]
    mode_label = " or ".join(modes) if modes else None
    entry = router or "client"
    if router:
        chart.edge(
            "client",
            router,
            f"Traffic to external IP\n({service['external_ip']})",
            source=model.location(("metallb", "example_service", "external_ip")),
        )
    for node_id in speakers:
        chart.edge(entry, node_id, mode_label)
        chart.edge(node_id, "service-lb" if lb_component else "target-pod")
    if lb_component:
        chart.edge("service-lb", "target-pod")
    drawn = (router, metallb.get("component"), lb_component)
    return [
        _view(model, "external-ingress", "External traffic ingress", chart, ("metallb",), drawn)
    ]


def _target_pod_label(model: Model, service: dict[str, Any]) -> str:
    if "target_pod" not in service:
        return "Target pod\n(pod CIDR)"
    pod = model.element("pod", service["target_pod"])
    return f"Target pod {pod['id']}\n{pod['address']} (pod CIDR)"


def _router_id(model: Model) -> str | None:
    for peer in model.section("metallb").get("bgp", {}).get("peers", []):
        if peer.get("router"):
            return peer["router"]
    for component in model.items("components"):
        if component["kind"] == "external" and component.get("role") == "gateway":
            return component["id"]
    return None


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
    return [_view(model, "vlans", title, chart, ("metallb", "vlans"), drawn)]


# --- Cilium --------------------------------------------------------------------------------


def kube_proxy_comparison(model: Model) -> list[View]:
    """Two pipelines side by side, each in its own left-to-right subgraph (D6)."""
    comparison = model.section("service_load_balancing").get("comparison")
    if not comparison or "pipelines" not in comparison:
        return []
    chart = Flowchart(direction="LR")
    base: ModelPath = ("service_load_balancing", "comparison", "pipelines")
    for side in ("left", "right"):
        stages = comparison["pipelines"][side]
        with chart.subgraph(f"{side}-pipeline", comparison[side], direction="LR") as group:
            keys = [f"{side}-{position}" for position in range(len(stages))]
            for position, (key, stage) in enumerate(zip(keys, stages, strict=False)):
                group.node(key, stage, source=model.location((*base, side, position)))
        chart.chain(keys, source=model.location((*base, side)))
    title = f"{comparison['left']} vs {comparison['right']}"
    drawn = (model.section("service_load_balancing").get("component"),)
    return [_view(model, "kube-proxy-comparison", title, chart, base, drawn)]


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
    return [_view(model, "ebpf-architecture", "eBPF architecture", chart, base, drawn)]


# --- pod networking and tenants -------------------------------------------------------------


def cni_architecture(model: Model) -> list[View]:
    """One subgraph per CNI plugin that has features, linked in chain order (D8)."""
    chain = model.section("pod_networking").get("cni_chain")
    if not chain:
        return []
    chart = Flowchart(direction="TD")
    groups: list[str] = []
    owners: list[str] = []
    for plugin_id in chain["plugins"]:
        # A chained plugin binary (cilium-cni) stands for the component it is part of.
        owner_id = model.element("component", plugin_id).get("part_of", plugin_id)
        component = model.element("component", owner_id)
        features = component.get("features")
        if not features:
            continue
        component_path = model.element_path("component", owner_id)
        with chart.subgraph(f"cni-{plugin_id}", component["name"]) as group:
            for position, feature in enumerate(features):
                group.node(
                    f"{plugin_id}-feature-{position}",
                    feature,
                    source=model.location((*component_path, "features", position)),
                )
        groups.append(f"cni-{plugin_id}")
        owners.append(owner_id)
    if len(groups) < 2:
        return []
    label_text = f"chained ({chain['mode']})" if chain.get("mode") else None
    for first, second in itertools.pairwise(groups):
        chart.edge(
            first, second, label_text, source=model.location(("pod_networking", "cni_chain"))
        )
    origin: ModelPath = ("pod_networking", "cni_chain")
    return [_view(model, "cni-architecture", "CNI architecture", chart, origin, owners)]


def _policy(model: Model, scope: str) -> dict[str, Any] | None:
    return next((p for p in model.items("policies") if p["scope"] == scope), None)


def _verdict(model: Model, same_tenant: bool) -> str:
    policy = _policy(model, "same-tenant" if same_tenant else "cross-tenant")
    if policy is None:
        # Without a matching policy Kubernetes allows pod-to-pod traffic.
        return "ALLOWED" if not model.section("policies").get("items") else "DENIED"
    return "ALLOWED" if policy["action"] == "allow" else "DENIED"


def tenant_isolation_model(model: Model) -> list[View]:
    """Every tenant with pods -> the policy engine -> allowed / dropped (D9)."""
    tenants = [t for t in model.items("tenants") if t.get("pods")]
    if len(tenants) < 2 or not model.section("policies"):
        return []
    chart = Flowchart(direction="TD")
    engine = model.section("service_load_balancing").get("component")
    engine_name = model.element("component", engine)["name"] if engine else "Network"
    chart.node(
        "engine",
        f"{engine_name} policy engine",
        Shape.DECISION,
        source=model.location(("policies",)),
    )
    for tenant in tenants:
        addresses = ", ".join(pod["address"] for pod in tenant["pods"])
        chart.node(
            tenant["id"],
            f"Tenant {tenant['name']}: namespace {tenant['namespace']}\nPods: {addresses}",
            source=model.element_location("tenant", tenant["id"]),
        )
        chart.edge(tenant["id"], "engine")
    first, second = tenants[0]["name"], tenants[1]["name"]
    same = _verdict(model, True)
    cross = _verdict(model, False)
    chart.node(
        "same-tenant",
        "Same-tenant traffic passes" if same == "ALLOWED" else "Same-tenant traffic dropped",
    )
    chart.node(
        "cross-tenant",
        "Cross-tenant traffic dropped" if cross == "DENIED" else "Cross-tenant traffic passes",
    )
    chart.edge("engine", "same-tenant", f"{first} ↔ {first}: {same}")
    chart.edge("engine", "cross-tenant", f"{first} ↔ {second}: {cross}")
    title = "Tenant isolation model"
    return [_view(model, "tenant-isolation-model", title, chart, ("tenants",), (engine,))]


def identity(model: Model) -> list[View]:
    """Pod labels -> agent hashes them to an identity -> eBPF map entry (D10)."""
    items = model.items("identities")
    if not items:
        return []
    entry = items[0]
    pod = model.element("pod", entry["pod"])
    tenant = model.tenant_of_pod(entry["pod"])
    labels = [f"{key}={value}" for key, value in pod.get("labels", {}).items()]
    labels.append(f"namespace={tenant['namespace']}")
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
    return [_view(model, "identity", "Identity-based security", chart, ("identities",), agent)]


def _identity_number(model: Model, pod_id: str) -> str:
    for entry in model.items("identities"):
        if entry["pod"] == pod_id:
            return str(entry["number"])
    return "?"


def policy_enforcement(model: Model) -> list[View]:
    """The in-kernel lookups for the model's example packet, ending in its verdict (D11)."""
    section = model.section("policy_enforcement")
    if not section:
        return []
    example = section["example"]
    source_pod, target_pod = (
        model.element("pod", example["from"]),
        model.element("pod", example["to"]),
    )
    source_tenant, target_tenant = (
        model.tenant_of_pod(example["from"]),
        model.tenant_of_pod(example["to"]),
    )
    src_id, dst_id = (
        _identity_number(model, example["from"]),
        _identity_number(model, example["to"]),
    )
    same = source_tenant["id"] == target_tenant["id"]
    verdict = "ALLOW" if _verdict(model, same) == "ALLOWED" else "DENY"
    where = model.location(("policy_enforcement", "example"))
    chart = Flowchart(direction="TD")
    chart.node("packet", f"Packet: {source_pod['address']} → {target_pod['address']}", source=where)
    chart.node(
        "source",
        f"1. Look up source identity:\n{source_pod['address']} → ID {src_id} ({source_tenant['namespace']})",
        source=where,
    )
    chart.node(
        "destination",
        f"2. Look up destination identity:\n{target_pod['address']} → ID {dst_id} ({target_tenant['namespace']})",
        source=where,
    )
    chart.node(
        "policy",
        f"3. Check policy map:\n({src_id}, {dst_id}, {example['protocol']}, {example['port']}) → {verdict}",
        source=where,
    )
    chart.node(
        "result", "4. Forward packet" if verdict == "ALLOW" else "4. Drop packet", source=where
    )
    chart.chain(["packet", "source", "destination", "policy", "result"], source=where)
    return [
        _view(
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
        _view(
            model, "kernel-enforcement", "Kernel-level enforcement", chart, ("security_properties",)
        )
    ]


def tenant_isolation_summary(model: Model) -> list[View]:
    """One pod's traffic through the policy check: cross-tenant vs same-tenant (D14)."""
    tenants = [t for t in model.items("tenants") if t.get("pods")]
    if not tenants or not model.section("policies"):
        return []
    tenant = tenants[0]
    pod = tenant["pods"][0]
    chart = Flowchart(direction="LR")
    chart.node(
        "pod",
        f"Pod {pod['id']}\n(tenant {tenant['name']})",
        source=model.element_location("pod", pod["id"]),
    )
    chart.node("check", "eBPF\npolicy check", Shape.DECISION, source=model.location(("policies",)))
    cross, same = _verdict(model, False), _verdict(model, True)
    chart.node("cross", f"{'DENY' if cross == 'DENIED' else 'ALLOW'}: pod of another tenant")
    chart.node(
        "same",
        f"{'ALLOW' if same == 'ALLOWED' else 'DENY'}: another pod of tenant {tenant['name']}",
    )
    chart.edge("pod", "check")
    chart.edge("check", "cross", "Cross-tenant", EdgeStyle.DOTTED)
    chart.edge("check", "same", "Same tenant")
    return [_view(model, "tenant-isolation-summary", "Tenant isolation", chart, ("policies",))]


DIAGRAM_BUILDERS = (
    external_ingress,
    vlans,
    kube_proxy_comparison,
    ebpf_architecture,
    cni_architecture,
    tenant_isolation_model,
    identity,
    policy_enforcement,
    kernel_enforcement,
    tenant_isolation_summary,
    flows,
)
