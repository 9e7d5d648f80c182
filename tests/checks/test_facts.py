"""The core's rules read network facts, whoever provides them.

Each rule that moved from a kit to the core is shown catching the same mistake whichever
product provides the fact (a MetalLB pool, a kube-vip range, a pool of the core's own
``load_balancing`` section; kube-proxy said to run by the distribution or by its own
configuration ...), and a kit defined here, installed through the ``netarch.kits`` entry points
like a third party's, gets the core's rules for its pools without a rule of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from netarch import registry
from netarch.checks import run_checks
from netarch.facts import facts_of
from netarch.model.network import load_model, network_schema

from .conftest import DISPLAY, Check, at, load

NODES = """\
netarch: 1
cluster:
  pod_cidr: 10.244.0.0/16
  service_cidr: 10.96.0.0/16
  node_networks: [192.168.1.0/24]
  control_plane_vip: 192.168.1.5
COMPONENTS
nodes:
  - {id: n1, name: n1, address: 192.168.1.11}
  - {id: n2, name: n2, address: 192.168.1.12}
"""
ROUTER = "  - {id: router, name: Router, kind: external, address: 192.168.1.1}\n"

# The same pool, written for each product that can provide it.
POOL_OF = {
    "metallb": (
        "  - {id: lb, name: MetalLB, kind: platform, product: metallb}\n",
        "metallb:\n  component: lb\n  pools:\n    - {id: p, addresses: [ADDRESSES]}\n"
        "  l2:\n    advertisements:\n      - {id: l2, pools: [p]}\n",
    ),
    "kube-vip": (
        "  - {id: lb, name: kube-vip, kind: platform, product: kube-vip}\n",
        "kube_vip:\n  component: lb\n  mode: arp\n  ranges:\n    - {id: p, addresses: [ADDRESSES]}\n",
    ),
    "core": (
        "  - {id: lb, name: OpenELB, kind: platform, provides: [load-balancer-addresses]}\n",
        "load_balancing:\n  allocated_by: lb\n  announced_by: lb\n  announcement: l2\n"
        "  pools:\n    - {id: p, addresses: [ADDRESSES]}\n",
    ),
}


def with_pool(product: str, addresses: str, extra: str = "") -> str:
    component, section = POOL_OF[product]
    text = NODES.replace("COMPONENTS", "components:\n" + component + ROUTER)
    return text + section.replace("ADDRESSES", addresses) + extra


def found(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    return [(d.code, str(d.location)) for d in run_checks(load(tmp_path, text))]


PRODUCTS = sorted(POOL_OF)


@pytest.mark.parametrize("product", PRODUCTS)
def test_each_way_of_writing_the_pool_checks_clean(tmp_path: Path, product: str) -> None:
    assert found(tmp_path, with_pool(product, "192.168.1.200-192.168.1.220")) == []


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize(
    ("code", "addresses", "why"),
    [
        ("NA122", "192.168.1.10-192.168.1.20", "holds the nodes' addresses"),
        ("NA123", "192.168.1.0/29", "holds the router and the control-plane VIP"),
        ("NA124", "192.168.9.0/28", "lies on a subnet no node is attached to"),
        ("NA102", "10.244.9.0/28", "lies inside the pod CIDR"),
    ],
)
def test_a_pool_rule_holds_whoever_provides_the_pool(
    tmp_path: Path, product: str, code: str, addresses: str, why: str
) -> None:
    text = with_pool(product, addresses)
    assert (code, at(text, f"addresses: [^{addresses}]")) in found(tmp_path, text), why


def test_pools_of_two_products_that_overlap(tmp_path: Path) -> None:
    # MetalLB and kube-vip each think they own 192.168.1.200-220: each hands them out.
    text = with_pool("metallb", "192.168.1.200-192.168.1.220")
    text = text.replace(
        POOL_OF["metallb"][0],
        POOL_OF["metallb"][0] + "  - {id: kv, name: kube-vip, kind: platform, product: kube-vip}\n",
    )
    text += "kube_vip:\n  component: kv\n  mode: arp\n  ranges:\n    - {id: q, addresses: [192.168.1.210/31]}\n"
    [finding] = [d for d in run_checks(load(tmp_path, text)) if d.code == "NA121"]
    ends = {at(text, "addresses: [^192.168.1.210/31]"), at(text, "addresses: [^192.168.1.200-")}
    assert {str(finding.location), *map(str, finding.related)} == ends
    assert "kube-vip range q entry 192.168.1.210/31" in finding.message
    assert "MetalLB pool p entry 192.168.1.200-192.168.1.220" in finding.message


@pytest.mark.parametrize("product", PRODUCTS)
def test_strict_arp_is_asked_of_any_load_balancer_on_the_link(tmp_path: Path, product: str) -> None:
    text = with_pool(product, "192.168.1.200-192.168.1.220").replace(
        "  control_plane_vip: 192.168.1.5\n",
        "  control_plane_vip: 192.168.1.5\n  kube_proxy_mode: ipvs\n",
    )
    assert ("NA138", at(text, "kube_proxy_mode: ^ipvs")) in found(tmp_path, text)
    fixed = text.replace(
        "kube_proxy_mode: ipvs\n", "kube_proxy_mode: ipvs\n  kube_proxy_strict_arp: true\n"
    )
    assert "NA138" not in {code for code, _ in found(tmp_path, fixed)}


# --- the Service proxy -------------------------------------------------------------------------

PROXY = """\
netarch: 1
cluster:
  pod_cidr: 10.244.0.0/16
  service_cidr: 10.96.0.0/16
  cni: cilium
