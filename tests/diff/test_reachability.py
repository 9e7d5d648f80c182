"""What a policy change means: the pairs of subjects that become reachable or unreachable,
with their ports and the HEAD line of the policy responsible, in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netarch.cli import main
from netarch.diff import DiffResult, diff_models
from netarch.diff import reachability as reachability_module
from netarch.diff.reachability import ReachabilityDiff, compare_reachability
from netarch.model.network import Model, load_model

MODEL = """\
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
ISOLATED = MODEL + "policies:\n  items:\n    - {id: same, action: allow, scope: same-tenant}\n"
# Tenant a's pods may talk to tenant b's on 5432 (a rule on both ends: no direction).
DB = (
    "    - {id: db, action: allow, from: {tenant: a}, to: {tenant: b},"
    " ports: [{protocol: tcp, port: 5432}]}\n"
)


def _model(tmp_path: Path, name: str, text: str) -> Model:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_model(path, display_path=f"{name}.yaml")
    assert loaded.model is not None, [d.headline() for d in loaded.diagnostics]
    return loaded.model


def _compare(tmp_path: Path, base: str, head: str) -> ReachabilityDiff:
    return compare_reachability(_model(tmp_path, "base", base), _model(tmp_path, "head", head))


def _sentences(diff: ReachabilityDiff) -> list[str]:
    return [diff.sentence(sources, change) for sources, change in diff.grouped()]


def _line_of(text: str, fragment: str) -> int:
    [line] = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return line


def test_a_new_allow_opens_a_pair(tmp_path: Path) -> None:
    head = ISOLATED + DB
    diff = _compare(tmp_path, ISOLATED, head)
    assert diff.evaluated and diff.inputs_differ
    assert _sentences(diff) == ["tenant a can now reach tenant b on TCP 5432"]
    [change] = diff.changes
    assert change.certain and change.reasons == ()
    [policy] = change.policies
    assert (policy.id, policy.side) == ("db", "head")
    assert policy.location is not None
    assert (policy.location.file, policy.location.line) == ("head.yaml", _line_of(head, "id: db"))


def test_a_removed_allow_closes_it_and_points_at_base(tmp_path: Path) -> None:
    base = ISOLATED + DB
    diff = _compare(tmp_path, base, ISOLATED)
    assert _sentences(diff) == ["tenant a can no longer reach tenant b on TCP 5432"]
    [policy] = diff.changes[0].policies
    assert (policy.id, policy.side) == ("db", "base")
    assert policy.location is not None
    assert (policy.location.file, policy.location.line) == ("base.yaml", _line_of(base, "id: db"))


def test_a_deny_takes_precedence_over_the_allow(tmp_path: Path) -> None:
    deny = (
        "    - {id: no-db, action: deny, to: {tenant: b}, ports: [{protocol: tcp, port: 5432}]}\n"
    )
    diff = _compare(tmp_path, ISOLATED + DB, ISOLATED + DB + deny)
    # The allow is still there; the deny wins for a, and for b's own pods too.
    assert _sentences(diff) == ["tenant a, tenant b can no longer reach tenant b on TCP 5432"]
    assert [ref.id for ref in diff.changes[0].policies] == ["no-db"]


def test_narrowed_ports_close_exactly_the_ports_left_out(tmp_path: Path) -> None:
    both = DB.replace(
        "[{protocol: tcp, port: 5432}]",
        "[{protocol: tcp, port: 5432}, {protocol: tcp, port: 5433}]",
    )
    diff = _compare(tmp_path, ISOLATED + both, ISOLATED + DB)
    assert _sentences(diff) == ["tenant a can no longer reach tenant b on TCP 5433"]
    anything = DB.replace(", ports: [{protocol: tcp, port: 5432}]", "")
    diff = _compare(tmp_path, ISOLATED + anything, ISOLATED + DB)
    assert _sentences(diff) == [
        "tenant a can no longer reach tenant b on TCP 1-5431, 5433-65535; UDP (any port);"
        " SCTP (any port); other protocols (ICMP ...)"
    ]


