"""Element ids and the references between them, driven by annotations in the JSON Schema.

The schema says which values are ids and which are references; this module stays generic.

``"x-netarch-id": "<kind>"``
    On a string (or integer) property: its value is the id of the element that holds it, within
    ``kind``. Example: ``components.items.properties.id`` with ``"x-netarch-id": "component"``.
``"x-netarch-id-keys": "<kind>"``
    On a mapping (object) schema: each *key* of the mapping is an id of ``kind``, and the value
    under it is the element.
``"x-netarch-ref": "<kind>"`` or ``["<kind>", ...]``
    On a string (or integer) property: the value must be an existing id of (one of) the kind(s).
    On an array schema it applies to every item; it can equally sit on the array's ``items``.
``"x-netarch-ref-keys": "<kind>"`` or ``["<kind>", ...]``
    On a mapping schema: each key must be an existing id (per-node settings keyed by node id).

Ids are compared as strings (``vlan: 100`` refers to the id ``100``) and share one namespace per
kind across the whole document. The walk follows ``$ref`` (local), ``allOf``, ``properties``,
``patternProperties``, ``additionalProperties``, ``prefixItems``, ``items``, ``if``/``then``/
``else`` and ``dependentSchemas``; for ``oneOf``/``anyOf`` it takes the branches the value
matches (or, if none does, the one it most likely meant, so that a schema error elsewhere in an
element does not hide its references).

Codes: NA020 reference to an id that is not defined, NA021 duplicate id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from netarch.diagnostics import Diagnostic, Location
from netarch.model.schema_check import (
    SectionMemo,
    best_branch,
    did_you_mean,
    resolve_ref,
    show,
    subject_of,
    validator_for,
)
from netarch.model.source import Document, PathTuple

ID = "x-netarch-id"
ID_KEYS = "x-netarch-id-keys"
REF = "x-netarch-ref"
REF_KEYS = "x-netarch-ref-keys"


@dataclass(frozen=True)
class IdDefinition:
    kind: str
    id: str
    # Where the id is written: ("components", 0, "id"), or ("nodes", "n1") for id keys.
    path: PathTuple
    # The element the id names: ("components", 0), or ("nodes", "n1") for id keys.
    element_path: PathTuple
    location: Location


@dataclass(frozen=True)
class Reference:
    kinds: tuple[str, ...]
    id: str
    path: PathTuple
    location: Location
    target: IdDefinition | None  # None when dangling


@dataclass
class IdIndex:
    """Every id by (kind, id), plus every reference; duplicates keep the first definition."""

    definitions: dict[tuple[str, str], IdDefinition] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)

    def has(self, kind: str, element_id: str) -> bool:
        return (kind, element_id) in self.definitions

    def __contains__(self, key: object) -> bool:
        return key in self.definitions

    def get(self, kind: str, element_id: str) -> IdDefinition | None:
        return self.definitions.get((kind, element_id))

    def path_of(self, kind: str, element_id: str) -> PathTuple:
        """Where the id is written; raises ``KeyError`` for an unknown id."""
        return self.definitions[(kind, element_id)].path

    def element_path_of(self, kind: str, element_id: str) -> PathTuple:
        """The element the id names; raises ``KeyError`` for an unknown id."""
        return self.definitions[(kind, element_id)].element_path

    def location_of(self, kind: str, element_id: str) -> Location:
        return self.definitions[(kind, element_id)].location

    def ids(self, kind: str) -> list[str]:
        """Ids of ``kind`` in document order."""
        return [d.id for (k, _), d in self.definitions.items() if k == kind]

    def kinds(self) -> list[str]:
        return sorted({kind for kind, _ in self.definitions})

    def references_to(self, kind: str, element_id: str) -> list[Reference]:
        return [
            r
            for r in self.references
            if r.target is not None and (r.target.kind, r.target.id) == (kind, element_id)
        ]


# What the walk found in each top-level section. Positions are looked up afresh, as lines may
# have moved.
_SECTION_WALKS: SectionMemo[_Found] = SectionMemo()
# Keywords that would make the root's subschemas depend on more than one section's value.
# (patternProperties only pick a section's schema by its own key: the memo still holds.)
_ROOT_APPLICATORS = ("$ref", "allOf", "anyOf", "oneOf", "if", "dependentSchemas",
                     ID, ID_KEYS, REF, REF_KEYS)  # fmt: skip


def check_references(doc: Document, schema: dict[str, Any]) -> tuple[IdIndex, list[Diagnostic]]:
    """Collect ids per kind and check every reference; reports NA020 and NA021."""
    found = _walk_document(doc, schema)
    order = {path: index for index, path in enumerate(doc.value_locations)}
    index = IdIndex()
    diagnostics: list[Diagnostic] = []
    ids = [
        IdDefinition(kind, element_id, path, element, _location(doc, path, key))
        for kind, element_id, path, element, key in found.ids
    ]
    refs = [
        (kinds, ref_id, path, _location(doc, path, key)) for kinds, ref_id, path, key in found.refs
    ]

    for found_id in sorted(ids, key=lambda f: (order.get(f.path, len(order)), f.kind)):
        first = index.definitions.get((found_id.kind, found_id.id))
        if first is None:
            index.definitions[(found_id.kind, found_id.id)] = found_id
            continue
        diagnostics.append(
            doc.diagnostic(
                "NA021",
                found_id.location,
                f"duplicate {found_id.kind} id {show(found_id.id)} "
                f"(first defined at {first.location})",
                hint=f"{found_id.kind} ids must be unique; rename one of them",
                path=found_id.path,
                related=(first.location,),
            )
        )

    places: dict[str, list[str]] | None = None  # only a dangling reference's hint needs them
    for kinds, ref_id, path, location in sorted(
        refs, key=lambda r: (order.get(r[2], len(order)), r[0])
    ):
        target = next((index.get(k, ref_id) for k in kinds if index.has(k, ref_id)), None)
        index.references.append(Reference(kinds, ref_id, path, location, target))
        if target is None:
            places = places if places is not None else definition_places(schema)
            diagnostics.append(_dangling(doc, index, places, kinds, ref_id, path, location))
    diagnostics.sort(key=lambda d: (*d.sort_key(), d.message))
    return index, diagnostics


@dataclass
class _Found:
    """Ids and references by path, without positions: (kind, id, path, element, is_key) and
    (kinds, id, path, is_key)."""

    ids: list[tuple[str, str, PathTuple, PathTuple, bool]] = field(default_factory=list)
    refs: list[tuple[tuple[str, ...], str, PathTuple, bool]] = field(default_factory=list)


def _walk_document(doc: Document, schema: dict[str, Any]) -> _Found:
    """Walk data and schema; under `mkdocs serve`, top-level sections walked before in exactly
    this form are not walked again (a subschema sees only its own section's value)."""
    data = doc.data
    properties = schema.get("properties")
    if (
        not isinstance(data, dict)
        or not isinstance(properties, dict)
        or any(keyword in schema for keyword in _ROOT_APPLICATORS)
    ):
        walker = _Walker(schema)
        walker.walk(data, schema, ())
        return walker.found
    found = _Found()
    additional = schema.get("additionalProperties")
    patterns = schema.get("patternProperties", {})
    for section, value in data.items():
        matching = [sub for pattern, sub in patterns.items() if re.search(pattern, section)]
        sub = properties.get(section, matching[0] if matching else additional)
        fingerprint = doc.section_fingerprint(section)
        part = _SECTION_WALKS.get(schema, section, fingerprint)
        if part is None:
            walker = _Walker(schema)
            walker.walk(value, sub, (section,))
            part = walker.found
            _SECTION_WALKS.put(schema, section, fingerprint, part)
        found.ids += part.ids
        found.refs += part.refs
    return found


def _location(doc: Document, path: PathTuple, key: bool) -> Location:
    return doc.key_location(path) if key else doc.value_location(path)


def _dangling(
    doc: Document,
    index: IdIndex,
    places: dict[str, list[str]],
    kinds: tuple[str, ...],
    ref_id: str,
    path: PathTuple,
    location: Location,
) -> Diagnostic:
    what = " or ".join(kinds)
    known = [element_id for kind in kinds for element_id in index.ids(kind)]
    hints = []
    guess = did_you_mean(ref_id, known)
    if guess is not None:
        hints.append(f"did you mean {show(guess)}?")
    elif not known:
        hints.append(f"no {what} is defined")
    where = [place for kind in kinds for place in places.get(kind, [])]
    if where:
        hints.append(f"{what} ids are defined at {', '.join(dict.fromkeys(where))}")
    return doc.diagnostic(
        "NA020",
        location,
        f"{subject_of(path)} refers to {what} {show(ref_id)}, which is not defined",
        hint="; ".join(hints),
        path=path,
    )


def _kinds(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _as_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value)
    return None  # wrong types are the schema check's business


class _Walker:
    """Walks data and schema together, collecting ids and references."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.validator = validator_for(root)
        self.found = _Found()
        self.seen: set[tuple[PathTuple, str, tuple[str, ...]]] = set()
        self.visiting: set[tuple[int, PathTuple]] = set()

    def once(self, path: PathTuple, role: str, kinds: tuple[str, ...]) -> bool:
        # The same value can be reached through several subschemas (allOf, $ref + siblings).
        key = (path, role, kinds)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def add_id(self, kind: str, value: Any, path: PathTuple, element: PathTuple, key: bool) -> None:
        element_id = _as_id(value)
        if element_id is None or not self.once(path, "id", (kind,)):
            return
        self.found.ids.append((kind, element_id, path, element, key))

    def add_ref(self, kinds: tuple[str, ...], value: Any, path: PathTuple, key: bool) -> None:
        ref_id = _as_id(value)
        if ref_id is None or not kinds or not self.once(path, "ref", kinds):
            return
        self.found.refs.append((kinds, ref_id, path, key))

    def annotations(self, instance: Any, schema: dict[str, Any], path: PathTuple) -> None:
        if ID in schema:
            self.add_id(str(schema[ID]), instance, path, path[:-1], key=False)
        if ID_KEYS in schema and isinstance(instance, dict):
            for key in instance:
                self.add_id(str(schema[ID_KEYS]), key, (*path, key), (*path, key), key=True)
        if REF in schema:
            kinds = _kinds(schema[REF])
            if not isinstance(instance, list):
                self.add_ref(kinds, instance, path, key=False)
            elif _is_array_schema(schema):  # else a list where one id belongs: a schema error
                for position, item in enumerate(instance):
                    self.add_ref(kinds, item, (*path, position), key=False)
        if REF_KEYS in schema and isinstance(instance, dict):
            for key in instance:
                self.add_ref(_kinds(schema[REF_KEYS]), key, (*path, key), key=True)

    def walk(self, instance: Any, schema: Any, path: PathTuple) -> None:
        if not isinstance(schema, dict):
            return
        guard = (id(schema), path)
        if guard in self.visiting:  # a $ref cycle that does not descend into the data
            return
        self.visiting.add(guard)
        try:
            self.annotations(instance, schema, path)
            for sub in self.applicable(instance, schema):
                self.walk(instance, sub, path)
            for child, sub, child_path in self.children(instance, schema, path):
                self.walk(child, sub, child_path)
        finally:
            self.visiting.discard(guard)

    def applicable(self, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        """Subschemas that apply to the same value."""
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield resolve_ref(self.root, ref)
        yield from schema.get("allOf", [])
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                yield from self.matching_branches(instance, branches)
        if "if" in schema:
            chosen = "then" if self.matches(instance, schema["if"]) else "else"
            if chosen in schema:
                yield schema[chosen]
        dependent = schema.get("dependentSchemas")
        if isinstance(dependent, dict) and isinstance(instance, dict):
            yield from (sub for key, sub in dependent.items() if key in instance)

    def matches(self, instance: Any, schema: Any) -> bool:
        return self.validator.evolve(schema=schema).is_valid(instance)

    def matching_branches(self, instance: Any, branches: list[Any]) -> list[Any]:
        matching = [branch for branch in branches if self.matches(instance, branch)]
        if matching:
            return matching
        errors = [list(self.validator.evolve(schema=b).iter_errors(instance)) for b in branches]
        return [branches[best_branch(errors)]]

    def children(
        self, instance: Any, schema: dict[str, Any], path: PathTuple
    ) -> Iterator[tuple[Any, Any, PathTuple]]:
        if isinstance(instance, dict):
            properties = schema.get("properties", {})
            patterns = schema.get("patternProperties", {})
            additional = schema.get("additionalProperties")
            for key, value in instance.items():
                covered = False
                if key in properties:
                    covered = True
                    yield value, properties[key], (*path, key)
                for pattern, sub in patterns.items():
                    if _search(pattern, key):
                        covered = True
                        yield value, sub, (*path, key)
                if not covered and additional is not None:
                    yield value, additional, (*path, key)
        elif isinstance(instance, list):
            prefix = schema.get("prefixItems", [])
            items = schema.get("items")
            for position, item in enumerate(instance):
                if position < len(prefix):
                    yield item, prefix[position], (*path, position)
                elif items is not None:
                    yield item, items, (*path, position)


def _is_array_schema(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "array" or "items" in schema or "prefixItems" in schema


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def definition_places(root: dict[str, Any]) -> dict[str, list[str]]:
    """Where each kind's ids are defined, as path patterns: ``components[*].id``."""
    places: dict[str, list[str]] = {}

    def add(kind: Any, place: str) -> None:
        places.setdefault(str(kind), [])
        if place not in places[str(kind)]:
            places[str(kind)].append(place)

    def visit(schema: Any, parts: tuple[str, ...], refs: frozenset[str]) -> None:
        if not isinstance(schema, dict):
            return
        here = _pattern(parts)
        if ID in schema:
            add(schema[ID], here)
        if ID_KEYS in schema:
            add(schema[ID_KEYS], f"the keys of {here}" if here else "the top-level keys")
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref not in refs:
            visit(resolve_ref(root, ref), parts, refs | {ref})
        for keyword in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(keyword, []):
                visit(sub, parts, refs)
        for keyword in ("then", "else"):
            visit(schema.get(keyword), parts, refs)
        for name, sub in schema.get("properties", {}).items():
            visit(sub, (*parts, name), refs)
        for sub in schema.get("patternProperties", {}).values():
            visit(sub, (*parts, "<key>"), refs)
        visit(schema.get("additionalProperties"), (*parts, "<key>"), refs)
        for sub in schema.get("prefixItems", []):
            visit(sub, (*parts, "[*]"), refs)
        visit(schema.get("items"), (*parts, "[*]"), refs)

    visit(root, (), frozenset())
    return places


def _pattern(parts: tuple[str, ...]) -> str:
    text = ""
    for part in parts:
        text += part if part == "[*]" or not text else f".{part}"
    return text
