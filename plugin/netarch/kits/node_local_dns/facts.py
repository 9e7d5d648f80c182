"""NodeLocal DNSCache as a network fact: a DNS address every node answers on."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.facts import Fact
from netarch.facts.core import address_at
from netarch.model.network import Model

KIT = "node_local_dns"


def facts(model: Model) -> Iterator[Fact]:
    section = model.section("node_local_dns")
    if not section:
        return
    found = address_at(
        model,
        ("node_local_dns", "address"),
        "dns",
        "the NodeLocal DNSCache address",
        str(section.get("component", "")),
        KIT,
    )
    if found is not None:
        yield found
