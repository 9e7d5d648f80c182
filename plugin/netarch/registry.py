"""The kit registry: which product kits are installed and which ones a model uses.

A kit (``Kit``) is what netarch knows about one product; the kits themselves live in
``netarch.kits`` (one folder each) and register through the ``netarch.kits`` entry points.
This module is below every layer that reads the registry (model, facts, checks, views,
pages), so that those layers never import the kits, which build on all of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

# The registry sits under every layer that asks which kits are active (model, facts, checks,
# views, pages), so it names their types only loosely: a model is anything with ``items`` and
# ``memo``, a page is a ``netarch.pages.plan.PageSpec``, a view builder returns
# ``netarch.views.base.View`` objects, a facts projection yields ``netarch.facts`` facts.
Model = Any

ENTRY_POINT_GROUP = "netarch.kits"


@dataclass(frozen=True)
class Kit:
    """One product's knowledge. Everything but ``name``, ``title`` and ``products`` is optional."""

    # Stable key: the rule family (``checks: {metallb: off}``) and the kit's folder name.
    name: str
    # How readers know the product, e.g. "MetalLB".
    title: str
    # ``product:`` values of components that make the kit active.
    products: tuple[str, ...]
    # Other names of the product its rules may use: the project that ships it ("k3s" for
    # ServiceLB) or its earlier name.
    also_known_as: tuple[str, ...] = ()
    # Diagram and table builders, run only while the kit is active.
    views: tuple[Callable[[Model], Sequence[Any]], ...] = ()
    # Pages the kit adds to the default page plan.
    pages: tuple[Any, ...] = ()
    # Top-level model sections that only make sense with this product.
    sections: tuple[str, ...] = ()
    # The kit's folder: its ``templates/`` are searched after the core's.
    folder: Path | None = None
    # Product facts that core rules and views read, e.g. the UDP port of each encapsulation
    # the product uses by default ({"vxlan": 8472}) or the bytes it reserves per encapsulation.
    overlay_ports: Mapping[str, int] = field(default_factory=dict)
    overlay_overhead: Mapping[str, int] = field(default_factory=dict)
    # What the product accepts for its settings (Helm values, controller options), one JSON
    # Schema per dotted key, for the core's settings rule (NA175). Keys it leaves out are
    # documented as they are.
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The network facts the kit's product provides (netarch.facts): its model section (and the
    # core sections that name it) translated into address ranges, pools, BGP sessions, the
    # Service proxy ... so that the core's rules and views check them whoever provides them.
    facts: Callable[[Model], Iterable[Any]] | None = None
    # How the product's real configuration (its objects, ConfigMaps, controller arguments)
    # becomes the same facts, for ``netarch drift``: a ``netarch.drift.readers.ConfigReader``.
    config_reader: Any = None

    @property
    def schema(self) -> dict[str, Any]:
        """The model sections the kit adds to the schema (its ``schema.json``), or none."""
        path = self.folder / "schema.json" if self.folder else None
        if path is None or not path.is_file():
            return {}
        return _read_schema(path)

    @property
    def templates(self) -> Path | None:
        folder = self.folder / "templates" if self.folder else None
        return folder if folder is not None and folder.is_dir() else None

    def is_active(self, model: Model) -> bool:
        return any(
            component.get("product") in self.products for component in model.items("components")
        )


@cache
def _read_schema(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise KitLoadError(f"{path}: the kit's schema does not load: {error}") from error


class KitLoadError(Exception):
    """An installed kit could not be loaded: an environment problem, not a model problem."""


@cache
def installed_kits() -> tuple[Kit, ...]:
    """Every kit registered under ``netarch.kits``, by name; loaded once per process."""
    kits: dict[str, Kit] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            kit = entry.load()
        except Exception as error:  # a broken third-party package must say who it is
            raise KitLoadError(
                f"the kit {entry.name!r} ({entry.value}) does not load: {error}"
            ) from error
        if not isinstance(kit, Kit):
            raise KitLoadError(f"the kit {entry.name!r} ({entry.value}) is not a netarch Kit")
        if kit.name in kits:
            continue  # the same distribution seen twice on sys.path
        kit.schema  # noqa: B018  (a kit whose schema does not load fails here, by name)
        kits[kit.name] = kit
    if not kits:
        raise KitLoadError(
            "no kit is registered under the 'netarch.kits' entry points: netarch's own"
            " installation is incomplete; reinstall it (its wheel, or `pip install -e .` in a checkout)"
        )
    return tuple(sorted(kits.values(), key=lambda kit: kit.name))


def active_kits(model: Model) -> tuple[Kit, ...]:
    """The installed kits whose products the model uses, by name (computed once per model)."""
    memo: Any = model.memo.get("active_kits")
    if memo is None:
        memo = model.memo["active_kits"] = tuple(k for k in installed_kits() if k.is_active(model))
    return memo


def product_of(model: Model, component_id: object) -> str | None:
    """The product of the component that ``component_id`` names, if it names one."""
    if not isinstance(component_id, str) or not model.ids.has("component", component_id):
        return None
    product = model.element("component", component_id).get("product")
    return product if isinstance(product, str) else None


def kit_of_product(model: Model, product: str | None) -> Kit | None:
    """The active kit that knows ``product``, if any."""
    return next((kit for kit in active_kits(model) if product in kit.products), None)


__all__ = [
    "ENTRY_POINT_GROUP",
    "Kit",
    "KitLoadError",
    "active_kits",
    "installed_kits",
    "kit_of_product",
    "product_of",
]
