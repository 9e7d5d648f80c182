"""Kube-OVN's real configuration as network facts.

The chart's values reach the cluster as arguments of the ``kube-ovn-controller`` Deployment
(``--default-cidr``, ``--default-gateway``, ``--node-switch-cidr``,
``--service-cluster-ip-range``, ``--network-type``, ``--enable-np``, ``--enable-lb``,
``--keep-vm-ip``; kube-ovn chart ``templates/controller-deploy.yaml``) and the
``--network-type`` argument of the ``kube-ovn-cni`` DaemonSet, the chart's ``TUNNEL_TYPE``
(``templates/ovncni-ds.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterator

from netarch.cluster.objects import Configuration, Wanted
from netarch.drift.readers import (
    ConfigReader,
    Found,
    address,
    container_args,
    origin_of,
    ranges,
    setting,
)
from netarch.facts import Tunnel

KIT = "kube_ovn"
PRODUCT = "kube-ovn"
_WORKLOAD_KEEP = (("metadata",), ("spec", "template"))

# controller argument -> (fact role, label) for the ranges and the gateway.
_RANGES = {
    "default-cidr": ("pod", "Kube-OVN --default-cidr"),
    "node-switch-cidr": ("join", "Kube-OVN --node-switch-cidr"),
    "service-cluster-ip-range": ("service", "Kube-OVN --service-cluster-ip-range"),
}
# controller argument -> the chart key the model's ``pod_networking.settings`` uses.
_SETTINGS = {
    "network-type": "NETWORK_TYPE",
    "enable-np": "ENABLE_NP",
    "enable-lb": "ENABLE_LB",
    "keep-vm-ip": "ENABLE_KEEP_VM_IP",
}
# The UDP port of each encapsulation (OVS defaults).
_PORTS = {"geneve": 6081, "vxlan": 4789}


def read(config: Configuration) -> Iterator[Found]:
    for item in config.of_kind("Deployment"):
        arguments = container_args(item)
        for flag, (role, label) in _RANGES.items():
            if flag in arguments:
                value, where = arguments[flag]
                yield from ranges(item, KIT, role, label, value, *where)
        if "default-gateway" in arguments:
            value, where = arguments["default-gateway"]
            yield from address(
                item, KIT, "pod-gateway", "Kube-OVN --default-gateway", value, *where
            )
        for flag, key in _SETTINGS.items():
            if flag in arguments:
                value, where = arguments[flag]
                yield setting(item, PRODUCT, key, _typed(value), *where)
        if "network-type" in arguments and arguments["network-type"][0] in _PORTS:
            value, where = arguments["network-type"]
            yield Tunnel(value, origin_of(item, KIT, *where), _PORTS[value])
    for item in config.of_kind("DaemonSet"):
        # kube-ovn-cni's --network-type is the chart's TUNNEL_TYPE (templates/ovncni-ds.yaml).
        tunnel = container_args(item).get("network-type")
        if tunnel is not None:
            yield setting(item, PRODUCT, "TUNNEL_TYPE", tunnel[0], *tunnel[1])


def _typed(value: str) -> object:
    return {"true": True, "false": False}.get(value.lower(), value)


READER = ConfigReader(
    KIT,
    (
        Wanted("Deployment", names=frozenset({"kube-ovn-controller"}), keep=_WORKLOAD_KEEP),
        Wanted("DaemonSet", names=frozenset({"kube-ovn-cni"}), keep=_WORKLOAD_KEEP),
    ),
    read,
)
