"""How the policy engine checks the model's example packet, whichever engine it is.

A kit whose product has its own way to show this (Cilium's identity lookups in eBPF maps)
provides a view with the same id, which takes this one's place while that product enforces
the policies."""

from __future__ import annotations

from netarch.mermaid.builder import Flowchart
from netarch.model.network import Model
from netarch.views.base import View
from netarch.views.diagrams import diagram_view
from netarch.views.isolation import packet_verdict

VIEW_ID = "policy-enforcement"


def policy_enforcement(model: Model) -> list[View]:
    section = model.section("policy_enforcement")
    if not section:
        return []
    example = section["example"]
    source_pod = model.element("pod", example["from"])
    target_pod = model.element("pod", example["to"])
    outcome = packet_verdict(
        model, example["from"], example["to"], example["protocol"], example["port"]
    )
    engine = model.section("policies").get("enforced_by")
    engine_name = model.element("component", engine)["name"] if engine else "The policy engine"
    where = model.location(("policy_enforcement", "example"))
    chart = Flowchart(direction="TD")
    chart.node("packet", f"Packet: {source_pod['address']} → {target_pod['address']}", source=where)
    chart.node(
        "policy",
        f"{engine_name} matches the policies:\n{example['protocol']} {example['port']} → "
        + {"ALLOW": "allow", "DENY": "deny"}.get(outcome, "undecided"),
        source=where,
    )
    result = {"ALLOW": "Forward packet", "DENY": "Drop packet"}.get(
        outcome, "Forward or drop: the model's policies do not decide"
    )
    chart.node("result", result, source=where)
    chart.chain(["packet", "policy", "result"], source=where)
    return [
        diagram_view(
            model,
            VIEW_ID,
            "Policy enforcement",
            chart,
            ("policy_enforcement",),
            (engine,) if engine else (),
        )
    ]


DIAGRAM_BUILDERS = (policy_enforcement,)
