"""The Cozystack kit's rules (section E of network-domain-checks.md): its tenant tree and the
system ports its policies close to the world."""

from __future__ import annotations

import re
from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.checks.text import model_texts, without_code
from netarch.kits.cilium.rules import CILIUM, _false, _settings, _true
from netarch.model.network import Model, ModelPath

rule = kit_rule("cozystack")
SECTION = "Cozystack tenancy"
DOC = "network-domain-checks.md §E"
ROOT_NAMESPACE = "tenant-root"
# Ports `restrict-system-components` denies from the world (cilium-networkpolicy chart).
SYSTEM_PORTS = {
    2379: "etcd",
    2380: "etcd peer",
    3367: "LINSTOR",
    7946: "MetalLB memberlist",
    8123: "Cozystack assets",
    9120: "MetalLB metrics",
    9121: "MetalLB metrics",
    9140: "MetalLB metrics",
    9141: "MetalLB metrics",
    9443: "webhooks",
    10250: "kubelet",
    10257: "kube-controller-manager",
    10259: "kube-scheduler",
    19443: "frr-k8s webhook",
}


@rule(
    "NA160",
    "error",
    "Tenant namespace does not follow the tenant tree",
    rationale="Cozystack derives a tenant's namespace from its place in the tree: the root is"
    " tenant-root, its children tenant-<name>, deeper tenants <parent-namespace>-<name>. A"
    " namespace that breaks this is not where Cozystack puts the tenant, and its hierarchical"
    " tenant.cozystack.io labels and policies do not apply as drawn.",
    source="cozystack packages/apps/tenant _helpers.tpl; cozystack/website PR #479",
    reference=DOC + " rule 38",
    hint="name the namespace after the parent's: tenant-<name> under tenant-root, else <parent-namespace>-<name>",
    section=SECTION,
)
def tenant_namespaces(model: Model) -> Iterator[Finding]:
    tenants = model.items("tenants")
    by_id = {t["id"]: (index, t) for index, t in enumerate(tenants)}
    seen: dict[str, ModelPath] = {}
    for index, tenant in enumerate(tenants):
        path: ModelPath = ("tenants", "items", index, "namespace")
        namespace = tenant["namespace"]
        parent = by_id.get(tenant.get("parent", ""))
        if parent is None:
            expected, related = ROOT_NAMESPACE, ()
            why = "a tenant without a parent is the root tenant"
        else:
            parent_index, parent_tenant = parent
            base = (
                "tenant"
                if parent_tenant["namespace"] == ROOT_NAMESPACE
                else parent_tenant["namespace"]
            )
            expected = f"{base}-{tenant['name']}"
            related = (("tenants", "items", parent_index, "namespace"),)
            why = f"its parent {parent_tenant['id']} has namespace {parent_tenant['namespace']}"
        if namespace != expected:
            yield Finding(
                path,
                f"tenant {tenant['id']} has namespace {namespace}, but {why}, so it is {expected}",
                hint=f"set namespace: {expected}",
                related=related,
            )
        if namespace in seen:
            yield Finding(
                path,
                f"tenant {tenant['id']} shares namespace {namespace} with another tenant",
                related=(seen[namespace],),
            )
        seen.setdefault(namespace, path)


@rule(
    "NA161",
    "warning",
    "Service exposes a system port to the world",
    rationale="Cozystack's clusterwide restrict-system-components policy denies world ingress to"
    " etcd, kubelet, controller, storage and load-balancer ports (2379, 2380, 3367, 7946, 8123, 9120,"
    " 9121, 9140, 9141, 9443, 10250, 10257, 10259, 19443); a LoadBalancer Service on one of them"
    " is either blocked or an exposure.",
    source="cozystack cilium-networkpolicy chart (restrict-system-components)",
    reference=DOC + " rule 40",
    hint="publish the Service on another port",
    section=SECTION,
)
def system_ports(model: Model) -> Iterator[Finding]:
    service = model.section("metallb").get("example_service") or {}
    port = service.get("port")
    if port in SYSTEM_PORTS:
        yield Finding(
            ("metallb", "example_service", "port"),
            f"Service {service['name']} is published on port {port} ({SYSTEM_PORTS[port]}), which Cozystack denies from the world",
        )


_ALL_POLICED = re.compile(
    r"\ball\s+(?:\w+\s+){0,2}traffic\b[^.;]*?\b(?:polic\w*|filter\w*|enforc\w*|firewall\w*|go(?:es)?\s+through|pass(?:es)?\s+through)",
    re.IGNORECASE,
)


@rule(
    "NA145",
    "warning",
    '"All traffic is policed" while node IPv6 is unfiltered',
    rationale="Cozystack runs Cilium's hostFirewall with ipv6.enabled: false and a patched Cilium"
    " that passes node IPv6 to the stack instead of dropping it, so host policies are IPv4-only"
    " and node IPv6 is not filtered; a model that says all traffic is policed overstates it.",
    source="Cozystack cilium values.yaml and values-kilo.yaml; cozystack/cozystack#2871",
    reference=DOC + " rule 33",
    hint="say that node IPv6 is not filtered by Cilium host policies",
    section=SECTION,
    requires=("cilium",),
)
def host_firewall_ipv6(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if not (_true(settings.get("hostFirewall.enabled")) and _false(settings.get("ipv6.enabled"))):
        return
    for item in model_texts(model):
        match = _ALL_POLICED.search(without_code(item.text))
        if match:
            yield Finding(
                item.path,
                f"'{match.group(0)}' but hostFirewall with ipv6.enabled: false leaves node IPv6 unfiltered",
                related=((*CILIUM, "ipv6.enabled"),),
            )
