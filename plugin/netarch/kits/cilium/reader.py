"""Cilium's real configuration as network facts.

The chart's values reach the cluster in the ConfigMap ``cilium-config`` (one key per option;
cilium chart ``templates/cilium-configmap.yaml``), the agent's environment
(``KUBERNETES_SERVICE_HOST``/``PORT`` from ``k8sServiceHost``/``k8sServicePort``), and Cilium's
own objects: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, CiliumLoadBalancerIPPool.
Each option is reported under the Helm value the model's settings use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.cluster.objects import Configuration, Wanted
from netarch.drift.policies import Namespaces, Translation, ports
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


# --- policies, as the model's policy items (netarch.drift.policies) --------------------------

# Cilium's entities (docs.cilium.io, policy language: entities) as the model's classes.
_ENTITIES = {
    "world": ("world",),
    "cluster": ("cluster",),
    "host": ("nodes",),
    "remote-node": ("nodes",),
    "kube-apiserver": ("kube-apiserver",),
    "all": ("world", "cluster"),
}
_NAMESPACE = "io.kubernetes.pod.namespace"
_NAMESPACE_LABEL = "io.cilium.k8s.namespace.labels."


def _endpoint_peers(
    selector: Any, own_namespace: str | None, namespaces: Namespaces
) -> list[dict[str, Any]] | None:
    """The model peers one endpoint selector names; None when it cannot be translated.

    A namespaced policy's selectors stay in its namespace unless they name one; a clusterwide
    policy's select in every namespace. Namespace labels are resolved against the Namespace
    objects read."""
    if not isinstance(selector, dict) or selector.get("matchExpressions"):
        return None
    pods: dict[str, str] = {}
    namespace: str | None = None
    namespace_labels: dict[str, str] = {}
    for key, value in (selector.get("matchLabels") or {}).items():
        bare = str(key).split(":", 1)[1] if str(key).startswith(("k8s:", "any:")) else str(key)
        if bare == _NAMESPACE:
            namespace = str(value)
        elif bare.startswith(_NAMESPACE_LABEL):
            namespace_labels[bare[len(_NAMESPACE_LABEL) :]] = str(value)
        else:
            pods[bare] = str(value)
    if namespace is not None:
        places: list[str | None] = [namespace]
    elif namespace_labels:
        places = list(namespaces.matching(namespace_labels))
    else:
        places = [own_namespace]
    peers = []
    for place in places:
        if place is None:
            peers.append({"labels": pods} if pods else {"entity": "cluster"})
        else:
            peers.append({"namespace": place, **({"labels": pods} if pods else {})})
    return peers


def _rule_peers(
    item: Any, rule: dict[str, Any], side: str, namespaces: Namespaces, out: Translation
) -> list[dict[str, Any]] | None:
    """The peers of one rule (``side`` "from" or "to"); None for a rule with no peer (a
    layer-4-only rule: any peer on its ports)."""
    own = item.namespace or None
    peers: list[dict[str, Any]] = []
    named = False
    for selector in rule.get(f"{side}Endpoints") or []:
        named = True
        found = _endpoint_peers(selector, own, namespaces)
        if found is None:
            out.notes.append(f"{item.title}: a selector with matchExpressions is not evaluated")
        else:
            peers += found
    for entity in rule.get(f"{side}Entities") or []:
        named = True
        if entity in _ENTITIES:
            peers += [{"entity": name} for name in _ENTITIES[entity]]
        else:
            out.notes.append(f"{item.title}: the entity {entity} is not evaluated")
    for cidr in rule.get(f"{side}CIDR") or []:
        named = True
        peers.append({"cidr": str(cidr)})
    for entry in rule.get(f"{side}CIDRSet") or []:
        named = True
        if isinstance(entry, dict) and isinstance(entry.get("cidr"), str):
            peers.append({"cidr": entry["cidr"]})
    for key in (f"{side}Requires", f"{side}FQDNs", f"{side}Services", f"{side}Groups"):
        if rule.get(key):
            named = True
            out.notes.append(f"{item.title}: {key} is not evaluated")
    return peers if named else None


def policies(config: Configuration, namespaces: Namespaces, out: Translation) -> None:
    for item in config.of_kind("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"):
        for number, spec in enumerate([item.get("spec"), *(item.get("specs") or [])]):
            if not isinstance(spec, dict):
                continue
            if spec.get("nodeSelector") is not None:
                out.notes.append(f"{item.title}: a host policy (nodeSelector) is not evaluated")
                continue
            targets = _endpoint_peers(
                spec.get("endpointSelector") or {}, item.namespace or None, namespaces
            )
            if targets is None:
                out.notes.append(
                    f"{item.title}: an endpointSelector with matchExpressions is not evaluated"
                )
                continue
            base = ("spec",) if number == 0 else ("specs", number - 1)
            for key, direction, action, side in (
                ("ingress", "ingress", "allow", "from"),
                ("ingressDeny", "ingress", "deny", "from"),
                ("egress", "egress", "allow", "to"),
                ("egressDeny", "egress", "deny", "to"),
            ):
                for index, rule in enumerate(spec.get(key) or []):
                    if not isinstance(rule, dict):
                        continue
                    peers = _rule_peers(item, rule, side, namespaces, out)
                    rule_ports = ports(
                        entry
                        for port_rule in rule.get("toPorts") or []
                        if isinstance(port_rule, dict)
                        for entry in port_rule.get("ports") or []
                    )
                    origin = origin_of(item, "policies", *base, key, index)
                    out.add_rule(item, origin, action, direction, targets, peers, rule_ports)


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
    policies,
)
