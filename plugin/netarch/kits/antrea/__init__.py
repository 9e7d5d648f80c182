"""Antrea: a CNI on Open vSwitch, with Geneve (default), VXLAN, GRE or STT tunnels, and its own
tiered network policies."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.antrea import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="antrea",
    title="Antrea",
    products=("antrea",),
    folder=Path(__file__).parent,
    # antrea-agent.conf: tunnelPort 0 means the default port of the tunnel type (IANA's).
    overlay_ports={"geneve": 6081, "vxlan": 4789},
    # antrea-agent.conf keys (pod_networking.settings when Antrea is the CNI).
    settings={
        "tunnelType": {"enum": ["geneve", "vxlan", "gre", "stt"]},
        "trafficEncapMode": {"enum": ["encap", "noEncap", "hybrid", "networkPolicyOnly"]},
        "trafficEncryptionMode": {"enum": ["none", "ipsec", "wireguard"]},
        "tunnelPort": {"type": "integer", "minimum": 0, "maximum": 65535},
    },
)
