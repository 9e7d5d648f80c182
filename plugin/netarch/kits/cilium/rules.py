"""The Cilium kit's rules (section C of network-domain-checks.md): Cilium as kube-proxy
replacement, chained on Kube-OVN.

The model keeps Cilium's Helm values in ``service_load_balancing.settings`` and Kube-OVN's in
``pod_networking.settings`` (dotted keys, as in the charts' values files). Only the values the
model states are checked: an absent key is not taken for a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.facts.addresses import (
    cluster_range,
    cluster_ranges_of,
    in_network,
    node_addresses,
    node_networks,
    parse_ip,
    parse_network,
)
from netarch.kits import product_of
from netarch.model.network import Model, ModelPath

rule = kit_rule("cilium")
SECTION = "Cilium"
DOC = "network-domain-checks.md §C"
CILIUM: ModelPath = ("service_load_balancing", "settings")
KUBE_OVN: ModelPath = ("pod_networking", "settings")


def _settings(model: Model, where: ModelPath) -> dict[str, Any]:
    value = model.section(str(where[0])).get("settings")
    return value if isinstance(value, dict) else {}


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "strict"))


def _false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def _kpr(model: Model) -> ModelPath | None:
    """Where the model says kube-proxy is replaced, if it does."""
    if model.section("cluster").get("kube_proxy_replacement"):
        return ("cluster", "kube_proxy_replacement")
    if _true(_settings(model, CILIUM).get("kubeProxyReplacement")):
        return (*CILIUM, "kubeProxyReplacement")
    return None


@rule(
    "NA141",
    "error",
    "kube-proxy replacement pointed at a ClusterIP",
    rationale="Without kube-proxy nothing translates ClusterIPs until Cilium runs, so Cilium must"
    " reach the API server directly: k8sServiceHost/k8sServicePort name a real endpoint (a"
    " node-local API proxy such as localhost:7445, or the API endpoint host and port), never the"
    " kubernetes Service.",
    source="Cilium kube-proxy-free docs (k8sServiceHost, k8sServicePort)",
    reference=DOC + " rule 28",
    hint="point k8sServiceHost at the API endpoint, or at a node-local API proxy and its port",
    section=SECTION,
)
def api_endpoint(model: Model) -> Iterator[Finding]:
    if _kpr(model) is None:
        return
    host = _settings(model, CILIUM).get("k8sServiceHost")
    if not isinstance(host, str):
        return
    path = (*CILIUM, "k8sServiceHost")
    address = parse_ip(host)
    service = cluster_range(
        model, "service_cidr", "service CIDR", address.version if address else None
    )
    if address is not None and service is not None:
        if address.version == service.network.version and address in service.network:
            yield Finding(
                path,
                f"k8sServiceHost {host} is a ClusterIP of the service CIDR {service.network}",
                related=(service.path,),
            )
    elif re.search(r"(^kubernetes(\.default)?$)|\.svc(\.|$)", host):
        yield Finding(
            path, f"k8sServiceHost {host} is the name of a Service, reached through a ClusterIP"
        )


# Cilium values a generic-veth chain on Kube-OVN needs (Kube-OVN's Cilium integration).
_CHAINED_VALUES: tuple[tuple[str, Any], ...] = (
    ("cni.chainingMode", "generic-veth"),
    ("routingMode", "native"),
    ("autoDirectNodeRoutes", False),
    ("enableIPv4Masquerade", False),
    ("enableIPv6Masquerade", False),
    ("bpf.masquerade", False),
    ("enableIdentityMark", False),
)


@rule(
    "NA142",
    "error",
    "generic-veth chaining misconfigured",
    rationale="Chained behind Kube-OVN, Cilium must not route, masquerade or mark: routingMode"
    " native, autoDirectNodeRoutes, IPv4/IPv6/BPF masquerade and enableIdentityMark off, devices"
    " including ovn0 and genev_sys_6081; and the CNI chain runs the primary CNI first"
    " (kube-ovn -> portmap -> cilium-cni).",
    source="Cilium generic-veth chaining docs; Kube-OVN integration with Cilium docs",
    reference=DOC + " rule 29",
    hint="set the chaining values named in the message and the chain kube-ovn, portmap, cilium-cni",
    section=SECTION,
    requires=("kube_ovn",),
)
def chaining(model: Model) -> Iterator[Finding]:
    chain = model.section("pod_networking").get("cni_chain") or {}
    if chain.get("mode") != "generic-veth":
        return
    plugins: list[str] = chain.get("plugins", [])
    base: ModelPath = ("pod_networking", "cni_chain", "plugins")
    primary = model.section("cluster").get("cni")
    if primary and plugins and plugins[0] != primary:
        yield Finding(
            (*base, 0),
            f"the generic-veth chain starts with {plugins[0]}, but the primary CNI {primary} must run first",
            related=(("cluster", "cni"),),
        )
    engine = model.section("cluster").get("kube_proxy_replacement")
    if engine and plugins and not _is_part_of(model, plugins[-1], engine):
        yield Finding(
            (*base, len(plugins) - 1),
            f"the generic-veth chain ends with {plugins[-1]}, but the chained plugin ({engine}) must run last",
            related=(("cluster", "kube_proxy_replacement"),),
        )
    settings = _settings(model, CILIUM)
    for key, wanted in _CHAINED_VALUES:
        if key in settings and not _same(settings[key], wanted):
            yield Finding(
                (*CILIUM, key),
                f"Cilium {key} is {settings[key]!r} but generic-veth chaining on Kube-OVN needs {_show(wanted)}",
            )
    if "devices" in settings:
        devices = str(settings["devices"]).replace(",", " ").split()
        needed = ["ovn0"]
        if (model.section("cluster").get("overlay") or {}).get("type", "geneve") == "geneve":
            needed.append("genev_sys_6081")
        missing = [d for d in needed if d not in devices]
        if missing:
            yield Finding(
                (*CILIUM, "devices"),
                f"Cilium devices {settings['devices']!r} lack {', '.join(missing)}",
            )


def _is_part_of(model: Model, component_id: str, owner: str) -> bool:
    if component_id == owner:
        return True
    if not model.ids.has("component", component_id):
        return False
    return model.element("component", component_id).get("part_of") == owner


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool):
        return _true(value) if wanted else _false(value)
    return str(value) == wanted


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@rule(
    "NA143",
    "error",
    "Two policy or Service load-balancing engines",
    rationale="When Cilium enforces policy and replaces kube-proxy, Kube-OVN's own engines must be"
    " off (ENABLE_NP: false, ENABLE_LB: false); otherwise both program the datapath and"
    " policies or Services are applied twice or inconsistently.",
    source="Kube-OVN integration with Cilium docs (ENABLE_NP, ENABLE_LB)",
    reference=DOC + " rule 30",
    hint="set ENABLE_NP: false and ENABLE_LB: false in Kube-OVN",
    section=SECTION,
    requires=("kube_ovn",),
)
def single_engine(model: Model) -> Iterator[Finding]:
    engine = model.section("cluster").get("kube_proxy_replacement")
    primary = model.section("pod_networking").get("component")
    if not engine or not primary or engine == primary:
        return
    settings = _settings(model, KUBE_OVN)
    for key, job in (("ENABLE_NP", "network policy"), ("ENABLE_LB", "Service load balancing")):
        if _true(settings.get(key)):
            yield Finding(
                (*KUBE_OVN, key),
                f"{primary} {key} is on, but {engine} already does {job}",
                related=(("cluster", "kube_proxy_replacement"),),
            )


@rule(
    "NA144",
    "warning",
    "Cilium transparent encryption on a chained variant",
    rationale="Cilium's WireGuard/IPsec encryption is not supported in CNI chaining mode; in the"
    " kubeovn-cilium variants east-west encryption is Kube-OVN's Geneve IPsec"
    " (networking.encryption.enabled).",
    source="cilium/cilium#15596 (encryption is not supported in chaining mode)",
    reference=DOC + " rule 31",
    hint="encrypt with Kube-OVN IPsec (overlay encryption: ipsec) instead",
    section=SECTION,
    requires=("kube_ovn",),
)
def chained_encryption(model: Model) -> Iterator[Finding]:
    chain = model.section("pod_networking").get("cni_chain") or {}
    if chain.get("mode") != "generic-veth":
        return
    settings = _settings(model, CILIUM)
    if _true(settings.get("encryption.enabled")):
        yield Finding(
            (*CILIUM, "encryption.enabled"),
            "Cilium encryption.enabled is on, but Cilium is chained (generic-veth), where its encryption is not supported",
            related=(("pod_networking", "cni_chain"),),
        )


@rule(
    "NA146",
    "error",
    "Hubble relay or UI without Hubble",
    rationale="Hubble Relay and Hubble UI read the flows of the Hubble server in each agent;"
    " with hubble.enabled: false there is nothing to relay or show.",
    source="Cilium Helm chart (hubble.relay, hubble.ui need hubble.enabled)",
    reference=DOC + " rule 34",
    hint="set hubble.enabled: true together with relay/ui",
    section=SECTION,
)
def hubble_parts(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if _false(settings.get("hubble.enabled")):
        for part in ("relay", "ui"):
            key = f"hubble.{part}.enabled"
            if _true(settings.get(key)):
                yield Finding(
                    (*CILIUM, key),
                    f"Cilium {key} is on but hubble.enabled is off",
                    related=((*CILIUM, "hubble.enabled"),),
                )
    for index, example in enumerate(model.items("examples")):
        for path, hubble in _hubble_blocks(example.get("content"), ("examples", index, "content")):
            if not _false(hubble.get("enabled")):
                continue
            for part in ("relay", "ui"):
                block = hubble.get(part)
                if isinstance(block, dict) and _true(block.get("enabled")):
                    yield Finding(
                        (*path, part, "enabled"),
                        f"example {example['id']} enables hubble.{part} with hubble.enabled: false",
                        related=((*path, "enabled"),),
                    )


def _hubble_blocks(data: Any, path: ModelPath) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "hubble" and isinstance(value, dict):
                yield (*path, key), value
            yield from _hubble_blocks(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _hubble_blocks(value, (*path, index))


# --- Cilium as the only CNI (other-networks.md, network 1 "Cilium alone") ---------------------

NETWORKS_DOC = "other-networks.md 1(b)"


def _cilium_is_cni(model: Model) -> bool:
    return product_of(model, model.section("cluster").get("cni")) == "cilium"


def _cidr_list(value: Any) -> list[str]:
    """A Helm list value as the model may write it: a list, or one comma-separated string."""
    if isinstance(value, list):
        return [str(item).strip() for item in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _kpr_on(model: Model) -> bool:
    if product_of(model, model.section("cluster").get("kube_proxy_replacement")) == "cilium":
        return True
    return _true(_settings(model, CILIUM).get("kubeProxyReplacement"))


_POOL_LIST = "ipam.operator.clusterPoolIPv4PodCIDRList"


@rule(
    "NA340",
    "error",
    "Native routing CIDR does not cover the pod CIDR",
    rationale="With routingMode native, Cilium needs ipv4NativeRoutingCIDR: the range in which"
    " it routes without encapsulation and does not masquerade. Pod addresses outside it are"
    " masqueraded or mis-routed, so it must contain every pod CIDR (and the cluster-pool list).",
    source="Cilium routing and masquerading docs (ipv4NativeRoutingCIDR)",
    reference=NETWORKS_DOC + " rule 1",
    hint="set ipv4NativeRoutingCIDR to a range that contains the pod CIDR",
    section=SECTION,
)
def native_routing_cidr(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if not _cilium_is_cni(model) or str(settings.get("routingMode")) != "native":
        return
    if "ipv4NativeRoutingCIDR" not in settings:
        yield Finding(
            (*CILIUM, "routingMode"),
            "Cilium routes natively (routingMode: native) but ipv4NativeRoutingCIDR is not set",
        )
        return
    native = parse_network(settings["ipv4NativeRoutingCIDR"])
    if native is None or native.version != 4:
        return
    pods: list[tuple[ModelPath, Any]] = [
        (pod.path, pod.network)
        for pod in cluster_ranges_of(model, "pod_cidr", "pod CIDR")
        if pod.network.version == 4
    ]
    for text in _cidr_list(settings.get(_POOL_LIST, "")):
        network = parse_network(text)
        if network is not None and network.version == 4:
            pods.append(((*CILIUM, _POOL_LIST), network))
    for path, network in pods:
        if not network.subnet_of(native):
            yield Finding(
                (*CILIUM, "ipv4NativeRoutingCIDR"),
                f"ipv4NativeRoutingCIDR {native} does not contain the pod range {network}",
                related=(path,),
            )


@rule(
    "NA341",
    "warning",
    "Cilium L2 announcement of a Service with externalTrafficPolicy Local",
    rationale="Cilium's L2 announcements answer ARP for a Service address from one node, the"
    " lease holder, whether or not it runs a backend; they are documented as incompatible with"
    " externalTrafficPolicy: Local, whose traffic must arrive at a node with a local endpoint.",
    source="Cilium L2 announcements docs (limitations)",
    reference=NETWORKS_DOC + " rule 9",
    hint="use externalTrafficPolicy: Cluster, or announce the address over BGP",
    section=SECTION,
)
def l2_with_local_policy(model: Model) -> Iterator[Finding]:
    section = model.section("load_balancing")
    if section.get("announcement") != "l2":
        return
    if product_of(model, section.get("announced_by")) != "cilium":
        return
    for index, service in enumerate(section.get("services", [])):
        if service.get("external_traffic_policy") == "Local":
            yield Finding(
                ("load_balancing", "services", index, "external_traffic_policy"),
                f"{service['name']} uses externalTrafficPolicy: Local, but Cilium announces its"
                " address by L2, from one node that may have no local endpoint",
                related=(("load_balancing", "announcement"),),
            )


@rule(
    "NA342",
    "error",
    "Cilium L2 announcements or Gateway API without kube-proxy replacement",
    rationale="Cilium's L2 announcements require the kube-proxy replacement, and its Gateway API"
    " support needs it too (or at least its NodePort support): both hand traffic for Service"
    " addresses to Cilium's own datapath.",
    source="Cilium L2 announcements and Gateway API docs (prerequisites)",
    reference=NETWORKS_DOC + " rule 7",
    hint="set kubeProxyReplacement: true (and disable kube-proxy)",
    section=SECTION,
)
def features_need_kpr(model: Model) -> Iterator[Finding]:
    if _kpr_on(model):
        return
    settings = _settings(model, CILIUM)
    section = model.section("load_balancing")
    if _true(settings.get("l2announcements.enabled")):
        yield Finding(
            (*CILIUM, "l2announcements.enabled"),
            "Cilium L2 announcements are on, but kube-proxy is not replaced by Cilium",
        )
    elif (
        section.get("announcement") == "l2"
        and product_of(model, section.get("announced_by")) == "cilium"
    ):
        yield Finding(
            ("load_balancing", "announced_by"),
            "Cilium announces load-balancer addresses by L2, but kube-proxy is not replaced by"
            " Cilium",
            related=(("load_balancing", "announcement"),),
        )
    if _true(settings.get("gatewayAPI.enabled")) and not _true(settings.get("nodePort.enabled")):
        yield Finding(
            (*CILIUM, "gatewayAPI.enabled"),
            "Cilium Gateway API is on, but neither the kube-proxy replacement nor nodePort.enabled",
        )


@rule(
    "NA343",
    "error",
    "autoDirectNodeRoutes across subnets without BGP",
    rationale="autoDirectNodeRoutes installs a route to each other node's pod range only when"
    " that node is on the same L2 segment; a route via a gateway is refused ('must be directly"
    " reachable'). With nodes on several subnets, directRoutingSkipUnreachable must skip those"
    " nodes and BGP must carry their pod ranges instead.",
    source="Cilium routing docs; cilium/cilium#16424, cilium/cilium#31124",
    reference=NETWORKS_DOC + " rule 3",
    hint="set directRoutingSkipUnreachable: true and announce the pod CIDR over BGP"
    " (routing.advertises: [pod-cidr])",
    section=SECTION,
)
def direct_routes_across_subnets(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if not _true(settings.get("autoDirectNodeRoutes")):
        return
    subnets = _node_subnets(model)
    if len(subnets) < 2:
        return
    skip = _true(settings.get("directRoutingSkipUnreachable"))
    announced = "pod-cidr" in model.section("routing").get("advertises", [])
    if skip and announced:
        return
    missing = [
        text
        for text, present in (
            ("directRoutingSkipUnreachable is not true", skip),
            ("nothing announces the pod CIDR", announced),
        )
        if not present
    ]
    yield Finding(
        (*CILIUM, "autoDirectNodeRoutes"),
        f"autoDirectNodeRoutes with nodes on {len(subnets)} subnets, but " + " and ".join(missing),
        related=tuple(subnets),
    )


def _node_subnets(model: Model) -> list[ModelPath]:
    """The node networks and zone node subnets that hold at least one node of the model."""
    candidates: list[tuple[ModelPath, Any]] = [
        (network.path, network.network) for network in node_networks(model)
    ]
    for zone_index, zone in enumerate(model.items("zones")):
        for index, subnet in enumerate(zone.get("subnets", [])):
            network = parse_network(subnet.get("cidr"))
            if network is not None and subnet.get("role") == "nodes":
                candidates.append((("zones", zone_index, "subnets", index, "cidr"), network))
    addresses = [node.address for node in node_addresses(model)]
    return [
        path
        for path, network in candidates
        if any(in_network(address, network) for address in addresses)
    ]


_CLUSTER_POOL_DEFAULT = "10.0.0.0/8"


@rule(
    "NA344",
    "error",
    "Cilium cluster-pool left at 10.0.0.0/8 while other ranges are in 10/8",
    rationale="Cilium's cluster-pool IPAM hands out pod ranges from 10.0.0.0/8 unless told"
    " otherwise; with node networks or the service CIDR inside 10/8, traffic to them is taken for"
    " pod traffic and breaks. Cilium's troubleshooting guide names this clash.",
    source="Cilium cluster-pool IPAM docs (clusterPoolIPv4PodCIDRList default 10.0.0.0/8)",
    reference=NETWORKS_DOC + " rule 2",
    hint="set ipam.operator.clusterPoolIPv4PodCIDRList to the pod CIDR, outside the other ranges",
    section=SECTION,
)
def default_cluster_pool(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if not _cilium_is_cni(model) or str(settings.get("ipam.mode")) != "cluster-pool":
        return
    listed = _cidr_list(settings.get(_POOL_LIST, _CLUSTER_POOL_DEFAULT))
    if _CLUSTER_POOL_DEFAULT not in listed:
        return
    where: ModelPath = (*CILIUM, _POOL_LIST) if _POOL_LIST in settings else (*CILIUM, "ipam.mode")
    default = parse_network(_CLUSTER_POOL_DEFAULT)
    assert default is not None
    others = [
        (service.path, service.network, "service CIDR")
        for service in cluster_ranges_of(model, "service_cidr", "service CIDR")
    ] + [(network.path, network.network, "node network") for network in node_networks(model)]
    for zone_index, zone in enumerate(model.items("zones")):
        for index, subnet in enumerate(zone.get("subnets", [])):
            network = parse_network(subnet.get("cidr"))
            if network is not None:
                path: ModelPath = ("zones", zone_index, "subnets", index, "cidr")
                others.append((path, network, f"subnet {subnet['id']}"))
    for other_path, network, label in others:
        if network.version == 4 and network.overlaps(default):
            yield Finding(
                where,
                f"Cilium's cluster pool is {_CLUSTER_POOL_DEFAULT}, which overlaps the {label}"
                f" {network}",
                related=(other_path,),
            )