REPLACED
  distribution: {name: kubeadm}
components:
  - {id: cilium, name: Cilium, kind: platform, product: cilium}
KUBE_PROXY
"""
# Who says kube-proxy is replaced: the core's cluster section, or Cilium's own Helm values.
REPLACEMENTS = {
    "core": ("  kube_proxy_replacement: cilium", ""),
    "cilium": (
        "",
        "service_load_balancing:\n  component: cilium\n  settings: {kubeProxyReplacement: true}\n",
    ),
}
# Who says kube-proxy still runs: the distribution (kube_proxy_disabled not set), or kube-proxy's
# own configuration in its kit.
RUNNING = {
    "distribution": "",
    "kube-proxy": "  - {id: kube-proxy, name: kube-proxy, kind: platform, product: kube-proxy}\n"
    "kube_proxy: {component: kube-proxy, mode: iptables}\n",
}


@pytest.mark.parametrize("replacement", sorted(REPLACEMENTS))
@pytest.mark.parametrize("running", sorted(RUNNING))
def test_kube_proxy_replaced_but_running_whoever_says_so(
    tmp_path: Path, replacement: str, running: str
) -> None:
    replaced, section = REPLACEMENTS[replacement]
    text = PROXY.replace("REPLACED\n", replaced + "\n" if replaced else "")
    text = text.replace("KUBE_PROXY\n", RUNNING[running]) + section
    codes = [code for code, _ in found(tmp_path, text)]
    # The distribution runs kube-proxy unless told not to: one finding for it, and one for the
    # kube-proxy configuration that the model says is deployed.
    assert codes.count("NA140") == (2 if running == "kube-proxy" else 1)


@pytest.mark.parametrize(
    ("removed", "where"),
    [
        (
            "  distribution: {name: kubeadm, kube_proxy_disabled: true}",
            "kube_proxy_disabled: ^true",
        ),
        (
            "  kube_proxy_mode: none\n  distribution: {name: kubeadm, kube_proxy_disabled: true}",
            "kube_proxy_mode: ^none",
        ),
    ],
)
def test_kube_proxy_removed_with_nothing_in_its_place(
    tmp_path: Path, removed: str, where: str
) -> None:
    text = PROXY.replace("REPLACED\n", "").replace("  distribution: {name: kubeadm}", removed)
    text = text.replace("KUBE_PROXY\n", "")
    assert ("NA147", at(text, where)) in found(tmp_path, text)
    replaced = text.replace("  cni: cilium\n", "  cni: cilium\n  kube_proxy_replacement: cilium\n")
    assert "NA147" not in {code for code, _ in found(tmp_path, replaced)}


# --- BGP sessions ------------------------------------------------------------------------------

SESSIONS = {
    "core": "routing:\n  speaker: lb\n  local_asn: 64512\n  peers:\n"
    "    - {id: tor, router: router, address: 192.168.1.1, asn: 64513}\n",
    "metallb": "metallb:\n  component: lb\n  pools: []\n  bgp:\n    peers:\n"
    "      - {id: tor, router: router, address: 192.168.1.1, my_asn: 64512, peer_asn: 64513}\n",
    "kube-vip": "kube_vip:\n  component: lb\n  mode: bgp\n  bgp:\n    as: 64512\n    peers:\n"
    "      - {id: tor, router: router, address: 192.168.1.1, asn: 64513}\n",
}


@pytest.mark.parametrize("speaker", sorted(SESSIONS))
def test_bgp_to_a_router_needs_tcp_179_whoever_speaks(tmp_path: Path, speaker: str) -> None:
    component = {
        "core": "  - {id: lb, name: BIRD, kind: platform}\n",
        "metallb": POOL_OF["metallb"][0],
        "kube-vip": POOL_OF["kube-vip"][0],
    }[speaker]
    text = NODES.replace("COMPONENTS", "components:\n" + component + ROUTER) + SESSIONS[speaker]
    text += "ports:\n  - {from: nodes, to: nodes, protocol: tcp, port: 10250}\n"
    assert ("NA139", at(text, "ports:\n  ^- {from")) in found(tmp_path, text)
    opened = text + "  - {from: nodes, to: router, protocol: tcp, port: 179}\n"
    assert "NA139" not in {code for code, _ in found(tmp_path, opened)}


def test_facts_keep_their_origin_and_identity(tmp_path: Path) -> None:
    text = with_pool("kube-vip", "192.168.1.200-192.168.1.220")
    facts = facts_of(load(tmp_path, text))
    [pool] = facts.pools
    assert pool.identity == ("lb-pool", "p")
    assert pool.origin.provider == "kube_vip"
    assert str(pool.origin) == at(text, "ranges:\n    - ^{id: p")
    assert pool.announcements == ("l2",)
    [node_network] = facts.of_role("node-network")
    assert node_network.origin.provider == "core" and node_network.family == 4


# --- a third party's kit -----------------------------------------------------------------------

ACME_KIT = '''\
"""A third party's load balancer: its address blocks are load-balancer pools announced on the
link, and that is all it says; the core's rules do the rest."""

