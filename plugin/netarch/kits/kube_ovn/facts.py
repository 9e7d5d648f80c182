"""Kube-OVN's VPC subnets as network facts: ranges pods (and VMs) take their addresses from."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.facts import Fact
from netarch.facts.core import ranges_at
from netarch.model.network import Model

KIT = "kube_ovn"


def facts(model: Model) -> Iterator[Fact]:
    for vpc_index, vpc in enumerate(model.section("vpcs").get("items", [])):
        for index, subnet in enumerate(vpc.get("subnets", [])):
            yield from ranges_at(
                model,
                ("vpcs", "items", vpc_index, "subnets", index, "cidr"),
                "pod",
                f"Kube-OVN subnet {subnet['id']} (VPC {vpc['id']})",
                KIT,
                f"{vpc['id']}/{subnet['id']}",
            )
