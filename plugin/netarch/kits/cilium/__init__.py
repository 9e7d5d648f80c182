"""Cilium: eBPF datapath, kube-proxy replacement, identity-based policy, Hubble."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.cilium import facts, reader, rules  # noqa: F401  (rules registers the kit's rules)
from netarch.kits.cilium.views import VIEWS

KIT = Kit(
    name="cilium",
    title="Cilium",
    products=("cilium", "hubble"),
    views=VIEWS,
    sections=("identities",),
    folder=Path(__file__).parent,
    facts=facts.facts,
    config_reader=reader.READER,
    # Cilium's tunnel ports (tunnel-port): VXLAN 8472 like the Linux default, Geneve 6081.
    overlay_ports={"vxlan": 8472, "geneve": 6081},
    # Helm values of the cilium chart whose values are a closed set (Cilium docs, Helm
    # reference); booleans may be written as strings, as Helm --set leaves them.
    settings={
        "kubeProxyReplacement": {"enum": [True, False, "true", "false"]},
        "routingMode": {"enum": ["native", "tunnel"]},
        "tunnelProtocol": {"enum": ["vxlan", "geneve"]},
        "ipv4NativeRoutingCIDR": {"$ref": "#/$defs/cidr"},
        "k8sServicePort": {"type": "integer", "minimum": 1, "maximum": 65535},
        "ipam.mode": {
            "enum": [
                "cluster-pool",
                "kubernetes",
                "multi-pool",
                "crd",
                "eni",
                "azure",
                "alibabacloud",
                "delegated-plugin",
            ]
        },
        "ipam.operator.clusterPoolIPv4MaskSize": {"type": "integer", "minimum": 1, "maximum": 32},
        "loadBalancer.algorithm": {"enum": ["random", "maglev"]},
        "loadBalancer.mode": {"enum": ["snat", "dsr", "hybrid"]},
        "encryption.type": {"enum": ["ipsec", "wireguard"]},
        "cni.chainingMode": {"enum": ["none", "aws-cni", "flannel", "generic-veth", "portmap"]},
        "MTU": {"type": "integer", "minimum": 0, "maximum": 65535},
        **{
            key: {"enum": [True, False, "true", "false"]}
            for key in (
                "autoDirectNodeRoutes",
                "directRoutingSkipUnreachable",
                "enableIPv4Masquerade",
                "enableIPv6Masquerade",
                "bpf.masquerade",
                "bgpControlPlane.enabled",
                "gatewayAPI.enabled",
                "l2announcements.enabled",
                "hostFirewall.enabled",
                "ipv6.enabled",
                "encryption.enabled",
                "enableIdentityMark",
                "hubble.enabled",
                "hubble.relay.enabled",
                "hubble.ui.enabled",
                "loadBalancer.serviceTopology",
            )
        },
    },
)
