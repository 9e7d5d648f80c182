"""What the policies let tenants send each other, in the words the isolation diagrams use.

Every verdict comes from the reachability evaluator (netarch.model.reachability), which reads
the policies as the enforcing engine does: a pod selected by any policy is isolated for that
direction, a deny wins over an allow, and the order of the items means nothing. The views
only put its answers into words.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from netarch.model.network import Model
from netarch.model.reachability import Evaluator, Reach, Subject
from netarch.model.traffic import PROTOCOLS, Traffic

ALLOWED, DENIED, PARTLY, UNDECIDED = "ALLOWED", "DENIED", "PARTLY ALLOWED", "UNDECIDED"


@dataclass(frozen=True)
class Verdict:
    """One word for a pair (ALLOWED, DENIED, PARTLY ALLOWED, UNDECIDED) and, when it is not
    all or nothing, what passes."""

    word: str
    detail: str = ""

    @property
    def text(self) -> str:
        return f"{self.word} ({self.detail})" if self.detail else self.word

    @property
    def short(self) -> str:
        """What passes, in as few words: "only TCP 443", else the word."""
        return self.detail if self.word == PARTLY else self.word


def _verdict(reach: Reach) -> Verdict:
    if not reach.maybe:
        return Verdict(DENIED)
    if reach.sure == Traffic.everything():
        return Verdict(ALLOWED)
    if reach.sure == reach.maybe:
        return Verdict(PARTLY, f"only {reach.sure.describe()}")
    return Verdict(UNDECIDED, "the model does not decide")


def _namespace(tenant: dict[str, Any]) -> Subject:
    return Subject("namespace", tenant["namespace"])


class TenantReach:
    """The policies' answers for the tenants of a model, asked once per model."""

    def __init__(self, model: Model) -> None:
        self.tenants = [tenant for tenant in model.items("tenants")]
        subjects = list(dict.fromkeys(_namespace(tenant) for tenant in self.tenants))
        self._evaluator = Evaluator(model, subjects)

    def between(self, source: dict[str, Any], target: dict[str, Any]) -> Verdict:
        return _verdict(self._evaluator.reach(_namespace(source), _namespace(target)))

    def both_ways(self, first: dict[str, Any], second: dict[str, Any]) -> Verdict:
        """``first ↔ second``: one verdict when both directions agree, else each named."""
        there, back = self.between(first, second), self.between(second, first)
        if there == back:
            return there
        one, other = first["name"], second["name"]
        return Verdict(PARTLY, f"{one} → {other}: {there.short}; {other} → {one}: {back.short}")

    def same_tenant(self) -> str:
        """The word for traffic inside tenants: the same for every tenant, else PARTLY."""
        return _overall(self.between(tenant, tenant).word for tenant in self.tenants)

    def cross_tenant(self) -> str:
        """The word for traffic between two tenants, over every ordered pair."""
        pairs = itertools.permutations(self.tenants, 2)
        return _overall(self.between(source, target).word for source, target in pairs)


def _overall(words: Any) -> str:
    found = set(words)
    if len(found) == 1:
        return found.pop()
    return UNDECIDED if found == {UNDECIDED} else PARTLY


def tenant_reach(model: Model) -> TenantReach:
    memo: Any = model.memo.get("tenant_reach")
    if memo is None:
        memo = model.memo["tenant_reach"] = TenantReach(model)
    return memo


def packet_verdict(model: Model, source_pod: str, target_pod: str, protocol: str, port: int) -> str:
    """ALLOW, DENY or UNDECIDED for one packet between two pods, as the policies say."""
    ends = []
    for pod_id in (source_pod, target_pod):
        pod = model.element("pod", pod_id)
        labels = tuple(sorted((str(k), str(v)) for k, v in (pod.get("labels") or {}).items()))
        namespace = model.namespace_of_pod(pod_id)  # a tenant's, or a workload's own
        ends.append(
            Subject("pods", namespace, labels) if labels else Subject("namespace", namespace)
        )
    reach = Evaluator(model, list(dict.fromkeys(ends))).reach(ends[0], ends[1])
    name = protocol.lower()
    packet = (
        Traffic.of_policy([{"protocol": name, "port": port}])
        if name in PROTOCOLS
        else Traffic(other=True)  # ICMP and the like: only a rule without ports covers it
    )
    if not packet:  # port 0: no port a rule can name
        return "UNDECIDED"
    if reach.sure.covers(packet):
        return "ALLOW"
    if not (reach.maybe & packet):
        return "DENY"
    return "UNDECIDED"


def policy_engine(model: Model) -> str | None:
    """The component that enforces the policies: the one the policies name, else the one
    component that provides network policy."""
    engine = model.section("policies").get("enforced_by")
    if isinstance(engine, str):
        return engine
    providers = [
        component["id"]
        for component in model.items("components")
        if "network-policy" in component.get("provides", [])
    ]
    return providers[0] if len(providers) == 1 else None


def tenants_isolated(model: Model) -> bool:
    """Whether the policies drop all traffic between tenants: the evaluator's answer over
    every pair of tenants; with fewer than two tenants there is no pair to ask about, so
    whether a policy denies all cross-tenant traffic (a default deny as the model states it)."""
    if len(model.items("tenants")) >= 2:
        return tenant_reach(model).cross_tenant() == DENIED
    return any(
        item["action"] == "deny"
        and item.get("scope") == "cross-tenant"
        and not any(key in item for key in ("from", "to", "ports"))
        for item in model.items("policies")
    )