def test_a_default_deny_added_isolates_every_tenant(tmp_path: Path) -> None:
    deny = (
        MODEL + "policies:\n  items:\n    - {id: default-deny, action: deny, scope: cross-tenant}\n"
    )
    diff = _compare(tmp_path, MODEL, deny)
    # Without policies everything passed; a policy selecting the tenants' pods isolates
    # them both ways, and nothing allows any of it back (not even within a tenant).
    everyone = "tenant a, tenant b, the world, the nodes, the API server, the cluster DNS"
    assert _sentences(diff) == [
        f"{everyone} can no longer reach tenant a on any port and protocol",
        f"{everyone} can no longer reach tenant b on any port and protocol",
        "tenant a, tenant b can no longer reach the world on any port and protocol",
        "tenant a, tenant b can no longer reach the nodes on any port and protocol",
        "tenant a, tenant b can no longer reach the API server on any port and protocol",
        "tenant a, tenant b can no longer reach the cluster DNS on any port and protocol",
    ]
    assert {ref.id for change in diff.changes for ref in change.policies} == {"default-deny"}


def test_the_world_and_the_api_server_as_peers(tmp_path: Path) -> None:
    api = (
        "    - {id: api, action: allow, direction: egress, from: {tenant: a},"
        " to: {entity: kube-apiserver}, ports: [{protocol: tcp, port: 443}]}\n"
    )
    web = (
        "    - {id: web, action: allow, direction: ingress, from: {entity: world},"
        " to: {tenant: b, labels: {app: web}}, ports: [{protocol: tcp, port: 443}]}\n"
    )
    out = "    - {id: out, action: allow, direction: egress, to: {entity: world}}\n"
    diff = _compare(tmp_path, ISOLATED + out, ISOLATED + api + web)
    assert _sentences(diff) == [
        "the world can now reach pods app=web of tenant b on TCP 443",
        "tenant a can now reach the API server on TCP 443",
        "tenant a, tenant b can no longer reach the world on any port and protocol",
    ]
    by_sentence = {
        diff.sentence(sources, change): [ref.id for ref in change.policies]
        for sources, change in diff.grouped()
    }
    assert by_sentence["tenant a can now reach the API server on TCP 443"] == ["api"]
    assert by_sentence[
        "tenant a, tenant b can no longer reach the world on any port and protocol"
    ] == ["out"]


