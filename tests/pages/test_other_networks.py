"""The pages of three networks unlike the demo, each written as its team would write it: a
bare-metal Calico cluster (BGP to two ToR routers, kube-proxy IPVS, MetalLB L2), a dual-stack
k3s cluster (Flannel VXLAN, ServiceLB, k3s's policy controller) and an IPv6-only kubeadm
cluster (Antrea, kube-vip in L2 mode). Each test reads what a page says about its network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netarch.checks import run_checks
from netarch.cli import main
from netarch.pipeline import Generation, generate
from netarch.validate.engine import MermaidValidator
from netarch.views import DiagramView

CALICO = """\
netarch: 1
cluster:
  name: dc1-prod
  pod_cidr: 10.48.0.0/16
  service_cidr: 10.49.0.0/16
  node_networks: [10.20.0.0/24]
  routing_mode: native
  overlay: {type: none, underlay_mtu: 1500, pod_mtu: 1500}
  cni: calico
  kube_proxy_mode: ipvs
  kube_proxy_strict_arp: true
components:
  - id: calico
    name: Calico
    kind: platform
    product: calico
    provides: [cni, ipam, network-policy, bgp]
    features: [BGP-routed pod network, Network policies (iptables)]
  - id: bandwidth
    name: bandwidth plugin
    kind: platform
    features: [Traffic shaping per pod]
  - {id: kube-proxy, name: kube-proxy, kind: platform, provides: [service-load-balancing]}
  - {id: metallb, name: MetalLB, kind: platform, product: metallb, provides: [load-balancer-addresses, bgp]}
  - {id: tor-1, name: ToR 1, kind: external, role: top-of-rack router, address: 10.20.0.1}
  - {id: tor-2, name: ToR 2, kind: external, role: top-of-rack router, address: 10.20.0.2}
nodes:
  - {id: w1, name: worker-1, address: 10.20.0.11}
  - {id: w2, name: worker-2, address: 10.20.0.12}
pod_networking:
  component: calico
  cni_chain: {plugins: [calico, bandwidth]}
service_load_balancing: {component: kube-proxy}
routing:
  speaker: calico
  local_asn: 64512
  peers:
    - {id: tor-1, router: tor-1, address: 10.20.0.1, asn: 65000}
    - {id: tor-2, router: tor-2, address: 10.20.0.2, asn: 65000}
metallb:
  component: metallb
  pools: [{id: public, addresses: [10.20.0.240/28]}]
  speakers: [w1, w2]
  example_service:
    name: ingress-nginx/controller
    external_ip: 10.20.0.241
    external_traffic_policy: Local
  l2:
    advertisements: [{id: public, pools: [public]}]
tenants:
  items:
    - id: shop
      name: shop
      namespace: shop
      pods: [{id: shop-web, address: 10.48.1.10, labels: {app: web}}]
    - id: billing
      name: billing
      namespace: billing
      pods: [{id: billing-api, address: 10.48.2.20, labels: {app: api}}]
policies:
  enforced_by: calico
  items:
    # The exception comes first, as teams write them: it is still dropped by the deny.
    - {id: shop-to-billing-api, action: allow, scope: cross-tenant, ports: [{protocol: tcp, port: 8443}]}
    - {id: same-namespace, action: allow, scope: same-tenant}
    - {id: no-cross-tenant, action: deny, scope: cross-tenant}
