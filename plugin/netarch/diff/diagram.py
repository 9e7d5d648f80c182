"""The change drawn: one flowchart of the elements a change touches, marked added, removed,
changed or renamed, with the unchanged elements they refer to drawn plainly for context.

All Mermaid text comes from netarch's builder, which escapes every label; the diagram is
bounded (``MAX_NODES``) so that a huge change still gives a readable, parseable diagram.
"""

from __future__ import annotations

from netarch.diff import DiffResult
from netarch.diff.compare import ADDED, GROUPS, REMOVED, RENAMED, Change, show_value
from netarch.mermaid import EdgeStyle, Flowchart
from netarch.model.network import Model

MAX_NODES = 60
_LABEL_CHARS = 60

# Borders only: the theme keeps each node's fill and text colour (a site's dark palette
# colours the labels itself), so the text stays readable in light and dark alike.
STYLES: dict[str, dict[str, str]] = {
    "added": {"stroke": "#1a7f37", "stroke-width": "3px"},
    "removed": {"stroke": "#cf222e", "stroke-width": "3px", "stroke-dasharray": "6 4"},
    "changed": {"stroke": "#bf8700", "stroke-width": "3px"},
    "renamed": {"stroke": "#0969da", "stroke-width": "3px"},
    "context": {"stroke": "#8c959f", "stroke-width": "1px", "stroke-dasharray": "2 2"},
}

LEGEND = (
    "Legend (borders): green = added, red dashed = removed, amber = changed, blue = renamed,"
    " grey dotted = unchanged element they refer to."
)


def change_diagram(result: DiffResult) -> str | None:
    """The Mermaid text, or None when nothing changed or a side did not load (everything
    would be marked added or removed, which says nothing the load error does not)."""
    if not (result.base.loaded and result.head.loaded) or not result.changes:
        return None
    shown = result.changes[:MAX_NODES]  # impact first: those are the ones to see
    changes = [c for c in shown if c.kind != "settings"]
    settings = [c for c in shown if c.kind == "settings"]
    chart = Flowchart("LR")
    for name, style in STYLES.items():
        chart.class_def(name, style)
    drawn: dict[tuple[str, str], str] = {}
    for group, title in GROUPS.items():
        members = [c for c in (*changes, *settings) if c.group == group]
        if not members:
            continue
        with chart.subgraph(f"group:{group}", title) as box:
            for change in members:
                # A section's settings can fall into two groups (the cluster's ranges, its CNI).
                key = (
                    f"{change.group}:{change.id}"
                    if change.kind == "settings"
                    else (f"{change.kind}:{change.id}")
                )
                box.node(key, _label(change))
                chart.add_class(change.change, key)
                drawn[(change.kind, change.id)] = key
    # Each changed element's references to other elements, from the side it exists in.
    context: list[str] = []
    for change in changes:
        model = result.base.model if change.change == REMOVED else result.head.model
        for kind, target in _references_of(model, change.kind, change.id):
            if (kind, target) not in drawn:
                if len(drawn) >= MAX_NODES:
                    continue
                key = drawn[(kind, target)] = chart.node(f"{kind}:{target}", f"{kind} {target}")
                context.append(key)
            chart.edge(drawn[(change.kind, change.id)], drawn[(kind, target)], style=_edge(change))
    if context:
        chart.add_class("context", *context)
    return chart.render().text


def _edge(change: Change) -> EdgeStyle:
    return EdgeStyle.DOTTED if change.change == REMOVED else EdgeStyle.SOLID


def _label(change: Change) -> str:
    if change.kind == "settings":
        head = f"settings of {change.id}"
    elif change.change == RENAMED:
        head = f"{change.kind} {change.old_id} → {change.id}"
    else:
        head = f"{change.kind} {change.id}"
    lines = [f"{change.change}: {head}"]
    if change.change not in (ADDED, REMOVED):
        for field in change.fields[:2]:
            old, new = show_value(field.old), show_value(field.new)
            lines.append(_short(f"{field.name}: {old} → {new}"))
        if len(change.fields) > 2:
            lines.append(f"and {len(change.fields) - 2} more")
    return "\n".join(lines)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def _references_of(model: Model | None, kind: str, element_id: str) -> list[tuple[str, str]]:
    """(kind, id) of every element that ``element_id``'s own content refers to."""
    if model is None or not model.ids.has(kind, element_id):
        return []
    path = model.element_path(kind, element_id)
    nested = {
        d.element_path
        for d in model.ids.definitions.values()
        if len(d.element_path) > len(path) and d.element_path[: len(path)] == path
    }
    found: dict[tuple[str, str], None] = {}
    for reference in model.ids.references:
        if reference.target is None or reference.path[: len(path)] != path:
            continue
        if any(reference.path[: len(inner)] == inner for inner in nested):
            continue  # a nested element's reference belongs to that element
        target = (reference.target.kind, reference.target.id)
        if target != (kind, element_id):
            found[target] = None
    return list(found)
