"""Who can reach whom in BASE and in HEAD, and each pair of subjects whose answer differs.

Both versions are evaluated over the same subjects (those either version talks about), so a
pair is compared with itself. For each pair and each port, a version says yes, maybe or no
(``netarch.model.reachability``); a change from no to yes is "can now reach", from yes to no
"can no longer reach", and any change to or from maybe is reported as "may", with the reason.
The policies whose part in a pair differs between the versions are named as responsible.

The work is bounded: at most ``MAX_EVALUATIONS`` pairs x policies per version; a larger model
is not evaluated, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from netarch.diagnostics import Location
from netarch.model.network import Model
from netarch.model.reachability import (
    Evaluator,
    Reach,
    Subject,
    evaluation_inputs,
    labels_text,
    sorted_subjects,
    subject_order,
    subjects_of,
    tenant_namespaces,
)
from netarch.model.traffic import Traffic

# Pairs x policies per version; at the bound the whole comparison takes about 0.6 s on 2 CPUs.
MAX_EVALUATIONS = 200_000

REACHABLE, UNREACHABLE = "reachable", "unreachable"

_ENTITY_WORDS = {
    "world": "the world",
    "nodes": "the nodes",
    "kube-apiserver": "the API server",
    "dns": "the cluster DNS",
}
_VERBS = {
    (REACHABLE, True): "can now reach",
    (REACHABLE, False): "may now reach",
    (UNREACHABLE, True): "can no longer reach",
    (UNREACHABLE, False): "may no longer reach",
}


@dataclass(frozen=True)
class PolicyRef:
    """A policy responsible for a change: where it is in HEAD, or in BASE when HEAD no
    longer has it (``side`` "base")."""

    id: str
    location: Location | None
    side: str


@dataclass(frozen=True)
class PairChange:
    source: Subject
    target: Subject
    change: str  # reachable | unreachable
    certain: bool  # False: "may", for the ``reasons``
    traffic: Traffic  # the ports whose answer changes
    policies: tuple[PolicyRef, ...]
    reasons: tuple[str, ...] = ()

    @property
    def verb(self) -> str:
        return _VERBS[(self.change, self.certain)]


@dataclass
class ReachabilityDiff:
    # False when a version did not load, or when the bound was hit (see ``notes``).
    evaluated: bool = True
    # Whether anything the evaluation reads differs (the policies' meaning, the tenants'
    # namespaces, the cluster's ranges): only then is there anything to say.
    inputs_differ: bool = False
    changes: list[PairChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tenant_names: dict[str, str] = field(default_factory=dict)  # namespace -> tenant name

    def describe(self, subject: Subject, code: Callable[[str], str] = str) -> str:
        """The subject in words; ``code`` wraps each piece of model text (Markdown escapes
        it there, by construction)."""
        if subject.kind == "entity":
            return _ENTITY_WORDS[subject.name]
        if subject.kind == "cidr":
            return code(subject.name)
        namespace = subject.namespace
        if namespace is None:
            place = "in any namespace"
        elif namespace in self.tenant_names:
            place = f"tenant {code(self.tenant_names[namespace])}"
        else:
            place = f"namespace {code(namespace)}"
        if subject.kind == "namespace":
            return place
        pods = f"pods {code(labels_text(subject.labels))}"
        return f"{pods} {place}" if namespace is None else f"{pods} of {place}"

    def sentence(
        self, sources: list[Subject], change: PairChange, code: Callable[[str], str] = str
    ) -> str:
        """ "tenant a, tenant b can now reach the world on TCP 443"."""
        senders = ", ".join(self.describe(source, code) for source in sources)
        return (
            f"{senders} {change.verb} {self.describe(change.target, code)}"
            f" on {change.traffic.describe()}"
        )

    def grouped(self) -> list[tuple[list[Subject], PairChange]]:
        """Changes that differ only by their source, as one line with every source."""
        groups: dict[tuple[Any, ...], tuple[list[Subject], PairChange]] = {}
        for change in self.changes:
            key = (
                change.target,
                change.change,
                change.certain,
                change.traffic,
                change.policies,
                change.reasons,
            )
            groups.setdefault(key, ([], change))[0].append(change.source)
        return list(groups.values())


def compare_reachability(base: Model | None, head: Model | None) -> ReachabilityDiff:
    if base is None or head is None:
        return ReachabilityDiff(evaluated=False)
    # Without any policy everything reaches everything, on both sides alike.
    no_policies = not (base.items("policies") or head.items("policies"))
    if no_policies or evaluation_inputs(base) == evaluation_inputs(head):
        return ReachabilityDiff()
    names = {**tenant_namespaces(base), **tenant_namespaces(head)}
    result = ReachabilityDiff(inputs_differ=True, tenant_names=names)
    exceptions = head.section("policies").get("exceptions") or []
    if exceptions:
        result.notes.append(
            f"The {len(exceptions)} exceptions of HEAD's policies are prose: the traffic they"
            " allow is not evaluated."
        )
    # A tenant only one version has is new (or gone) as a whole: its pairs are not compared.
    base_tenants, head_tenants = set(tenant_namespaces(base)), set(tenant_namespaces(head))
    for namespace in sorted(base_tenants ^ head_tenants):
        side = "HEAD" if namespace in head_tenants else "BASE"
        result.notes.append(
            f"Tenant {names[namespace]} (namespace {namespace}) is only in {side}: its pairs"
            " are not compared."
        )
    one_sided = base_tenants ^ head_tenants
    subjects = [
        subject
        for subject in sorted_subjects(subjects_of(base) | subjects_of(head))
        if subject.namespace not in one_sided
    ]
    if not any(subject.is_pods for subject in subjects):
        result.evaluated = False
        result.notes.append(
            "Not evaluated: neither version names a tenant, a namespace or labelled pods, and"
            " the policies are rules about pods."
        )
        return result
    # Counted before any pair is made: every pair but those of two subjects that are no pods.
    others = sum(1 for subject in subjects if not subject.is_pods)
    count = len(subjects) ** 2 - others**2
    policies = max(len(base.items("policies")), len(head.items("policies")), 1)
    if count * policies > MAX_EVALUATIONS:
        result.evaluated = False
        result.notes.append(
            f"Not evaluated: {len(subjects)} subjects make {count:,} pairs, and with"
            f" {policies} policies that is {count * policies:,} evaluations, more than"
            f" the bound of {MAX_EVALUATIONS:,}."
        )
        return result
    pairs = [(s, t) for s in subjects for t in subjects if s.is_pods or t.is_pods]
    before, after = Evaluator(base, subjects), Evaluator(head, subjects)
    changes = []
    for source, target in pairs:
        was, now = before.reach(source, target), after.reach(source, target)
        if (was.sure, was.maybe) == (now.sure, now.maybe):
            continue
        responsible = _responsible(before, after, base, head, source, target)
        for change, certain, traffic in _transitions(was, now):
            reasons = () if certain else tuple(dict.fromkeys(now.reasons + was.reasons))
            changes.append(
                PairChange(source, target, change, certain, traffic, responsible, reasons)
            )
    changes.sort(key=_order)
    result.changes = _without_repeats(changes, subjects)
    return result


def _transitions(was: Reach, now: Reach) -> Iterable[tuple[str, bool, Traffic]]:
    """(change, certain, traffic) for the ports whose answer moved: no -> yes is certain,
    no -> may and may -> yes are "may" (and the same the other way)."""
    opens = now.sure - was.maybe
    may_open = ((now.maybe - was.maybe) | (now.sure - was.sure)) - opens
    closes = was.sure - now.maybe
    may_close = ((was.maybe - now.maybe) | (was.sure - now.sure)) - closes
    for change, certain, traffic in (
        (REACHABLE, True, opens),
        (REACHABLE, False, may_open),
        (UNREACHABLE, True, closes),
        (UNREACHABLE, False, may_close),
    ):
        if traffic:
            yield change, certain, traffic


def _responsible(
    before: Evaluator,
    after: Evaluator,
    base: Model,
    head: Model,
    source: Subject,
    target: Subject,
) -> tuple[PolicyRef, ...]:
    """The policies whose part in this pair differs between the versions: matching its
    traffic, or isolating an end whose isolation changed. By meaning, so a renamed policy is
    not one of them."""
    ingress, egress = (
        old != new
        for old, new in zip(
            before.isolation(source, target), after.isolation(source, target), strict=True
        )
    )
    was = before.contributions(source, target, ingress=ingress, egress=egress)
    now = after.contributions(source, target, ingress=ingress, egress=egress)
    head_ids, base_ids = after.policy_ids(), before.policy_ids()
    refs: dict[tuple[str, str], PolicyRef] = {}
    for meaning in was.keys() | now.keys():
        if was.get(meaning) == now.get(meaning):
            continue
        policy_id = head_ids.get(meaning) or base_ids[meaning]
        # A policy HEAD changed is shown where HEAD has it; only a removed one in BASE.
        if head.ids.has("policy", policy_id):
            ref = PolicyRef(policy_id, head.element_location("policy", policy_id), "head")
        else:
            ref = PolicyRef(policy_id, base.element_location("policy", policy_id), "base")
        refs[(ref.id, ref.side)] = ref
    return tuple(
        sorted(
            refs.values(),
            key=lambda ref: (ref.side != "head", ref.location.line if ref.location else 0),
        )
    )


def _order(change: PairChange) -> tuple[Any, ...]:
    return (
        not change.certain,
        change.change != REACHABLE,
        subject_order(change.target),
        subject_order(change.source),
    )


def _without_repeats(changes: list[PairChange], subjects: list[Subject]) -> list[PairChange]:
    """Leave out what another line already says:

    - a pair inside a wider one (``pods app=db of tenant b`` inside ``tenant b``) whose wider
      pair changes the same way, at least as surely, for at least the same traffic;
    - a "may" of a wide pair that sure changes of pairs inside it account for (``tenant b``
      may now be reached because ``pods app=db of tenant b`` now are).

    Bounded like the evaluation: with too many nested subjects every line stays.
    """
    wider = {s: [u for u in subjects if u.contains(s)] for s in subjects}
    work = sum(len(wider[c.source]) * len(wider[c.target]) for c in changes)
    if work > MAX_EVALUATIONS:
        return changes
    by_pair: dict[tuple[Subject, Subject, str], list[PairChange]] = {}
    inner_sure: dict[tuple[Subject, Subject, str], Traffic] = {}
    for change in changes:
        by_pair.setdefault((change.source, change.target, change.change), []).append(change)
        if not change.certain:
            continue
        for source in wider[change.source]:
            for target in wider[change.target]:
                if (source, target) != (change.source, change.target):
                    key = (source, target, change.change)
                    inner_sure[key] = inner_sure.get(key, Traffic.nothing()) | change.traffic
    kept = []
    for change in changes:
        said = any(
            other.traffic.covers(change.traffic) and (other.certain or not change.certain)
            for source in wider[change.source]
            for target in wider[change.target]
            if (source, target) != (change.source, change.target)
            for other in by_pair.get((source, target, change.change), [])
        )
        accounted = not change.certain and inner_sure.get(
            (change.source, change.target, change.change), Traffic.nothing()
        ).covers(change.traffic)
        if not (said or accounted):
            kept.append(change)
    return kept
