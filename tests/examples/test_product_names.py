"""No built page names a product that its model does not use.

netarch's core speaks of any cluster network; product words come only from the kits the
model activates and from the model's own components. Each site (the demo and every example)
is built with `mkdocs build --strict` and the visible text of every HTML page, diagrams
included, is scanned for the names of well-known network products. A name is allowed only
when a component of that site's model has it in its name or product.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
SITES = {
    "demo": REPO_ROOT / "mkdocs.yml",
    "cilium-bgp": REPO_ROOT / "examples" / "cilium-bgp" / "mkdocs.yml",
    "eks": REPO_ROOT / "examples" / "eks" / "mkdocs.yml",
}
MKDOCS_BUILD = (sys.executable, "-m", "mkdocs", "build", "--strict")
# Products (and the clouds that run them) a page of another network could name by mistake.
PRODUCTS = (
    "Amazon",
    "AWS",
    "Calico",
    "Cilium",
    "CoreDNS",
    "Cozystack",
    "EKS",
    "Envoy",
    "Flannel",
    "Hubble",
    "ingress-nginx",
    "Kilo",
    "kube-router",
    "Kube-OVN",
    "MetalLB",
    "Multus",
    "ServiceLB",
    "Traefik",
)


def _word(name: str) -> re.Pattern[str]:
    # Letters or digits may not continue the name ("draws" is not AWS); a hyphen may
    # ("aws-vpc-cni" names AWS).
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", re.IGNORECASE)


def allowed_products(model_file: Path) -> set[str]:
    """The products of PRODUCTS that the model's components name (name or product)."""
    model = yaml.safe_load(model_file.read_text(encoding="utf-8"))
    words = " ".join(
        f"{component.get('name', '')} {component.get('product', '')}"
        for component in model.get("components", [])
    )
    return {name for name in PRODUCTS if _word(name).search(words)}


def visible_text(page: str) -> str:
    """What a reader sees: the text outside tags, scripts and styles (diagram sources are
    text inside <pre>, so they count)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# The demo site also carries netarch's own guides, which are about the kits and so name
# their products: they describe the tool, not the network.
TOOL_DOCS = ("guide/", "benchmarks/")


def mentions(site_dir: Path, products: tuple[str, ...]) -> Iterator[tuple[str, str, str]]:
    """(page, product, context) for every mention of ``products`` in the built site's pages
    about the network."""
    for page in sorted(site_dir.rglob("*.html")):
        if page.relative_to(site_dir).as_posix().startswith(TOOL_DOCS):
            continue
        text = visible_text(page.read_text(encoding="utf-8"))
        for name in products:
            for match in _word(name).finditer(text):
                context = " ".join(text[max(0, match.start() - 60) : match.end() + 60].split())
                yield page.relative_to(site_dir).as_posix(), name, context


@pytest.fixture(scope="module")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three sites, built side by side (two cores)."""
    root = tmp_path_factory.mktemp("product-names")
    processes = {
        name: subprocess.Popen(
            [*MKDOCS_BUILD, "-f", str(config), "-d", str(root / name)],
            cwd=REPO_ROOT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, config in SITES.items()
    }
    failed = {}
    for name, process in processes.items():
        output, _ = process.communicate()
        if process.returncode != 0:
            failed[name] = output
    assert not failed, failed
    return {name: root / name for name in SITES}


def test_the_product_list_is_matched_as_words() -> None:
    assert _word("AWS").search("the aws-vpc-cni DaemonSet")
    assert not _word("AWS").search("Hubble UI draws them")
    assert _word("Kube-OVN").search("chained on kube-ovn.")


def test_allowed_products_come_from_the_components() -> None:
    assert allowed_products(SITES["eks"].parent / "docs" / "network.yaml") == {
        "Amazon",
        "AWS",
        "Calico",
        "CoreDNS",
        "EKS",
    }
    assert allowed_products(SITES["cilium-bgp"].parent / "docs" / "network.yaml") == {
        "Cilium",
        "Envoy",
        "Hubble",
    }


@pytest.mark.parametrize("name", SITES)
def test_no_page_names_a_product_the_model_does_not_use(
    built_sites: dict[str, Path], name: str
) -> None:
    allowed = allowed_products(SITES[name].parent / "docs" / "network.yaml")
    foreign = tuple(product for product in PRODUCTS if product not in allowed)
    found = [
        f"{page}: {product}: …{context}…"
        for page, product, context in mentions(built_sites[name], foreign)
    ]
    assert not found, f"{len(found)} mention(s) of products the model does not use:\n" + "\n".join(
        found
    )
    # The scan reads the pages at all: the site's own products are there.
    assert any(True for _ in mentions(built_sites[name], tuple(allowed))), "no product found at all"
