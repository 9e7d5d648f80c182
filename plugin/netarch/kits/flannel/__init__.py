"""Flannel: a pod network over VXLAN (or host-gw routes, or WireGuard), no network policy."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.flannel import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="flannel",
    title="Flannel",
    products=("flannel",),
    folder=Path(__file__).parent,
    # The VXLAN backend uses the Linux kernel's default port, 8472, not IANA's 4789
    # (flannel Documentation/backends.md: Port defaults to the kernel default).
    overlay_ports={"vxlan": 8472},
    overlay_overhead={"vxlan": 50},
    # net-conf.json Backend.Type (flannel Documentation/backends.md).
    settings={"Backend.Type": {"enum": ["vxlan", "host-gw", "wireguard", "udp", "ipip", "ipsec"]}},
)
