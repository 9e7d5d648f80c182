"""The reachability evaluator: what one version of the model's policies let reach what.

Each test builds a small model and asks about pairs of subjects; the semantics are those
documented in docs/guide/diff.md ("Who can reach whom").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netarch.model.network import Model, load_model
from netarch.model.reachability import Evaluator, Reach, Subject, sorted_subjects, subjects_of
from netarch.model.traffic import Traffic

HEAD = """\
netarch: 1
cluster:
  name: t
  pod_cidr: 10.42.0.0/16
  service_cidr: 10.43.0.0/16
  node_networks: [192.168.8.0/24]
components:
  - {id: engine, name: Engine, kind: platform, provides: [network-policy]}
tenants:
  items:
    - {id: a, name: a, namespace: tenant-a}
    - {id: b, name: b, namespace: tenant-b}
"""

A = Subject("namespace", "tenant-a")
B = Subject("namespace", "tenant-b")
WORLD = Subject("entity", name="world")
NODES = Subject("entity", name="nodes")
API = Subject("entity", name="kube-apiserver")
DNS = Subject("entity", name="dns")
EVERYTHING = Traffic.everything()
NOTHING = Traffic.nothing()


def _model(tmp_path: Path, policies: str) -> Model:
    text = HEAD + ("policies:\n  items:\n" + policies if policies else "")
    path = tmp_path / "network.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_model(path, display_path="network.yaml")
    assert loaded.model is not None, [d.headline() for d in loaded.diagnostics]
    return loaded.model


def _evaluator(tmp_path: Path, policies: str) -> Evaluator:
    model = _model(tmp_path, policies)
    return Evaluator(model, sorted_subjects(subjects_of(model)))


def _tcp(*ports: int) -> Traffic:
    return Traffic.of_policy([{"protocol": "tcp", "port": port} for port in ports])


def test_traffic_sets_union_intersect_subtract_and_read() -> None:
    web = Traffic.of_policy(
        [{"protocol": "tcp", "port": "8000-8080"}, {"protocol": "tcp", "port": 443}]
    )
    assert web.describe() == "TCP 443, 8000-8080"
    assert (web | _tcp(8081)).describe() == "TCP 443, 8000-8081"
    assert (web & _tcp(443, 9000)).describe() == "TCP 443"
    assert (EVERYTHING - _tcp(443)).describe() == (
        "TCP 1-442, 444-65535; UDP (any port); SCTP (any port); other protocols (ICMP ...)"
    )
    assert EVERYTHING.describe() == "any port and protocol"
    assert Traffic.of_policy([{"protocol": "udp"}]).describe() == "UDP (any port)"
    # A range written backwards holds no port; one past 65535 keeps its valid part.
    assert not Traffic.of_policy([{"protocol": "tcp", "port": "9000-8000"}])
    assert Traffic.of_policy([{"protocol": "tcp", "port": "65000-70000"}]).describe() == (
        "TCP 65000-65535"
    )
    assert web.covers(_tcp(443)) and not _tcp(443).covers(web)
    assert _tcp(53).to_json() == [{"protocol": "tcp", "first": 53, "last": 53}]


def test_without_policies_everything_reaches_everything(tmp_path: Path) -> None:
    evaluator = _evaluator(tmp_path, "")
    for source, target in ((A, B), (A, WORLD), (WORLD, B), (B, B)):
        assert evaluator.reach(source, target) == Reach(EVERYTHING, EVERYTHING)


def test_a_scope_policy_isolates_every_tenant_in_both_directions(tmp_path: Path) -> None:
    evaluator = _evaluator(tmp_path, "    - {id: same, action: allow, scope: same-tenant}\n")
    assert evaluator.reach(A, A) == Reach(EVERYTHING, EVERYTHING)
    for source, target in ((A, B), (A, WORLD), (WORLD, A), (DNS, B), (B, API)):
        assert evaluator.reach(source, target) == Reach(NOTHING, NOTHING), (source, target)


def test_isolation_is_per_direction_and_per_selected_pod(tmp_path: Path) -> None:
    """An ingress rule on tenant a's pods isolates their ingress only; tenant b is selected
    by nothing and stays open."""
    evaluator = _evaluator(
        tmp_path,
        "    - {id: web, action: allow, direction: ingress, from: {entity: world},"
        " to: {tenant: a}, ports: [{protocol: tcp, port: 443}]}\n",
    )
    assert evaluator.reach(WORLD, A) == Reach(_tcp(443), _tcp(443))
    assert evaluator.reach(B, A) == Reach(NOTHING, NOTHING)
    assert evaluator.reach(A, WORLD) == Reach(EVERYTHING, EVERYTHING)
    assert evaluator.reach(A, B) == Reach(EVERYTHING, EVERYTHING)


def test_traffic_between_pods_needs_the_senders_egress_and_the_receivers_ingress(
    tmp_path: Path,
) -> None:
    isolated = "    - {id: same, action: allow, scope: same-tenant}\n"
    ingress = (
        "    - {id: in, action: allow, direction: ingress, from: {tenant: a}, to: {tenant: b},"
        " ports: [{protocol: tcp, port: 5432}]}\n"
    )
    egress = ingress.replace("id: in,", "id: out,").replace("ingress", "egress")
    assert _evaluator(tmp_path, isolated + ingress).reach(A, B) == Reach(NOTHING, NOTHING)
    assert _evaluator(tmp_path, isolated + ingress + egress).reach(A, B) == Reach(
        _tcp(5432), _tcp(5432)
    )


def test_a_deny_wins_over_every_allow(tmp_path: Path) -> None:
    evaluator = _evaluator(
        tmp_path,
        "    - {id: all, action: allow}\n"
        "    - {id: no-db, action: deny, to: {tenant: b}, ports: [{protocol: tcp, port: 5432}]}\n",
    )
    assert evaluator.reach(A, B) == Reach(EVERYTHING - _tcp(5432), EVERYTHING - _tcp(5432))
    assert evaluator.reach(B, A) == Reach(EVERYTHING, EVERYTHING)


def test_labels_the_model_does_not_resolve_are_may_with_the_reason(tmp_path: Path) -> None:
    evaluator = _evaluator(
        tmp_path,
        "    - {id: same, action: allow, scope: same-tenant}\n"
        "    - {id: db, action: allow, from: {tenant: a}, to: {tenant: b, labels: {app: db}},"
        " ports: [{protocol: tcp, port: 5432}]}\n",
    )
    db = Subject("pods", "tenant-b", (("app", "db"),))
    # The pods the policy names: surely. Tenant b as a whole: only those of its pods.
    assert evaluator.reach(A, db) == Reach(_tcp(5432), _tcp(5432))
    whole = evaluator.reach(A, B)
    assert (whole.sure, whole.maybe) == (NOTHING, _tcp(5432))
    assert whole.reasons == (
        "the model does not say which of the pods of namespace tenant-b carry app=db",
    )


def test_classes_and_ranges_are_matched_only_as_far_as_the_model_shows(tmp_path: Path) -> None:
    evaluator = _evaluator(
        tmp_path,
        "    - {id: same, action: allow, scope: same-tenant}\n"
        "    - {id: api, action: allow, direction: egress, to: {entity: kube-apiserver},"
        " ports: [{protocol: tcp, port: 443}]}\n"
        "    - {id: out, action: allow, direction: egress, from: {tenant: b},"
        " to: {cidr: 203.0.113.0/24}}\n"
        "    - {id: dns, action: allow, scope: system, ports: [{protocol: udp, port: 53}]}\n",
    )
    udp53 = Traffic.of_policy([{"protocol": "udp", "port": 53}])
    # The rule for the API server, and the one for every system class.
    assert evaluator.reach(A, API) == Reach(_tcp(443) | udp53, _tcp(443) | udp53)
    assert evaluator.reach(API, A) == Reach(udp53, udp53)
    assert evaluator.reach(A, DNS) == Reach(udp53, udp53)
    assert evaluator.reach(NODES, B) == Reach(udp53, udp53)
    network = Subject("cidr", name="203.0.113.0/24")
    assert evaluator.reach(B, network) == Reach(EVERYTHING, EVERYTHING)
    # Part of the world, so "may"; and the model gives no address for the API server.
    world = evaluator.reach(B, WORLD)
    assert (world.sure, world.maybe) == (NOTHING, EVERYTHING)
    assert world.reasons == ("203.0.113.0/24 is only part of the world",)
    api = evaluator.reach(B, API)
    assert (api.sure, api.maybe) == (_tcp(443) | udp53, EVERYTHING)
    assert api.reasons == ("the model does not give the API server's address",)
    # A range inside the node network is no part of the world.
    inside = _evaluator(
        tmp_path,
        "    - {id: same, action: allow, scope: same-tenant}\n"
        "    - {id: out, action: allow, direction: egress, to: {cidr: 192.168.8.0/25}}\n",
    )
    assert inside.reach(A, WORLD) == Reach(NOTHING, NOTHING)
    nodes = inside.reach(A, NODES)
    assert (nodes.sure, nodes.maybe) == (NOTHING, EVERYTHING)


@pytest.mark.parametrize(
    ("scope", "pairs"),
    [
        ("same-tenant", {(A, A), (B, B)}),
        ("cross-tenant", {(A, B), (B, A)}),
        ("world", {(A, WORLD), (WORLD, A), (B, WORLD), (WORLD, B)}),
        (
            "system",
            {(x, y) for x in (A, B) for y in (NODES, API, DNS)}
            | {(y, x) for x in (A, B) for y in (NODES, API, DNS)},
        ),
    ],
)
def test_each_scope_allows_exactly_its_pairs(
    tmp_path: Path, scope: str, pairs: set[tuple[Subject, Subject]]
) -> None:
    evaluator = _evaluator(tmp_path, f"    - {{id: p, action: allow, scope: {scope}}}\n")
    subjects = [A, B, WORLD, NODES, API, DNS]
    allowed = {
        (source, target)
        for source in subjects
        for target in subjects
        if (source.is_pods or target.is_pods)
        and evaluator.reach(source, target) == Reach(EVERYTHING, EVERYTHING)
    }
    assert allowed == pairs


def test_a_tenant_is_its_namespace_and_a_contradictory_peer_selects_nothing(
    tmp_path: Path,
) -> None:
    evaluator = _evaluator(
        tmp_path,
        "    - {id: same, action: allow, scope: same-tenant}\n"
        "    - {id: by-name, action: allow, from: {namespace: tenant-a}, to: {tenant: b}}\n"
        "    - {id: never, action: allow, from: {tenant: b, namespace: tenant-a}, to: {tenant: a}}\n",
    )
    assert evaluator.reach(A, B) == Reach(EVERYTHING, EVERYTHING)
    assert evaluator.reach(B, A) == Reach(NOTHING, NOTHING)
