"""Address math for the facts and the rules, all on :mod:`ipaddress`, and where the model keeps addresses.

Values that do not parse are reported once (NA100/NA120/NA107) and are ``None`` here, so that the
other rules can skip them instead of repeating the same complaint.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netarch.model.network import Model, ModelPath, network_schema

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def same_family_overlap(first: IPNetwork, second: IPNetwork) -> bool:
    """Whether two networks share an address (``ipaddress`` refuses to compare families)."""
    return first.version == second.version and first.overlaps(second)


def parse_ip(text: Any) -> IPAddress | None:
    return _parse_ip(str(text))


def parse_network(text: Any) -> IPNetwork | None:
    """A CIDR with no host bits set; ``None`` for anything else."""
    return _parse_network(str(text))


def proper_network(text: str) -> IPNetwork | None:
    """The network a CIDR with host bits set was probably meant to be."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


# ipaddress values are immutable, and the rules parse the same model text on every rebuild.
@functools.lru_cache(maxsize=8192)
def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8192)
def _parse_network(text: str) -> IPNetwork | None:
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None


@dataclass(frozen=True)
class AddressSet:
    """A pool entry, subnet or single address, as the CIDRs that cover exactly its addresses."""

    text: str
    path: ModelPath
    networks: tuple[IPNetwork, ...]

    @property
    def version(self) -> int:
        return self.networks[0].version

    def overlaps(self, other: AddressSet) -> bool:
        return any(same_family_overlap(a, b) for a in self.networks for b in other.networks)

    def overlaps_network(self, network: IPNetwork) -> bool:
        return any(same_family_overlap(a, network) for a in self.networks)

    def contains_ip(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)

    def within(self, network: IPNetwork) -> bool:
        return all(n.version == network.version and n.subnet_of(network) for n in self.networks)  # type: ignore[arg-type]


def range_ends(text: str, separator: str = "-") -> tuple[IPAddress, IPAddress] | None:
    """Both ends of ``a-b`` (or ``a..b``); ``None`` when either end does not parse."""
    if separator not in text:
        return None
    start_text, _, end_text = text.partition(separator)
    start, end = parse_ip(start_text.strip()), parse_ip(end_text.strip())
    if start is None or end is None:
        return None
    return start, end


def address_set(text: Any, path: ModelPath) -> AddressSet | None:
    """A CIDR, a single address, or a ``start-end`` range of one family with start <= end."""
    text = str(text)
    if "-" in text:
        ends = range_ends(text)
        if ends is None or ends[0].version != ends[1].version or ends[0] > ends[1]:
            return None
        networks = tuple(ipaddress.summarize_address_range(ends[0], ends[1]))  # type: ignore[arg-type]
        return AddressSet(text, path, networks)
    if "/" in text:
        network = parse_network(text)
        return AddressSet(text, path, (network,)) if network else None
    address = parse_ip(text)
    return AddressSet(text, path, (ipaddress.ip_network(address),)) if address else None


def in_network(address: IPAddress, network: IPNetwork) -> bool:
    """``address in network`` that is False, not an error, across address families."""
    return address.version == network.version and address in network


def usable_hosts(network: IPNetwork) -> int:
    """Addresses a host can get: IPv4 loses network and broadcast on prefixes up to /30."""
    if network.version == 4 and network.prefixlen <= 30:
        return network.num_addresses - 2
    return network.num_addresses


def family(version: int) -> str:
    return f"IPv{version}"


# --- where the model keeps addresses -------------------------------------------------------------

ADDRESS_DEFS = ("ip", "cidr", "address_range", "exclude_ip")


def typed_values(model: Model) -> Iterator[tuple[ModelPath, str, Any]]:
    """Every value the schema types as one of ``ADDRESS_DEFS``: (path, def name, value).

    Driven by the schema, so a new address field is checked without touching the rules.
    """
    schema = network_schema()
    yield from _walk(schema, schema, model.data, ())


def _walk(
    root: dict[str, Any], node: dict[str, Any], data: Any, path: ModelPath
) -> Iterator[tuple[ModelPath, str, Any]]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name in ADDRESS_DEFS:
            if isinstance(data, str):
                yield path, name, data
            return
        yield from _walk(root, root["$defs"][name], data, path)
        return
    for branch in node.get("oneOf", ()):
        # A value or a list of values: each branch only yields for data of its own shape.
        yield from _walk(root, branch, data, path)
    if isinstance(data, dict):
        properties = node.get("properties", {})
        extra = node.get("additionalProperties")
        for key, value in data.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            if child is not None:
                yield from _walk(root, child, value, (*path, key))
    elif isinstance(data, list) and isinstance(node.get("items"), dict):
        for index, value in enumerate(data):
            yield from _walk(root, node["items"], value, (*path, index))


