"""kube-vip: the control-plane VIP and Service addresses from its ranges, announced by ARP/NDP
from one elected node or by BGP from the nodes."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.kube_vip import facts, rules  # noqa: F401  (rules registers the kit's rules)

KIT = Kit(
    name="kube_vip",
    title="kube-vip",
    products=("kube-vip",),
    sections=("kube_vip",),
    folder=Path(__file__).parent,
    facts=facts.facts,
)