from pathlib import Path

from netarch.facts import LoadBalancerPool
from netarch.facts.core import origin, pool_entries
from netarch.kits import Kit


def facts(model):
    section = model.section("acme_lb")
    for index, block in enumerate(section.get("blocks", [])):
        base = ("acme_lb", "blocks", index)
        yield LoadBalancerPool(
            block["id"],
            pool_entries(model, (*base, "addresses"), block["addresses"]),
            origin(model, base, "acme"),
            "ACME block",
            ("l2",),
            section.get("component", ""),
        )


KIT = Kit(
    name="acme",
    title="ACME LB",
    products=("acme-lb",),
    sections=("acme_lb",),
    folder=Path(__file__).parent,
    facts=facts,
)
'''
ACME_SCHEMA = """\
{"properties": {"acme_lb": {"type": "object", "additionalProperties": false, "properties": {
  "component": {"type": "string", "x-netarch-ref": "component"},
  "blocks": {"type": "array", "items": {"type": "object", "additionalProperties": false,
    "properties": {"id": {"type": "string"},
      "addresses": {"type": "array", "items": {"$ref": "#/$defs/address_range"}}},
    "required": ["id", "addresses"]}}}}}}
"""


@pytest.fixture
def acme_kit(tmp_path: Path) -> Iterator[None]:
    """A distribution on sys.path that registers its kit under the netarch.kits entry points."""
    site = tmp_path / "site"
    package = site / "acme_netarch"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(ACME_KIT, encoding="utf-8")
    (package / "schema.json").write_text(ACME_SCHEMA, encoding="utf-8")
    info = site / "acme_netarch-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-netarch\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[netarch.kits]\nacme = acme_netarch:KIT\n")
    sys.path.insert(0, str(site))
    registry.installed_kits.cache_clear()
    network_schema.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("acme_netarch", None)
        registry.installed_kits.cache_clear()
        network_schema.cache_clear()


def test_a_third_party_kit_gets_the_core_rules_for_its_pools(
    tmp_path: Path, acme_kit: None
) -> None:
    text = NODES.replace(
        "COMPONENTS",
        "components:\n  - {id: acme, name: ACME LB, kind: platform, product: acme-lb}\n" + ROUTER,
    )
    text += (
        "acme_lb:\n  component: acme\n  blocks:\n"
        "    - {id: office, addresses: [192.168.1.10-192.168.1.30]}\n"
        "    - {id: lab, addresses: [192.168.7.0/28]}\n"
    )
    path = tmp_path / DISPLAY
    path.write_text(text, encoding="utf-8")
    result = load_model(path, display_path=DISPLAY)
    assert result.model is not None, [d.headline() for d in result.diagnostics]
    assert "acme" in {kit.name for kit in registry.active_kits(result.model)}
    findings = {(d.code, str(d.location), d.message) for d in run_checks(result.model)}
    office, lab = (
        at(text, "addresses: [^192.168.1.10-192.168.1.30]"),
        at(text, "addresses: [^192.168.7.0/28]"),
    )
    assert (
        "NA122",
        office,
        "ACME block office entry 192.168.1.10-192.168.1.30 contains the address 192.168.1.11"
        " of node n1",
    ) in findings
    assert ("NA124", lab) in {(code, where) for code, where, _ in findings}


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_address_plan_lists_every_products_pools(tmp_path: Path, product: str) -> None:
    from netarch.views import build_views

    views = build_views(load(tmp_path, with_pool(product, "192.168.1.200-192.168.1.220")))
    table = views["address-plan"]
    assert ("Load-balancer pool `p`", "`192.168.1.200-192.168.1.220`", "cluster") in [
        tuple(row) for row in table.rows
    ]


def test_kube_ovn_subnets_are_pod_ranges(tmp_path: Path) -> None:
    text = (Path(__file__).with_name("fixtures") / "base.yaml").read_text(encoding="utf-8")
    ranges = facts_of(load(tmp_path, text)).of_role("pod")
    assert [(r.origin.provider, r.label, str(r.networks[0])) for r in ranges] == [
        ("core", "pod CIDR", "10.244.0.0/16"),
        ("kube_ovn", "Kube-OVN subnet subnet-extra (VPC vpc-default)", "10.250.0.0/24"),
        ("kube_ovn", "Kube-OVN subnet subnet-a (VPC vpc-tenant)", "172.16.0.0/24"),
    ]


# --- false positives of correct models ------------------------------------------------------------

CALICO_POLICY = """\
netarch: 1
cluster:
  pod_cidr: 10.244.0.0/16
  service_cidr: 10.96.0.0/16
  node_networks: [192.168.1.0/24]
  routing_mode: native
  cni: calico
components:
  - {id: calico, name: Calico, kind: platform, product: calico, provides: [cni, network-policy]}
zones:
  - id: rack
    name: Rack
    subnets: [{id: rack-nodes, cidr: 192.168.1.0/24, role: nodes}]
nodes:
  - {id: n1, name: n1, address: 192.168.1.11, zone: rack}
  - {id: n2, name: n2, address: 192.168.1.12, zone: rack}
tenants:
  items:
    - id: a
      name: a
      namespace: tenant-a
      pods: [{id: pa, address: 10.244.1.5}]
    - id: b
      name: b
      namespace: tenant-b
      pods: [{id: pb, address: 10.244.2.5}]
policies:
  enforced_by: calico
  items:
    - {id: deny-cross, action: deny, scope: cross-tenant}
policy_enforcement:
  description: Felix programs the policies into each node's data plane.
  example: {from: pa, to: pb, protocol: TCP, port: 80}
flows:
  - {id: east-west, title: Pod to pod, kind: path, hops: [pa, n1, n2, pb]}
"""


def test_a_correct_calico_model_with_a_policy_check_has_no_finding(check: Check) -> None:
    # Once NA171 (policy_enforcement taken for Cilium's) and NA137 (one /24 written as a node
    # network and as the rack's subnet counted as two subnets) on this model.
    assert [d.headline() for d in check(CALICO_POLICY)] == []


def test_the_core_draws_the_policy_check_of_an_engine_without_a_kit_view(tmp_path: Path) -> None:
    from netarch.views import build_views

    view = build_views(load(tmp_path, CALICO_POLICY))["policy-enforcement"]
    assert "Calico matches the policies" in view.diagram.text.replace("<br/>", " ")
    assert "Drop packet" in view.diagram.text
