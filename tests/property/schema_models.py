"""Network models drawn from the model's own JSON Schema, for property tests.

The schema says what a model may hold; this walks it and draws a document. Three things the
schema cannot say are taken care of so that most drawn models load: ids are unique per kind
(``x-netarch-id``), every reference (``x-netarch-ref``) names an id of its kind that the drawn
model defines, and an element whose required reference has nothing to name is left out (or,
where it cannot be, the whole draw is thrown away by the caller's ``assume``). Addresses come
from small pools of IPv4 and IPv6 values, with a few that only the schema's pattern accepts.

``empty_lists=True`` includes every optional list, empty: the models that exposed views which
assumed a list had an item.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from netarch.model.network import network_schema

# Values that match the address patterns of the schema: real ones of both families, and a
# few that only the pattern accepts (the schema lets them through; the rules flag them).
IPS = ["10.0.0.1", "10.0.0.10", "192.168.1.11", "fd00::1", "2001:db8::10", "1.2.3", "fe80::1"]
CIDRS = [
    "10.0.0.0/16",
    "10.96.0.0/12",
    "192.168.1.0/24",
    "fd00:10::/64",
    "2001:db8::/48",
    "10.0.0.0/33",
    "0.0.0.0/0",
]
RANGES = [*CIDRS[:4], "10.0.0.10-10.0.0.20", "fd00::10-fd00::20"]
SPECIAL_PATTERNS = {
    "^[0-9A-Fa-f:.]+$": IPS,
    "^[0-9A-Fa-f:.]+/[0-9]{1,3}$": CIDRS,
    "^[0-9A-Fa-f:.]+(/[0-9]{1,3}|-[0-9A-Fa-f:.]+)$": RANGES,
    "^[0-9A-Fa-f:.]+(\\.\\.[0-9A-Fa-f:.]+)?$": [*IPS[:4], "10.0.0.1..10.0.0.5"],
    "^[0-9.]+$": ["10.0.0.1", "192.168.1.1"],
}
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=24
).filter(lambda text: text.strip() != "")
MAX_ITEMS = 3


@dataclass
class _Id:
    kind: str
    value: str | int


@dataclass
class _Ref:
    kinds: tuple[str, ...]
    pick: int


@dataclass
class _Optional:
    """An optional property's value: dropped when it holds a reference that cannot resolve."""

    value: Any


@dataclass
class _Items:
    items: list[Any]
    min_items: int
    unique: bool


@dataclass
class _Draft:
    counters: dict[str, int] = field(default_factory=dict)

    def new_id(self, kind: str, integer: bool) -> _Id:
        # Unique within a kind, and the same across kinds (a node and a component may both
        # be "x0"): views must not mix up elements of two kinds that share an id.
        number = self.counters.get(kind, 0)
        self.counters[kind] = number + 1
        value: str | int = 100 + number if integer else f"x{number}"
        return _Id(kind, value)


class _Invalid(Exception):
    """A required reference with nothing to name, where nothing around it can be dropped."""


def _deref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _is_list(schema: dict[str, Any], root: dict[str, Any]) -> bool:
    schema = _deref(schema, root)
    return schema.get("type") == "array" and not schema.get("minItems")


def _draw(draw: Any, schema: dict[str, Any], root: dict[str, Any], draft: _Draft, empty: bool):
    schema = _deref(schema, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema and "not" not in schema:
        return draw(st.sampled_from(schema["enum"]))
    for key in ("oneOf", "anyOf"):
        if key in schema:
            branch = draw(st.sampled_from(schema[key]))
            return _draw(draw, branch, root, draft, empty)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = draw(st.sampled_from(kind))
    if "x-netarch-id" in schema:
        return draft.new_id(schema["x-netarch-id"], kind == "integer")
    if "x-netarch-ref" in schema and kind != "array":
        kinds = schema["x-netarch-ref"]
        return _Ref(tuple([kinds] if isinstance(kinds, str) else kinds), draw(st.integers(0, 7)))
    if kind == "object" or "properties" in schema:
        return _object(draw, schema, root, draft, empty)
    if kind == "array":
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + MAX_ITEMS), low + MAX_ITEMS)
        count = low if empty and low == 0 else draw(st.integers(low, high))
        item_schema = schema.get("items", {})
        if "x-netarch-ref" in schema:
            item_schema = {**item_schema, "x-netarch-ref": schema["x-netarch-ref"]}
        items = [_draw(draw, item_schema, root, draft, empty) for _ in range(count)]
        return _Items(items, low, bool(schema.get("uniqueItems")))
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 4_294_967_295)
        return draw(st.integers(low, min(high, low + 70_000)) | st.sampled_from([low, high]))
    if kind == "number":
        return draw(st.integers(schema.get("minimum", 0), schema.get("maximum", 100)))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "string":
        return _string(draw, schema)
    return draw(TEXT)  # no type: any text will do