def test_a_rename_changes_nothing(tmp_path: Path) -> None:
    base = ISOLATED + DB
    # The policies and a tenant under new ids, the references following: the same network.
    head = (
        base.replace("id: same,", "id: within-tenants,")
        .replace("{id: b, name: b,", "{id: tenant-two, name: b,")
        .replace("to: {tenant: b}", "to: {tenant: tenant-two}")
    )
    assert head != base
    diff = _compare(tmp_path, base, head)
    assert (diff.evaluated, diff.inputs_differ, diff.changes) == (True, False, [])
    (tmp_path / "b.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "h.yaml").write_text(head, encoding="utf-8")
    result = diff_models(tmp_path / "b.yaml", tmp_path / "h.yaml", "b.yaml", "h.yaml")
    assert {(c.change, c.kind) for c in result.changes} == {
        ("renamed", "policy"),
        ("renamed", "tenant"),
        ("changed", "policy"),  # db's reference to the renamed tenant
    }
    assert result.reachability.changes == []


def test_a_policy_change_that_opens_nothing_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Cross-tenant traffic was never allowed: denying it too changes no answer.
    deny = "    - {id: cross, action: deny, scope: cross-tenant}\n"
    diff = _compare(tmp_path, ISOLATED, ISOLATED + deny)
    assert (diff.evaluated, diff.inputs_differ, diff.changes) == (True, True, [])
    base, head = _diff(tmp_path, ISOLATED, ISOLATED + deny)
    human = _run(["diff", str(base), str(head)], capsys)
    assert (
        "Who can reach whom (from the policies):\n"
        "  no pair of subjects gains or loses reachability\n"
    ) in human


def test_the_cluster_ranges_count_only_where_a_policy_names_a_range(tmp_path: Path) -> None:
    moved = "pod_cidr: 10.50.0.0/16"
    diff = _compare(tmp_path, ISOLATED, ISOLATED.replace("pod_cidr: 10.42.0.0/16", moved))
    assert (diff.inputs_differ, diff.changes) == (False, [])
    # An egress rule to 10.0.0.0/8: the nodes' network moving into it makes it a question.
    out = (
        "    - {id: out, action: allow, direction: egress, from: {tenant: a},"
        " to: {cidr: 10.0.0.0/8}}\n"
    )
    head = (ISOLATED + out).replace(
        "node_networks: [192.168.8.0/24]", "node_networks: [10.8.0.0/24]"
    )
    diff = _compare(tmp_path, ISOLATED + out, head)
    assert diff.inputs_differ
    lines = {diff.sentence(s, c): c.reasons for s, c in diff.grouped()}
    assert lines == {
        "tenant a may now reach the nodes on any port and protocol": (
            "10.0.0.0/8 holds some or all node addresses",
        ),
    }
    # The policy is unchanged, but what it matches changed: it is the line to open.
    assert [[ref.id for ref in change.policies] for change in diff.changes] == [["out"]]


def test_pods_labelled_app_db_reachable_from_every_tenant(tmp_path: Path) -> None:
    db = (
        "    - {id: db, action: allow, from: {entity: cluster}, to: {tenant: b,"
        " labels: {app: db}}, ports: [{protocol: tcp, port: 5432}]}\n"
    )
    diff = _compare(tmp_path, ISOLATED, ISOLATED + db)
    # Said of the pods the policy names; "tenant a may now reach tenant b" adds nothing.
    assert _sentences(diff) == [
        "tenant a, the nodes, the API server, the cluster DNS can now reach pods app=db of"
        " tenant b on TCP 5432"
    ]


def test_labels_the_model_does_not_resolve_give_may_and_why(tmp_path: Path) -> None:
    anywhere = "    - {id: db, action: allow, from: {tenant: a}, to: {labels: {app: db}}}\n"
    diff = _compare(tmp_path, ISOLATED, ISOLATED + anywhere)
    assert all(not change.certain for change in diff.changes)
    [to_b] = [c for c in diff.changes if c.target.key == "namespace:tenant-b"]
    assert (to_b.change, to_b.source.key) == ("reachable", "namespace:tenant-a")
    assert to_b.reasons == (
        "the model does not say which of the pods of namespace tenant-b carry app=db",
    )
    assert diff.sentence([to_b.source], to_b) == (
        "tenant a may now reach tenant b on any port and protocol"
    )


def test_an_address_range_is_part_of_the_world(tmp_path: Path) -> None:
    out = (
        "    - {id: out, action: allow, direction: egress, from: {tenant: a},"
        " to: {cidr: 203.0.113.0/24}, ports: [{protocol: tcp, port: 443}]}\n"
    )
    diff = _compare(tmp_path, ISOLATED, ISOLATED + out)
    lines = {diff.sentence(sources, change): change.reasons for sources, change in diff.grouped()}
    assert lines == {
        "tenant a can now reach 203.0.113.0/24 on TCP 443": (),
        "tenant a may now reach the world on TCP 443": (
            "203.0.113.0/24 is only part of the world",
        ),
        "tenant a may now reach the API server on TCP 443": (
            "the model does not give the API server's address",
        ),
    }


def test_a_tenant_only_one_side_has_is_noted_not_compared(tmp_path: Path) -> None:
    third = ISOLATED.replace(
        "    - {id: b, name: b, namespace: tenant-b}\n",
        "    - {id: b, name: b, namespace: tenant-b}\n    - {id: c, name: c, namespace: tenant-c}\n",
    )
    diff = _compare(tmp_path, ISOLATED, third + DB)
    assert _sentences(diff) == ["tenant a can now reach tenant b on TCP 5432"]
    assert diff.notes == [
        "Tenant c (namespace tenant-c) is only in HEAD: its pairs are not compared."
    ]


def test_the_work_is_bounded_and_the_report_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reachability_module, "MAX_EVALUATIONS", 39)
    diff = _compare(tmp_path, ISOLATED, ISOLATED + DB)
    assert (diff.evaluated, diff.changes) == (False, [])
    # 2 tenants and 4 classes: 36 pairs less the 16 between classes; 2 policies in HEAD.
    assert diff.notes == [
        "Not evaluated: 6 subjects make 20 pairs, and with 2 policies that is 40"
        " evaluations, more than the bound of 39."
    ]
    monkeypatch.setattr(reachability_module, "MAX_EVALUATIONS", 40)
    assert _compare(tmp_path, ISOLATED, ISOLATED + DB).evaluated


def test_a_model_past_the_bound_is_refused_before_any_pair_is_made(tmp_path: Path) -> None:
    many = "".join(f"    - {{id: t{n}, name: t{n}, namespace: ns{n}}}\n" for n in range(500))
    base = ISOLATED.replace("    - {id: a, name: a, namespace: tenant-a}\n", many)
    diff = _compare(tmp_path, base, base + DB.replace("tenant: a", "tenant: t1"))
    # 501 tenants and 4 classes: 505 squared less the 16 pairs of classes, times 2 policies.
    assert (diff.evaluated, diff.changes) == (False, [])
    assert diff.notes == [
        "Not evaluated: 505 subjects make 255,009 pairs, and with 2 policies that is 510,018"
        " evaluations, more than the bound of 200,000."
    ]


