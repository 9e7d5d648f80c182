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
from netarch.mermaid.escape import wrap_at_spaces
from netarch.model.network import Model, ModelPath
from netarch.views.base import DiagramView, View
from netarch.views.isolation import (
    ALLOWED,
    DENIED,
    PARTLY,
    UNDECIDED,
    policy_engine,
    tenant_reach,
)
from netarch.views.text import label, safe_markdown


def participant_label(model: Model, element_id: str, *, with_role: bool = True) -> str:
    """A flow participant's label; without the role where width is scarce (sequences, LR)."""
    kind, element = model.participant(element_id)
    if kind == "component":
        return label(element["name"], element.get("role") if with_role else None)
    if kind == "node":
        return element["name"]
    return f"Pod {element['id']}\n({model.namespace_of_pod(element_id)})"


def diagram_view(
    model: Model,
    view_id: str,
    title: str,
    diagram: Any,
    origin: ModelPath,
    components: Iterable[str | None] = (),
) -> DiagramView:
    legend = _legend(model, components)
    return DiagramView(
        view_id, title, diagram.render(), model.location(origin), legend, origin_path=origin
    )


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


def element_keys(ids: Iterable[str], taken: Iterable[str], kind: str) -> dict[str, str]:
    """Diagram keys for elements of one kind: each its own id (so the Mermaid id reads as the
    model's), or ``kind-id`` where that id is already a key of the diagram (another kind's
    element, a fixed node such as "client"): ids are unique only within a kind."""
    used = set(taken)
    keys: dict[str, str] = {}
    for element_id in ids:
        key = element_id if element_id not in used else f"{kind}-{element_id}"
        keys[element_id] = key
        used.add(key)
    return keys


# Mermaid gives each sequence participant 150 px plus a 50 px margin, so a six-participant
# flow is ~1300 px wide and shrinks to unreadable text in an article. Narrower actors fit, with
# the text broken at spaces by the builder (SEQUENCE_LINE_WIDTH): Mermaid's own `wrap` would
# hyphenate inside addresses ("192.168.100.-200") and names ("frontend-abc-123").
COMPACT_SEQUENCE = {"sequence": {"width": 110, "actorMargin": 30}}
SEQUENCE_LINE_WIDTH = 24
# Long left-to-right chains: tighter spacing, and each node as wide as its label (Mermaid 12
# widens every label to 120 px otherwise, so a six-hop chain is 1056 px whatever it says).
COMPACT_CHAIN = {"flowchart": {"rankSpacing": 18, "padding": 5, "minNodeWidth": 0}}
CHAIN_LINE_WIDTH = 12
# The widest left-to-right chain that a desktop article (about 690 px) shows with its 16 px
# text at 12 px or more; a path estimated wider than this is drawn top down instead, unless
# the model asks for a direction. Estimates for 16 px sans-serif, measured with Mermaid 12.3.0
# in Chromium: about 7.5 px a character, 10 px of padding a node, 57 px an arrow.
LR_CHAIN_BUDGET_PX = 900
_CHAR_PX, _NODE_PX, _ARROW_PX = 7.5, 10, 57


def chain_width(labels: list[str]) -> float:
    """Estimated width in px of ``labels`` drawn as a left-to-right chain (COMPACT_CHAIN)."""
    widest_lines = [max(len(line) for line in label.split("\n")) for label in labels]
    return sum(_CHAR_PX * chars + _NODE_PX for chars in widest_lines) + _ARROW_PX * max(
        len(labels) - 1, 0
    )


# --- flows ------------------------------------------------------------------------------


