"""What a model or a configuration says of a product's settings, beside the network facts.

A product setting is a value under the key the model's section uses for it (a Helm value such
as ``ipam.mode``, a chart key such as ``ENABLE_NP``); rules that depend on how a product is set
up (does Cilium take addresses from the nodes' pod ranges?) read it wherever it was written,
and ``netarch drift`` compares it with what the cluster's configuration holds. The model also
states a few facts here that its sections hold outside the core's (the distribution's pod and
Service subnets, the cluster domain, MetalLB's advertisements).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netarch.facts.addresses import address_set
from netarch.facts.core import origin
from netarch.facts.types import AddressRange, Origin
from netarch.registry import product_of


@dataclass(frozen=True)
class ProductSetting:
    """One setting of a product as its configuration holds it, under the key its model section
    uses (a Helm value such as ``loadBalancer.algorithm``, a chart key such as ``ENABLE_NP``)."""

    product: str
    key: str
    value: object
    origin: Origin

    @property
    def identity(self) -> tuple[str, ...]:
        return ("setting", self.product, self.key)


@dataclass(frozen=True)
class Advertisement:
    """How a load-balancer announces pools (a MetalLB L2Advertisement or BGPAdvertisement)."""

    product: str
    mode: str
    name: str
    pools: tuple[str, ...]
    origin: Origin


def model_settings(model: Any) -> Iterator[Any]:
    cluster = model.section("cluster")
    if isinstance(cluster.get("cluster_domain"), str):
        yield ProductSetting(
            "cluster",
            "cluster_domain",
            cluster["cluster_domain"],
            origin(model, ("cluster", "cluster_domain")),
        )
    distribution = (
        cluster.get("distribution") if isinstance(cluster.get("distribution"), dict) else {}
    )
    for key, role in (("pod_subnets", "node-ipam"), ("service_subnets", "service")):
        for index, text in enumerate(distribution.get(key) or []):
            where = ("cluster", "distribution", key, index)
            entry = address_set(text, where)
            if entry is not None:
                yield AddressRange(role, entry, origin(model, where), "", f"distribution {key}")  # type: ignore[arg-type]
    if isinstance(distribution.get("dns_domain"), str):
        yield ProductSetting(
            "cluster",
            "cluster_domain",
            distribution["dns_domain"],
            origin(model, ("cluster", "distribution", "dns_domain")),
        )
    # A section that names its component and lists its settings: the product's settings.
    for name, section in model.data.items():
        if not isinstance(section, dict) or not isinstance(section.get("settings"), dict):
            continue
        product = product_of(model, section.get("component"))
        if not product:
            continue
        for key, value in section["settings"].items():
            yield ProductSetting(product, str(key), value, origin(model, (name, "settings", key)))
    yield from _metallb(model)


def _metallb(model: Any) -> Iterator[Any]:
    metallb = model.section("metallb")
    if not metallb:
        return
    for index, pool in enumerate(metallb.get("pools", [])):
        for key in ("auto_assign", "avoid_buggy_ips"):
            if isinstance(pool.get(key), bool):
                yield ProductSetting(
                    "metallb",
                    f"pool {pool['id']} {key}",
                    pool[key],
                    origin(model, ("metallb", "pools", index, key)),
                )
    for mode in ("l2", "bgp"):
        for index, advert in enumerate(metallb.get(mode, {}).get("advertisements", [])):
            yield Advertisement(
                "metallb",
                mode,
                str(advert["id"]),
                tuple(str(p) for p in advert.get("pools", [])),
                origin(model, ("metallb", mode, "advertisements", index)),
            )
