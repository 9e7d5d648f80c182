"""NodeLocal DNSCache: a DNS cache on every node, listening on a local address."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.node_local_dns import facts, rules  # noqa: F401  (rules registers the kit's rules)

KIT = Kit(
    name="node_local_dns",
    title="NodeLocal DNSCache",
    products=("node-local-dns",),
    also_known_as=("nodelocaldns", "node-local-dns"),
    sections=("node_local_dns",),
    folder=Path(__file__).parent,
    facts=facts.facts,
)
