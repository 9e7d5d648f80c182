"""kube-proxy: Services programmed by iptables, IPVS or nftables rules on every node."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.kube_proxy import facts, rules  # noqa: F401  (rules registers the kit's rules)

KIT = Kit(
    name="kube_proxy",
    title="kube-proxy",
    products=("kube-proxy",),
    sections=("kube_proxy",),
    folder=Path(__file__).parent,
    facts=facts.facts,
)