def path_flow(model: Model, index: int, flow: dict[str, Any]) -> DiagramView:
    """A path flow: its hops as one chain, left to right where that fits, else top down."""
    base: ModelPath = ("flows", index)
    hops: list[str] = list(dict.fromkeys(flow["hops"]))  # a hairpin passes a hop again
    short = [participant_label(model, hop, with_role=False) for hop in hops]
    direction = flow.get("direction")
    if direction is None:
        wrapped = [wrap_at_spaces(text, CHAIN_LINE_WIDTH) for text in short]
        direction = "LR" if chain_width(wrapped) <= LR_CHAIN_BUDGET_PX else "TD"
    if direction == "LR":
        chart = Flowchart(direction="LR", config=COMPACT_CHAIN, line_width=CHAIN_LINE_WIDTH)
        labels = short
    else:
        chart = Flowchart(direction=direction)
        labels = [participant_label(model, hop) for hop in hops]
    for hop, text in zip(hops, labels, strict=True):
        position = flow["hops"].index(hop)
        chart.node(hop, text, source=model.location((*base, "hops", position)))
    if len(flow["hops"]) > 1:
        chart.chain(flow["hops"], source=model.location((*base, "hops")))
    return diagram_view(model, f"flow-{flow['id']}", flow["title"], chart, base, flow["hops"])


def sequence_flow(model: Model, index: int, flow: dict[str, Any]) -> DiagramView:
    """A sequence flow: participants, messages (dashed for replies) and notes, in order."""
    diagram = SequenceDiagram(config=COMPACT_SEQUENCE, line_width=SEQUENCE_LINE_WIDTH)
    base: ModelPath = ("flows", index)
    declared: set[str] = set()

    def declare(participant: str, where: Any) -> None:
        if participant not in declared:
            declared.add(participant)
            label_text = participant_label(model, participant, with_role=False)
            diagram.participant(participant, label_text, source=where)

    for position, participant in enumerate(flow.get("participants", [])):
        declare(participant, model.location((*base, "participants", position)))
    for position, step in enumerate(flow.get("steps", [])):
        where = model.location((*base, "steps", position))
        if not _drawable(step):
            continue
        # As Mermaid does, a participant a step names but the list leaves out comes after it.
        for key in ("note", "from", "to"):
            if key in step:
                declare(step[key], model.location((*base, "steps", position, key)))
        if "note" in step:
            diagram.note(step["note"], step["text"], source=where)
        else:
            diagram.message(
                step["from"], step["to"], step["text"], reply=bool(step.get("reply")), source=where
            )
    participants = flow.get("participants", [])
    return diagram_view(model, f"flow-{flow['id']}", flow["title"], diagram, base, participants)


def flows(model: Model) -> list[View]:
    """A diagram per flow that has something to draw: a path with hops, a sequence with
    participants or steps (the schema lets a flow be written before its content)."""
    views: list[View] = []
    for index, flow in enumerate(model.items("flows")):
        if flow["kind"] == "path":
            if flow.get("hops"):
                views.append(path_flow(model, index, flow))
        elif flow.get("participants") or any(_drawable(step) for step in flow.get("steps", [])):
            views.append(sequence_flow(model, index, flow))
    return views


def _drawable(step: dict[str, Any]) -> bool:
    """A step is a note over a participant or a message between two."""
    return "note" in step or ("from" in step and "to" in step)


# --- service load balancing ----------------------------------------------------------------


def kube_proxy_comparison(model: Model) -> list[View]:
    """Two pipelines side by side, each in its own left-to-right subgraph (D6)."""
    comparison = model.section("service_load_balancing").get("comparison")
    if not comparison or "pipelines" not in comparison:
        return []
    chart = Flowchart(direction="LR", config=COMPACT_CHAIN, line_width=CHAIN_LINE_WIDTH)
    base: ModelPath = ("service_load_balancing", "comparison", "pipelines")
    for side in ("left", "right"):
        stages = comparison["pipelines"][side]
        with chart.subgraph(f"{side}-pipeline", comparison[side], direction="LR") as group:
            keys = [f"{side}-{position}" for position in range(len(stages))]
            for position, (key, stage) in enumerate(zip(keys, stages, strict=False)):
                group.node(key, stage, source=model.location((*base, side, position)))
        if len(keys) > 1:
            chart.chain(keys, source=model.location((*base, side)))
    title = f"{comparison['left']} vs {comparison['right']}"
    drawn = (model.section("service_load_balancing").get("component"),)
    return [diagram_view(model, "kube-proxy-comparison", title, chart, base, drawn)]


# --- pod networking and tenants -------------------------------------------------------------


