"""Kube-OVN: centralised IPAM, OVN/OVS overlay, subnets and VPCs."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.kube_ovn import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="kube_ovn",
    title="Kube-OVN",
    products=("kube-ovn",),
    sections=("vpcs",),
    folder=Path(__file__).parent,
    # What kube-ovn-cni takes off the NIC MTU per encapsulation (pkg/util/const.go:
    # GeneveHeaderLength = 100, VxlanHeaderLength = 50, SttHeaderLength = 72).
    overlay_overhead={"geneve": 100, "vxlan": 50, "stt": 72},
    overlay_ports={"geneve": 6081, "vxlan": 4789},
)
