"""Policy truth: who can reach whom as the cluster's real policies say, against the model's claim.

Each product's reader translates its policy objects into the model's own policy items (the
core: NetworkPolicy; the Cilium kit: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy),
with namespace selectors resolved against the Namespace objects read. The model with those
items in place of its own is then evaluated by the same evaluator as the model
(``netarch.model.reachability``), and every pair of the model's subjects (tenants, the pods its
policies name, the world, the nodes, the API server, the DNS) whose answer differs is a
counterexample, with the policy objects that decide it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netarch.cluster.objects import ConfigObject, Configuration
from netarch.facts import Origin

# A policy item of the model's schema, and the configuration object it was translated from.
TranslatedItem = tuple[dict[str, Any], Origin]
_ID_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Namespaces:
    """The namespaces the configuration holds, with their labels (``kubernetes.io/metadata.name``
    included, as the API server sets it)."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Configuration) -> Namespaces:
        found = cls()
        for item in config.of_kind("Namespace"):
            labels = item.get("metadata", "labels") or {}
            found.labels[item.name] = {
                **{str(k): str(v) for k, v in labels.items()},
                "kubernetes.io/metadata.name": item.name,
            }
        return found

    def matching(self, wanted: dict[str, str]) -> list[str]:
        return sorted(
            name
            for name, labels in self.labels.items()
            if all(labels.get(key) == value for key, value in wanted.items())
        )


@dataclass
class Translation:
    items: list[TranslatedItem] = field(default_factory=list)
    # What could not be translated, in words (shown as notes: the answer there is unknown).
    notes: list[str] = field(default_factory=list)

    def add_rule(
        self,
        item: ConfigObject,
        origin: Origin,
        action: str,
        direction: str,
        targets: Iterable[dict[str, Any]],
        peers: Iterable[dict[str, Any]] | None,
        rule_ports: list[dict[str, Any]],
    ) -> None:
        """One rule of a policy object: an item per selected target and peer. ``peers`` None
        is a rule with no peer (any peer, on its ports)."""
        base = _ID_CHARACTERS.sub(".", f"{item.kind}.{item.namespace}.{item.name}").strip(".")
        own, other = ("to", "from") if direction == "ingress" else ("from", "to")
        peer_list: list[dict[str, Any] | None] = list(peers) if peers is not None else [None]
        for target in targets:
            for peer in peer_list:
                body: dict[str, Any] = {
                    "id": f"{base}.{len(self.items)}",
                    "action": action,
                    "direction": direction,
                    own: target,
                }
                if peer is not None:
                    body[other] = peer
                if rule_ports:
                    body["ports"] = rule_ports
                self.items.append((body, origin))


def ports(rule_ports: Iterable[Any]) -> list[dict[str, Any]]:
    """Kubernetes/Cilium ``ports`` entries as the model's: protocol and port (or range)."""
    found: list[dict[str, Any]] = []
    for entry in rule_ports:
        if not isinstance(entry, dict):
            continue
        protocol = str(entry.get("protocol") or "TCP").lower()
        protocols = ["tcp", "udp", "sctp"] if protocol == "any" else [protocol]
        port = entry.get("port")
        end = entry.get("endPort")
        number = int(port) if isinstance(port, int | str) and str(port).isdigit() else None
        for name in protocols:
            if name not in ("tcp", "udp", "sctp"):
                continue
            if number is None or number == 0:
                found.append({"protocol": name})
            elif isinstance(end, int) and end > number:
                found.append({"protocol": name, "port": f"{number}-{end}"})
            else:
                found.append({"protocol": name, "port": number})
    return found


def with_policies(model_data: dict[str, Any], items: list[dict[str, Any]]) -> str:
    """The model's text with the given policy items in place of its own (and no prose
    exceptions, which only the model has)."""
    data = copy.deepcopy(model_data)
    policies = data.setdefault("policies", {})
    policies["items"] = items
    policies.pop("exceptions", None)
    return yaml.safe_dump(data, sort_keys=False)


def load_with_policies(model: Any, items: list[dict[str, Any]]) -> Any:
    from netarch.model.network import load_model

    text = with_policies(model.data, items)
    loaded = load_model(Path(model.path), "(the configuration's policies)", text=text)
    return loaded.model, loaded.diagnostics


