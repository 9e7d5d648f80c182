"""The Service proxy, whoever provides it: kube-proxy (in some mode) or a component that
replaces it. Exactly one of them programs Services on the nodes."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.checks.framework import Finding, rule
from netarch.facts import ServiceProxy, facts_of
from netarch.model.network import Model

SECTION = "Service proxy"
DOC = "network-domain-checks.md §C"


def _kube_proxy(model: Model) -> tuple[list[ServiceProxy], list[ServiceProxy], list[ServiceProxy]]:
    """(replacements, facts that say kube-proxy runs, facts that say it is removed)."""
    proxies = facts_of(model).proxies
    return (
        [p for p in proxies if p.kind == "replacement"],
        [p for p in proxies if p.kind == "kube-proxy" and p.runs is True],
        [p for p in proxies if p.kind == "kube-proxy" and p.runs is False],
    )


@rule(
    "NA140",
    "error",
    "kube-proxy replaced but still running",
    rationale="A kube-proxy replacement programs Services itself; a kube-proxy left running"
    " installs competing iptables or IPVS rules. Every distribution runs kube-proxy unless told"
    " not to (its own switch, or skipping the kube-proxy add-on at install).",
    source="Kubernetes Virtual IPs and Service Proxies; kube-proxy-free installation guides",
    reference=DOC + " rule 27",
    hint="disable kube-proxy in the distribution and set kube_proxy_disabled: true",
    section=SECTION,
)
def kube_proxy_still_running(model: Model) -> Iterator[Finding]:
    replacements, running, _ = _kube_proxy(model)
    if not replacements:
        return
    replacement = replacements[0]
    for proxy in running:
        distribution = model.section("cluster").get("distribution") or {}
        where = (
            f"the {distribution['name']} distribution still runs it (kube_proxy_disabled is not true)"
            if proxy.origin.path and proxy.origin.path[:2] == ("cluster", "distribution")
            else "kube-proxy still runs" + (f" in {proxy.mode} mode" if proxy.mode else "")
        )
        yield Finding(
            proxy.origin.at(),
            f"kube-proxy is replaced by {replacement.component}, but {where}",
            related=(replacement.origin.at(),),
        )


@rule(
    "NA147",
    "error",
    "kube-proxy removed and nothing replaces it",
    rationale="Services (ClusterIPs, NodePorts, LoadBalancer addresses) work only while something"
    " on every node translates them to pod addresses: kube-proxy, or a component that replaces"
    " it. With kube-proxy switched off and no replacement, every Service address is a black hole,"
    " the cluster DNS included.",
    source="Kubernetes Virtual IPs and Service Proxies (kube-proxy)",
    reference=DOC + " rule 27",
    hint="name the component that replaces kube-proxy (cluster.kube_proxy_replacement), or keep"
    " kube-proxy running",
    section=SECTION,
)
def no_service_proxy(model: Model) -> Iterator[Finding]:
    replacements, running, removed = _kube_proxy(model)
    if replacements or running or not removed:
        return
    for proxy in removed:
        yield Finding(
            proxy.origin.at(),
            "kube-proxy is switched off, and no component replaces it: nothing implements"
            " Services on the nodes",
        )
