"""Compare two checked models element by element, the way a network reviewer reads a change.

Elements are matched by (kind, id) from the id index the schema annotations build, so a list
that is only reordered, or an element moved to another include file, is not a change. An
element removed and one added with the same content under another id is a rename. Whatever is
not inside an element (``cluster.pod_cidr``, ``metallb.speakers`` ...) is compared by its path
and reported per top-level section.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from netarch.diagnostics import Location
from netarch.model.network import Model, ModelPath
from netarch.model.source import format_path

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"

# The groups a reviewer thinks in, in the order the report shows them.
GROUPS: dict[str, str] = {
    "address-plan": "Address plan",
    "topology": "Topology",
    "load-balancing": "Load balancing",
    "routing": "Routing",
    "policy": "Policy and isolation",
    "components": "Components and versions",
    "flows": "Flows",
    "pages": "Pages",
    "other": "Other",
}

_GROUP_OF_KIND = {
    "subnet": "address-plan",
    "pool": "address-plan",
    "lb-pool": "address-plan",
    "zone": "topology",
    "node": "topology",
    "vpc": "topology",
    "vlan": "topology",
    "lb-service": "load-balancing",
    "l2-advertisement": "load-balancing",
    "bgp-peer": "routing",
    "bgp-advertisement": "routing",
    "policy": "policy",
    "tenant": "policy",
    "pod": "policy",
    "property": "policy",
    "component": "components",
    "layer": "components",
    "variant": "components",
    "hook": "components",
    "map": "components",
    "flow": "flows",
    "page": "pages",
    "example": "pages",
    "claim": "pages",
}

# Settings outside elements, by path prefix (the longest prefix wins).
_GROUP_OF_PREFIX: dict[tuple[str, ...], str] = {
    ("cluster",): "topology",
    ("nodes",): "topology",
    ("zones",): "topology",
    ("links",): "topology",
    ("vpcs",): "topology",
    ("pod_networking",): "topology",
    ("egress",): "topology",
    ("load_balancing",): "load-balancing",
    ("service_load_balancing",): "load-balancing",
    ("metallb",): "load-balancing",
    ("metallb", "pools"): "address-plan",
    ("metallb", "bgp"): "routing",
    ("routing",): "routing",
    ("policies",): "policy",
    ("tenants",): "policy",
    ("identities",): "policy",
    ("policy_enforcement",): "policy",
    ("security_properties",): "policy",
    ("ports",): "policy",
    ("components",): "components",
    ("layers",): "components",
    ("variants",): "components",
    ("flows",): "flows",
    ("pages",): "pages",
    ("site",): "pages",
    ("examples",): "pages",
    ("claims",): "pages",
}

# Keys that hold addresses or ranges: a change there changes the address space.
_ADDRESS_KEY = re.compile(
    r"(cidr|cidrs|networks?|address|addresses|range|prefix|dns_service_ip|vip|vips|gateway|"
    r"exclude_ips|external_ip|cluster_ip|u2o_interconnection_ip|aggregation_length)$"
)
_ASN_KEY = re.compile(r"(^|_)asn$")
_POLICY_KEY = re.compile(
    r"^(action|scope|from|to|ports|enforced_by|automatic|masquerade|direction)$"
)
_ANNOUNCEMENT_KEY = re.compile(
    r"^(mode|announcement|announced_by|advertises|speakers|external_traffic_policy|l2|nodes)$"
)
_RANGE_KINDS = {"subnet", "pool", "lb-pool"}
_PEERING_KINDS = {"bgp-peer", "bgp-advertisement", "l2-advertisement"}
_POLICY_KINDS = {"policy"}
# Lists whose order means something (a path's hops, a sequence's steps); others are sets.
_ORDERED_KEYS = {"hops", "participants", "steps", "cni_chain", "pipelines", "views", "nav"}


def show_value(value: Any) -> str:
    """A value as a reviewer reads it: lists as "a, b", mappings as JSON."""
    if value is MISSING:
        return "—"
    if isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
        return ", ".join(str(item) for item in value) if value else "[]"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _Missing:
    """The value of a field that one side does not have (JSON: the key ``old``/``new`` is
    null and ``old_present``/``new_present`` is false)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    path: tuple[str | int, ...]  # relative to the element (or the document for settings)
    old: Any
    new: Any
    location: Location | None  # HEAD (BASE for a field that HEAD removed)

    @property
    def name(self) -> str:
        return format_path(self.path) or "(value)"