def translate_network_policy(item: ConfigObject, namespaces: Namespaces, out: Translation) -> None:
    """A Kubernetes NetworkPolicy as model policy items."""
    spec = item.get("spec") or {}
    selected = _k8s_selector(spec.get("podSelector") or {})
    if selected is None:
        out.notes.append(f"{item.title}: a podSelector with matchExpressions is not evaluated")
        return
    target = {"namespace": item.namespace, **({"labels": selected} if selected else {})}
    types = spec.get("policyTypes") or (
        ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    )
    for direction, key, peers_key in (("ingress", "ingress", "from"), ("egress", "egress", "to")):
        if direction.capitalize() not in types:
            continue
        rules = spec.get(key) or []
        if not rules:
            out.notes.append(
                f"{item.title}: isolates its pods for {direction} and allows nothing; the"
                " evaluation does not include it"
            )
        for number, rule in enumerate(rules):
            # A rule without peers admits every peer (NetworkPolicy), on its ports.
            given = rule.get(peers_key)
            peers = list(_k8s_peers(item, given, namespaces, out)) if given else None
            out.add_rule(
                item,
                _origin(item, "spec", key, number),
                "allow",
                direction,
                [target],
                peers,
                ports(rule.get("ports") or []),
            )


def _k8s_selector(selector: dict[str, Any]) -> dict[str, str] | None:
    if selector.get("matchExpressions"):
        return None
    return {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}


def _k8s_peers(
    item: ConfigObject, peers: Any, namespaces: Namespaces, out: Translation
) -> Iterator[dict[str, Any]]:
    if not isinstance(peers, list):
        return
    for peer in peers:
        if not isinstance(peer, dict):
            continue
        if "ipBlock" in peer:
            cidr = (peer.get("ipBlock") or {}).get("cidr")
            if isinstance(cidr, str):
                yield {"cidr": cidr}
            continue
        pods = _k8s_selector(peer.get("podSelector") or {}) if "podSelector" in peer else {}
        if pods is None:
            out.notes.append(f"{item.title}: a podSelector with matchExpressions is not evaluated")
            continue
        if "namespaceSelector" in peer:
            wanted = _k8s_selector(peer.get("namespaceSelector") or {})
            if wanted is None:
                out.notes.append(
                    f"{item.title}: a namespaceSelector with matchExpressions is not evaluated"
                )
                continue
            if not wanted:  # every namespace
                yield {"labels": pods} if pods else {"entity": "cluster"}
                continue
            for name in namespaces.matching(wanted):
                yield {"namespace": name, **({"labels": pods} if pods else {})}
            continue
        yield {"namespace": item.namespace, **({"labels": pods} if pods else {})}


def _origin(item: ConfigObject, *path: str | int) -> Origin:
    from netarch.drift.readers import origin_of

    return origin_of(item, "policies", *path)


def translate(config: Configuration, readers: Iterable[Any]) -> Translation:
    """Every policy object of the configuration as model policy items."""
    namespaces = Namespaces.of(config)
    out = Translation()
    for item in config.of_kind("NetworkPolicy"):
        translate_network_policy(item, namespaces, out)
    for reader in readers:
        translator = getattr(reader, "policies", None)
        if translator is not None:
            translator(config.matching(reader.wanted), namespaces, out)
    return out


@dataclass(frozen=True)
class Counterexample:
    """One tenant's ingress or egress that the real policies treat otherwise than the model."""

    sentence: str
    allowed: bool  # what the configuration does (the model says the opposite)
    deciding: tuple[Origin, ...]  # the configuration's policy objects that decide it


@dataclass
class PolicyTruth:
    counterexamples: list[Counterexample] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pairs: int = 0
    policy_objects: int = 0


# Pairs x policies per side; the same bound as the diff's comparison.
MAX_EVALUATIONS = 200_000


