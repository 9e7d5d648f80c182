"""Calico's model section as network facts: its IP pools are where pod addresses come from."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.facts import Fact
from netarch.facts.core import ranges_at
from netarch.model.network import Model

KIT = "calico"


def facts(model: Model) -> Iterator[Fact]:
    for index, pool in enumerate(model.section("calico").get("ip_pools", [])):
        yield from ranges_at(
            model,
            ("calico", "ip_pools", index, "cidr"),
            "pod",
            f"Calico IP pool {pool['id']}",
            KIT,
            str(pool["id"]),
        )
