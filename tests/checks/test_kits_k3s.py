"""The Flannel and ServiceLB kits on a dual-stack k3s edge cluster: a network unlike the demo's.

The model passes every check (Flannel's VXLAN port 8472 is its default, not a finding), its
pages name no product it does not use, and each kit rule fires on the edit that breaks it.
"""

from __future__ import annotations

import re

import pytest

from netarch.checks import rules_for
from netarch.kits import active_kits

from .conftest import DISPLAY, Check, at, edit, load

K3S = """\
netarch: 1
cluster:
  name: edge
  pod_cidr: [10.42.0.0/16, "2001:cafe:42::/56"]
  service_cidr: [10.43.0.0/16, "2001:cafe:43::/112"]
  dns_service_ip: 10.43.0.10
  cluster_domain: cluster.local
  node_networks: [192.168.8.0/24, "2001:db8:8::/64"]
  overlay:
    type: vxlan
    udp_port: 8472
    underlay_mtu: 1500
    pod_mtu: 1450
  cni: flannel
  kube_proxy_mode: iptables
  distribution:
    name: k3s
components:
  - id: flannel
    name: Flannel
    kind: platform
    product: flannel
    provides: [cni, ipam, overlay]
  - id: servicelb
    name: ServiceLB
    kind: platform
    product: servicelb
    provides: [load-balancer-addresses]
  - id: traefik
    name: Traefik
    kind: platform
    provides: [ingress]
  - id: kube-router
    name: kube-router network policy controller
    kind: platform
    provides: [network-policy]
nodes:
  - {id: edge1, name: edge-1, address: 192.168.8.11}
  - {id: edge2, name: edge-2, address: 192.168.8.12}
load_balancing:
  allocated_by: servicelb
  announced_by: servicelb
  announcement: node-addresses
  services:
    - {id: traefik-web, name: kube-system/traefik, port: 443, targets: nodes}
    - {id: mqtt, name: iot/mqtt, port: 8883, targets: nodes}
policies:
  enforced_by: kube-router
  items:
    - {id: default-deny, action: deny, scope: cross-tenant}
"""

PRODUCTS = ("MetalLB", "Cilium", "Hubble", "Kube-OVN", "Calico", "Cozystack", "eBPF", "GENEVE")


def test_the_k3s_model_uses_the_flannel_and_servicelb_kits_and_is_clean(
    check: Check, tmp_path
) -> None:
    model = load(tmp_path, K3S)
    assert [kit.name for kit in active_kits(model)] == ["flannel", "servicelb"]
    kits = {rule.kit for rule in rules_for(model)}
    assert kits == {"core", "flannel", "servicelb"}
    assert [d.headline() for d in check(K3S)] == []


def test_its_pages_name_no_product_it_does_not_use(tmp_path) -> None:
    from netarch.pipeline import generate

    (tmp_path / DISPLAY).write_text(K3S, encoding="utf-8")
    result = generate(tmp_path / DISPLAY, display_path=DISPLAY)
    assert result.ok, [d.headline() for d in result.diagnostics]
    names = [page.src_uri for page in result.pages]
    assert names == [
        "index.md",
        "cluster.md",
        "components.md",
        "load-balancing.md",
        "tenant-isolation.md",
        "rules.md",
    ]
    for page in result.pages:
        for product in PRODUCTS:
            assert not re.search(rf"\b{re.escape(product)}\b", page.markdown), (
                page.src_uri,
                product,
            )
    titles = {page.src_uri: page.title for page in result.pages}
    assert titles["load-balancing.md"] == "External load balancing with ServiceLB"


KIT_CASES = [
    (
        "NA370",
        (
            ("  cni: flannel\n", "  cni: flannel\n  routing_mode: native\n"),
            (
                "node_networks: [192.168.8.0/24,",
                "node_networks: [192.168.8.0/24, 192.168.9.0/24,",
            ),
        ),
        "routing_mode: ^native",
    ),
    (
        "NA371",
        (("  enforced_by: kube-router", "  enforced_by: flannel"),),
        "enforced_by: ^flannel",
    ),
    (
        "NA380",
        (
            (
                "  - id: traefik\n",
                "  - id: metallb\n    name: MetalLB\n    kind: platform\n    product: metallb\n"
                "    provides: [load-balancer-addresses]\n  - id: traefik\n",
            ),
        ),
        "product: ^servicelb",
    ),
    ("NA381", (("port: 8883", "port: 443"),), "name: iot/mqtt, port: ^443"),
    (
        "NA382",
        (
            (
                "  announcement: node-addresses\n",
                "  announcement: node-addresses\n  pools:\n    - {id: p, addresses: [192.168.8.200/29]}\n",
            ),
        ),
        "  ^- {id: p, addresses",
    ),
    (
        "NA153",
        (("udp_port: 8472", "udp_port: 4789"),),
        "udp_port: ^4789",
    ),
]


@pytest.mark.parametrize(("code", "edits", "where"), KIT_CASES)
def test_each_kit_rule_fires(check: Check, code: str, edits, where: str) -> None:
    text = edit(K3S, *edits)
    found = [d for d in check(text) if d.code == code]
    assert [str(d.location) for d in found] == [at(text, where)], [
        d.headline() for d in check(text)
    ]


def test_the_overlay_port_message_names_flannels_default(check: Check) -> None:
    [finding] = [
        d for d in check(edit(K3S, ("udp_port: 8472", "udp_port: 4789"))) if d.code == "NA153"
    ]
    assert "not 8472, Flannel's default" in finding.message


def test_a_kit_can_be_switched_off_as_a_whole(check: Check) -> None:
    text = edit(K3S, ("port: 8883", "port: 443"))
    assert {d.code for d in check(text)} == {"NA381"}
    assert check(text, {"servicelb": "off"}) == []
    assert [d.severity.value for d in check(text, {"servicelb": "warning"})] == ["warning"]


def test_servicelb_under_its_earlier_name_is_named_with_the_product_to_write(
    check: Check,
) -> None:
    # `klipper` activates no kit: ServiceLB's checks (NA381 here) would be silently off.
    text = edit(K3S, ("    product: servicelb\n", "    product: klipper\n"))
    found = {d.code: d for d in check(text)}
    assert "NA381" not in found
    finding = found["NA173"]
    assert finding.severity.value == "warning"
    assert "no kit knows product klipper" in finding.message
    assert "nearest known: servicelb" in finding.message
    assert "`product: servicelb`" in finding.hint
    # A product that resembles none a kit knows is one netarch has no kit for: not reported.
    assert "NA173" not in {
        d.code
        for d in check(
            edit(
                K3S,
                ("    provides: [ingress]\n", "    product: traefik\n    provides: [ingress]\n"),
            )
        )
    }
