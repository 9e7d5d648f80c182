"""No rule names a product the model does not use: core rules name none, a kit's rules name
only the products of the kits they run with, in every text the rules page prints."""

from __future__ import annotations

import re

import pytest

from netarch.checks import RULES
from netarch.checks.framework import CORE
from netarch.kits import installed_kits

# Products, distributions and clouds netarch knows of or that real models name.
PRODUCTS = (
    "MetalLB",
    "Cilium",
    "Hubble",
    "Kube-OVN",
    "Calico",
    "Canal",
    "Flannel",
    "Cozystack",
    "ServiceLB",
    "klipper",
    "Traefik",
    "ingress-nginx",
    "kube-router",
    "Multus",
    "Kilo",
    "Talos",
    "KubeSpan",
    "k3s",
    "RKE2",
    "AWS",
    "EKS",
    "Azure",
    "GKE",
)


def _allowed(kits: tuple[str, ...]) -> set[str]:
    by_name = {kit.name: kit for kit in installed_kits()}
    allowed: set[str] = set()
    for name in kits:
        kit = by_name[name]
        allowed |= {kit.title.lower(), *(p.lower() for p in (*kit.products, *kit.also_known_as))}
    return allowed


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_a_rule_names_only_the_products_it_is_about(rule) -> None:
    parts = [rule.title, rule.rationale, rule.hint, rule.source]
    allowed = set() if rule.kit == CORE else _allowed((rule.kit, *rule.requires))
    text = " ".join(parts)
    named = [
        product
        for product in PRODUCTS
        if product.lower() not in allowed
        and not any(product.lower() in a for a in allowed)  # "OVN" inside "Kube-OVN"
        and re.search(rf"(?<![\w-]){re.escape(product)}(?![\w-])", text, re.IGNORECASE)
    ]
    assert not named, f"{rule.code} ({rule.kit}) names {named}"
