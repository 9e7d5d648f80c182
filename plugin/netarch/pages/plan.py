"""The page plan: which pages the model gets, in which order, under which titles.

The default plan comes from what the model contains: a core page for each part every network
has (address plan, components, isolation, observability, flows, the rules), and the pages of
the active kits. Titles are composed from the model ("Observability with Hubble"), so a page
never names a product the model does not use. The model's ``pages:`` section then renames,
reorders, introduces or hides those pages, and adds pages of its own that show the views it
lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netarch.safety import plain_title

if TYPE_CHECKING:
    from netarch.model.network import Model, ModelPath

# A title, or how to compose one from the model.
Title = str | Callable[["Model"], str]

# Fixed places: the overview opens the section, the rules reference closes it.
FIRST, DEFAULT, LAST = 0, 500, 1000


@dataclass(frozen=True)
class PageSpec:
    """A page of the default plan and the template that writes it (``<name>.md.jinja``)."""

    name: str
    title: Title
    # Model section(s) the page is about; the page is left out when the model has none of them.
    requires: str | tuple[str, ...] | None = None
    # False: the template gets only `page`, `pages` and `rules`, never the model, so its
    # output is kept until a template file or the active kits change.
    uses_model: bool = True
    # Position in the default order, lower first.
    order: int = DEFAULT

    def applies_to(self, model: Model) -> bool:
        if self.requires is None:
            return True
        sections = (self.requires,) if isinstance(self.requires, str) else self.requires
        return any(model.data.get(section) for section in sections)


@dataclass(frozen=True)
class PlannedPage:
    """A page this model gets."""

    name: str
    # As every theme prints it inert (``safety.plain_title``): the nav, <title>, the search
    # index and the page's heading all show this text.
    title: str
    template: str
    uses_model: bool = True
    # From the model's ``pages:`` entry: an introduction, and views shown after the content.
    intro: str = ""
    views: tuple[str, ...] = ()
    # The ``pages:`` entry behind the page, for errors about it.
    origin: ModelPath | None = None


CUSTOM_TEMPLATE = "custom.md.jinja"


def component_title(model: Model, component_id: Any) -> str:
    """How a page title names a component: its product's name where a kit knows the product
    (``Cilium`` for the component "Cilium eBPF"), else the component's own name."""
    from netarch.registry import active_kits

    if not isinstance(component_id, str) or not model.ids.has("component", component_id):
        return ""
    component = model.element("component", component_id)
    product = component.get("product")
    for kit in active_kits(model):
        if kit.products and kit.products[0] == product:
            return kit.title
    return str(component["name"])


def titled(base: str, *component_refs: tuple[str, ...]) -> Callable[[Model], str]:
    """``base`` "with A and B": the components the model names at ``component_refs``
    (paths such as ``("metallb", "component")``), where it names them."""

    def compose(model: Model) -> str:
        names = [component_title(model, _lookup(model.data, ref)) for ref in component_refs]
        names = [name for name in dict.fromkeys(names) if name]
        return f"{base} with {' and '.join(names)}" if names else base

    return compose


def _lookup(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def plan_pages(
    model: Model, specs: Iterable[PageSpec], language: str | None = None
) -> list[PlannedPage]:
    """The pages of ``model``: the default plan of ``specs``, then its ``pages:`` section.
    ``language``: the language of the site's build, whose ``titles:`` win over ``title``."""
    defaults = sorted(
        (spec for spec in specs if spec.applies_to(model)), key=lambda spec: spec.order
    )
    by_name = {spec.name: spec for spec in defaults}
    entries = [e for e in model.data.get("pages") or [] if isinstance(e, dict)]
    listed: dict[str, tuple[int, dict[str, Any]]] = {
        entry["id"]: (index, entry) for index, entry in enumerate(entries)
    }
    pages: list[tuple[int, int, PlannedPage]] = []
    for position, spec in enumerate(defaults):
        index, entry = listed.get(spec.name, (None, {}))
        if entry.get("hidden"):
            continue
        title = _title_in(entry, language) or (spec.title if isinstance(spec.title, str) else "")
        if not title and callable(spec.title):
            title = spec.title(model)
        page = PlannedPage(
            spec.name,
            plain_title(title),
            f"{spec.name}.md.jinja",
            spec.uses_model,
            str(entry.get("intro", "")),
            tuple(entry.get("views", ())),
            ("pages", index) if index is not None else None,
        )
        pages.append((_rank(spec.order, index), position, page))
    for index, entry in enumerate(entries):
        if entry["id"] in by_name or entry.get("hidden"):
            continue
        page = PlannedPage(
            entry["id"],
            plain_title(_title_in(entry, language) or entry["id"]),
            CUSTOM_TEMPLATE,
            True,
            str(entry.get("intro", "")),
            tuple(entry.get("views", ())),
            ("pages", index),
        )
        pages.append((_rank(DEFAULT, index), len(defaults) + index, page))
    return [page for _, _, page in sorted(pages, key=lambda item: item[:2])]


def _title_in(entry: dict[str, Any], language: str | None) -> str:
    """The title a ``pages:`` entry gives its page in ``language``, else its ``title``."""
    titles = entry.get("titles")
    if language and isinstance(titles, dict) and titles.get(language):
        return str(titles[language])
    return str(entry.get("title") or "")


def _rank(order: int, listed_at: int | None) -> int:
    # The overview stays first and the rules last; pages the model lists come in its order,
    # before the default pages it does not list, which keep their default order.
    if order == FIRST:
        return 0
    if order == LAST:
        return 3_000_000
    if listed_at is not None:
        return 1 + listed_at
    return 1_000_000 + order