@dataclass
class Change:
    """One element (or section's settings) that differs between BASE and HEAD."""

    change: str  # added / removed / changed / renamed
    kind: str  # the element kind (component, lb-pool ...) or "settings"
    id: str  # the element id in HEAD (BASE for a removal), or the section name
    group: str
    location: Location | None  # HEAD file:line, BASE for a removal
    old_id: str | None = None  # for a rename
    base_location: Location | None = None
    fields: list[FieldChange] = field(default_factory=list)
    # Why it alters reachability or address space; empty when it does not.
    impact: str = ""

    @property
    def label(self) -> str:
        if self.kind == "settings":
            return f"settings of {self.id}"
        if self.change == RENAMED:
            return f"{self.kind} {self.old_id} -> {self.id}"
        return f"{self.kind} {self.id}"


@dataclass(frozen=True)
class _Element:
    kind: str
    id: str
    path: ModelPath
    id_path: ModelPath  # where the id is written, relative to the element (() for id keys)
    leaves: dict[tuple[str | int, ...], Any]  # own content, nested elements left out


def compare_models(base: Model | None, head: Model | None) -> list[Change]:
    """Every change from ``base`` to ``head``; a side that did not load counts as empty."""
    old = _elements(base)
    new = _elements(head)
    changes: list[Change] = []
    removed = [key for key in old if key not in new]
    added = [key for key in new if key not in old]
    for key in old.keys() & new.keys():
        fields = _field_changes(
            old[key].leaves, new[key].leaves, head, new[key].path, base, old[key].path
        )
        if fields:
            element = new[key]
            changes.append(
                Change(
                    CHANGED,
                    element.kind,
                    element.id,
                    _GROUP_OF_KIND.get(element.kind, "other"),
                    # The line a reviewer opens: the first changed value (HEAD when it has it).
                    fields[0].location or _element_location(head, element),
                    base_location=_element_location(base, old[key]),
                    fields=fields,
                )
            )
    # A rename: the same content (its id aside) under a new id of the same kind. Added
    # elements are bucketed by content, so a change renaming thousands stays linear.
    unmatched = set(added)
    twins: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key in added:
        twins.setdefault(_content_key(new[key]), []).append(key)
    for key in removed:
        was = old[key]
        candidates = twins.get(_content_key(was), [])
        twin = candidates.pop(0) if candidates else None
        if twin is None:
            changes.append(_whole(REMOVED, was, base))
            continue
        unmatched.discard(twin)
        element = new[twin]
        changes.append(
            Change(
                RENAMED,
                element.kind,
                element.id,
                _GROUP_OF_KIND.get(element.kind, "other"),
                _element_location(head, element),
                old_id=was.id,
                base_location=_element_location(base, was),
            )
        )
    changes += [_whole(ADDED, new[key], head) for key in added if key in unmatched]
    changes += _settings_changes(base, head)
    for change in changes:
        change.impact = _impact(change)
    return sorted(changes, key=_order)


def _order(change: Change) -> tuple[int, int, str, str]:
    groups = list(GROUPS)
    return (0 if change.impact else 1, groups.index(change.group), change.kind, change.id)


def _elements(model: Model | None) -> dict[tuple[str, str], _Element]:
    if model is None:
        return {}
    definitions = list(model.ids.definitions.values())
    element_paths = {d.element_path for d in definitions}
    elements = {}
    for definition in definitions:
        path = definition.element_path
        value = _at(model.data, path)
        id_path = definition.path[len(path) :]
        leaves = dict(_leaves(value, (), path, element_paths))
        elements[(definition.kind, definition.id)] = _Element(
            definition.kind, definition.id, path, id_path, leaves
        )
    return elements


def _at(data: Any, path: ModelPath) -> Any:
    for step in path:
        data = data[step]
    return data


