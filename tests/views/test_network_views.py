"""The core's views of a network without product sections: zones and links, load balancing,
BGP with a route reflector, egress, the firewall matrix; and x- keys kept out of the way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from netarch.checks import run_checks
from netarch.pipeline import generate
from netarch.validate.engine import MermaidValidator
from netarch.views import DiagramView, TableView

RACKS = """\
netarch: 1
x-owner: platform team
cluster:
  pod_cidr: 10.200.0.0/16
  service_cidr: 10.201.0.0/16
  dns_service_ip: 10.201.0.10
  routing_mode: native
  overlay: {type: none}
components:
  - {id: cni, name: The CNI, kind: platform, provides: [cni, bgp, load-balancer-addresses]}
  - {id: tor-a, name: ToR A, kind: external, address: 10.10.1.1}
  - {id: tor-b, name: ToR B, kind: external, address: 10.10.2.1}
  - {id: spine, name: Spine, kind: external, x-asset: R-17}
zones:
  - id: rack-a
    name: Rack A
    subnets: [{id: nodes-a, cidr: 10.10.1.0/24, role: nodes}]
    routers: [tor-a]
  - id: rack-b
    name: Rack B
    subnets: [{id: nodes-b, cidr: 10.10.2.0/24, role: nodes}]
    routers: [tor-b]
links:
  - {from: tor-a, to: tor-b, description: ECMP uplinks to the spine}
nodes:
  - {id: n1, name: node-1, address: 10.10.1.11, zone: rack-a}
  - {id: n2, name: node-2, address: 10.10.2.11, zone: rack-b}
load_balancing:
  allocated_by: cni
  announced_by: cni
  announcement: bgp
  pools: [{id: public, addresses: [203.0.113.0/28]}]
  services: [{id: web, name: web/gateway, kind: gateway, address: 203.0.113.1, port: 443}]
routing:
  speaker: cni
  local_asn: 64512
  advertises: [pod-cidr, load-balancer-addresses]
  route_reflectors: [tor-a]
  peers:
    - {id: a, router: tor-a, address: 10.10.1.1, asn: 64512, zone: rack-a}
    - {id: b, router: tor-b, address: 10.10.2.1, asn: 65001, zone: rack-b}
egress:
  masquerade: true
  not_masqueraded: [10.200.0.0/16]
  via: nodes
ports:
  - {from: nodes, to: tor-a, protocol: tcp, port: 179, purpose: BGP, component: cni}
  - {from: nodes, to: tor-b, protocol: tcp, port: 179, purpose: BGP, component: cni}
  - {from: world, to: nodes, protocol: tcp, port: 443, purpose: HTTPS to the gateway}
"""


@pytest.fixture(scope="module")
def racks(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("racks") / "network.yaml"
    path.write_text(RACKS, encoding="utf-8")
    return generate(path, display_path="network.yaml", model_checks=[run_checks])


def test_a_network_without_product_sections_checks_clean(racks) -> None:
    assert [d.headline() for d in racks.diagnostics] == []
    assert [page.name for page in racks.pages] == [
        "overview",
        "cluster",
        "components",
        "load-balancing",
        "routing",
        "rules",
    ]


def test_its_views(racks) -> None:
    views = racks.views
    ports = views["ports"]
    assert isinstance(ports, TableView)
    assert ports.rows[0] == ("every node", "ToR A", "TCP", "179", "BGP", "The CNI")
    assert ports.rows[2][:2] == ("anywhere outside", "every node")
    assert views["egress"].rows == (
        ("Pod traffic leaves with", "the node's address (SNAT)"),
        ("Reached with the pod's own address", "`10.200.0.0/16`"),
        ("Leaves the cluster through", "the nodes"),
    )
    sessions = [row[5] for row in views["bgp-peers"].rows]
    assert sessions == ["iBGP (route reflector)", "eBGP"]
    topology = views["topology"]
    assert isinstance(topology, DiagramView)
    assert 'ECMP uplinks to the<br/>spine"' in topology.diagram.text  # broken at a space
    # Each rack's node peers only with its own ToR.
    peering = views["bgp-peering"].diagram.text
    assert peering.count("-->") == 2


def test_its_diagrams_pass_the_real_mermaid(racks) -> None:
    with MermaidValidator() as validator:
        for view in racks.views.values():
            if isinstance(view, DiagramView):
                assert validator.check(view.diagram.text) == [], view.id


def test_extension_keys_are_kept_but_other_unknown_keys_are_not(tmp_path: Path) -> None:
    data = yaml.safe_load(RACKS)
    assert data["x-owner"] == "platform team"
    data["components"][0]["colour"] = "blue"
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = generate(path, display_path="network.yaml")
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "NA011" and "unknown key 'colour'" in diagnostic.message
    assert "a key of your own starts with x-" in diagnostic.hint


def test_policies_with_peers_and_ports_and_nodes_with_interfaces(tmp_path: Path) -> None:
    data = yaml.safe_load(RACKS)
    data["tenants"] = {"items": [{"id": "shop", "name": "shop", "namespace": "shop"}]}
    data["policies"] = {
        "enforced_by": "cni",
        "items": [
            {
                "id": "web-in",
                "action": "allow",
                "direction": "ingress",
                "from": {"entity": "world"},
                "to": {"tenant": "shop", "labels": {"app": "web"}},
                "ports": [{"protocol": "tcp", "port": 443}],
            },
            {"id": "default-deny", "action": "deny", "scope": "cross-tenant"},
        ],
    }
    data["nodes"][0]["interfaces"] = [
        {"name": "bond0.20", "addresses": ["172.20.0.11", "2001:db8:20::11"], "vlan": 20}
    ]
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = generate(path, display_path="network.yaml", model_checks=[run_checks])
    assert [d.headline() for d in result.diagnostics] == []
    policies = result.views["policies"]
    assert policies.headers == (
        "Policy",
        "Action",
        "Traffic",
        "Direction",
        "From",
        "To",
        "Ports",
        "Description",
    )
    assert policies.rows[0][3:7] == (
        "ingress",
        "anywhere outside",
        "tenant shop, pods `app=web`",
        "TCP 443",
    )
    assert policies.rows[1][2:7] == ("between tenants", "", "", "", "all")
    nodes = result.views["nodes"]
    assert nodes.headers[-1] == "Interfaces"
    assert nodes.rows[0][-1] == "`bond0.20` `172.20.0.11`, `2001:db8:20::11` (VLAN 20)"
    # An interface address is an address of the node: nothing else may have it.
    data["components"][3]["address"] = "172.20.0.11"  # the spine
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    [duplicate] = [
        d for d in generate(path, model_checks=[run_checks]).diagnostics if d.code == "NA115"
    ]
    assert "172.20.0.11, which node n1 bond0.20 already has" in duplicate.message
