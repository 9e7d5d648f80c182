"""Cilium: eBPF datapath, kube-proxy replacement, identity-based policy, Hubble."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.cilium import rules  # noqa: F401  (registers the kit's rules)
from netarch.kits.cilium.views import VIEWS

KIT = Kit(
    name="cilium",
    title="Cilium",
    products=("cilium", "hubble"),
    views=VIEWS,
    sections=("identities", "policy_enforcement"),
    folder=Path(__file__).parent,
    # Cilium's tunnel ports (tunnel-port): VXLAN 8472 like the Linux default, Geneve 6081.
    overlay_ports={"vxlan": 8472, "geneve": 6081},
)
