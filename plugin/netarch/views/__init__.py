"""Views: the diagrams and tables derived from a checked model, addressed by id."""

from __future__ import annotations

from netarch.model.network import Model
from netarch.views.base import DiagramView, TableView, View
from netarch.views.diagrams import DIAGRAM_BUILDERS
from netarch.views.tables import TABLE_BUILDERS

__all__ = ["DiagramView", "TableView", "View", "build_views"]


def build_views(model: Model) -> dict[str, View]:
    """Every view the model has data for, keyed by its stable id, in page order."""
    views: dict[str, View] = {}
    for builder in (*TABLE_BUILDERS, *DIAGRAM_BUILDERS):
        for view in builder(model):
            if view.id in views:
                raise ValueError(f"two views share the id {view.id!r}")
            views[view.id] = view
    return views