# --- the address plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """A named range of the plan: what it is, where it is written, and its addresses."""

    label: str
    path: ModelPath
    network: IPNetwork


def cluster_ranges_of(model: Model, key: str, label: str) -> list[Range]:
    """The ranges of one cluster key that parse: one, or one per family (dual-stack list)."""
    value = model.section("cluster").get(key)
    if isinstance(value, list):
        texts = [(("cluster", key, index), text) for index, text in enumerate(value)]
    else:
        texts = [(("cluster", key), value)] if value is not None else []
    ranges = []
    for path, text in texts:
        network = parse_network(text)
        if network is not None:
            ranges.append(Range(label, path, network))
    return ranges


def cluster_range(model: Model, key: str, label: str, version: int | None = None) -> Range | None:
    """The range of a cluster key; in a dual-stack cluster the one of ``version``'s family,
    else the first listed (so that a family mismatch is still reported against it)."""
    ranges = cluster_ranges_of(model, key, label)
    same_family = [r for r in ranges if r.network.version == version]
    return (same_family or ranges or [None])[0]


def cluster_ranges(model: Model) -> list[Range]:
    """Pod, service and join CIDRs (every family of each), those that parse."""
    return [
        *cluster_ranges_of(model, "pod_cidr", "pod CIDR"),
        *cluster_ranges_of(model, "service_cidr", "service CIDR"),
        *cluster_ranges_of(model, "join_cidr", "join CIDR"),
    ]


def node_networks(model: Model) -> list[Range]:
    ranges = []
    for index, text in enumerate(model.section("cluster").get("node_networks", [])):
        network = parse_network(text)
        if network:
            ranges.append(
                Range(f"node network {text}", ("cluster", "node_networks", index), network)
            )
    return ranges


@dataclass(frozen=True)
class Pool:
    id: str
    path: ModelPath
    entries: tuple[AddressSet, ...]


def pools(model: Model) -> list[Pool]:
    """MetalLB pools with the entries that parse."""
    result = []
    for index, pool in enumerate(model.section("metallb").get("pools", [])):
        base: ModelPath = ("metallb", "pools", index)
        entries = []
        for position, text in enumerate(pool.get("addresses", [])):
            entry = address_set(text, (*base, "addresses", position))
            if entry is not None:
                entries.append(entry)
        result.append(Pool(pool["id"], base, tuple(entries)))
    return result


@dataclass(frozen=True)
class NamedAddress:
    label: str
    path: ModelPath
    address: IPAddress


def node_addresses(model: Model) -> list[NamedAddress]:
    found = []
    for index, node in enumerate(model.items("nodes")):
        address = parse_ip(node.get("address"))
        if address:
            found.append(NamedAddress(f"node {node['id']}", ("nodes", index, "address"), address))
        for number, interface in enumerate(node.get("interfaces", [])):
            for position, text in enumerate(interface.get("addresses", [])):
                extra = parse_ip(text)
                if extra and extra != address:
                    path = ("nodes", index, "interfaces", number, "addresses", position)
                    label = f"node {node['id']} {interface.get('name', 'interface')}"
                    found.append(NamedAddress(label, path, extra))
    return found


def infrastructure_addresses(model: Model) -> list[NamedAddress]:
    """Addresses that belong to one device: the VIP, the pod gateway, component and peer IPs."""
    found = []
    cluster = model.section("cluster")
    for key, label in (("control_plane_vip", "control-plane VIP"), ("pod_gateway", "pod gateway")):
        address = parse_ip(cluster.get(key))
        if address:
            found.append(NamedAddress(f"the {label} {address}", ("cluster", key), address))
    for index, component in enumerate(model.items("components")):
        address = parse_ip(component.get("address"))
        if address:
            found.append(
                NamedAddress(
                    f"component {component['id']} ({address})",
                    ("components", index, "address"),
                    address,
                )
            )
    for index, peer in enumerate(model.section("metallb").get("bgp", {}).get("peers", [])):
        address = parse_ip(peer.get("address"))
        if address:
            found.append(
                NamedAddress(
                    f"BGP peer {peer['id']} ({address})",
                    ("metallb", "bgp", "peers", index, "address"),
                    address,
                )
            )
    return found
