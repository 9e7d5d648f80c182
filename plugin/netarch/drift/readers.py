"""Readers: the cluster's configuration objects turned into the same network facts the model gives.

A reader names the kinds it needs (:class:`~netarch.cluster.objects.Wanted`, with the fields it
keeps) and turns the objects read into facts whose origin is the object, its field, file and
line. The core's reader here knows what every cluster has (Nodes, Services, ServiceCIDRs,
NetworkPolicies, kube-proxy, CoreDNS, and the distributions' files: Talos, kubeadm, k3s/RKE2);
each product's reader lives in its kit (``netarch.kits.<kit>.reader``) and is registered on
the kit. A reader uses only the fields it names and prints nothing: a value it does not use
never leaves the object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from netarch.cluster.objects import K3S_CONFIG, TALOS_CONFIG, ConfigObject, Configuration, Wanted
from netarch.facts import AddressRange, HostAddress, Origin, Policy, ServiceProxy, Tunnel
from netarch.facts.addresses import address_set, parse_ip
from netarch.facts.settings import ProductSetting

CORE = "core"
# A field's path in an object: ("spec", "template", "spec", "containers", 0, "args", 3).
Path_ = tuple[str | int, ...]


# What a reader gives: network facts, and the product settings that are not (yet) facts.
Found = Any
ReadFunction = Callable[[Configuration], Iterator[Found]]


@dataclass(frozen=True)
class ConfigReader:
    """One product's (or the core's) reader of real configuration."""

    name: str
    wanted: tuple[Wanted, ...]
    read: ReadFunction
    # Its policy objects as the model's policy items (netarch.drift.policies), if it has any:
    # (the objects read, the namespaces with their labels, the translation to add to).
    policies: Callable[[Configuration, Any, Any], None] | None = None


def origin_of(item: ConfigObject, provider: str, *path: str | int) -> Origin:
    """Where a fact read from ``item`` is written: the object, its field, file and line."""
    where = item.location(*path)
    return Origin(
        provider,
        None,
        where.file,
        where.line,
        where.column,
        kind=item.kind,
        namespace=item.namespace,
        name=item.name,
        field=field_name(path),
    )


def field_name(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def ranges(
    item: ConfigObject,
    provider: str,
    role: str,
    label: str,
    value: Any,
    *path: str | int,
    owner: str = "",
) -> Iterator[AddressRange]:
    """The ranges written at ``path``: a list of CIDRs, or one CIDR (or a comma-separated list
    of them, as kubeadm and k3s write dual-stack ranges)."""
    items: list[tuple[tuple[str | int, ...], str]]
    if isinstance(value, list):
        items = [((*path, i), str(text)) for i, text in enumerate(value)]
    elif isinstance(value, str):
        items = [(path, text.strip()) for text in value.split(",")]
    else:
        return
    for where, text in items:
        entry = address_set(text, ())
        if entry is not None and "/" in text:
            yield AddressRange(role, entry, origin_of(item, provider, *where), owner, label)  # type: ignore[arg-type]


def address(
    item: ConfigObject, provider: str, role: str, label: str, value: Any, *path: str | int
) -> Iterator[HostAddress]:
    found = parse_ip(value) if isinstance(value, str) else None
    if found is not None:
        yield HostAddress(role, found, origin_of(item, provider, *path), "", label)  # type: ignore[arg-type]


def setting(item: ConfigObject, product: str, key: str, value: Any, *path: str | int) -> Any:
    return ProductSetting(product, key, value, origin_of(item, product, *path))


def embedded_yaml(item: ConfigObject, *path: str | int) -> dict[str, Any]:
    """A YAML document held in a string field (a ConfigMap's ``config.conf``), as data."""
    text = item.get(*path)
    if not isinstance(text, str) or len(text) > 1_000_000:
        return {}
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def container_args(
    item: ConfigObject, container: str | None = None
) -> dict[str, tuple[str, Path_]]:
    """``--flag=value`` arguments of a workload's containers: flag -> (value, where it is)."""
    found: dict[str, tuple[str, Path_]] = {}
    for index, spec in enumerate(item.get("spec", "template", "spec", "containers") or []):
        if not isinstance(spec, dict) or (container and spec.get("name") != container):
            continue
        for key in ("command", "args"):
            for number, word in enumerate(spec.get(key) or []):
                if isinstance(word, str) and word.startswith("--") and "=" in word:
                    flag, _, value = word[2:].partition("=")
                    where = ("spec", "template", "spec", "containers", index, key, number)
                    found[flag] = (value, where)
    return found


def container_env(item: ConfigObject) -> dict[str, tuple[str, int, int]]:
    """Literal environment values of a workload's containers: name -> (value, container, entry)."""
    found: dict[str, tuple[str, int, int]] = {}
    for index, spec in enumerate(item.get("spec", "template", "spec", "containers") or []):
        for number, entry in enumerate((spec or {}).get("env") or []):
            if isinstance(entry, dict) and isinstance(entry.get("value"), str):
                found[str(entry.get("name"))] = (entry["value"], index, number)
    return found


# --- the core's reader --------------------------------------------------------------------------

_KUBEADM_GROUP = frozenset({"kubeadm.k8s.io"})
_CORE_WANTED = (
    Wanted(TALOS_CONFIG, keep=(("cluster",), ("machine", "network"), ("machine", "kubelet"))),
    Wanted(K3S_CONFIG),
    Wanted("ClusterConfiguration", api_groups=_KUBEADM_GROUP),
    Wanted("KubeProxyConfiguration"),
    Wanted(
        "ConfigMap",
        names=frozenset(
            {"kube-system/kube-proxy", "kube-system/kubeadm-config", "kube-system/coredns"}
        ),
    ),
    Wanted("DaemonSet", names=frozenset({"kube-system/kube-proxy"}), keep=(("metadata",),)),
    Wanted("Node", keep=(("spec",), ("status", "addresses"))),
    Wanted("Service", names=frozenset({"kube-system/kube-dns"}), keep=(("spec",),)),
    Wanted("ServiceCIDR"),
    Wanted("NetworkPolicy"),
    Wanted("Namespace", keep=(("metadata",),)),
)


def _talos(item: ConfigObject) -> Iterator[Found]:
    network = ("cluster", "network")
    yield from ranges(
        item,
        CORE,
        "node-ipam",
        "Talos podSubnets",
        item.get(*network, "podSubnets"),
        *network,
        "podSubnets",
    )
    yield from ranges(
        item,
        CORE,
        "service",
        "Talos serviceSubnets",
        item.get(*network, "serviceSubnets"),
        *network,
        "serviceSubnets",
    )
    domain = item.get(*network, "dnsDomain")
    if isinstance(domain, str):
        yield setting(item, "cluster", "cluster_domain", domain, *network, "dnsDomain")
    disabled = item.get("cluster", "proxy", "disabled")
    if isinstance(disabled, bool):
        yield ServiceProxy(
            "kube-proxy",
            origin_of(item, CORE, "cluster", "proxy", "disabled"),
            runs=not disabled,
        )
    for index, interface in enumerate(item.get("machine", "network", "interfaces") or []):
        vip = (interface or {}).get("vip", {}) if isinstance(interface, dict) else {}
        if isinstance(vip, dict):
            yield from address(
                item,
                CORE,
                "vip",
                "Talos VIP",
                vip.get("ip"),
                "machine",
                "network",
                "interfaces",
                index,
                "vip",
                "ip",
            )


def _kubeadm(item: ConfigObject, data: dict[str, Any], *at: str | int) -> Iterator[Found]:
    """A ClusterConfiguration (``data``) written at ``at`` in ``item`` (a ConfigMap's key, to
    which every fact then points), or the object itself."""

    def where(*path: str) -> tuple[str | int, ...]:
        return at if at else path

    networking = data.get("networking") if isinstance(data.get("networking"), dict) else {}
    yield from ranges(
        item,
        CORE,
        "node-ipam",
        "kubeadm podSubnet",
        networking.get("podSubnet"),
        *where("networking", "podSubnet"),
    )
    yield from ranges(
        item,
        CORE,
        "service",
        "kubeadm serviceSubnet",
        networking.get("serviceSubnet"),
        *where("networking", "serviceSubnet"),
    )
    if isinstance(networking.get("dnsDomain"), str):
        yield setting(
            item,
            "cluster",
            "cluster_domain",
            networking["dnsDomain"],
            *where("networking", "dnsDomain"),
        )
    endpoint = data.get("controlPlaneEndpoint")
    if isinstance(endpoint, str):
        yield from address(
            item,
            CORE,
            "vip",
            "kubeadm controlPlaneEndpoint",
            _endpoint_host(endpoint),
            *where("controlPlaneEndpoint"),
        )


def _endpoint_host(endpoint: str) -> str:
    """``10.0.0.10:6443`` -> ``10.0.0.10``; ``[fd00::10]:6443`` -> ``fd00::10``."""
    if endpoint.startswith("["):
        return endpoint[1:].partition("]")[0]
    if endpoint.count(":") == 1:
        return endpoint.partition(":")[0]
    return endpoint


_FLANNEL_BACKENDS = {"vxlan": "vxlan", "host-gw": "none", "wireguard-native": "wireguard"}


def _k3s(item: ConfigObject) -> Iterator[Found]:
    yield from ranges(
        item, CORE, "node-ipam", "k3s cluster-cidr", item.get("cluster-cidr"), "cluster-cidr"
    )
    yield from ranges(
        item, CORE, "service", "k3s service-cidr", item.get("service-cidr"), "service-cidr"
    )
    dns = item.get("cluster-dns")
    for text in dns.split(",") if isinstance(dns, str) else []:
        yield from address(item, CORE, "dns", "k3s cluster-dns", text.strip(), "cluster-dns")
    if isinstance(item.get("cluster-domain"), str):
        yield setting(
            item, "cluster", "cluster_domain", item.get("cluster-domain"), "cluster-domain"
        )
    if item.get("disable-kube-proxy") is not None:
        yield ServiceProxy(
            "kube-proxy",
            origin_of(item, CORE, "disable-kube-proxy"),
            runs=item.get("disable-kube-proxy") is not True,
        )
    backend = item.get("flannel-backend")
    if isinstance(backend, str) and backend in _FLANNEL_BACKENDS:
        yield Tunnel(_FLANNEL_BACKENDS[backend], origin_of(item, CORE, "flannel-backend"))


def _kube_proxy(item: ConfigObject, data: dict[str, Any], *at: str | int) -> Iterator[Found]:
    """A KubeProxyConfiguration (``data``) written at ``at`` in ``item``."""

    def where(*path: str) -> tuple[str | int, ...]:
        return at if at else path

    mode = data.get("mode")
    ipvs = data.get("ipvs") if isinstance(data.get("ipvs"), dict) else {}
    strict = ipvs.get("strictARP")
    cluster = tuple(
        ranges(
            item,
            CORE,
            "cluster-cidr",
            "kube-proxy clusterCIDR",
            data.get("clusterCIDR"),
            *where("clusterCIDR"),
        )
    )
    yield ServiceProxy(
        "kube-proxy",
        origin_of(item, CORE, *where("mode")),
        runs=None,
        # An empty mode is the platform's default: iptables on Linux (kube-proxy's docs).
        mode=str(mode) if mode else "iptables",
        strict_arp=strict if isinstance(strict, bool) else None,
        cluster_cidrs=cluster,
    )
    yield from cluster


def _core_domain(item: ConfigObject) -> Iterator[Found]:
    """``kubernetes <domain> in-addr.arpa ip6.arpa`` of a Corefile: the cluster domain."""
    corefile = item.get("data", "Corefile")
    if not isinstance(corefile, str):
        return
    for line in corefile.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "kubernetes":
            yield setting(item, "cluster", "cluster_domain", words[1], "data", "Corefile")
            return


def read_core(config: Configuration) -> Iterator[Found]:
    for item in config.objects:
        kind = item.kind
        if kind == TALOS_CONFIG:
            yield from _talos(item)
        elif kind == K3S_CONFIG:
            yield from _k3s(item)
        elif kind == "ClusterConfiguration":
            yield from _kubeadm(item, item.data)
        elif kind == "KubeProxyConfiguration":
            yield from _kube_proxy(item, item.data)
        elif kind == "ConfigMap" and item.name == "kube-proxy":
            data = embedded_yaml(item, "data", "config.conf")
            if data:
                yield from _kube_proxy(item, data, "data", "config.conf")
        elif kind == "ConfigMap" and item.name == "kubeadm-config":
            data = embedded_yaml(item, "data", "ClusterConfiguration")
            if data:
                yield from _kubeadm(item, data, "data", "ClusterConfiguration")
        elif kind == "ConfigMap" and item.name == "coredns":
            yield from _core_domain(item)
        elif kind == "DaemonSet":
            yield ServiceProxy("kube-proxy", origin_of(item, CORE), runs=True)
        elif kind == "Node":
            yield from _node(item)
        elif kind == "Service":
            for index, text in enumerate(item.get("spec", "clusterIPs") or []):
                yield from address(
                    item, CORE, "dns", "kube-dns clusterIP", text, "spec", "clusterIPs", index
                )
        elif kind == "ServiceCIDR":
            yield from ranges(
                item,
                CORE,
                "service",
                f"ServiceCIDR {item.name}",
                item.get("spec", "cidrs"),
                "spec",
                "cidrs",
            )
        elif kind == "NetworkPolicy":
            yield Policy(
                f"{item.namespace}/{item.name}",
                "allow",
                origin_of(item, CORE),
                direction=",".join(item.get("spec", "policyTypes") or []),
            )


def _node(item: ConfigObject) -> Iterator[Found]:
    for index, entry in enumerate(item.get("status", "addresses") or []):
        if isinstance(entry, dict) and entry.get("type") == "InternalIP":
            found = parse_ip(entry.get("address"))
            if found is not None:
                yield HostAddress(
                    "node",
                    found,
                    origin_of(item, CORE, "status", "addresses", index, "address"),
                    item.name,
                    f"node {item.name}",
                )
    yield from ranges(
        item,
        CORE,
        "node-pod-range",
        f"node {item.name}'s pod range",
        item.get("spec", "podCIDRs"),
        "spec",
        "podCIDRs",
        owner=item.name,
    )


CORE_READER = ConfigReader(CORE, _CORE_WANTED, read_core)


def all_readers() -> list[ConfigReader]:
    """The core's reader and the reader of every installed kit that has one."""
    from netarch.registry import installed_kits

    readers = [CORE_READER]
    for kit in installed_kits():
        reader = getattr(kit, "config_reader", None)
        if isinstance(reader, ConfigReader):
            readers.append(reader)
    return readers


def wanted_kinds(readers: Iterable[ConfigReader] | None = None) -> list[Wanted]:
    return [want for reader in readers or all_readers() for want in reader.wanted]


def read_facts(config: Configuration, readers: Iterable[ConfigReader]) -> list[Found]:
    found: list[Found] = []
    for reader in readers:
        found.extend(reader.read(config.matching(reader.wanted)))
    return found
