"""ServiceLB (k3s, klipper-lb): LoadBalancer Services on host ports of the nodes' addresses."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.servicelb import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="servicelb",
    title="ServiceLB",
    products=("servicelb",),
    also_known_as=("k3s", "klipper-lb", "klipper"),
    folder=Path(__file__).parent,
)
