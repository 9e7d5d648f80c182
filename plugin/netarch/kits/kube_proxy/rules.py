"""The kube-proxy kit's rules: what its own configuration (KubeProxyConfiguration) must agree on.

Whether kube-proxy should run at all beside a replacement, and strictARP under IPVS for
addresses announced on the link, are the core's rules over the Service-proxy facts."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.facts import facts_of
from netarch.model.network import Model

rule = kit_rule("kube_proxy")
SECTION = "kube-proxy"


@rule(
    "NA390",
    "warning",
    "kube-proxy clusterCIDR differs from the pod CIDR",
    rationale="kube-proxy takes clusterCIDR for the pods' range: with the default local-traffic"
    " detection it treats traffic from addresses outside it as coming from outside the cluster"
    " and masquerades it on its way to a Service, and traffic from pods it does not recognise"
    " loses its source address. A clusterCIDR that is not the cluster's pod CIDR (one per"
    " family in a dual-stack cluster) mislabels pod traffic.",
    source="Kubernetes kube-proxy reference (--cluster-cidr, --detect-local-mode ClusterCIDR);"
    " KubeProxyConfiguration v1alpha1 clusterCIDR",
    hint="set clusterCIDR to the pod CIDR (both families, comma-separated, in a dual-stack cluster)",
    section=SECTION,
)
def cluster_cidr_differs(model: Model) -> Iterator[Finding]:
    facts = facts_of(model)
    pods = [r for r in facts.of_role("pod") if r.origin.provider == "core"]
    if not pods:
        return
    configured = facts.of_role("cluster-cidr")
    for family in sorted({p.family for p in pods}):
        wanted = [p for p in pods if p.family == family]
        mine = [c for c in configured if c.family == family]
        if not configured:
            return
        if not mine:
            yield Finding(
                ("kube_proxy", "cluster_cidr"),
                f"kube-proxy's clusterCIDR has no IPv{family} range, but the pod CIDR"
                f" {wanted[0].networks[0]} is IPv{family}",
                related=(wanted[0].origin.at(),),
            )
            continue
        for entry in mine:
            if all(entry.networks != p.networks for p in wanted):
                yield Finding(
                    entry.origin.at(),
                    f"kube-proxy's clusterCIDR {entry.networks[0]} is not the pod CIDR"
                    f" {' or '.join(str(p.networks[0]) for p in wanted)}",
                    related=tuple(p.origin.at() for p in wanted),
                )
