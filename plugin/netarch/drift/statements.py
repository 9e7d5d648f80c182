"""Facts of either side as statements that can be compared: a subject, a value, a place.

Two facts speak of the same thing when their subjects are equal: the pod CIDR (IPv4), whether
kube-proxy runs, pool ``cozystack``'s addresses, Cilium's ``loadBalancer.algorithm``. Values
are normalised (networks as networks, ``"true"`` as true) so that the model's ``true`` and a
ConfigMap's ``"true"`` agree. The model gives a few statements that are not network facts yet
(product settings, the cluster domain, the distribution's pod subnets): they are read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from netarch.facts import (
    AddressRange,
    HostAddress,
    LoadBalancerPool,
    Origin,
    ServiceProxy,
    Tunnel,
    facts_of,
)
from netarch.facts.settings import Advertisement, ProductSetting, model_settings
from netarch.registry import product_of

Subject = tuple[object, ...]


@dataclass(frozen=True)
class Statement:
    """What one side says about one subject."""

    subject: Subject
    # The subject in words: "the pod CIDR (IPv4)", "Cilium loadBalancer.algorithm".
    label: str
    value: object
    # The value as a reader reads it: "10.244.0.0/16", "true".
    shown: str
    origin: Origin


def _family(version: int) -> str:
    return "IPv4" if version == 4 else "IPv6"


_RANGE_WORDS = {
    "pod": "the pod CIDR",
    "service": "the Service CIDR",
    "join": "the join CIDR",
    "node-ipam": "the range nodes' pod ranges are cut from",
    "cluster-cidr": "kube-proxy's clusterCIDR",
    "node-pod-range": "the pod range of node",
    "node-network": "the node networks",
}
_SETTING_WORDS = {("cluster", "cluster_domain"): "the cluster domain"}
_ADDRESS_WORDS = {
    "vip": "the control-plane VIP",
    "pod-gateway": "the pod gateway",
    "dns": "the cluster DNS address",
    "bgp-peer": "the BGP peer addresses",
    "node": "the node addresses",
}


def normalised(value: object) -> object:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered.isdigit():
            return int(lowered)
        return value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(normalised(v) for v in value)
    return value


def shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset | set | list | tuple):
        return ", ".join(sorted(shown(v) for v in value)) or "(none)"
    return str(value)


def statements_of(found: Iterable[Any], model: Any = None) -> Iterator[Statement]:
    """The statements of facts (and product settings) of either side; ``model`` resolves the
    component a model fact names to its product."""
    for fact in found:
        yield from _statements(fact, model)


def _statements(fact: Any, model: Any) -> Iterator[Statement]:
    if isinstance(fact, AddressRange) and fact.role in _RANGE_WORDS:
        words = _RANGE_WORDS[fact.role]
        if fact.owner and fact.role == "node-pod-range":
            words = f"{words} {fact.owner}"
        for network in fact.networks:
            family = _family(network.version)
            yield Statement(
                ("range", fact.role, fact.owner if fact.role == "node-pod-range" else "", family),
                f"{words} ({family})",
                frozenset({network}),
                str(network),
                fact.origin,
            )
    elif isinstance(fact, HostAddress) and fact.role in _ADDRESS_WORDS:
        yield Statement(
            ("address", fact.role),
            _ADDRESS_WORDS[fact.role],
            frozenset({fact.address}),
            str(fact.address),
            fact.origin,
        )
    elif isinstance(fact, Tunnel):
        yield Statement(
            ("tunnel",),
            "the overlay encapsulation",
            fact.encapsulation,
            fact.encapsulation,
            fact.origin,
        )
        if fact.udp_port:
            yield Statement(
                ("tunnel", "port"),
                "the overlay's UDP port",
                fact.udp_port,
                str(fact.udp_port),
                fact.origin,
            )
    elif isinstance(fact, ServiceProxy):
        if fact.kind == "replacement":
            product = (
                product_of(model, fact.component) if model is not None else None
            ) or fact.component
            yield Statement(
                ("service-proxy", "replacement"),
                "what replaces kube-proxy",
                product,
                product,
                fact.origin,
            )
            return
        if fact.runs is not None:
            yield Statement(
                ("kube-proxy", "runs"),
                "whether kube-proxy runs",
                fact.runs,
                shown(fact.runs),
                fact.origin,
            )
        if fact.mode:
            yield Statement(
                ("kube-proxy", "mode"), "kube-proxy's mode", fact.mode, fact.mode, fact.origin
            )
        if fact.strict_arp is not None:
            yield Statement(
                ("kube-proxy", "strictARP"),
                "kube-proxy's ipvs.strictARP",
                fact.strict_arp,
                shown(fact.strict_arp),
                fact.origin,
            )
    elif isinstance(fact, LoadBalancerPool):
        networks = frozenset(n for entry in fact.entries for n in entry.networks)
        yield Statement(
            ("pool", fact.id, "addresses"),
            f"the addresses of pool {fact.id}",
            networks,
            ", ".join(entry.text for entry in fact.entries),
            fact.origin,
        )
        if fact.announcements:
            yield Statement(
                ("pool", fact.id, "announced"),
                f"how pool {fact.id} is announced",
                frozenset(fact.announcements),
                shown(frozenset(fact.announcements)),
                fact.origin,
            )
    elif isinstance(fact, ProductSetting):
        value = normalised(fact.value)
        yield Statement(
            ("setting", fact.product, fact.key),
            _SETTING_WORDS.get((fact.product, fact.key), f"{fact.product} {fact.key}"),
            value,
            shown(value),
            fact.origin,
        )
    elif isinstance(fact, Advertisement):
        yield Statement(
            ("advertisement", fact.product, fact.mode, frozenset(fact.pools)),
            f"the name of the {fact.mode.upper()} advertisement of pools {shown(frozenset(fact.pools))}",
            fact.name,
            fact.name,
            fact.origin,
        )


def model_statements(model: Any) -> list[Statement]:
    """Everything the model says that drift compares: its facts and its product settings."""
    return list(statements_of(model_found(model), model))


def model_found(model: Any) -> list[Any]:
    return [*facts_of(model).all(), *model_settings(model)]
