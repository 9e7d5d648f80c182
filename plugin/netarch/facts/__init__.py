"""Network facts: the layer between the model and everything that reads it.

The core's sections and every active kit's section are translated into the same typed facts
(address ranges by role and family, load-balancer pools and how they are announced, BGP
sessions, tunnels, the Service proxy, policy engines and policies, workloads, open ports), so a
rule or a view written once over the facts holds for every product that provides them. Each
fact keeps its origin (the provider and the model path with file:line:col) and a stable
identity, so facts read from a cluster's real configuration can later be compared with them.
"""

from __future__ import annotations

from typing import Any

from netarch.facts.core import core_facts
from netarch.facts.types import (
    CORE,
    AddressRange,
    BgpSession,
    Fact,
    Facts,
    GatewayListener,
    GatewayRoute,
    HostAddress,
    LoadBalancedService,
    LoadBalancerPool,
    OpenPort,
    Origin,
    Policy,
    PolicyEngine,
    ServiceProxy,
    Tunnel,
    Workload,
)
from netarch.registry import active_kits

Model = Any  # netarch.model.network.Model


class FactError(Exception):
    """A kit's facts projection returned something that is not a network fact."""


def facts_of(model: Model) -> Facts:
    """Every fact of ``model``: the core's, then each active kit's (computed once per model)."""
    memo = model.memo.get("facts")
    if memo is None:
        memo = Facts()
        for fact in core_facts(model):
            memo.add(fact)
        for kit in active_kits(model):
            if kit.facts is None:
                continue
            for fact in kit.facts(model):
                try:
                    memo.add(fact)
                except TypeError as error:
                    raise FactError(f"the kit {kit.name!r}: {error}") from error
        model.memo["facts"] = memo
    return memo


__all__ = [
    "CORE",
    "AddressRange",
    "BgpSession",
    "Fact",
    "FactError",
    "Facts",
    "GatewayListener",
    "GatewayRoute",
    "HostAddress",
    "LoadBalancedService",
    "LoadBalancerPool",
    "OpenPort",
    "Origin",
    "Policy",
    "PolicyEngine",
    "ServiceProxy",
    "Tunnel",
    "Workload",
    "facts_of",
]
