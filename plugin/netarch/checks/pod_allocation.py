"""NA154: two allocators hand out pod addresses from overlapping ranges.

When a component allocates addresses from the nodes' pod ranges (Cilium with ``ipam.mode:
kubernetes`` carves its router and Ingress addresses out of ``Node.spec.podCIDR``), those
ranges are cut from the range the controller manager is given (Talos ``podSubnets``, kubeadm
``podSubnet``, k3s ``cluster-cidr``). If another component hands out pod addresses from its own
pool in the same range (Kube-OVN's pod CIDR), two pods can get the same address. The check
reads facts, so it runs on the model (``netarch check``) and on a cluster's configuration
(``netarch drift``) alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from netarch.checks.framework import Finding, rule
from netarch.facts import AddressRange, facts_of
from netarch.facts.addresses import same_family_overlap
from netarch.facts.settings import ProductSetting, model_settings
from netarch.model.network import Model
from netarch.registry import product_of

# A product that takes addresses from the nodes' pod ranges when this setting has this value.
_FROM_NODE_RANGES = {("cilium", "ipam.mode"): "kubernetes"}


def overlapping_allocations(
    found: Iterable[Any], allocator: Callable[[AddressRange], str]
) -> Iterator[tuple[AddressRange, AddressRange, ProductSetting]]:
    """(the nodes' range, the other pool, the setting that makes a product use node ranges)
    for every overlap; ``allocator`` names the product that hands out a pod range."""
    found = list(found)
    node_ranges = [f for f in found if isinstance(f, AddressRange) and f.role == "node-ipam"]
    own_pools = [f for f in found if isinstance(f, AddressRange) and f.role == "pod"]
    users = [
        f
        for f in found
        if isinstance(f, ProductSetting)
        and _FROM_NODE_RANGES.get((f.product, f.key)) == str(f.value).lower()
    ]
    for user in users:
        for node_range in node_ranges:
            for pool in own_pools:
                if allocator(pool) in ("", user.product):
                    continue
                if any(
                    same_family_overlap(a, b) for a in node_range.networks for b in pool.networks
                ):
                    yield node_range, pool, user


def message(node_range: AddressRange, pool: AddressRange, user: ProductSetting) -> str:
    return (
        f"{node_range.label} {node_range.addresses.text} overlaps {pool.label} "
        f"{pool.addresses.text}: {user.product} takes addresses from the nodes' pod ranges "
        f"({user.key} {user.value}), which are cut from the first, while the second hands out "
        "pod addresses of its own, so two pods can get the same address"
    )


HINT = (
    "give the nodes' pod ranges a range of their own, disjoint from every pod pool "
    "(for example 100.65.0.0/16)"
)


@rule(
    "NA154",
    "error",
    "Two allocators hand out pod addresses from overlapping ranges",
    rationale="A component that takes addresses from each node's Node.spec.podCIDR (host-scope"
    " IPAM) and a CNI that hands out pod addresses from a pool of its own must not share"
    " addresses: the nodes' pod ranges are cut from the distribution's pod subnets"
    " (kube-controller-manager --cluster-cidr), so those must be disjoint from that pool.",
    source="Kubernetes node IPAM (kube-controller-manager --allocate-node-cidrs, --cluster-cidr;"
    " Node.spec.podCIDRs)",
    hint=HINT,
    section="address plan",
)
def pod_allocation_overlap(model: Model) -> Iterator[Finding]:
    cni = product_of(model, model.section("cluster").get("cni")) or ""

    def allocator(pool: AddressRange) -> str:
        # The core's pod CIDR is handed out by the CNI; a kit's range by its product.
        provider = pool.origin.provider
        return cni if provider == "core" else provider.replace("_", "-")

    found = [*facts_of(model).all(), *model_settings(model)]
    for node_range, pool, user in overlapping_allocations(found, allocator):
        yield Finding(
            node_range.origin.path or (),
            message(node_range, pool, user),
            related=tuple(p for p in (pool.origin.path, user.origin.path) if p),
        )
