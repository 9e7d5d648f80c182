"""Calico: network policy (alone or beside another CNI) and, as a CNI, IPAM from its IP pools."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.calico import facts, rules  # noqa: F401  (rules registers the kit's rules)
from netarch.kits.calico.views import VIEWS

KIT = Kit(
    name="calico",
    title="Calico",
    products=("calico",),
    views=VIEWS,
    sections=("calico",),
    folder=Path(__file__).parent,
    facts=facts.facts,
    # IP-in-IP adds one IPv4 header; Calico's VXLAN uses the IANA port (Felix vxlanPort 4789).
    overlay_overhead={"ipip": 20, "vxlan": 50},
    overlay_ports={"vxlan": 4789},
)