def policy_truth(model: Any, config: Configuration, readers: Iterable[Any]) -> PolicyTruth:
    """For every tenant and every subject either side names: is the tenant's ingress from it,
    and its egress to it, what the model says? Only the tenant's own side is compared (the
    model's claims are about its tenants' isolation), so a namespace the model says nothing
    of is not judged."""
    from netarch.diff.reachability import ReachabilityDiff
    from netarch.model.reachability import (
        Evaluator,
        Subject,
        sorted_subjects,
        subjects_of,
        tenant_namespaces,
    )

    translation = translate(config, readers)
    truth = PolicyTruth(notes=list(dict.fromkeys(translation.notes)))
    truth.policy_objects = len(
        {(o.file, o.kind, o.namespace, o.name) for _, o in translation.items}
    )
    tenants = tenant_namespaces(model)
    if not translation.items or not tenants:
        return truth
    origins = {body["id"]: origin for body, origin in translation.items}
    real, problems = load_with_policies(model, [body for body, _ in translation.items])
    if real is None:
        truth.notes.append(
            "the configuration's policies could not be evaluated: "
            + "; ".join(d.message for d in problems[:3])
        )
        return truth
    subjects = sorted_subjects(subjects_of(model) | subjects_of(real))
    policies = max(len(model.items("policies")), len(translation.items), 1)
    if len(subjects) * len(tenants) * 2 * policies > MAX_EVALUATIONS:
        truth.notes.append(
            f"not evaluated: {len(subjects)} subjects and {policies} policies are more than"
            f" {MAX_EVALUATIONS:,} evaluations"
        )
        return truth
    claimed, actual = Evaluator(model, subjects), Evaluator(real, subjects)
    words = ReachabilityDiff(tenant_names=tenants)
    exceptions = model.section("policies").get("exceptions") or []
    if exceptions:
        truth.notes.append(
            f"The model's {len(exceptions)} policy exceptions are prose and not evaluated: a"
            " counterexample they describe is still listed."
        )
    directions = {body["id"]: body["direction"] for body, _ in translation.items}
    ids = actual.policy_ids()
    grouped: dict[tuple[Any, ...], list[Any]] = {}
    seen: set[tuple[Any, ...]] = set()
    undecided: dict[str, int] = {}  # why the configuration may allow more, and how often
    # The tenants' pods, then the pods by label inside a tenant that either side names.
    tenant_sides = sorted(
        (s for s in subjects if s.is_pods and s.namespace in tenants),
        key=lambda s: s.kind != "namespace",
    )
    for own in tenant_sides:
        for other in subjects:
            for direction, source, target in (("ingress", other, own), ("egress", own, other)):
                truth.pairs += 1
                said = claimed.one_side(source, target, direction)
                real_side = actual.one_side(source, target, direction)
                for allowed, traffic in (
                    (True, real_side.sure - said.maybe),
                    (False, said.sure - real_side.maybe),
                ):
                    if not traffic:
                        continue
                    contributions = actual.contributions(
                        source, target, ingress=direction == "ingress", egress=direction == "egress"
                    )
                    # The policies that surely match decide; those that may, when none does.
                    matching = [
                        (matched, ids[meaning])
                        for meaning, (_, _, matched) in contributions.items()
                        if matched and directions.get(ids.get(meaning)) == direction
                    ]
                    best = max((matched for matched, _ in matching), default=0)
                    deciding = tuple(
                        dict.fromkeys(origins[i] for matched, i in matching if matched == best)
                    )
                    seen.add((own, other, direction, allowed, traffic))
                    # Labelled pods of a tenant are listed only where they differ from it.
                    whole = Subject("namespace", own.namespace)
                    if own.kind == "pods" and (whole, other, direction, allowed, traffic) in seen:
                        continue
                    key = (own, direction, allowed, traffic, deciding)
                    grouped.setdefault(key, []).append(other)
                extra = (real_side.maybe - real_side.sure) - said.maybe
                if extra and real_side.reasons:
                    undecided[real_side.reasons[0]] = undecided.get(real_side.reasons[0], 0) + 1
    for reason, count in undecided.items():
        truth.notes.append(f"{count} more ingress or egress may be allowed, as {reason}")
    for (own, direction, allowed, traffic, deciding), others in grouped.items():
        named = ", ".join(words.describe(other) for other in others)
        if direction == "ingress":
            verb = "admits" if allowed else "does not admit"
            sentence = f"{words.describe(own)}'s ingress {verb} {named} on {traffic.describe()}"
        else:
            verb = "lets them reach" if allowed else "does not let them reach"
            sentence = f"{words.describe(own)}'s egress {verb} {named} on {traffic.describe()}"
        truth.counterexamples.append(Counterexample(sentence, allowed, deciding))
    return truth
