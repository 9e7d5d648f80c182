"""Who can reach whom, and on which ports, as the model's policies say.

The evaluator reads the ``policies`` section of a checked model and answers, for two
*subjects* (the pods of a tenant or namespace, pods with some labels, the world, the nodes,
the API server, the cluster DNS, an address range), which traffic the first may send the
second: surely, possibly ("may"), or not at all. It lives beside the model, not in the views
or the checks, because it is what the model *means*: the diff compares it between two
versions today, and a view or a rule can read it tomorrow without importing one another.

The semantics, documented for readers in docs/guide/diff.md ("Who can reach whom"):

- A policy is a rule of a Kubernetes-style policy. ``direction: ingress`` is a rule on the
  pods of ``to`` about traffic from ``from``; ``egress`` a rule on the pods of ``from``
  about traffic to ``to``; no direction is both. A missing ``from``/``to`` is anything;
  the keys of one peer all apply (``tenant`` and ``labels``: those pods of that tenant).
- ``scope`` narrows the pairs a policy is about: ``same-tenant`` (both ends pods of one
  tenant), ``cross-tenant`` (pods of two tenants), ``tenant`` (every tenant's pods, to or
  from anything: it selects only tenant pods), ``world`` (pods and anything outside the
  cluster), ``system`` (pods and the nodes, the API server or the cluster DNS).
- A pod selected by any policy (allow or deny) for a direction is isolated for that
  direction: only traffic some allow rule of that direction matches passes. A pod no policy
  selects is open. Traffic between two pods needs the sender's egress and the receiver's
  ingress; a peer that is no pod (the world ...) is not policed itself.
- A deny rule that matches the traffic drops it whatever allows it: the model has no order
  between policies, so a deny always takes precedence.
- Only pods are isolated: a pair of two subjects that are not pods is not evaluated.

Where the model does not decide a question (which pods carry a label, whether an address
range holds pods or the API server), the answer is "may", with the reason.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from netarch.model.network import Model
from netarch.model.traffic import Traffic

# Three-valued answers; "and" is the smaller, "or" the larger, "not" is 2 - x.
NO, MAY, YES = 0, 1, 2

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The classes of peers a model names (``entity``); "cluster" is every pod and all of these
# but the world.
ENTITIES = ("world", "nodes", "kube-apiserver", "dns")
SYSTEM_ENTITIES = frozenset({"nodes", "kube-apiserver", "dns"})
# Kinds of subjects, in the order a reviewer reads them.
SUBJECT_KINDS = ("namespace", "pods", "entity", "cidr")


@dataclass(frozen=True)
class Subject:
    """Something traffic comes from or goes to, named the same way in every version of the
    model: pods by namespace (a tenant is its namespace, so renaming a tenant's id changes
    nothing), pods by labels (``namespace`` None: in any namespace), a class, a range."""

    kind: str  # namespace | pods | entity | cidr
    namespace: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    name: str = ""  # the class (world ...) or the range as written

    @property
    def is_pods(self) -> bool:
        return self.kind in ("namespace", "pods")

    @property
    def key(self) -> str:
        """A stable text id: ``namespace:tenant-a``, ``pods:tenant-b:app=db``,
        ``pods:*:app=db``, ``entity:world``, ``cidr:10.0.0.0/8``."""
        if self.kind == "namespace":
            return f"namespace:{self.namespace}"
        if self.kind == "pods":
            return f"pods:{self.namespace or '*'}:{labels_text(self.labels)}"
        return f"{self.kind}:{self.name}"

    def contains(self, other: Subject) -> bool:
        """Every pod of ``other`` is one of this subject's (pods only; a subject contains
        itself)."""
        if self == other:
            return True
        if not (self.is_pods and other.kind == "pods"):
            return False
        if self.kind == "namespace":
            return other.namespace == self.namespace
        same_place = self.namespace is None or self.namespace == other.namespace
        return same_place and set(self.labels) <= set(other.labels)


def labels_text(labels: Iterable[tuple[str, str]]) -> str:
    return ",".join(f"{key}={value}" for key, value in labels)


def subject_order(subject: Subject) -> tuple[Any, ...]:
    entity_order = ENTITIES.index(subject.name) if subject.kind == "entity" else 0
    return (
        SUBJECT_KINDS.index(subject.kind),
        subject.namespace or "",
        subject.labels,
        entity_order,
        subject.name,
    )


def sorted_subjects(subjects: Iterable[Subject]) -> list[Subject]:
    return sorted(set(subjects), key=subject_order)


@dataclass(frozen=True)
class Reach:
    """What one subject may send another: ``sure`` is allowed, ``maybe`` (which holds
    ``sure``) may be, ``reasons`` say why the rest of ``maybe`` is not sure."""

    sure: Traffic
    maybe: Traffic
    reasons: tuple[str, ...] = ()


# ------------------------------------------------------------------------------- the policies


@dataclass(frozen=True)
class _Peer:
    """One ``from`` or ``to``, with tenant ids resolved to namespaces."""

    given: bool = False  # False: the policy leaves it out, so it is anything
    namespace: str | None = None
    contradictory: bool = False  # a tenant and a namespace that differ: selects nothing
    labels: tuple[tuple[str, str], ...] = ()
    cidr: str | None = None
    entity: str | None = None

    @property
    def selects_pods_by_name(self) -> bool:
        return self.namespace is not None or bool(self.labels) or self.contradictory

    def subject(self) -> Subject | None:
        """The subject this peer names, so that it can be asked about (None for "cluster",
        which is no single subject, or a contradiction)."""
        if self.contradictory:
            return None
        if self.selects_pods_by_name:
            if self.labels:
                return Subject("pods", self.namespace, self.labels)
            return Subject("namespace", self.namespace)
        if self.cidr is not None:
            return Subject("cidr", name=self.cidr)
        if self.entity in ENTITIES:
            return Subject("entity", name=self.entity)
        return None

    def canonical(self) -> Any:
        if not self.given:
            return None
        return [self.namespace, self.contradictory, self.labels, self.cidr, self.entity]


@dataclass(frozen=True)
class Policy:
    """One policy item, as the evaluator reads it."""

    id: str
    action: str  # allow | deny
    scope: str | None
    ingress: bool
    egress: bool
    source: _Peer
    target: _Peer
    traffic: Traffic
    # Its meaning without its id and prose: equal for a renamed policy, and for one whose
    # tenant was renamed, so that neither counts as a change.
    meaning: str


def _peer(model: Model, value: Any) -> _Peer:
    if not isinstance(value, dict):
        return _Peer()
    namespace = value.get("namespace")
    contradictory = False
    if "tenant" in value:
        tenant_namespace = model.element("tenant", value["tenant"])["namespace"]
        contradictory = namespace is not None and namespace != tenant_namespace
        namespace = tenant_namespace
    labels = tuple(sorted((str(k), str(v)) for k, v in (value.get("labels") or {}).items()))
    return _Peer(True, namespace, contradictory, labels, value.get("cidr"), value.get("entity"))


def read_policies(model: Model) -> list[Policy]:
    policies = []
    for item in model.items("policies"):
        direction = item.get("direction")
        source, target = _peer(model, item.get("from")), _peer(model, item.get("to"))
        traffic = Traffic.of_policy(item.get("ports"))
        ingress, egress = direction in (None, "ingress"), direction in (None, "egress")
        meaning = json.dumps(
            [
                item["action"],
                item.get("scope"),
                ingress,
                egress,
                source.canonical(),
                target.canonical(),
                traffic.to_json(),
            ]
        )
        policies.append(
            Policy(
                item["id"],
                item["action"],
                item.get("scope"),
                ingress,
                egress,
                source,
                target,
                traffic,
                meaning,
            )
        )
    return policies


def subjects_of(model: Model) -> set[Subject]:
    """The subjects a model talks about: every tenant, every peer its policies name, and the
    classes (a new default deny cuts the DNS off even if no policy names it)."""
    subjects = {Subject("namespace", tenant["namespace"]) for tenant in model.items("tenants")}
    subjects |= {Subject("entity", name=name) for name in ENTITIES}
    for policy in read_policies(model):
        for peer in (policy.source, policy.target):
            subject = peer.subject()
            if subject is not None:
                subjects.add(subject)
    return subjects


def tenant_namespaces(model: Model) -> dict[str, str]:
    """namespace -> tenant name."""
    return {tenant["namespace"]: tenant["name"] for tenant in model.items("tenants")}


def evaluation_inputs(model: Model) -> tuple[Any, ...]:
    """Everything the evaluation reads: the policies' meaning, the tenants' namespaces, and
    the cluster's ranges when a policy names an address range (only then do they matter).
    Two models with equal inputs give equal answers."""
    policies = read_policies(model)
    ranges = any(peer.cidr is not None for p in policies for peer in (p.source, p.target))
    meanings = sorted(policy.meaning for policy in policies)
    return meanings, frozenset(tenant_namespaces(model)), _cluster(model) if ranges else None


# ------------------------------------------------------------------------------ the cluster


def _networks(values: Any) -> list[Network]:
    if values is None:
        return []
    found = []
    for value in values if isinstance(values, list) else [values]:
        network = _network(str(value))
        if network is not None:
            found.append(network)
    return found


def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _overlaps(network: Network, others: Sequence[Network]) -> bool:
    return any(network.version == o.version and network.overlaps(o) for o in others)


def _inside(network: Network, others: Sequence[Network]) -> bool:
    return any(network.version == o.version and network.subnet_of(o) for o in others)


@dataclass(frozen=True)
class _Cluster:
    """The address ranges that tell inside the cluster from outside it."""

    pods: tuple[Network, ...]
    services: tuple[Network, ...]
    nodes: tuple[Network, ...]  # node networks, else the nodes' own addresses
    families: frozenset[int]

    @property
    def inside(self) -> tuple[Network, ...]:
        return self.pods + self.services + self.nodes


def _cluster(model: Model) -> _Cluster:
    cluster = model.section("cluster")
    pods = tuple(_networks(cluster.get("pod_cidr")))
    services = tuple(_networks(cluster.get("service_cidr")))
    nodes = _networks(cluster.get("node_networks"))
    if not nodes:
        nodes = _networks([node["address"] for node in model.items("nodes") if "address" in node])
    families = frozenset(n.version for n in pods) or frozenset({4})
    return _Cluster(pods, services, tuple(nodes), families)


# ---------------------------------------------------------------------------- the evaluator

Answer = tuple[int, tuple[str, ...]]  # (NO/MAY/YES, why MAY)
_YES: Answer = (YES, ())
_NO: Answer = (NO, ())


def _may(reason: str) -> Answer:
    return (MAY, (reason,))


def _all(*answers: Answer) -> Answer:
    value = min(answer[0] for answer in answers)
    if value != MAY:
        return (value, ())
    return (MAY, tuple(r for answer in answers if answer[0] == MAY for r in answer[1]))


def _any(answers: Iterable[Answer]) -> Answer:
    """The largest answer (with its reasons when that is MAY)."""
    return max(answers, default=_NO, key=lambda answer: answer[0])


class Evaluator:
    """One version of the model's policies, asked about pairs of subjects.

    Work is proportional to subjects x policies up front and to policies per pair asked; the
    caller bounds how many pairs it asks (``netarch.diff.reachability``).
    """

    def __init__(self, model: Model, subjects: Sequence[Subject]) -> None:
        self.policies = read_policies(model)
        self.subjects = list(subjects)
        self._index = {subject: i for i, subject in enumerate(self.subjects)}
        self._cluster = _cluster(model)
        tenants = tenant_namespaces(model)
        self._tenant_namespaces = frozenset(tenants)
        # Per policy, per subject: does its from / to name the subject; would it isolate it.
        self._from = [
            [self._peer_matches(p.source, s) for s in self.subjects] for p in self.policies
        ]
        self._to = [[self._peer_matches(p.target, s) for s in self.subjects] for p in self.policies]
        self._selected_in = [
            [
                _all(to, self._scope_side(p.scope, s)) if p.ingress and s.is_pods else _NO
                for s, to in zip(self.subjects, self._to[n], strict=True)
            ]
            for n, p in enumerate(self.policies)
        ]
        self._selected_out = [
            [
                _all(frm, self._scope_side(p.scope, s)) if p.egress and s.is_pods else _NO
                for s, frm in zip(self.subjects, self._from[n], strict=True)
            ]
            for n, p in enumerate(self.policies)
        ]
        # What a scope asks of each subject, asked once.
        self._tenant_pods = [self._tenancy(subject) for subject in self.subjects]
        self._world = [self._outside(subject) for subject in self.subjects]
        self._system_side = [self._system(subject) for subject in self.subjects]
        # An end is isolated for a direction when any policy selects it for that direction.
        self._isolated_in = [
            _any(row[i] for row in self._selected_in) for i in range(len(subjects))
        ]
        self._isolated_out = [
            _any(row[i] for row in self._selected_out) for i in range(len(subjects))
        ]
        self._allow_in = [
            n for n, p in enumerate(self.policies) if p.action == "allow" and p.ingress
        ]
        self._allow_out = [
            n for n, p in enumerate(self.policies) if p.action == "allow" and p.egress
        ]
        self._deny = [n for n, p in enumerate(self.policies) if p.action == "deny"]

    # --- what one pair is allowed

    def reach(self, source: Subject, target: Subject) -> Reach:
        s, t = self._index[source], self._index[target]
        reasons: list[str] = []
        # The receiver's ingress and the sender's egress: each passes everything unless the
        # end is isolated, then what its allow rules match.
        ingress = self._section(self._isolated_in[t], self._allow_in, s, t, reasons)
        egress = self._section(self._isolated_out[s], self._allow_out, s, t, reasons)
        denied_sure, denied_maybe = self._denied(
            s,
            t,
            lambda policy: (
                (policy.ingress and target.is_pods) or (policy.egress and source.is_pods)
            ),
            reasons,
        )
        sure = (ingress[0] & egress[0]) - denied_maybe
        maybe = (ingress[1] & egress[1]) - denied_sure
        return Reach(sure, maybe, tuple(dict.fromkeys(reasons)) if maybe != sure else ())

    def _denied(
        self, s: int, t: int, applies: Callable[[Policy], bool], reasons: list[str]
    ) -> tuple[Traffic, Traffic]:
        """(surely, maybe) denied traffic: the deny rules that ``applies`` keeps and match."""
        denied_sure, denied_maybe = Traffic.nothing(), Traffic.nothing()
        for n in self._deny:
            policy = self.policies[n]
            if not applies(policy):
                continue
            matched, why = self._matches(n, s, t)
            if matched:
                reasons += why
                denied_maybe |= policy.traffic
                if matched == YES:
                    denied_sure |= policy.traffic
        return denied_sure, denied_maybe

    def _section(
        self, isolated: Answer, allows: list[int], s: int, t: int, reasons: list[str]
    ) -> tuple[Traffic, Traffic]:
        """(sure, maybe) of one end's ingress or egress; ``isolated`` is NO for a subject that
        is no pod, which is never policed."""
        everything, nothing = Traffic.everything(), Traffic.nothing()
        if isolated[0] == NO:
            return everything, everything
        reasons += isolated[1]
        sure = nothing
        maybe = everything if isolated[0] == MAY else nothing
        for n in allows:
            matched, why = self._matches(n, s, t)
            if matched:
                reasons += why
                maybe |= self.policies[n].traffic
                if matched == YES:
                    sure |= self.policies[n].traffic
        return sure, maybe

    def one_side(self, source: Subject, target: Subject, direction: str) -> Reach:
        """What one end's own policies let through: the receiver's ingress (``ingress``) or the
        sender's egress (``egress``), with that direction's deny rules; the other end's
        policies are not asked. This is what a claim about one end's isolation is about."""
        s, t = self._index[source], self._index[target]
        reasons: list[str] = []
        if direction == "ingress":
            sure, maybe = self._section(self._isolated_in[t], self._allow_in, s, t, reasons)
        else:
            sure, maybe = self._section(self._isolated_out[s], self._allow_out, s, t, reasons)
        denied_sure, denied_maybe = self._denied(
            s,
            t,
            lambda policy: policy.ingress if direction == "ingress" else policy.egress,
            reasons,
        )
        sure, maybe = sure - denied_maybe, maybe - denied_sure
        return Reach(sure, maybe, tuple(dict.fromkeys(reasons)) if maybe != sure else ())

    def isolation(self, source: Subject, target: Subject) -> tuple[int, int]:
        """Whether the receiver's ingress and the sender's egress are isolated."""
        return self._isolated_in[self._index[target]][0], self._isolated_out[self._index[source]][0]

    def contributions(
        self, source: Subject, target: Subject, *, ingress: bool = True, egress: bool = True
    ) -> dict[str, tuple[int, int, int]]:
        """What each policy (by meaning) says about this pair: whether it isolates the
        receiver (when ``ingress``) or the sender (when ``egress``), and whether it matches
        the traffic. Comparing these between two versions names the policies responsible
        for a change; the caller leaves out an isolation that did not change, since a policy
        that isolates an end some other policy isolated anyway changes nothing there."""
        s, t = self._index[source], self._index[target]
        found: dict[str, tuple[int, int, int]] = {}
        for n, policy in enumerate(self.policies):
            isolates_target = self._selected_in[n][t][0] if ingress else NO
            isolates_source = self._selected_out[n][s][0] if egress else NO
            matched = self._matches(n, s, t)[0]
            if isolates_target or isolates_source or matched:
                found[policy.meaning] = (isolates_target, isolates_source, matched)
        return found

    def policy_ids(self) -> dict[str, str]:
        """meaning -> the id of the first policy with it."""
        ids: dict[str, str] = {}
        for policy in self.policies:
            ids.setdefault(policy.meaning, policy.id)
        return ids

    def _matches(self, n: int, s: int, t: int) -> Answer:
        frm, to = self._from[n][s], self._to[n][t]
        if not (frm[0] and to[0]):
            return _NO
        return _all(frm, to, self._scope_pair(self.policies[n].scope, s, t))

    # --- scope

    def _tenancy(self, subject: Subject) -> Answer:
        """Are these the pods of a tenant?"""
        if not subject.is_pods:
            return _NO
        if subject.namespace is None:
            return _may(f"pods {labels_text(subject.labels)} may be in any namespace")
        return _YES if subject.namespace in self._tenant_namespaces else _NO

    def _scope_side(self, scope: str | None, subject: Subject) -> Answer:
        """Would a policy of this scope select these pods (for isolation)?"""
        if scope in ("same-tenant", "cross-tenant", "tenant"):
            return self._tenancy(subject)
        return _YES if subject.is_pods else _NO

    def _scope_pair(self, scope: str | None, s: int, t: int) -> Answer:
        if scope is None:
            return _YES
        source, target = self.subjects[s], self.subjects[t]
        if scope == "tenant":  # a tenant's pods to or from anything
            return _any((self._tenant_pods[s], self._tenant_pods[t]))
        if scope in ("same-tenant", "cross-tenant"):
            both = _all(self._tenant_pods[s], self._tenant_pods[t])
            if both[0] == NO:
                return _NO
            if source.namespace is None or target.namespace is None:
                return both
            same = source.namespace == target.namespace
            return both if same == (scope == "same-tenant") else _NO
        classes = self._world if scope == "world" else self._system_side
        for pod, other in ((source, t), (target, s)):
            if pod.is_pods and classes[other][0]:
                return classes[other]
        return _NO

    def _system(self, subject: Subject) -> Answer:
        if subject.kind == "entity":
            return _YES if subject.name in SYSTEM_ENTITIES else _NO
        if subject.is_pods and subject.namespace not in self._tenant_namespaces:
            where = (
                f"namespace {subject.namespace}"
                if subject.namespace is not None
                else f"pods {labels_text(subject.labels)}"
            )
            return _may(f"the model does not say whether {where} holds system components")
        return _NO

    def _outside(self, subject: Subject) -> Answer:
        """Is this subject outside the cluster (the world)?"""
        if subject.kind == "entity":
            return _YES if subject.name == "world" else _NO
        if subject.kind != "cidr":
            return _NO
        network = _network(subject.name)
        if network is None:
            return _may(f"{subject.name} is not an address range netarch can read")
        if _inside(network, self._cluster.inside):
            return _NO
        if _overlaps(network, self._cluster.inside):
            return _may(f"{subject.name} is partly inside the cluster's ranges")
        return _YES

    # --- peers

    def _peer_matches(self, peer: _Peer, subject: Subject) -> Answer:
        if not peer.given:
            return _YES
        if peer.contradictory:
            return _NO
        answers = []
        if peer.selects_pods_by_name:
            answers.append(self._pods_match(peer, subject))
        if peer.cidr is not None:
            answers.append(self._cidr_match(peer.cidr, subject))
        if peer.entity is not None:
            answers.append(self._entity_match(peer.entity, subject))
        return _all(*answers)

    def _pods_match(self, peer: _Peer, subject: Subject) -> Answer:
        if not subject.is_pods:
            return _NO
        answers = [_YES]
        if peer.namespace is not None:
            if subject.namespace is None:
                answers.append(_may(f"pods {labels_text(subject.labels)} may be in any namespace"))
            elif subject.namespace != peer.namespace:
                return _NO
        wanted, have = dict(peer.labels), dict(subject.labels)
        if any(key in have and have[key] != value for key, value in wanted.items()):
            return _NO
        missing = {key: value for key, value in wanted.items() if key not in have}
        if missing:
            whose = (
                f"pods {labels_text(subject.labels)}"
                if subject.labels
                else f"the pods of namespace {subject.namespace}"
            )
            answers.append(
                _may(
                    f"the model does not say which of {whose} carry {labels_text(missing.items())}"
                )
            )
        return _all(*answers)

    def _entity_match(self, entity: str, subject: Subject) -> Answer:
        if entity == "cluster":
            if subject.is_pods or (subject.kind == "entity" and subject.name != "world"):
                return _YES
            if subject.kind == "cidr":
                outside = self._outside(subject)
                if outside[0] == YES:
                    return _NO
                return _may(
                    f"whether {subject.name} counts as inside the cluster differs between engines"
                )
            return _NO
        if entity == "world":
            return self._outside(subject)
        if subject.kind == "entity":
            return _YES if subject.name == entity else _NO
        if subject.kind == "cidr":
            return self._entity_in_range(entity, subject.name)
        if entity == "dns" and subject.is_pods and subject.namespace == "kube-system":
            return _may("the cluster DNS usually runs in kube-system")
        return _NO

    def _cidr_match(self, cidr: str, subject: Subject) -> Answer:
        network = _network(cidr)
        if network is None:
            return _may(f"{cidr} is not an address range netarch can read")
        if subject.kind == "cidr":
            other = _network(subject.name)
            if other is None:
                return _may(f"{subject.name} is not an address range netarch can read")
            if _inside(other, [network]):
                return _YES
            if _overlaps(other, [network]):
                return _may(f"only part of {subject.name} is in {cidr}")
            return _NO
        if subject.kind == "entity":
            if subject.name == "world":
                if network.prefixlen == 0 and self._cluster.families == {network.version}:
                    return _YES
                if _inside(network, self._cluster.inside):
                    return _NO
                return _may(f"{cidr} is only part of the world")
            return self._entity_in_range(subject.name, cidr)
        # Pods: Cilium's address rules never select pods; NetworkPolicy leaves it open.
        if _overlaps(network, self._cluster.pods) or not self._cluster.pods:
            return _may(
                f"whether an address range such as {cidr} selects pods differs between engines"
            )
        return _NO

    def _entity_in_range(self, entity: str, cidr: str) -> Answer:
        """Is a class (nodes, API server, DNS) inside an address range?"""
        network = _network(cidr)
        if network is None:
            return _may(f"{cidr} is not an address range netarch can read")
        if entity == "nodes":
            if not self._cluster.nodes:
                return _may("the model gives neither node networks nor node addresses")
            if not _overlaps(network, self._cluster.nodes):
                return _NO
            return _may(f"{cidr} holds some or all node addresses")
        if entity == "dns":
            if _overlaps(network, self._cluster.pods + self._cluster.services):
                return _may(f"{cidr} overlaps the pod or service range, where the cluster DNS is")
            return _NO
        return _may("the model does not give the API server's address")
