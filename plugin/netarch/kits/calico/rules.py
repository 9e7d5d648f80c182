"""The Calico kit's rules for Calico enforcing network policy beside another CNI
(other-networks.md, network 2 "EKS", rule 9).
"""

from __future__ import annotations

from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.kits import product_of
from netarch.model.network import Model, ModelPath

rule = kit_rule("calico")
SECTION = "Calico"
DOC = "other-networks.md 2(b)"


@rule(
    "NA300",
    "error",
    "Calico and another component both enforce network policy",
    rationale="Exactly one engine may enforce Kubernetes NetworkPolicies: two of them (Calico's"
    " Felix and the CNI's own policy agent, say) program the datapath twice, and a policy"
    " allowed by one can be dropped by the other: a CNI's own policy agent is switched off"
    " before Calico enforces policy.",
    source="Calico installation guides (policy-only mode beside another CNI)",
    reference=DOC
    + " rule 9; Calico on EKS installation guide; EKS user guide, alternate CNI plugins",
    hint="turn the other engine's network policy off (remove network-policy from its provides)",
    section=SECTION,
)
def one_policy_engine(model: Model) -> Iterator[Finding]:
    engine = model.section("policies").get("enforced_by")
    if product_of(model, engine) != "calico":
        return
    for index, component in enumerate(model.items("components")):
        if component["id"] != engine and "network-policy" in component.get("provides", []):
            yield Finding(
                ("components", index, "provides"),
                f"{component['name']} provides network-policy, but Calico ({engine}) enforces"
                " the policies",
                related=(("policies", "enforced_by"),),
            )


@rule(
    "NA301",
    "warning",
    "Calico policy on the VPC CNI without ANNOTATE_POD_IP",
    rationale="Calico in policy-only mode on the Amazon VPC CNI reads pod addresses from an"
    " annotation that aws-node adds to each pod only with ANNOTATE_POD_IP=true (which needs"
    " patch rights on pods); the EKS guide for alternate policy engines says to set it.",
    source="Calico on EKS installation guide; EKS user guide, alternate CNI plugins",
    reference=DOC + " rule 9",
    hint="set ANNOTATE_POD_IP: true in the VPC CNI's settings",
    section=SECTION,
    requires=("aws_vpc_cni",),
)
def annotate_pod_ip(model: Model) -> Iterator[Finding]:
    if product_of(model, model.section("policies").get("enforced_by")) != "calico":
        return
    section = model.section("pod_networking")
    if product_of(model, section.get("component")) != "aws-vpc-cni":
        return
    settings = section.get("settings")
    if not isinstance(settings, dict):
        return
    value = settings.get("ANNOTATE_POD_IP")
    if value is True or str(value).lower() == "true":
        return
    where: ModelPath = ("pod_networking", "settings")
    if "ANNOTATE_POD_IP" in settings:
        where = (*where, "ANNOTATE_POD_IP")
    yield Finding(
        where,
        "Calico enforces policy on the VPC CNI, but ANNOTATE_POD_IP is not true",
        related=(("policies", "enforced_by"),),
    )
