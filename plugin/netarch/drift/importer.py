"""``netarch import``: a first model written from what the configuration says.

The facts the readers give become the model's sections; each section carries ``x-source``,
the objects (file, line, kind, name) it came from, and a comment marks what only its writer
can add (prose, intent, the tenants, the flows). The result is checked against the schema
before it is written, and is written only to a file that does not exist yet.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from netarch.cluster.objects import K3S_CONFIG, TALOS_CONFIG, Configuration
from netarch.cluster.reader import read_configuration
from netarch.diagnostics import Diagnostic
from netarch.drift.policies import translate
from netarch.drift.readers import ConfigReader, all_readers, read_facts, wanted_kinds
from netarch.facts import AddressRange, HostAddress, LoadBalancerPool, Origin, ServiceProxy, Tunnel
from netarch.facts.settings import Advertisement, ProductSetting

_ID = re.compile(r"[^A-Za-z0-9_.-]+")
# Which product each kit reader speaks for, and what the component provides.
_PRODUCTS = {
    "kube_ovn": ("kube-ovn", "Kube-OVN", "platform", ["cni", "ipam", "overlay"]),
    "cilium": ("cilium", "Cilium", "platform", ["service-load-balancing", "network-policy"]),
    "metallb": ("metallb", "MetalLB", "platform", ["load-balancer-addresses"]),
}
_DISTRIBUTIONS = {TALOS_CONFIG: "talos", "ClusterConfiguration": "kubeadm", K3S_CONFIG: "k3s"}


class NothingToImport(Exception):
    """The configuration does not hold what a model needs (a pod and a Service CIDR)."""


def _source(origin: Origin) -> str:
    name = "/".join(p for p in (origin.namespace, origin.name) if p)
    return f"{origin.file}:{origin.line} {origin.kind} {name}".strip()


def _sources(origins: Iterable[Origin]) -> list[str]:
    return list(dict.fromkeys(_source(o) for o in origins if o.file))


def _id(text: str) -> str:
    cleaned = _ID.sub("-", text).strip("-.")
    return cleaned if cleaned and cleaned[0].isalnum() else f"x{cleaned}"


def build_model(config: Configuration, readers: list[ConfigReader]) -> dict[str, Any]:
    found = read_facts(config, readers)
    ranges = [f for f in found if isinstance(f, AddressRange)]
    addresses = [f for f in found if isinstance(f, HostAddress)]
    settings = [f for f in found if isinstance(f, ProductSetting)]
    providers = {f.origin.provider for f in found if hasattr(f, "origin")}

    def first(role: str, kind: type = AddressRange) -> Any:
        pool = ranges if kind is AddressRange else addresses
        return next((f for f in pool if f.role == role), None)

    pod = first("pod") or first("node-ipam")
    service = first("service")
    if pod is None or service is None:
        missing = " and ".join(
            word for word, fact in (("pod", pod), ("Service", service)) if fact is None
        )
        raise NothingToImport(
            f"the configuration gives no {missing} CIDR: name the files that hold them"
            " (the distribution's configuration, the CNI's objects)"
        )
    components: list[dict[str, Any]] = []
    for provider in sorted(providers):
        if provider not in _PRODUCTS:
            continue
        product, name, kind, provides = _PRODUCTS[provider]
        namespace = next(
            (
                f.origin.namespace
                for f in found
                if getattr(f, "origin", None)
                and f.origin.provider == provider
                and f.origin.namespace
            ),
            "",
        )
        component: dict[str, Any] = {
            "id": product,
            "name": name,
            "kind": kind,
            "product": product,
            "provides": provides,
        }
        if namespace:
            component["namespace"] = namespace
        components.append(component)
    ids = {c["id"] for c in components}
    cluster: dict[str, Any] = {
        "pod_cidr": str(pod.networks[0]),
        "service_cidr": str(service.networks[0]),
        "x-source": _sources([pod.origin, service.origin]),
    }
    for role, key in (("join", "join_cidr"),):
        fact = first(role)
        if fact is not None:
            cluster[key] = str(fact.networks[0])
    for role, key in (
        ("pod-gateway", "pod_gateway"),
        ("dns", "dns_service_ip"),
        ("vip", "control_plane_vip"),
    ):
        fact = first(role, HostAddress)
        if fact is not None:
            cluster[key] = str(fact.address)
    domain = next(
        (s for s in settings if s.product == "cluster" and s.key == "cluster_domain"), None
    )
    if domain is not None:
        cluster["cluster_domain"] = str(domain.value)
    tunnel = next((f for f in found if isinstance(f, Tunnel)), None)
    if tunnel is not None and tunnel.encapsulation in ("geneve", "vxlan", "ipip", "stt", "none"):
        cluster["overlay"] = {"type": tunnel.encapsulation}
        if tunnel.udp_port:
            cluster["overlay"]["udp_port"] = tunnel.udp_port
    cni = "kube-ovn" if "kube-ovn" in ids else ("cilium" if "cilium" in ids else None)
    if cni:
        cluster["cni"] = cni
    replacement = next(
        (f for f in found if isinstance(f, ServiceProxy) and f.kind == "replacement"), None
    )
    if replacement is not None and replacement.component in ids:
        cluster["kube_proxy_replacement"] = replacement.component
    kube_proxy = [f for f in found if isinstance(f, ServiceProxy) and f.kind == "kube-proxy"]
    mode = next((f.mode for f in kube_proxy if f.mode), None)
    if mode in ("iptables", "ipvs", "nftables"):
        cluster["kube_proxy_mode"] = mode
    distribution_object = next((o for o in config.objects if o.kind in _DISTRIBUTIONS), None)
    if distribution_object is not None:
        distribution: dict[str, Any] = {"name": _DISTRIBUTIONS[distribution_object.kind]}
        node_ipam = [str(n) for f in ranges if f.role == "node-ipam" for n in f.networks]
        services = [
            str(n)
            for f in ranges
            if f.role == "service" and f.origin.kind == distribution_object.kind
            for n in f.networks
        ]
        if node_ipam:
            distribution["pod_subnets"] = list(dict.fromkeys(node_ipam))
        if services:
            distribution["service_subnets"] = list(dict.fromkeys(services))
        if domain is not None and domain.origin.kind == distribution_object.kind:
            distribution["dns_domain"] = str(domain.value)
        disabled = next((f.runs for f in kube_proxy if f.runs is not None), None)
        if disabled is not None:
            distribution["kube_proxy_disabled"] = not disabled
        cluster["distribution"] = distribution
    model: dict[str, Any] = {
        "netarch": 1,
        "site": {"title": "Cluster network"},
        "cluster": cluster,
        "components": components,
    }
    nodes = [
        {
            "id": _id(f.owner),
            "name": f.owner,
            "address": str(f.address),
            "x-source": _sources([f.origin]),
        }
        for f in addresses
        if f.role == "node" and f.owner
    ]
    if nodes:
        model["nodes"] = nodes
    _load_balancing(model, found, ids)
    _settings(model, settings, ids)
    _policies(model, config, readers, ids)
    return model


def _load_balancing(model: dict[str, Any], found: list[Any], ids: set[str]) -> None:
    pools = [f for f in found if isinstance(f, LoadBalancerPool) and f.announcer == "metallb"]
    if "metallb" not in ids or not pools:
        return
    section: dict[str, Any] = {
        "component": "metallb",
        "pools": [],
        "x-source": _sources(p.origin for p in pools),
    }
    values = {
        (s.key): s.value for s in found if isinstance(s, ProductSetting) and s.product == "metallb"
    }
    for pool in pools:
        entry: dict[str, Any] = {"id": _id(pool.id), "addresses": [e.text for e in pool.entries]}
        for key in ("auto_assign", "avoid_buggy_ips"):
            value = values.get(f"pool {pool.id} {key}")
            if isinstance(value, bool):
                entry[key] = value
        section["pools"].append(entry)
    adverts = [f for f in found if isinstance(f, Advertisement) and f.product == "metallb"]
    for mode in ("l2", "bgp"):
        listed = [
            {"id": _id(a.name), "pools": [_id(p) for p in a.pools]}
            if a.pools
            else {"id": _id(a.name)}
            for a in adverts
            if a.mode == mode
        ]
        if listed:
            section.setdefault(mode, {})["advertisements"] = listed
    from netarch.facts import BgpSession

    peers = [f for f in found if isinstance(f, BgpSession) and f.provider == "metallb"]
    if peers:
        section.setdefault("bgp", {})["peers"] = [
            {
                "id": _id(peer.peer_id),
                "address": str(peer.address),
                **({"my_asn": peer.local_asn} if peer.local_asn else {}),
                **({"peer_asn": peer.peer_asn} if peer.peer_asn else {}),
            }
            for peer in peers
        ]
    model["metallb"] = section


def _settings(model: dict[str, Any], settings: list[ProductSetting], ids: set[str]) -> None:
    by_product: dict[str, list[ProductSetting]] = {}
    for setting in settings:
        by_product.setdefault(setting.product, []).append(setting)
    if "cilium" in by_product and "cilium" in ids:
        model["service_load_balancing"] = {
            "component": "cilium",
            **(
                {"replaces": "kube-proxy"}
                if model["cluster"].get("kube_proxy_replacement") == "cilium"
                else {}
            ),
            "settings": {s.key: s.value for s in by_product["cilium"]},
            "x-source": _sources(s.origin for s in by_product["cilium"]),
        }
    if "kube-ovn" in by_product and "kube-ovn" in ids:
        model["pod_networking"] = {
            "component": "kube-ovn",
            # Kube-OVN hands out pod addresses from one cluster-wide pool, not per-node ranges.
            "ipam": "centralised",
            "settings": {s.key: s.value for s in by_product["kube-ovn"]},
            "x-source": _sources(s.origin for s in by_product["kube-ovn"]),
        }


def _policies(
    model: dict[str, Any], config: Configuration, readers: list[ConfigReader], ids: set[str]
) -> None:
    translation = translate(config, readers)
    if not translation.items:
        return
    items = []
    for body, origin in translation.items:
        items.append({**body, "x-source": [_source(origin)]})
    section: dict[str, Any] = {"items": items}
    if "cilium" in ids:
        section["enforced_by"] = "cilium"
    model["policies"] = section


_HEADER = """\
# Written by `netarch import` from {sources}.
# Every section's x-source names the objects it came from. What no configuration holds is
# yours to add: the site's title and the pages' prose, what each component is for
# (description), the tenants, the flows and the claims. `netarch drift` compares this model
# with the configuration again after you edit it.
"""


def render(model: dict[str, Any], sources: list[str]) -> str:
    body = yaml.safe_dump(model, sort_keys=False, width=100, allow_unicode=True)
    return _HEADER.format(sources=", ".join(sources)) + body


def import_model(
    sources: list[Path], *, readers: list[ConfigReader] | None = None, base_dir: Path | None = None
) -> tuple[dict[str, Any] | None, list[Diagnostic], str]:
    """The model, the reading's problems, and why there is none (empty when there is one)."""
    readers = readers if readers is not None else all_readers()
    config = read_configuration(sources, wanted_kinds(readers), base_dir=base_dir)
    try:
        return build_model(config, readers), config.diagnostics, ""
    except NothingToImport as error:
        return None, config.diagnostics, str(error)


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, which must not exist (never overwritten, never half-written:
    the file is created exclusively and filled in one write)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with open(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
