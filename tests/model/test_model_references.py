"""Ids and references found through schema annotations, and the index the views use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netarch.diagnostics import Location
from netarch.model.references import IdIndex, check_references
from netarch.model.source import Document, load_document


def doc_of(text: str) -> Document:
    doc, diagnostics = load_document(Path("net.yaml"), "net.yaml", text=text)
    assert diagnostics == []
    assert doc is not None
    return doc


def refs(text: str, schema: dict[str, Any]) -> tuple[IdIndex, list[str]]:
    index, diagnostics = check_references(doc_of(text), schema)
    return index, [d.headline() for d in diagnostics]


def items(**properties: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "object", "properties": properties}}


ID = {"type": "string", "x-netarch-id": "node"}
REF = {"type": "string", "x-netarch-ref": "node"}

NODES = "nodes:\n  - id: a\n  - id: b\n"


def test_index_api() -> None:
    schema = {"properties": {"nodes": items(id=ID), "uplink": REF, "spare": REF}}
    index, problems = refs(NODES + "uplink: b\nspare: b\n", schema)
    assert problems == []
    assert index.has("node", "a") and ("node", "b") in index
    assert not index.has("node", "c") and not index.has("pod", "a")
    assert index.ids("node") == ["a", "b"]
    assert index.kinds() == ["node"]
    assert index.path_of("node", "b") == ("nodes", 1, "id")
    assert index.element_path_of("node", "b") == ("nodes", 1)
    assert index.location_of("node", "b") == Location("net.yaml", 3, 9)
    definition = index.get("node", "b")
    assert definition is not None
    assert [r.path for r in index.references_to("node", "b")] == [("uplink",), ("spare",)]
    assert all(r.target is definition for r in index.references)
    assert index.get("node", "zzz") is None


def test_id_keys_and_ref_keys() -> None:
    schema = {
        "properties": {
            "nodes": {"type": "object", "x-netarch-id-keys": "node"},
            "settings": {"type": "object", "x-netarch-ref-keys": "node"},
        }
    }
    index, problems = refs("nodes:\n  n1: {}\n  n2: {}\nsettings:\n  n1: x\n  n3: y\n", schema)
    assert index.path_of("node", "n2") == ("nodes", "n2")
    assert index.element_path_of("node", "n2") == ("nodes", "n2")
    assert index.location_of("node", "n2") == Location("net.yaml", 3, 3)
    assert problems == [
        "net.yaml:6:3: error NA020: 'n3' refers to node \"n3\", which is not defined "
        "(at settings.n3)"
    ]


def test_ref_on_an_array_or_on_its_items() -> None:
    schema = {
        "properties": {
            "nodes": items(id=ID),
            "a": {"type": "array", "x-netarch-ref": "node"},
            "b": {"type": "array", "items": REF},
            "c": REF,
        }
    }
    _, problems = refs(NODES + "a: [a, x]\nb: [y, b]\nc: [a]\n", schema)
    # c is a list where one id belongs: a schema error, not a list of references.
    assert problems == [
        "net.yaml:4:8: error NA020: 'a[1]' refers to node \"x\", which is not defined (at a[1])",
        "net.yaml:5:5: error NA020: 'b[0]' refers to node \"y\", which is not defined (at b[0])",
    ]


def test_several_kinds_numbers_as_ids_and_pattern_properties() -> None:
    schema = {
        "properties": {
            "nodes": items(id=ID),
            "vlans": items(id={"type": "integer", "x-netarch-id": "vlan"}),
            "ports": {
                "type": "object",
                "patternProperties": {
                    "^eth": {
                        "properties": {
                            "to": {"x-netarch-ref": ["node", "switch"]},
                            "vlan": {"x-netarch-ref": "vlan"},
                        }
                    }
                },
            },
        }
    }
    text = (
        NODES
        + "vlans: [{id: 100}]\nports:\n  eth0: {to: a, vlan: 100}\n  eth1: {to: s, vlan: '100'}\n"
    )
    index, problems = refs(text, schema)
    assert index.ids("vlan") == ["100"]
    assert problems == [
        "net.yaml:7:14: error NA020: 'to' refers to node or switch \"s\", which is not defined "
        "(at ports.eth1.to)"
    ]


def test_oneof_branches_decide_what_is_a_reference() -> None:
    schema = {
        "properties": {
            "nodes": items(id=ID),
            "pools": {
                "type": "array",
                "items": {
                    "oneOf": [
                        {
                            "properties": {"kind": {"const": "l2"}, "name": {"type": "string"}},
                            "required": ["kind"],
                        },
                        {
                            "properties": {"kind": {"const": "bgp"}, "name": REF},
                            "required": ["kind"],
                        },
                    ]
                },
            },
        }
    }
    text = NODES + "pools:\n  - {kind: l2, name: free}\n  - {kind: bgp, name: c}\n"
    _, problems = refs(text, schema)
    assert problems == [
        "net.yaml:6:23: error NA020: 'name' refers to node \"c\", which is not defined "
        "(at pools[1].name)"
    ]
    # No branch matches (kind is wrong): the likeliest branch's references are still checked.
    text = NODES + "pools:\n  - {kind: bgp, name: c, extra: 1, more: 2}\n"
    schema["properties"]["pools"]["items"]["oneOf"][1]["additionalProperties"] = False
    _, problems = refs(text, schema)
    assert [p.split(": error ")[1][:5] for p in problems] == ["NA020"]


def test_if_then_else_and_recursive_schemas() -> None:
    schema = {
        "$defs": {
            "group": {
                "type": "object",
                "properties": {
                    "id": {"x-netarch-id": "group"},
                    "groups": {"type": "array", "items": {"$ref": "#/$defs/group"}},
                },
                "if": {"required": ["external"]},
                "then": {"properties": {"peer": {"x-netarch-ref": "group"}}},
                "else": {"properties": {"peer": {"type": "string"}}},
            }
        },
        "$ref": "#/$defs/group",
    }
    text = (
        "id: root\n"
        "groups:\n"
        "  - id: g1\n"
        "    groups:\n"
        "      - {id: g2, peer: nothing}\n"
        "      - {id: g3, peer: g9, external: true}\n"
    )
    index, problems = refs(text, schema)
    assert index.ids("group") == ["root", "g1", "g2", "g3"]
    assert index.path_of("group", "g3") == ("groups", 0, "groups", 1, "id")
    assert problems == [
        "net.yaml:6:24: error NA020: 'peer' refers to group \"g9\", which is not defined "
        "(at groups[0].groups[1].peer)"
    ]


def test_duplicate_ids_keep_the_first_definition() -> None:
    schema = {"properties": {"nodes": items(id=ID), "more": {"x-netarch-id-keys": "node"}}}
    index, problems = refs(NODES + "more:\n  a: {}\n", schema)
    assert index.path_of("node", "a") == ("nodes", 0, "id")
    assert problems == [
        'net.yaml:5:3: error NA021: duplicate node id "a" (first defined at net.yaml:2:9) '
        "(at more.a)"
    ]
    _, diagnostics = check_references(doc_of(NODES + "more:\n  a: {}\n"), schema)
    assert diagnostics[0].related == (Location("net.yaml", 2, 9),)


def test_dangling_hint_names_where_ids_are_defined() -> None:
    schema = {
        "properties": {
            "zones": {"additionalProperties": {"x-netarch-id-keys": "rack"}},
            "at": {"x-netarch-ref": "rack"},
        }
    }
    index, diagnostics = check_references(
        doc_of("zones:\n  z1: {rack-1: {}}\nat: rakc-1\n"), schema
    )
    assert index.path_of("rack", "rack-1") == ("zones", "z1", "rack-1")
    (dangling,) = diagnostics
    assert (
        dangling.hint == 'did you mean "rack-1"?; rack ids are defined at the keys of zones.<key>'
    )


def test_wrong_types_are_left_to_the_schema_check() -> None:
    schema = {"properties": {"nodes": items(id=ID), "uplink": REF}}
    index, problems = refs("nodes:\n  - id: {x: 1}\n  - id: true\nuplink: [a]\n", schema)
    assert index.definitions == {}
    assert problems == []


def test_oneof_branches_behind_refs_resolve_against_the_root_schema() -> None:
    schema = {
        "$defs": {
            "l2": {
                "properties": {"kind": {"const": "l2"}, "peer": {"type": "string"}},
                "required": ["kind"],
            },
            "bgp": {
                "properties": {"kind": {"const": "bgp"}, "peer": REF},
                "required": ["kind"],
            },
        },
        "properties": {
            "nodes": items(id=ID),
            "pools": {"items": {"oneOf": [{"$ref": "#/$defs/l2"}, {"$ref": "#/$defs/bgp"}]}},
        },
    }
    text = NODES + "pools:\n  - {kind: l2, peer: zz}\n  - {kind: bgp, peer: c}\n"
    _, problems = refs(text, schema)
    assert problems == [
        "net.yaml:6:23: error NA020: 'peer' refers to node \"c\", which is not defined "
        "(at pools[1].peer)"
    ]