def test_without_pods_in_the_model_nothing_is_claimed(tmp_path: Path) -> None:
    """Policies by scope alone in a model without tenants: no pods to say anything about."""
    without = MODEL.partition("tenants:")[0] + "policies:\n  items:\n"
    allow = without + "    - {id: same, action: allow, scope: same-tenant}\n"
    diff = _compare(
        tmp_path, allow, allow + "    - {id: cross, action: deny, scope: cross-tenant}\n"
    )
    assert (diff.evaluated, diff.inputs_differ, diff.changes) == (False, True, [])
    assert diff.notes == [
        "Not evaluated: neither version names a tenant, a namespace or labelled pods, and the"
        " policies are rules about pods."
    ]


def test_a_side_that_does_not_load_is_not_evaluated(tmp_path: Path) -> None:
    diff = compare_reachability(None, _model(tmp_path, "head", ISOLATED))
    assert (diff.evaluated, diff.inputs_differ, diff.changes) == (False, False, [])


# ---------------------------------------------------------------------------- the formats


def _diff(tmp_path: Path, base: str, head: str) -> tuple[Path, Path]:
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(head, encoding="utf-8")
    return tmp_path / "base.yaml", tmp_path / "head.yaml"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


def test_the_reachability_changes_come_first_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _diff(tmp_path, ISOLATED, ISOLATED + DB)
    line = _line_of(ISOLATED + DB, "id: db")
    human = _run(["diff", "base.yaml", "head.yaml"], capsys)
    assert human.splitlines()[1:4] == [
        "",
        "Who can reach whom (from the policies):",
        f"  head.yaml:{line}: tenant a can now reach tenant b on TCP 5432 (policy db)",
    ]
    assert human.index("Who can reach whom") < human.index("Reachability and address space:")
    markdown = _run(["diff", "base.yaml", "head.yaml", "--format", "markdown"], capsys)
    assert "**1** pairs of subjects change reachability" in markdown
    section = markdown.index("### ⚠️ Who can reach whom")
    assert section < markdown.index("### ⚠️ Reachability and address space")
    assert (
        "| tenant <code>a</code> | **can now reach** | tenant <code>b</code> | TCP 5432"
        f" | <code>db</code> head.yaml:{line} |"
    ) in markdown
    report = json.loads(_run(["diff", "base.yaml", "head.yaml", "--format", "json"], capsys))
    assert report["summary"]["reachability"] == 1
    assert report["reachability"] == {
        "evaluated": True,
        "changes": [
            {
                "change": "reachable",
                "certain": True,
                "from": {"subject": "namespace:tenant-a", "kind": "namespace", "label": "tenant a"},
                "to": {"subject": "namespace:tenant-b", "kind": "namespace", "label": "tenant b"},
                "traffic": [{"protocol": "tcp", "first": 5432, "last": 5432}],
                "traffic_text": "TCP 5432",
                "policies": [{"id": "db", "side": "head", "file": "head.yaml", "line": line}],
                "may_because": [],
            }
        ],
        "notes": [],
    }


def test_model_text_is_escaped_in_the_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = (
        "    - {id: x, action: allow, from: {namespace: 'ns|<img src=x onerror=alert(1)>`'},"
        " to: {tenant: b, labels: {'a|b': '<b>*c*</b>'}}}\n"
    )
    base, head = _diff(tmp_path, ISOLATED, ISOLATED + hostile)
    markdown = _run(["diff", str(base), str(head), "--format", "markdown"], capsys)
    section = markdown[markdown.index("### ⚠️ Who can reach whom") :]
    section = section[: section.index("### ⚠️ Reachability and address space")]
    assert "<img" not in section and "<b>" not in section
    assert (
        "| namespace <code>ns&#124;&#60;img src=x onerror=alert(1)&#62;&#96;</code>"
        " | **can now reach** | pods <code>a&#124;b=&#60;b&#62;&#42;c&#42;&#60;/b&#62;</code>"
        " of tenant <code>b</code> |"
    ) in section


