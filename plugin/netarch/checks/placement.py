"""Nothing the model says is lost: every section is read by an active kit, and every view,
flow and example lands on a page."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from netarch.checks.framework import Finding, rule
from netarch.model.network import Model
from netarch.registry import active_kits, installed_kits

SECTION = "Pages and kits"
# Where the pipeline leaves what the rendered pages show, in ``Model.memo``.
PLACEMENT = "placement"


class _Page(Protocol):
    name: str
    views: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    """The views the model has and the pages rendered from it."""

    views: Mapping[str, Any]
    pages: Sequence[_Page]


@rule(
    "NA170",
    "warning",
    "View, flow or example that appears on no page",
    rationale="A diagram, flow or configuration example that no page shows is work the reader"
    " never sees, and a sign that the page plan and the model disagree (an example for a page"
    " the model hides, a flow placed on a page that does not exist).",
    source="netarch page plan",
    hint="place it with the element's `page:` (flows, examples) or a `pages:` entry's `views:`,"
    " or remove it",
    section=SECTION,
)
def unplaced(model: Model) -> Iterator[Finding]:
    placement: Placement | None = model.memo.get(PLACEMENT)
    if placement is None:  # checked without rendering: nothing to say
        return
    shown = {view_id for page in placement.pages for view_id in page.views}
    page_names = [page.name for page in placement.pages]
    flow_views = set()
    for index, flow in enumerate(model.items("flows")):
        flow_views.add(f"flow-{flow['id']}")
        if f"flow-{flow['id']}" not in shown:
            yield Finding(
                ("flows", index, "page") if flow.get("page") else ("flows", index),
                f"flow {flow['id']} appears on no page"
                + (
                    f": there is no page {flow['page']}"
                    if flow.get("page") not in (None, *page_names)
                    else ""
                ),
            )
    for view_id, view in placement.views.items():
        if view_id not in shown and view_id not in flow_views:
            yield Finding(
                view.origin_path,
                f"view {view_id} ({view.title}) appears on no page",
            )
    examples = {example_id for page in placement.pages for example_id in page.examples}
    for index, example in enumerate(model.items("examples")):
        if example["id"] not in examples:
            yield Finding(
                ("examples", index, "section"),
                f"example {example['id']} appears on no page: there is no page"
                f" {example['section']} (pages: {', '.join(page_names)})",
            )


@rule(
    "NA172",
    "error",
    "Page lists a view the model does not have",
    rationale="A page of the model's `pages:` section names the views it shows; an id that"
    " is not a view of this model (a typo, a flow without its `flow-` prefix, a view of a"
    " kit that is not active) would leave a hole in the page.",
    source="netarch page plan",
    hint="use one of the view ids listed in the message",
    section=SECTION,
)
def unknown_listed_views(model: Model) -> Iterator[Finding]:
    placement: Placement | None = model.memo.get(PLACEMENT)
    if placement is None:
        return
    for page_index, entry in enumerate(model.data.get("pages") or []):
        for view_index, view_id in enumerate(entry.get("views") or []):
            if view_id not in placement.views:
                known = ", ".join(sorted(placement.views)) or "none"
                yield Finding(
                    ("pages", page_index, "views", view_index),
                    f"page {entry['id']} lists view {view_id}, which this model does not have"
                    f" (views: {known})",
                )


@rule(
    "NA171",
    "error",
    "Section for a product that no component names",
    rationale="A product's section (a load balancer's pools, a CNI's security identities ...) is read by that"
    " product's kit, which is active only when a component of the model names the product."
    " Without one, the section's pages, diagrams and checks would all be left out silently.",
    source="netarch kits",
    hint="add `product: <product>` to the component that runs it, or remove the section",
    section=SECTION,
)
def sections_of_inactive_kits(model: Model) -> Iterator[Finding]:
    active = {kit.name for kit in active_kits(model)}
    for kit in installed_kits():
        if kit.name in active:
            continue
        for section in kit.sections:
            if section in model.data:
                products = " or ".join(f"product: {p}" for p in kit.products)
                yield Finding(
                    (section,),
                    f"section {section} is read by the {kit.title} kit, but no component has"
                    f" {products}",
                    hint=f"add `product: {kit.products[0]}` to the component that runs it,"
                    " or remove the section",
                )


@rule(
    "NA173",
    "warning",
    "Product that no kit knows, but close to one a kit knows",
    rationale="A component's `product:` switches on the kit of that product: its checks, views"
    " and pages. A misspelt product, or an earlier name of one, activates nothing, so the"
    " product's checks are silently off. A product that resembles"
    " none a kit knows is taken as one netarch has no kit for, and is not reported.",
    source="netarch kits",
    hint="write the product as its kit knows it (the message names the nearest)",
    section=SECTION,
)
def unknown_products(model: Model) -> Iterator[Finding]:
    # A name a kit knows -> the product to write: its products, and the other names of one
    # product alone ("klipper" is ServiceLB's; "EKS" is the platform of two kits' products).
    known: dict[str, str] = {}
    others: dict[str, set[str]] = {}
    for kit in installed_kits():
        for product in kit.products:
            known[product] = product
        for other in kit.also_known_as:
            others.setdefault(other.lower(), set()).add(kit.products[0])
    for other, owners in others.items():
        if len(owners) == 1:
            known.setdefault(other, next(iter(owners)))
    products = {product for kit in installed_kits() for product in kit.products}
    for index, component in enumerate(model.items("components")):
        product = component.get("product")
        if not isinstance(product, str) or product in products:
            continue
        close = difflib.get_close_matches(product.lower(), list(known), n=3, cutoff=0.75)
        nearest = list(dict.fromkeys(known[name] for name in close))
        if not nearest:
            continue
        choices = " or ".join(f"`product: {name}`" for name in nearest)
        yield Finding(
            ("components", index, "product"),
            f"no kit knows product {product} (component {component['id']}), so no kit's checks"
            f" run for it; the nearest known: {', '.join(nearest)}",
            hint=f"write {choices}, or `silence: [NA173]` if it is another product",
        )