def _string(draw: Any, schema: dict[str, Any]) -> str:
    pattern = schema.get("pattern")
    if pattern in SPECIAL_PATTERNS:
        return draw(st.sampled_from(SPECIAL_PATTERNS[pattern]))
    if schema.get("format") == "ipv4":
        return draw(st.sampled_from(IPS[:3]))
    if pattern:
        return draw(st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) < 40))
    text = draw(TEXT)
    return text * max(1, -(-schema.get("minLength", 1) // len(text)))


def _object(draw: Any, schema: dict[str, Any], root: dict[str, Any], draft: _Draft, empty: bool):
    required = set(schema.get("required", []))
    value: dict[str, Any] = {}
    for name, sub in schema.get("properties", {}).items():
        if name == "include":
            continue  # includes read other files: not this property's business
        if name in required:
            value[name] = _draw(draw, sub, root, draft, empty)
        elif (empty and _is_list(sub, root)) or draw(st.integers(0, 2)) == 0:
            value[name] = _Optional(_draw(draw, sub, root, draft, empty))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for name in draw(
            st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), max_size=2)
        ):
            value.setdefault(name, _Optional(_draw(draw, extra, root, draft, empty)))
    if len(value) < schema.get("minProperties", 0):
        raise _Invalid
    return value


def _defined(node: Any, found: dict[str, list[str | int]]) -> None:
    if isinstance(node, _Id):
        found.setdefault(node.kind, []).append(node.value)
    elif isinstance(node, (_Optional,)):
        _defined(node.value, found)
    elif isinstance(node, _Items):
        for item in node.items:
            _defined(item, found)
    elif isinstance(node, dict):
        for item in node.values():
            _defined(item, found)


def _resolve(node: Any, ids: dict[str, list[str | int]]) -> Any:
    """The plain document, or _Invalid raised for a subtree that must go."""
    if isinstance(node, _Id):
        return node.value
    if isinstance(node, _Ref):
        names = [str(value) for kind in node.kinds for value in ids.get(kind, [])]
        if not names:
            raise _Invalid
        return names[node.pick % len(names)]
    if isinstance(node, _Items):
        items = []
        for item in node.items:
            try:
                resolved = _resolve(item, ids)
            except _Invalid:
                continue
            if not (node.unique and resolved in items):
                items.append(resolved)
        if len(items) < node.min_items:
            raise _Invalid
        return items
    if isinstance(node, dict):
        value = {}
        for key, item in node.items():
            if isinstance(item, _Optional):
                with contextlib.suppress(_Invalid):
                    value[key] = _resolve(item.value, ids)
            else:
                value[key] = _resolve(item, ids)
        return value
    return node


def _prune(node: Any, ids: dict[str, list[str | int]]) -> Any:
    """``node`` without the subtrees whose references cannot resolve (as wrappers still)."""
    if isinstance(node, _Optional):
        try:
            _resolve(node.value, ids)
        except _Invalid:
            return None
        return _Optional(_prune(node.value, ids))
    if isinstance(node, _Items):
        kept = []
        for item in node.items:
            try:
                _resolve(item, ids)
            except _Invalid:
                continue
            kept.append(_prune(item, ids))
        return _Items(kept, node.min_items, node.unique)
    if isinstance(node, dict):
        pruned = {key: _prune(item, ids) for key, item in node.items()}
        return {key: item for key, item in pruned.items() if item is not None}
    return node


@st.composite
def schema_models(draw: Any, empty_lists: bool | None = None) -> dict[str, Any] | None:
    """A model document the schema accepts (mostly: None when the draw could not be made
    consistent, which the caller ``assume``s away)."""
    root = network_schema()
    empty = draw(st.booleans()) if empty_lists is None else empty_lists
    try:
        tree = _object(draw, root, root, _Draft(), empty)
    except _Invalid:
        return None
    # Dropping an element drops the ids it defines, which may leave other references with
    # nothing to name: prune until the set of ids stands still.
    for _ in range(6):
        ids: dict[str, list[str | int]] = {}
        _defined(tree, ids)
        pruned = _prune(tree, ids)
        after: dict[str, list[str | int]] = {}
        _defined(pruned, after)
        tree = pruned
        if after == ids:
            break
    try:
        return _resolve(tree, after)
    except _Invalid:
        return None
