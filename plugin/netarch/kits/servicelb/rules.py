"""The ServiceLB kit's rules (k3s's built-in load balancer, klipper-lb): host ports on the
nodes' own addresses, one Service per port, and no other load balancer beside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, kit_rule
from netarch.facts import facts_of
from netarch.kits import product_of
from netarch.model.network import Model, ModelPath

rule = kit_rule("servicelb")
SECTION = "ServiceLB"
PRODUCT = "servicelb"


def _allocates(model: Model) -> bool:
    """True when the model says ServiceLB gives Services their external addresses."""
    allocator = model.section("load_balancing").get("allocated_by") or model.section(
        "load_balancing"
    ).get("announced_by")
    return product_of(model, allocator) == PRODUCT


@rule(
    "NA380",
    "error",
    "ServiceLB beside another load-balancer controller",
    rationale="ServiceLB serves every Service of type LoadBalancer that has no other load-balancer"
    " class; with another load-balancer controller in the same cluster both claim the same"
    " Services and publish different addresses, so ServiceLB must be switched off to run one.",
    source="k3s networking services (ServiceLB; --disable servicelb to use another load balancer)",
    hint="switch ServiceLB off (--disable servicelb), or remove the other controller",
    section=SECTION,
)
def another_load_balancer(model: Model) -> Iterator[Finding]:
    components = model.items("components")
    ours = [i for i, c in enumerate(components) if c.get("product") == PRODUCT]
    others = [
        i
        for i, c in enumerate(components)
        if c.get("product") != PRODUCT
        and "load-balancer-addresses" in c.get("provides", [])
        and c.get("kind") != "external"
    ]
    for index in ours:
        if not others:
            return
        names = ", ".join(components[i]["name"] for i in others)
        yield Finding(
            ("components", index, "product"),
            f"ServiceLB ({components[index]['id']}) runs beside {names}, which also gives"
            " Services external addresses",
            related=tuple(("components", i, "provides") for i in others),
        )


@rule(
    "NA381",
    "error",
    "Two ServiceLB Services on one port",
    rationale="ServiceLB publishes a Service by opening its port as a host port on the nodes; the"
    " scheduler finds no free host port for a second Service on the same port and protocol, and"
    " that Service stays pending without an external address.",
    source="k3s-io/klipper-lb README (one host port per service; pending without a free port)",
    hint="give each LoadBalancer Service its own port, or restrict them to different nodes",
    section=SECTION,
)
def shared_host_port(model: Model) -> Iterator[Finding]:
    if not _allocates(model):
        return
    first: dict[Any, ModelPath] = {}
    for service in facts_of(model).services:
        base = service.origin.at()
        if base[:2] != ("load_balancing", "services"):
            continue
        written = model.section("load_balancing").get("services", [])[base[-1]]
        if written.get("kind", "service") != "service":
            continue
        # A Service's port is written as `port` or in its `ports` list.
        paths = [(*base, "port")] if isinstance(written.get("port"), int) else []
        paths += [(*base, "ports", i, "port") for i in range(len(written.get("ports", [])))]
        for port, path in zip(service.ports, paths, strict=True):
            if port in first:
                yield Finding(
                    path,
                    f"Service {service.name} wants port {port}, which another ServiceLB Service"
                    " already holds on every node",
                    related=(first[port],),
                )
            else:
                first[port] = path


@rule(
    "NA382",
    "warning",
    "Address pools for ServiceLB",
    rationale="ServiceLB assigns no addresses of its own: a Service's external addresses are the"
    " addresses of the nodes that run its ServiceLB pods. Pools in the model are then used by"
    " nothing, and readers look for addresses that never appear.",
    source="k3s networking services (ServiceLB: node IPs as external IPs)",
    hint="remove the pools, or name the controller that allocates from them",
    section=SECTION,
)
def pools_without_allocator(model: Model) -> Iterator[Finding]:
    if _allocates(model) and model.section("load_balancing").get("pools"):
        yield Finding(
            ("load_balancing", "pools"),
            "ServiceLB publishes Services on node addresses; these pools are used by nothing",
        )
