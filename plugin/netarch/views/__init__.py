"""Views: the diagrams and tables derived from a checked model, addressed by id."""

from __future__ import annotations

from netarch.model.network import Model
from netarch.registry import active_kits
from netarch.views import network, policy
from netarch.views.base import DiagramView, TableView, View
from netarch.views.diagrams import DIAGRAM_BUILDERS
from netarch.views.tables import TABLE_BUILDERS

__all__ = ["DiagramView", "TableView", "View", "build_views"]


def build_views(model: Model) -> dict[str, View]:
    """Every view the model has data for, keyed by its stable id: the core's, then those of
    the kits the model uses. A kit's view with the id of a core view takes its place: the
    product's own rendering of the same facts."""
    views: dict[str, View] = {}
    core = (
        *TABLE_BUILDERS,
        *network.TABLE_BUILDERS,
        *DIAGRAM_BUILDERS,
        *network.DIAGRAM_BUILDERS,
        *policy.DIAGRAM_BUILDERS,
    )
    for builder in core:
        for view in builder(model):
            if view.id in views:
                raise ValueError(f"two views share the id {view.id!r}")
            views[view.id] = view
    core_ids = set(views)
    for builder in (builder for kit in active_kits(model) for builder in kit.views):
        for view in builder(model):
            if view.id in views and view.id not in core_ids:
                raise ValueError(f"two views share the id {view.id!r}")
            core_ids.discard(view.id)
            views[view.id] = view
    return views
