"""Cilium's real configuration as network facts.

The chart's values reach the cluster in the ConfigMap ``cilium-config`` (one key per option;
cilium chart ``templates/cilium-configmap.yaml``), the agent's environment
(``KUBERNETES_SERVICE_HOST``/``PORT`` from ``k8sServiceHost``/``k8sServicePort``), and Cilium's
own objects: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, CiliumLoadBalancerIPPool.
Each option is reported under the Helm value the model's settings use.
"""

from __future__ import annotations

from collections.abc import Iterator

from netarch.cluster.objects import Configuration, Wanted
from netarch.drift.readers import ConfigReader, Found, container_env, origin_of, setting
from netarch.facts import LoadBalancerPool, Policy, ServiceProxy
from netarch.facts.addresses import address_set

KIT = "cilium"
PRODUCT = "cilium"

# cilium-config key -> Helm value (cilium chart templates/cilium-configmap.yaml).
OPTIONS = {
    "kube-proxy-replacement": "kubeProxyReplacement",
    "bpf-lb-algorithm": "loadBalancer.algorithm",
    "bpf-lb-mode": "loadBalancer.mode",
    "bpf-lb-acceleration": "loadBalancer.acceleration",
    "enable-service-topology": "loadBalancer.serviceTopology",
    "ipam": "ipam.mode",
    "routing-mode": "routingMode",
    "tunnel-protocol": "tunnelProtocol",
    "cni-chaining-mode": "cni.chainingMode",
    "cni-chaining-target": "cni.chainingTarget",
    "enable-hubble": "hubble.enabled",
    "enable-host-firewall": "hostFirewall.enabled",
    "enable-ipv4": "ipv4.enabled",
    "enable-ipv6": "ipv6.enabled",
    "enable-ipv4-masquerade": "enableIPv4Masquerade",
    "enable-ipv6-masquerade": "enableIPv6Masquerade",
    "enable-bpf-masquerade": "bpf.masquerade",
    "auto-direct-node-routes": "autoDirectNodeRoutes",
    "enable-bgp-control-plane": "bgpControlPlane.enabled",
    "enable-l2-announcements": "l2announcements.enabled",
    "enable-identity-mark": "enableIdentityMark",
    "enable-wireguard": "encryption.wireguard",
    "enable-ipsec": "encryption.ipsec",
    "devices": "devices",
    "mtu": "MTU",
}
_ENVIRONMENT = {
    "KUBERNETES_SERVICE_HOST": "k8sServiceHost",
    "KUBERNETES_SERVICE_PORT": "k8sServicePort",
}


def _typed(value: object) -> object:
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if value.isdigit():
            return int(value)
    return value


def read(config: Configuration) -> Iterator[Found]:
    for item in config.of_kind("ConfigMap"):
        data = item.get("data") or {}
        for option, key in OPTIONS.items():
            if option in data:
                yield setting(item, PRODUCT, key, _typed(data[option]), "data", option)
        replacement = str(data.get("kube-proxy-replacement", "")).lower()
        if replacement in ("true", "strict"):
            yield ServiceProxy(
                "replacement",
                origin_of(item, KIT, "data", "kube-proxy-replacement"),
                component=PRODUCT,
            )
    for item in config.of_kind("DaemonSet"):
        environment = container_env(item)
        for name, key in _ENVIRONMENT.items():
            if name in environment:
                value, index, number = environment[name]
                path = ("spec", "template", "spec", "containers", index, "env", number, "value")
                yield setting(item, PRODUCT, key, _typed(value), *path)
    for item in config.of_kind("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"):
        name = f"{item.namespace}/{item.name}" if item.namespace else item.name
        denies = bool(item.get("spec", "ingressDeny") or item.get("spec", "egressDeny"))
        yield Policy(name, "deny" if denies else "allow", origin_of(item, KIT), PRODUCT)
    for item in config.of_kind("CiliumLoadBalancerIPPool"):
        entries = []
        for index, block in enumerate(item.get("spec", "blocks") or []):
            if not isinstance(block, dict):
                continue
            text = block.get("cidr") or (
                f"{block['start']}-{block['stop']}"
                if "start" in block and "stop" in block
                else None
            )
            entry = address_set(text, ("spec", "blocks", index)) if text else None
            if entry is not None:
                entries.append(entry)
        yield LoadBalancerPool(
            item.name, tuple(entries), origin_of(item, KIT, "spec"), "Cilium LB-IPAM pool"
        )


_WORKLOAD_KEEP = (("metadata",), ("spec", "template"))
READER = ConfigReader(
    KIT,
    (
        Wanted("ConfigMap", names=frozenset({"cilium-config"})),
        Wanted("DaemonSet", names=frozenset({"cilium"}), keep=_WORKLOAD_KEEP),
        Wanted("CiliumNetworkPolicy", api_groups=frozenset({"cilium.io"})),
        Wanted("CiliumClusterwideNetworkPolicy", api_groups=frozenset({"cilium.io"})),
        Wanted("CiliumLoadBalancerIPPool", api_groups=frozenset({"cilium.io"})),
    ),
    read,
)
