"""Views derive diagrams and tables from the model: the model decides, not the template."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from netarch.diagnostics import Location
from netarch.model.network import Model, load_model
from netarch.views import DiagramView, TableView, build_views
from netarch.views.text import safe_markdown, source_link


def model_from(tmp_path: Path, data: dict) -> Model:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = load_model(path, display_path="network.yaml")
    assert result.model is not None, [d.headline() for d in result.diagnostics]
    return result.model


@pytest.fixture(scope="module")
def demo(demo_model_path: Path) -> dict:
    return yaml.safe_load(demo_model_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_views(demo_model_path: Path) -> dict:
    result = load_model(demo_model_path, display_path="docs/network.yaml")
    assert result.model is not None
    return build_views(result.model)


MINIMAL = {
    "netarch": 1,
    "cluster": {"pod_cidr": "10.244.0.0/16", "service_cidr": "10.96.0.0/16"},
    "components": [{"id": "cni", "name": "Some CNI", "kind": "platform"}],
}


def test_a_minimal_model_has_only_the_inventory_and_the_cluster_table(tmp_path: Path) -> None:
    views = build_views(model_from(tmp_path, MINIMAL))
    assert list(views) == ["components", "cluster-configuration"]
    assert views["components"].rows == (("Some CNI", "platform", "", "", "", "", ""),)
    table = views["cluster-configuration"]
    assert isinstance(table, TableView)
    assert table.rows == (("Pod CIDR", "`10.244.0.0/16`"), ("Service CIDR", "`10.96.0.0/16`"))


def test_the_demo_has_fourteen_diagrams(demo_views: dict) -> None:
    diagrams = [v for v in demo_views.values() if isinstance(v, DiagramView)]
    assert len(diagrams) == 14
    # The type follows the optional front matter (per-diagram layout config).
    kinds = [re.sub(r"\A---\n.*?\n---\n", "", v.diagram.text, flags=re.DOTALL) for v in diagrams]
    assert sorted({k.splitlines()[0] for k in kinds}) == [
        "flowchart LR",
        "flowchart TD",
        "sequenceDiagram",
    ]


def test_every_diagram_line_leads_back_to_the_model(demo_views: dict) -> None:
    for view in demo_views.values():
        if not isinstance(view, DiagramView):
            continue
        assert view.origin.file == "docs/network.yaml" and view.origin.line > 0
        located = [
            view.diagram.source_for_line(n)
            for n in range(2, len(view.diagram.text.splitlines()) + 1)
        ]
        assert any(isinstance(s, Location) and s.line > 0 for s in located), view.id


def test_policy_enforcement_follows_the_example_packet(tmp_path: Path, demo: dict) -> None:
    same_tenant = {
        **demo,
        "policy_enforcement": {
            **demo["policy_enforcement"],
            "example": {
                "from": "frontend-abc123",
                "to": "backend-def456",
                "protocol": "UDP",
                "port": 53,
            },
        },
    }
    text = build_views(model_from(tmp_path, same_tenant))["policy-enforcement"].diagram.text
    # Labels are broken at spaces (the builder's LABEL_LINE_WIDTH), never inside an address.
    flat = text.replace("<br/>", " ")
    assert "10.244.0.10 → 10.244.0.11" in flat
    assert "UDP, 53) → ALLOW" in flat and "4. Forward packet" in flat


def test_isolation_verdicts_come_from_the_policies(tmp_path: Path, demo: dict) -> None:
    open_policies = {
        **demo,
        "policies": {
            **demo["policies"],
            "items": [{"id": "all", "action": "allow", "scope": "cross-tenant"}],
        },
    }
    views = build_views(model_from(tmp_path, open_policies))
    assert "a ↔ b: ALLOWED" in views["tenant-isolation-model"].diagram.text
    summary = views["tenant-isolation-summary"].diagram.text.replace("<br/>", " ")
    assert "ALLOW: pod of another tenant" in summary


def test_cni_diagram_shows_the_owner_of_a_chained_plugin(demo_views: dict) -> None:
    text = demo_views["cni-architecture"].diagram.text
    assert '["Cilium eBPF"]' in text and "Identity-based security" in text
    assert "cilium-cni" not in text


def test_ingress_diagram_has_one_edge_per_speaker(demo_views: dict) -> None:
    text = demo_views["external-ingress"].diagram.text
    assert text.count('-->|"L2 (ARP) or BGP"|') == 3


def test_flows_become_sequence_diagrams_with_dashed_replies(demo_views: dict) -> None:
    text = demo_views["flow-l2-announcement"].diagram.text
    assert "node1-->>external_clients: ARP reply" in text
    assert "Note over upstream_router" in demo_views["flow-bgp-announcement"].diagram.text


def test_table_cells_cannot_break_the_table_or_inject_html(tmp_path: Path) -> None:
    data = {
        **MINIMAL,
        "layers": [
            {
                "id": "l1",
                "name": "a | b",
                "component": "cni",
                "purpose": "<img src=x onerror=alert(1)> `<kept>`",
            }
        ],
    }
    table = build_views(model_from(tmp_path, data))["layers"]
    markdown = table.to_markdown()
    assert "a \\| b" in markdown
    assert "&lt;img src=x onerror=alert(1)&gt; `<kept>`" in markdown


def test_safe_markdown_keeps_markdown_and_drops_script_links() -> None:
    assert safe_markdown("**bold** [x](https://a.b) `<c>`") == "**bold** [x](https://a.b) `<c>`"
    # The target is made a fragment; the rest of the link keeps its meaning.
    assert safe_markdown("[x](javascript:alert(1))") == "[x](#javascript:alert(1))"
    assert (
        safe_markdown("</script><script>alert(1)</script>")
        == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    )


def test_sources_link_only_web_addresses() -> None:
    assert (
        source_link("https://metallb.io/concepts/bgp/")
        == "[source](https://metallb.io/concepts/bgp/)"
    )
    assert source_link("cozystack/cozystack#2871") == "cozystack/cozystack#2871"
    assert source_link("javascript:alert(1)") == "javascript:alert(1)"


def test_a_url_that_could_break_out_of_a_link_is_refused(tmp_path: Path) -> None:
    data = {
        **MINIMAL,
        "components": [
            {**MINIMAL["components"][0], "url": 'https://x.y/"><img src=x onerror=alert(1)>'}
        ],
    }
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = load_model(path, display_path="network.yaml")
    assert result.model is None
    assert [d.code for d in result.diagnostics] == ["NA015"]


def _ingress_text(tmp_path: Path, data: dict) -> str:
    view = build_views(model_from(tmp_path, data))["external-ingress"]
    assert isinstance(view, DiagramView)
    return view.diagram.text


def test_the_ingress_diagram_draws_every_router(tmp_path: Path, demo: dict) -> None:
    data = copy.deepcopy(demo)
    data["components"].append(
        {"id": "router-b", "name": "Second router", "kind": "external", "address": "192.168.100.2"}
    )
    peer = dict(data["metallb"]["bgp"]["peers"][0], id="peer2", router="router-b")
    peer["address"] = "192.168.100.2"
    data["metallb"]["bgp"]["peers"].append(peer)
    text = _ingress_text(tmp_path, data)
    assert "Upstream router" in text and "Second router" in text
    # Both routers reach all three speakers.
    assert len(re.findall(r"-->\|\"L2 \(ARP\) or BGP\"\|", text)) == 6


def test_with_local_traffic_policy_only_the_backends_node_announces(
    tmp_path: Path, demo: dict
) -> None:
    data = copy.deepcopy(demo)
    data["metallb"]["example_service"]["external_traffic_policy"] = "Local"
    data["tenants"]["items"][1]["pods"][0]["node"] = "node2"  # frontend-abc123
    text = _ingress_text(tmp_path, data)
    assert len(re.findall(r"-->\|\"L2 \(ARP\) or BGP\"\|", text)) == 1
    assert text.replace("<br/>", " ").count("no local backend: not announced") == 2
    assert 'upstream_router -->|"L2 (ARP) or BGP"| node2\n' in text
    assert "node2 --> service_lb" in text and "node1 -->" not in text


def test_the_example_packet_is_judged_on_its_port(tmp_path: Path, demo: dict) -> None:
    # An exception for HTTP between tenants, and nothing else across them: the demo's packet
    # (TCP 80) passes, the same packet to port 81 does not.
    items = [
        {"id": "same-tenant", "action": "allow", "scope": "same-tenant"},
        {
            "id": "http-a-to-b",
            "action": "allow",
            "scope": "cross-tenant",
            "from": {"tenant": "tenant-a"},
            "to": {"tenant": "tenant-b"},
            "ports": [{"protocol": "tcp", "port": 80}],
        },
    ]
    data = {**demo, "policies": {**demo["policies"], "items": items}}
    text = build_views(model_from(tmp_path, data))["policy-enforcement"].diagram.text.replace(
        "<br/>", " "
    )
    assert "TCP, 80) → ALLOW" in text and "4. Forward packet" in text
    example = {**demo["policy_enforcement"]["example"], "port": 81}
    data["policy_enforcement"] = {**demo["policy_enforcement"], "example": example}
    text = build_views(model_from(tmp_path, data))["policy-enforcement"].diagram.text.replace(
        "<br/>", " "
    )
    assert "TCP, 81) → DENY" in text and "4. Drop packet" in text


def test_flows_written_before_their_content_draw_what_they_have(tmp_path: Path) -> None:
    components = [
        {"id": "client", "name": "Client", "kind": "external"},
        {"id": "gw", "name": "Gateway", "kind": "platform"},
        {"id": "app", "name": "App", "kind": "workload"},
    ]
    flows = [
        {"id": "empty", "title": "To be written", "kind": "path"},
        {"id": "one-hop", "title": "One hop", "kind": "path", "hops": ["gw"]},
        {"id": "hairpin", "title": "Hairpin", "kind": "path", "hops": ["client", "gw", "client"]},
        {
            "id": "unlisted",
            "title": "A participant the list leaves out",
            "kind": "sequence",
            "participants": ["client"],
            "steps": [
                {"from": "client", "to": "gw", "text": "GET /"},
                {"from": "gw", "text": "a message without a receiver"},
                {"from": "gw", "to": "app", "text": "forward"},
            ],
        },
    ]
    views = build_views(model_from(tmp_path, {**MINIMAL, "components": components, "flows": flows}))
    assert "flow-empty" not in views
    assert views["flow-one-hop"].diagram.text.count("-->") == 0
    assert "client --> gw --> client" in views["flow-hairpin"].diagram.text
    sequence = views["flow-unlisted"].diagram.text
    assert "participant gw as Gateway" in sequence and "participant app as App" in sequence
    assert "without a receiver" not in sequence and "gw->>app: forward" in sequence


@pytest.mark.parametrize(
    ("kind", "old", "new"),
    [
        ("node", "node1", "client"),  # a fixed node of the ingress diagram
        ("node", "node1", "upstream-router"),  # the id of a router the speakers peer with
        ("tenant", "tenant-a", "engine"),  # the decision node of the isolation model
    ],
)
def test_an_id_equal_to_another_kinds_or_a_fixed_node_is_drawn_apart(
    tmp_path: Path, demo: dict, kind: str, old: str, new: str
) -> None:
    """Ids are unique within a kind only: a node may share its id with a component, or be
    called "client"; each is still its own node in the diagrams."""

    def rename(data: object) -> object:
        if isinstance(data, dict):
            return {key: rename(value) for key, value in data.items()}
        if isinstance(data, list):
            return [rename(value) for value in data]
        return new if data == old else data

    views = build_views(model_from(tmp_path, rename(demo)))  # type: ignore[arg-type]
    if kind == "node":
        text = views["external-ingress"].diagram.text
        assert text.count('["Node 1<br/>MetalLB speaker"]') == 1
        assert text.count('["Upstream router<br/>(gateway)"]') == 1
        assert text.count('["External client"]') == 1
    else:
        text = views["tenant-isolation-model"].diagram.text
        assert text.count('{"Cilium eBPF policy<br/>engine"}') == 1  # broken at a space
        assert text.count('["Tenant a: namespace<br/>') == 1