security_properties:
  description: Where Calico's iptables dataplane enforces the policies, and where it stops.
  items:
    - {id: per-endpoint, name: Per endpoint, description: Rules sit on each pod's host-side interface.}
  limits:
    - kind: warning
      title: hostNetwork pods
      text: Pods with hostNetwork are outside the workload-endpoint rules.
examples:
  - id: bgp-config
    title: Calico's BGP configuration
    section: routing
    content:
      apiVersion: projectcalico.org/v3
      kind: BGPConfiguration
      metadata: {name: default}
      spec:
        asNumber: 64512
        x-note: |
          Node-to-node mesh on
          until route reflectors exist.
"""

FLANNEL = """\
netarch: 1
cluster:
  name: edge-k3s
  pod_cidr: [10.42.0.0/16, "2001:db8:42::/56"]
  service_cidr: [10.43.0.0/16, "2001:db8:43::/112"]
  node_networks: [192.168.10.0/24]
  overlay: {type: vxlan, udp_port: 8472, underlay_mtu: 1500, pod_mtu: 1450}
  cni: flannel
components:
  - {id: flannel, name: Flannel, kind: platform, product: flannel, provides: [cni, overlay]}
  - {id: servicelb, name: ServiceLB, kind: platform, product: servicelb, provides: [load-balancer-addresses]}
  - {id: netpol, name: k3s network policy controller, kind: platform, provides: [network-policy]}
  - {id: kube-proxy, name: kube-proxy, kind: platform, provides: [service-load-balancing]}
nodes:
  - {id: s1, name: server-1, address: 192.168.10.21}
service_load_balancing: {component: kube-proxy}
load_balancing:
  allocated_by: servicelb
  announced_by: servicelb
  announcement: node-addresses
  services:
    - {id: traefik, name: kube-system/traefik, address: 192.168.10.21, port: 443, external_traffic_policy: Local}
tenants:
  items:
    - {id: teama, name: teama, namespace: teama, pods: [{id: a-web, address: 10.42.0.10}]}
    - {id: teamb, name: teamb, namespace: teamb, pods: [{id: b-web, address: 10.42.1.10}]}
policies:
  enforced_by: netpol
  items:
    - {id: same-team, action: allow, scope: same-tenant, direction: ingress}
    - id: a-to-b-https
      action: allow
      scope: cross-tenant
      direction: ingress
      from: {tenant: teama}
      to: {tenant: teamb}
      ports: [{protocol: tcp, port: 443}]
"""

IPV6 = """\
netarch: 1
cluster:
  name: v6-lab
  pod_cidr: "fd00:10:244::/56"
  service_cidr: "fd00:10:96::/112"
  node_networks: ["2001:db8:100::/64"]
  overlay: {type: geneve, underlay_mtu: 1500, pod_mtu: 1430}
  cni: antrea
components:
  - {id: antrea, name: Antrea, kind: platform, product: antrea, provides: [cni, network-policy]}
  - {id: kube-proxy, name: kube-proxy, kind: platform, provides: [service-load-balancing]}
  - {id: kube-vip, name: kube-vip, kind: platform, provides: [load-balancer-addresses]}
nodes:
  - {id: n1, name: node-1, address: "2001:db8:100::11"}
  - {id: n2, name: node-2, address: "2001:db8:100::12"}
service_load_balancing: {component: kube-proxy}
load_balancing:
  allocated_by: kube-vip
  announced_by: kube-vip
  announcement: l2
  pools: [{id: services, addresses: ["2001:db8:100::200/124"]}]
  services: [{id: gateway, name: envoy-gateway/public, address: "2001:db8:100::201", port: 443}]
tenants:
  items:
    - {id: red, name: red, namespace: red, pods: [{id: red-1, address: "fd00:10:244::10"}]}
    - {id: blue, name: blue, namespace: blue, pods: [{id: blue-1, address: "fd00:10:244:1::10"}]}
policies:
  enforced_by: antrea
  items:
    - {id: same-tenant, action: allow, scope: same-tenant}
security_properties:
  items:
    - {id: ovs, name: OVS flows, description: Policies are compiled into Open vSwitch flows.}
  limits:
    - kind: warning
      title: Node traffic
      text: Traffic of the nodes themselves is not policed by these flows.
"""


def _generate(tmp_path: Path, text: str) -> Generation:
    path = tmp_path / "network.yaml"
    path.write_text(text, encoding="utf-8")
    result = generate(path, display_path="network.yaml")
    assert result.ok, [d.headline() for d in result.diagnostics]
    return result


def _page(result: Generation, name: str) -> str:
    return next(page.markdown for page in result.pages if page.name == name)


def _diagram(result: Generation, view_id: str) -> str:
    """A diagram's text with Mermaid's entity codes (``#58;`` for ``:``) read back, and the
    builder's line breaks (at spaces, so labels stay legible) read as the spaces they were."""
    view = result.views[view_id]
    assert isinstance(view, DiagramView)
    text = re.sub(r"#(\d+);", lambda code: chr(int(code.group(1))), view.diagram.text)
    return text.replace("<br/>", " ")


@pytest.fixture(scope="module")
def calico(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    return _generate(tmp_path_factory.mktemp("calico"), CALICO)


@pytest.fixture(scope="module")
def flannel(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    return _generate(tmp_path_factory.mktemp("flannel"), FLANNEL)


@pytest.fixture(scope="module")
def ipv6(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    return _generate(tmp_path_factory.mktemp("ipv6"), IPV6)


# --- a BGP speaker with no peer yet -----------------------------------------------------------

# The same cluster before its ToR sessions are written: the schema allows an empty list.
NO_PEERS = re.sub(r"(?m)^  peers:\n(    - .*\n)+", "  peers: []\n", CALICO)


def test_a_bgp_speaker_without_peers_gets_its_page(tmp_path: Path) -> None:
    assert "peers: []" in NO_PEERS
    result = _generate(tmp_path, NO_PEERS)
    routing = _page(result, "routing")
    assert "Calico speaks BGP for the cluster (AS 64512)." in routing
    assert "bgp-peering" not in result.views and "bgp-peering" not in routing


def test_netarch_render_of_it_exits_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "network.yaml"
    model.write_text(NO_PEERS, encoding="utf-8")
    code = main(["render", str(model), "-o", str(tmp_path / "out"), "--no-check"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "out" / "routing.md").is_file()


def test_a_template_asking_for_a_missing_view_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "overrides"
    templates.mkdir()
    (templates / "routing.md.jinja").write_text(
        '{% extends "_base/routing.md.jinja" %}\n{% block content %}\n'
        '{{ view("bgp-peering") }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    model = tmp_path / "network.yaml"
    model.write_text(NO_PEERS, encoding="utf-8")
    output = tmp_path / "out"
    code = main(
        [
            "render",
            str(model),
            "-o",
            str(output),
            "--no-check",
            "--custom-templates",
            str(templates),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert (
        f"{templates / 'routing.md.jinja'}:3: error TEMPLATE: the template asks for the view"
        " 'bgp-peering', which this model does not have"
    ) in err
    assert '{% if "bgp-peering" in views %}' in err
    assert not output.exists()  # nothing half-written


# --- policy engine and verdicts ------------------------------------------------------------------


def test_the_isolation_verdict_does_not_depend_on_the_order_of_the_policies(
    calico: Generation,
) -> None:
    # The first cross-tenant item allows TCP 8443; the deny after it drops every packet.
    text = _diagram(calico, "tenant-isolation-model")
    assert "shop ↔ billing: DENIED" in text and "Cross-tenant traffic dropped" in text
    assert "shop ↔ shop: ALLOWED" in text and "Same-tenant traffic passes" in text
    summary = _diagram(calico, "tenant-isolation-summary")
    assert "DENY: pod of another tenant" in summary
    assert "ALLOW: another pod of tenant shop" in summary


def test_an_exception_is_shown_as_what_passes_one_way(flannel: Generation) -> None:
    # Selected by an ingress policy, each team's pods are isolated for ingress: only same-team
    # traffic and HTTPS from teama to teamb get in.
    text = _diagram(flannel, "tenant-isolation-model")
    assert (
        "teama ↔ teamb: PARTLY ALLOWED (teama → teamb: only TCP 443; teamb → teama: DENIED)"
    ) in text
    assert "Cross-tenant traffic partly passes" in text


def test_a_tenant_no_policy_allows_to_reach_is_isolated(ipv6: Generation) -> None:
    # One allow of scope same-tenant isolates every tenant's pods: cross-tenant is dropped.
    text = _diagram(ipv6, "tenant-isolation-model")
    assert "red ↔ blue: DENIED" in text and "red ↔ red: ALLOWED" in text


@pytest.mark.parametrize(
    ("network", "engine"),
    [("calico", "Calico"), ("flannel", "k3s network policy controller"), ("ipv6", "Antrea")],
)
def test_the_decision_is_named_after_the_component_that_enforces_the_policies(
    request: pytest.FixtureRequest, network: str, engine: str
) -> None:
    result: Generation = request.getfixturevalue(network)
    assert f"{engine} policy engine" in _diagram(result, "tenant-isolation-model")
    assert f"{engine} policy check" in _diagram(result, "tenant-isolation-summary")
    for view_id in ("tenant-isolation-model", "tenant-isolation-summary"):
        text = _diagram(result, view_id)
        assert "kube-proxy" not in text and "eBPF" not in text


def test_one_product_in_two_roles_is_named_once(calico: Generation) -> None:
    page = _page(calico, "tenant-isolation")
    assert "Calico and Calico" not in page
    assert (
        "the CNI chain that puts Calico, as the pod network and as the policy engine, on every"
        " pod's path"
    ) in page


@pytest.mark.parametrize("network", ["calico", "ipv6"])
def test_security_limits_are_shown_whatever_product_enforces(
    request: pytest.FixtureRequest, network: str
) -> None:
    result: Generation = request.getfixturevalue(network)
    page = _page(result, "tenant-isolation")
    title = {"calico": "hostNetwork pods", "ipv6": "Node traffic"}[network]
    assert f'!!! warning "{title}"' in page
    assert page.index("## Security properties") < page.index(f'!!! warning "{title}"')


# --- addresses and load balancing ----------------------------------------------------------------


def test_a_multi_line_example_value_is_a_block_scalar(calico: Generation) -> None:
    page = _page(calico, "routing")
    assert "  x-note: |\n    Node-to-node mesh on\n    until route reflectors exist.\n" in page
    assert "\\n" not in page


@pytest.mark.parametrize("network", ["calico", "flannel", "ipv6"])
def test_the_cluster_table_shows_the_clusters_own_values(
    request: pytest.FixtureRequest, network: str
) -> None:
    cluster = _page(request.getfixturevalue(network), "cluster")
    assert "| Parameter | Value |" in cluster and "Default value" not in cluster


def test_no_overlay_is_said_in_words(calico: Generation, flannel: Generation) -> None:
    assert "| Overlay | none: pod traffic crosses the nodes unencapsulated |" in _page(
        calico, "cluster"
    )
    assert "NONE" not in _page(calico, "cluster")
    assert "| Pod MTU | 1500 (underlay 1500) |" in _page(calico, "cluster")
    assert "| Overlay type | VXLAN |" in _page(flannel, "cluster")


def test_an_ipv6_l2_address_is_answered_by_ndp_from_the_elected_node(ipv6: Generation) -> None:
    path = _diagram(ipv6, "load-balancer-path")
    assert "the elected node answers NDP for the address" in path
    assert "ARP" not in path
    page = _page(ipv6, "load-balancing")
    assert "one elected node answers NDP for each address" in page and "ARP" not in page


def test_with_local_traffic_policy_no_backend_node_is_drawn_as_taking_traffic(
    calico: Generation, flannel: Generation
) -> None:
    # MetalLB, backend not placed: each speaker announces only if it runs a backend.
    ingress = _diagram(calico, "external-ingress")
    assert "worker-1 MetalLB speaker (announces only with a local backend)" in ingress
    assert '-.->|"L2 (ARP), if it runs a backend"| w1' in ingress
    assert '-->|"L2 (ARP)"|' not in ingress
    # ServiceLB on the nodes' addresses: only nodes with a backend, to that local pod.
    path = _diagram(flannel, "load-balancer-path")
    assert "Nodes with a backend pod (host port)" in path
    assert "to a backend on the same node" in path and "Every node" not in path


@pytest.mark.parametrize(
    "text", [CALICO, NO_PEERS, FLANNEL, IPV6], ids=["calico", "no-peers", "flannel", "ipv6"]
)
def test_each_network_checks_clean(tmp_path: Path, text: str) -> None:
    """They are correct networks: no rule finds anything in them, and every view lands on a
    page (the isolation summary closes the isolation page when there is no flows page)."""
    path = tmp_path / "network.yaml"
    path.write_text(text, encoding="utf-8")
    result = generate(path, display_path="network.yaml", model_checks=[run_checks])
    assert [d.headline() for d in result.diagnostics] == []


def test_the_policies_heading_claims_default_deny_only_where_tenants_are_isolated(
    calico: Generation, flannel: Generation
) -> None:
    assert "## Default deny with namespace isolation" in _page(calico, "tenant-isolation")
    page = _page(flannel, "tenant-isolation")
    assert "## Network policies" in page and "Default deny" not in page


def test_their_diagrams_pass_the_real_mermaid(
    calico: Generation, flannel: Generation, ipv6: Generation
) -> None:
    with MermaidValidator() as validator:
        for result in (calico, flannel, ipv6):
            for view in result.views.values():
                if isinstance(view, DiagramView):
                    assert validator.check(view.diagram.text) == [], view.id