def cni_architecture(model: Model) -> list[View]:
    """One subgraph per CNI plugin that has features, linked in chain order (D8)."""
    chain = model.section("pod_networking").get("cni_chain")
    if not chain:
        return []
    chart = Flowchart(direction="TD")
    groups: list[str] = []
    owners: list[str] = []
    for plugin_id in dict.fromkeys(chain["plugins"]):  # a plugin listed twice is one plugin
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
    return [diagram_view(model, "cni-architecture", "CNI architecture", chart, origin, owners)]


def _engine_name(model: Model) -> tuple[str | None, str]:
    """The component that enforces the policies, and how a diagram names its check."""
    engine = policy_engine(model)
    return engine, model.element("component", engine)["name"] if engine else ""


_PASSES = {ALLOWED: "passes", DENIED: "dropped", PARTLY: "partly passes", UNDECIDED: "undecided"}


def tenant_isolation_model(model: Model) -> list[View]:
    """Every tenant with pods -> the policy engine -> what passes within and between tenants
    (D9), as the reachability of the policies says, whatever the order of their items."""
    tenants = [t for t in model.items("tenants") if t.get("pods")]
    if len(tenants) < 2 or not model.section("policies"):
        return []
    chart = Flowchart(direction="TD")
    engine, engine_name = _engine_name(model)
    chart.node(
        "engine",
        f"{engine_name} policy engine" if engine_name else "Policy engine",
        Shape.DECISION,
        source=model.location(("policies",)),
    )
    # Keyed apart from the fixed nodes: a tenant may be called "engine".
    keys = element_keys(
        (tenant["id"] for tenant in tenants), ("engine", "same-tenant", "cross-tenant"), "tenant"
    )
    for tenant in tenants:
        addresses = ", ".join(pod["address"] for pod in tenant["pods"])
        chart.node(
            keys[tenant["id"]],
            f"Tenant {tenant['name']}: namespace {tenant['namespace']}\nPods: {addresses}",
            source=model.element_location("tenant", tenant["id"]),
        )
        chart.edge(keys[tenant["id"]], "engine")
    reach = tenant_reach(model)
    first, second = tenants[0], tenants[1]
    chart.node("same-tenant", f"Same-tenant traffic {_PASSES[reach.same_tenant()]}")
    chart.node("cross-tenant", f"Cross-tenant traffic {_PASSES[reach.cross_tenant()]}")
    same = reach.between(first, first).text
    cross = reach.both_ways(first, second).text
    chart.edge("engine", "same-tenant", f"{first['name']} ↔ {first['name']}: {same}")
    chart.edge("engine", "cross-tenant", f"{first['name']} ↔ {second['name']}: {cross}")
    title = "Tenant isolation model"
    return [diagram_view(model, "tenant-isolation-model", title, chart, ("tenants",), (engine,))]


_ACTION = {ALLOWED: "ALLOW", DENIED: "DENY", PARTLY: "PARTLY ALLOW", UNDECIDED: "UNDECIDED"}


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
    _, engine_name = _engine_name(model)
    check = f"{engine_name}\npolicy check" if engine_name else "Policy check"
    chart.node("check", check, Shape.DECISION, source=model.location(("policies",)))
    reach = tenant_reach(model)
    same = reach.between(tenant, tenant).word
    others = [other for other in model.items("tenants") if other["id"] != tenant["id"]]
    cross = _overall_word([reach.between(tenant, other).word for other in others])
    if cross is not None:
        chart.node("cross", f"{_ACTION[cross]}: pod of another tenant")
    chart.node("same", f"{_ACTION[same]}: another pod of tenant {tenant['name']}")
    chart.edge("pod", "check")
    if cross is not None:
        chart.edge("check", "cross", "Cross-tenant", EdgeStyle.DOTTED)
    chart.edge("check", "same", "Same tenant")
    return [
        diagram_view(model, "tenant-isolation-summary", "Tenant isolation", chart, ("policies",))
    ]


def _overall_word(words: list[str]) -> str | None:
    """One word for the pod's traffic to every other tenant (None: there is no other)."""
    if not words:
        return None
    return words[0] if len(set(words)) == 1 else PARTLY


DIAGRAM_BUILDERS = (
    kube_proxy_comparison,
    cni_architecture,
    tenant_isolation_model,
    tenant_isolation_summary,
    flows,
)