def _leaves(
    value: Any,
    relative: tuple[str | int, ...],
    absolute: ModelPath,
    skip: set[ModelPath],
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Scalars (and lists of scalars) by path, leaving out nested elements."""
    if isinstance(value, dict):
        if not value:
            yield relative, {}
        for key, item in value.items():
            if (*absolute, key) not in skip:
                yield from _leaves(item, (*relative, key), (*absolute, key), skip)
    elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        for index, item in enumerate(value):
            if (*absolute, index) not in skip:
                yield from _leaves(item, (*relative, index), (*absolute, index), skip)
    else:
        yield relative, _comparable(value, relative)


def _comparable(value: Any, path: tuple[str | int, ...]) -> Any:
    """Lists of scalars compare as sets unless their order means something."""
    if isinstance(value, list) and _leaf_key(path) not in _ORDERED_KEYS:
        return sorted(value, key=repr)
    return value


def _content_key(element: _Element) -> tuple[str, str]:
    """The element's kind and content without its id; ``repr`` tells 1, 1.0, "1" and true
    apart, and the leaves are in document order, which is the same for the same content."""
    content = [(path, value) for path, value in element.leaves.items() if path != element.id_path]
    return element.kind, repr(sorted(content, key=lambda item: repr(item[0])))


def _field_changes(
    old: dict[tuple[str | int, ...], Any],
    new: dict[tuple[str | int, ...], Any],
    head: Model | None,
    prefix: ModelPath,
    base: Model | None,
    base_prefix: ModelPath | None = None,
) -> list[FieldChange]:
    fields = []
    for path in sorted(old.keys() | new.keys(), key=repr):
        was, now = old.get(path, MISSING), new.get(path, MISSING)
        if was == now and type(was) is type(now):
            continue
        if now is not MISSING and head is not None:
            where = head.location((*prefix, *path))
        elif base is not None:
            where = base.location((*(base_prefix or prefix), *path))
        else:
            where = None
        fields.append(FieldChange(path, was, now, where))
    return fields


def _whole(change: str, element: _Element, model: Model | None) -> Change:
    fields = [
        FieldChange(
            path,
            value if change == REMOVED else MISSING,
            value if change == ADDED else MISSING,
            None,
        )
        for path, value in element.leaves.items()
        if path != element.id_path
    ]
    return Change(
        change,
        element.kind,
        element.id,
        _GROUP_OF_KIND.get(element.kind, "other"),
        _element_location(model, element),
        fields=fields,
    )


def _element_location(model: Model | None, element: _Element) -> Location | None:
    if model is None:
        return None
    return model.element_location(element.kind, element.id)


def _settings_changes(base: Model | None, head: Model | None) -> list[Change]:
    """Values outside every element, one change per top-level section and group."""
    old = _settings(base)
    new = _settings(head)
    fields = _field_changes(old, new, head, (), base)
    by_section: dict[tuple[str, str], list[FieldChange]] = {}
    for change in fields:
        section = str(change.path[0])
        by_section.setdefault((section, _group_of_path(change.path)), []).append(change)
    changes = []
    for (section, group), section_fields in by_section.items():
        in_old = base is not None and section in base.data
        in_new = head is not None and section in head.data
        kind = CHANGED if in_old and in_new else ADDED if in_new else REMOVED
        # The first changed value is the line a reviewer opens; a removed one is in BASE.
        where = section_fields[0].location
        changes.append(Change(kind, "settings", section, group, where, fields=section_fields))
    return changes


def _settings(model: Model | None) -> dict[tuple[str | int, ...], Any]:
    if model is None:
        return {}
    skip = {d.element_path for d in model.ids.definitions.values()}
    return dict(_leaves(model.data, (), (), skip))


def _group_of_path(path: tuple[str | int, ...]) -> str:
    keys = tuple(step for step in path if isinstance(step, str))
    if keys[:1] == ("cluster",) and _ADDRESS_KEY.search(_leaf_key(path)):
        return "address-plan"  # the cluster's ranges, gateway, DNS IP and VIP
    for length in range(len(keys), 0, -1):
        group = _GROUP_OF_PREFIX.get(keys[:length])
        if group:
            return group
    return "other"


def _leaf_key(path: tuple[str | int, ...]) -> str:
    return next((str(step) for step in reversed(path) if isinstance(step, str)), "")


def _impact(change: Change) -> str:
    """Why a change alters reachability or address space, in a few words; "" if it does not."""
    if change.change in (ADDED, REMOVED):
        verb = change.change
        if change.kind in _RANGE_KINDS:
            return f"address space: {change.kind} {verb}"
        if change.kind in _PEERING_KINDS:
            return f"routing: {change.kind} {verb}"
        if change.kind in _POLICY_KINDS:
            return f"reachability: policy {verb}"
    if change.change == RENAMED:
        return ""
    reasons = []
    for field_change in change.fields:
        key = _leaf_key(field_change.path)
        top = str(field_change.path[0])
        if change.kind == "policy" and _POLICY_KEY.match(top):
            # A policy's peers and ports are mappings and lists: named by their top key.
            reasons.append(f"reachability: {top}")
        elif _ADDRESS_KEY.search(key):
            reasons.append(f"address space: {field_change.name}")
        elif _ASN_KEY.search(key):
            reasons.append(f"routing: {field_change.name}")
        elif change.group == "policy" and _POLICY_KEY.match(key):
            reasons.append(f"reachability: {field_change.name}")
        elif change.group in ("load-balancing", "routing") and _ANNOUNCEMENT_KEY.match(key):
            reasons.append(f"announcement: {field_change.name}")
    return "; ".join(dict.fromkeys(reasons))
