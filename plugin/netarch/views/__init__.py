"""Views: the diagrams and tables derived from a checked model, addressed by id."""

from __future__ import annotations

from netarch.model.network import Model
from netarch.registry import active_kits
from netarch.views import network
from netarch.views.base import DiagramView, TableView, View
from netarch.views.diagrams import DIAGRAM_BUILDERS
from netarch.views.tables import TABLE_BUILDERS

__all__ = ["DiagramView", "TableView", "View", "build_views"]


def build_views(model: Model) -> dict[str, View]:
    """Every view the model has data for, keyed by its stable id: the core's, then those of
    the kits the model uses."""
    views: dict[str, View] = {}
    kit_builders = [builder for kit in active_kits(model) for builder in kit.views]
    core = (*TABLE_BUILDERS, *network.TABLE_BUILDERS, *DIAGRAM_BUILDERS, *network.DIAGRAM_BUILDERS)
    for builder in (*core, *kit_builders):
        for view in builder(model):
            if view.id in views:
                raise ValueError(f"two views share the id {view.id!r}")
            views[view.id] = view
    return views