def test_may_lines_give_the_reason_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anywhere = "    - {id: db, action: allow, from: {tenant: a}, to: {labels: {app: db}}}\n"
    base, head = _diff(tmp_path, ISOLATED, ISOLATED + anywhere)
    reason = "the model does not say which of the pods of namespace tenant-b carry app=db"
    markdown = _run(["diff", str(base), str(head), "--format", "markdown"], capsys)
    assert "| From | Reachability | To | Traffic | Policy | Why “may” |" in markdown
    assert (
        "| tenant <code>a</code> | may now reach | tenant <code>b</code> | any port and protocol |"
    ) in markdown
    assert reason in markdown
    human = _run(["diff", str(base), str(head)], capsys)
    assert "tenant a may now reach tenant b on any port and protocol (policy db)" in human
    assert f"      may, because {reason}" in human
    report = json.loads(_run(["diff", str(base), str(head), "--format", "json"], capsys))
    [to_b] = [
        c for c in report["reachability"]["changes"] if c["to"]["subject"] == "namespace:tenant-b"
    ]
    assert (to_b["certain"], to_b["may_because"]) == (False, [reason])


def test_a_bound_hit_is_reported_in_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reachability_module, "MAX_EVALUATIONS", 10)
    base, head = _diff(tmp_path, ISOLATED, ISOLATED + DB)
    human = _run(["diff", str(base), str(head)], capsys)
    assert "  note: Not evaluated: 6 subjects make 20 pairs" in human
    report = json.loads(_run(["diff", str(base), str(head), "--format", "json"], capsys))
    assert report["reachability"]["evaluated"] is False
    assert report["reachability"]["notes"][0].startswith("Not evaluated:")


# -------------------------------------------------------------------------- the demo model


def _demo_diff(tmp_path: Path, demo_model_path: Path, before: str, after: str) -> DiffResult:
    text = demo_model_path.read_text(encoding="utf-8")
    assert text.count(before) == 1
    base, head = _diff(tmp_path, text, text.replace(before, after))
    return diff_models(base, head, "base.yaml", "head.yaml")


def test_the_demo_tenant_isolation_opened_shows_who_can_now_reach_whom(
    tmp_path: Path, demo_model_path: Path
) -> None:
    # The parent tenant's allow, given to every tenant.
    result = _demo_diff(
        tmp_path,
        demo_model_path,
        "      scope: cross-tenant\n      from: {tenant: tenant-root}\n",
        "      scope: cross-tenant\n",
    )
    reachability = result.reachability
    sentences = _sentences(reachability)
    assert "tenant b, tenant c can now reach tenant a on any port and protocol" in sentences
    # Every tenant now reaches every other; the parent tenant could already.
    pairs = {(c.source.key, c.target.key) for c in reachability.changes}
    tenants = ["tenant-a", "tenant-b", "tenant-c", "tenant-root"]
    assert pairs == {
        (f"namespace:{s}", f"namespace:{t}")
        for s in tenants
        for t in tenants
        if s != t and s != "tenant-root"
    }
    assert all(c.certain and c.change == "reachable" for c in reachability.changes)
    head = demo_model_path.read_text(encoding="utf-8")
    refs = {ref for change in reachability.changes for ref in change.policies}
    [ref] = refs
    assert ref.id == "from-parent-tenant" and ref.location is not None
    assert ref.location.line == _line_of(head, "- id: from-parent-tenant")
    # The demo's exception is prose: said, not evaluated.
    assert reachability.notes == [
        "The 1 exceptions of HEAD's policies are prose: the traffic they allow is not evaluated."
    ]


def test_the_demo_isolation_removed_opens_the_tenants_to_each_other_and_the_world(
    tmp_path: Path, demo_model_path: Path
) -> None:
    text = demo_model_path.read_text(encoding="utf-8")
    start = text.index("  items:\n    - id: same-tenant")
    items = text[start : text.index("  exceptions:\n", start)]
    result = _demo_diff(tmp_path, demo_model_path, items, "  items: []\n")
    sentences = _sentences(result.reachability)
    # Without a policy nothing is isolated: every tenant reaches every other, and the world,
    # the nodes and the DNS reach the tenants; the system namespaces could already.
    assert "tenant a, tenant c can now reach tenant b on any port and protocol" in sentences
    assert (
        "the world, the nodes, the cluster DNS can now reach tenant b on any port and protocol"
    ) in sentences
    assert "tenant a, tenant b, tenant c can now reach the nodes on any port and protocol" in (
        sentences
    )
    assert not any(s.startswith("namespace kube-system can now reach") for s in sentences)
    assert {ref.side for c in result.reachability.changes for ref in c.policies} == {"base"}
