"""kube-proxy's configuration as network facts: a Service proxy that runs, in its mode, with
strictARP and the range it takes for the pods (clusterCIDR)."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.facts import Fact, ServiceProxy
from netarch.facts.core import origin, ranges_at
from netarch.model.network import Model

KIT = "kube_proxy"


def facts(model: Model) -> Iterator[Fact]:
    section = model.section("kube_proxy")
    if not section:
        return
    cluster_cidrs = tuple(
        ranges_at(model, ("kube_proxy", "cluster_cidr"), "cluster-cidr", "clusterCIDR", KIT)
    )
    yield from cluster_cidrs
    strict = section.get("strict_arp")
    where = ("kube_proxy", "mode") if "mode" in section else ("kube_proxy",)
    yield ServiceProxy(
        "kube-proxy",
        origin(model, where, KIT),
        runs=True,
        # An empty mode is iptables on Linux (KubeProxyConfiguration reference).
        mode=str(section.get("mode", "iptables")),
        strict_arp=strict if isinstance(strict, bool) else None,
        cluster_cidrs=cluster_cidrs,
        component=str(section.get("component", "")),
    )
