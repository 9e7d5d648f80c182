"""Calico, here as the network-policy engine beside another CNI (policy-only mode)."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.calico import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="calico",
    title="Calico",
    products=("calico",),
    folder=Path(__file__).parent,
)
