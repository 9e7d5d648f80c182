"""The AWS Load Balancer Controller kit's rules (other-networks.md, network 2 "EKS", rules 7
and 8): target types and the subnets its load balancers need.

The model's ``load_balancing`` section says which component provisions the load balancers
(``announced_by``), and each exposed Service or Ingress its ``targets``: ``pods`` for IP
targets, ``nodes`` for instance targets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.kits import product_of
from netarch.model.network import Model, ModelPath

rule = kit_rule("aws_load_balancer_controller")
SECTION = "AWS Load Balancer Controller"
DOC = "other-networks.md 2(b)"
PRODUCT = "aws-load-balancer-controller"


def _services(model: Model) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    """The Services and Ingresses whose load balancers the controller provisions."""
    section = model.section("load_balancing")
    if product_of(model, section.get("announced_by")) != PRODUCT:
        return
    for index, service in enumerate(section.get("services", [])):
        yield ("load_balancing", "services", index), service


@rule(
    "NA330",
    "error",
    "IP targets without the VPC CNI",
    rationale="With IP targets the load balancer sends straight to pod addresses, so they must"
    " be addresses of the VPC: with the Amazon VPC CNI they are. With any other CNI the"
    " controller can only use instance targets (node ports).",
    source="awsdocs/amazon-eks-user-guide latest/ug/workloads/network-load-balancing.adoc (alternate CNIs: instance targets only);"
    " AWS Load Balancer Controller docs (target type)",
    reference=DOC + " rule 7",
    hint="use instance targets (targets: nodes), or run the Amazon VPC CNI",
    section=SECTION,
)
def ip_targets_need_vpc_addresses(model: Model) -> Iterator[Finding]:
    cni = model.section("cluster").get("cni")
    if cni is None or product_of(model, cni) == "aws-vpc-cni":
        return
    for path, service in _services(model):
        if service.get("targets") == "pods":
            yield Finding(
                (*path, "targets"),
                f"{service['name']} uses IP targets, but the CNI {cni} does not give pods VPC"
                " addresses",
                related=(("cluster", "cni"),),
            )


@rule(
    "NA331",
    "warning",
    "externalTrafficPolicy Local on IP targets",
    rationale="externalTrafficPolicy acts on node ports; with IP targets the load balancer"
    " skips them and sends to the pods directly, so Local keeps nothing local (and the health"
    " checks ignore the healthCheckNodePort).",
    source="AWS Load Balancer Controller docs, NLB annotations;"
    " kubernetes-sigs/aws-load-balancer-controller#1813",
    reference=DOC + " rule 7",
    hint="leave externalTrafficPolicy at Cluster with IP targets, or use instance targets",
    section=SECTION,
)
def local_policy_on_ip_targets(model: Model) -> Iterator[Finding]:
    for path, service in _services(model):
        if service.get("targets") == "pods" and service.get("external_traffic_policy") == "Local":
            yield Finding(
                (*path, "external_traffic_policy"),
                f"{service['name']} has IP targets, where externalTrafficPolicy: Local has no"
                " effect",
                related=((*path, "targets"),),
            )


@rule(
    "NA332",
    "error",
    "Application Load Balancer with subnets in fewer than two zones",
    rationale="An Application Load Balancer needs subnets in at least two availability zones;"
    " the controller picks one subnet per zone (public subnets for an internet-facing one,"
    " private ones for an internal one) and cannot create it otherwise.",
    source="AWS Load Balancer Controller docs, subnet discovery; awsdocs/amazon-eks-user-guide latest/ug/workloads/network-load-balancing.adoc",
    reference=DOC + " rule 8",
    hint="add a public (or private) subnet in a second zone",
    section=SECTION,
)
def alb_zones(model: Model) -> Iterator[Finding]:
    ingresses = [(path, s) for path, s in _services(model) if s.get("kind") == "ingress"]
    if not ingresses:
        return
    usable = [
        zone["id"]
        for zone in model.items("zones")
        if any(s.get("role") in ("public", "private") for s in zone.get("subnets", []))
    ]
    if len(usable) < 2:
        for path, service in ingresses:
            yield Finding(
                (*path, "kind"),
                f"{service['name']} gets an Application Load Balancer, but only"
                f" {len(usable)} zone(s) have a public or private subnet for it",
            )
