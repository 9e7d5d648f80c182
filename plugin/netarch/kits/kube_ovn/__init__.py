"""Kube-OVN: centralised IPAM, OVN/OVS overlay, subnets and VPCs."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.kube_ovn import facts, reader, rules  # noqa: F401  (rules registers the kit's rules)

KIT = Kit(
    name="kube_ovn",
    title="Kube-OVN",
    products=("kube-ovn",),
    sections=("vpcs",),
    folder=Path(__file__).parent,
    facts=facts.facts,
    config_reader=reader.READER,
    # What kube-ovn-cni takes off the NIC MTU per encapsulation (pkg/util/const.go:
    # GeneveHeaderLength = 100, VxlanHeaderLength = 50, SttHeaderLength = 72).
    overlay_overhead={"geneve": 100, "vxlan": 50, "stt": 72},
    overlay_ports={"geneve": 6081, "vxlan": 4789},
    # kube-ovn-controller and kube-ovn-cni options (environment variables of the chart).
    settings={
        "NETWORK_TYPE": {"enum": ["geneve", "vxlan", "stt", "vlan"]},
        "TUNNEL_TYPE": {"enum": ["geneve", "vxlan", "stt"]},
        **{
            key: {"enum": [True, False, "true", "false"]}
            for key in (
                "ENABLE_NP",
                "ENABLE_LB",
                "ENABLE_KEEP_VM_IP",
                "ENABLE_SSL",
                "ENABLE_EIP_SNAT",
            )
        },
    },
)
