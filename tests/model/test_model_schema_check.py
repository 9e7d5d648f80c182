"""Schema violations explained in YAML terms: one diagnostic per problem, at the right place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from netarch.model.schema_check import (
    FORMAT_CHECKER,
    SchemaFileError,
    check_schema,
    did_you_mean,
    load_schema,
)
from netarch.model.source import Document, load_document

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def check(text: str, schema: dict[str, Any]) -> list[str]:
    doc = _doc(text)
    return [d.headline() for d in check_schema(doc, {"$schema": DRAFT, **schema})]


def _doc(text: str) -> Document:
    doc, diagnostics = load_document(Path("net.yaml"), "net.yaml", text=text)
    assert diagnostics == []
    assert doc is not None
    return doc


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


@pytest.mark.parametrize(
    ("text", "schema", "expected"),
    [
        (
            "a: [1]\n",
            obj(a={"type": "array", "minItems": 2}),
            "net.yaml:1:4: error NA010: 'a' needs at least 2 items, has 1 (at a)",
        ),
        (
            "a: [1, 2, 3]\n",
            obj(a={"type": "array", "maxItems": 1}),
            "net.yaml:1:4: error NA010: 'a' allows at most 1 item, has 3 (at a)",
        ),
        (
            "a: [x, y, x]\n",
            obj(a={"uniqueItems": True}),
            "net.yaml:1:11: error NA010: 'a' lists \"x\" twice (items 0 and 2) (at a[2])",
        ),
        (
            "a: [true, 1]\n",
            obj(a={"uniqueItems": True, "maxItems": 1}),
            "net.yaml:1:4: error NA010: 'a' allows at most 1 item, has 2 (at a)",
        ),
        (
            "a: ''\n",
            obj(a={"minLength": 1}),
            "net.yaml:1:4: error NA010: 'a' must be at least 1 character long (at a)",
        ),
        (
            "a: 70000\n",
            obj(a={"maximum": 65535}),
            "net.yaml:1:4: error NA010: 'a' must be at most 65535, got 70000 (at a)",
        ),
        (
            "a: 0\n",
            obj(a={"exclusiveMinimum": 0}),
            "net.yaml:1:4: error NA010: 'a' must be greater than 0, got 0 (at a)",
        ),
        (
            "a: 7\n",
            obj(a={"multipleOf": 4}),
            "net.yaml:1:4: error NA010: 'a' must be a multiple of 4, got 7 (at a)",
        ),
        (
            "a: {}\n",
            obj(a={"minProperties": 1}),
            "net.yaml:1:4: error NA010: 'a' needs at least 1 key, has 0 (at a)",
        ),
        (
            "a: x\n",
            obj(a={"not": {"const": "x"}}),
            "net.yaml:1:4: error NA010: 'a' must not be \"x\" (at a)",
        ),
        (
            "a: [1]\n",
            obj(a={"contains": {"type": "string"}}),
            "net.yaml:1:4: error NA010: 'a': [1] does not contain items matching the given "
            "schema (at a)",
        ),
        (
            "a: {tls: true}\n",
            obj(a={"dependentRequired": {"tls": ["cert"]}}),
            "net.yaml:1:1: error NA013: 'a' is missing the key 'cert', required because 'tls' "
            "is set (at a)",
        ),
        (
            "a: 5\n",
            obj(a={"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}]}),
            "net.yaml:1:4: error NA012: 'a' must be a string or a mapping or empty (null), "
            "got a number (5) (at a)",
        ),
        (
            "a: auot\n",
            obj(a={"anyOf": [{"const": "auto"}, {"type": "integer"}]}),
            "net.yaml:1:4: error NA014: 'a' must be \"auto\" or a whole number, got a string "
            '("auot") (at a)',
        ),
        (
            "a: l3\n",
            obj(a={"oneOf": [{"enum": ["l2", "bgp"]}, {"type": "object"}]}),
            'net.yaml:1:4: error NA014: \'a\' must be "l2" or "bgp" or a mapping, got a string '
            '("l3") (at a)',
        ),
        (
            "a: 5\n",
            obj(a={"oneOf": [{"type": "integer"}, {"type": "number"}]}),
            "net.yaml:1:4: error NA010: 'a' matches more than one of the allowed forms (at a)",
        ),
        (
            "a: {Bad Key: 1}\n",
            obj(a={"propertyNames": {"pattern": "^[a-z]+$"}}),
            "net.yaml:1:5: error NA015: key \"Bad Key\" in 'a' has the wrong format "
            '(at a["Bad Key"])',
        ),
        (
            "a: {zz: 1}\n",
            obj(a={"propertyNames": {"enum": ["x", "y"]}}),
            "net.yaml:1:5: error NA011: key \"zz\" in 'a' is not allowed (at a.zz)",
        ),
        (
            "a: 1\nb: 2\n",
            {"type": "object", "properties": {"a": {}, "b": False}},
            "net.yaml:2:1: error NA011: key 'b' is not allowed at the top level (at b)",
        ),
        (
            "a: {x: 1, y: 2}\n",
            obj(
                a={
                    "allOf": [{"$ref": "#/$defs/base"}],
                    "properties": {"z": {}},
                    "unevaluatedProperties": False,
                }
            )
            | {"$defs": {"base": {"properties": {"x": {}}}}},
            "net.yaml:1:11: error NA011: unknown key 'y' in 'a' (at a.y)",
        ),
        (
            "a: 10.0.0.1/8\n",
            obj(a={"format": "cidr"}),
            "net.yaml:1:4: error NA015: 'a' is not a valid cidr: \"10.0.0.1/8\": 10.0.0.1/8 has "
            "host bits set (at a)",
        ),
        (
            "a: 10.0.0.9-10.0.0.1\n",
            obj(a={"format": "ip-range"}),
            "net.yaml:1:4: error NA015: 'a' is not a valid ip-range: \"10.0.0.9-10.0.0.1\": the "
            "first address is greater than the last (at a)",
        ),
    ],
)
def test_explanations(text: str, schema: dict[str, Any], expected: str) -> None:
    assert check(text, schema) == [expected]


def test_hint_prefers_x_netarch_hint_over_description() -> None:
    schema = obj(
        a={"pattern": "^x", "description": "Some field.", "x-netarch-hint": "starts with x"},
        b={"pattern": "^x", "description": "Some field."},
        c={"pattern": "^x"},
    )
    doc = _doc("a: y\nb: y\nc: y\n")
    hints = [d.hint for d in check_schema(doc, schema)]
    assert hints == ["starts with x", "Some field.", "it must match the regular expression ^x"]


def test_unknown_key_lists_allowed_keys_when_nothing_is_close() -> None:
    schema = obj(name={}, mtu={}) | {"additionalProperties": False}
    (diagnostic,) = check_schema(_doc("qqq: 1\n"), schema)
    assert diagnostic.hint == "allowed keys: name, mtu"
    assert diagnostic.path == "qqq"


def test_all_problems_reported_sorted_and_deduplicated() -> None:
    strict = {"additionalProperties": False, "properties": {"a": {"type": "integer"}}}
    # The same subschema applied twice (allOf) must not report twice.
    schema = {"allOf": [strict, strict], "required": ["z"]}
    lines = check("b: 1\na: x\nc: 2\n", schema)
    assert lines == [
        "net.yaml:1:1: error NA011: unknown key 'b' at the top level (at b)",
        "net.yaml:1:1: error NA013: the document is missing the required key 'z'",
        "net.yaml:2:4: error NA012: 'a' must be a whole number, got a string (\"x\") (at a)",
        "net.yaml:3:1: error NA011: unknown key 'c' at the top level (at c)",
    ]


def test_diagnostics_carry_the_source_line() -> None:
    (diagnostic,) = check_schema(_doc("a:\n  b: oops\n"), obj(a=obj(b={"type": "integer"})))
    assert diagnostic.source_line == "  b: oops"
    assert diagnostic.format_human().splitlines()[1:3] == ["      b: oops", "         ^"]


def test_discriminated_oneof_picks_the_branch_named_by_the_discriminator() -> None:
    schema = obj(
        pool={
            "oneOf": [
                obj(kind={"const": "l2"}, iface={"type": "string"}) | {"required": ["iface"]},
                obj(kind={"const": "bgp"}, asn={"type": "integer"}) | {"required": ["asn"]},
            ]
        }
    )
    assert check("pool: {kind: bgp, asn: x}\n", schema) == [
        "net.yaml:1:24: error NA012: 'asn' must be a whole number, got a string (\"x\") "
        "(at pool.asn)"
    ]


@pytest.mark.parametrize(
    ("word", "options", "expected"),
    [
        ("clustr", ["cluster", "nodes"], "cluster"),
        ("NODES", ["cluster", "nodes"], "nodes"),
        ("xyz", ["cluster", "nodes"], None),
        ("a", [], None),
    ],
)
def test_did_you_mean(word: str, options: list[str], expected: str | None) -> None:
    assert did_you_mean(word, options) == expected


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("ip", ["10.0.0.1", "fd00::1"], ["10.0.0", "10.0.0.1/32"]),
        ("cidr", ["10.244.0.0/16", "fd00::/64"], ["10.244.0.1/16", "10.0.0.0", "10.0.0.0/33"]),
        ("ip-range", ["10.0.0.1-10.0.0.9", "fd00::1 - fd00::2"], ["10.0.0.1", "10.0.0.1-fd00::1"]),
    ],
)
def test_netarch_formats(fmt: str, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert FORMAT_CHECKER.conforms(value, fmt), value
    for value in bad:
        assert not FORMAT_CHECKER.conforms(value, fmt), value


def test_load_schema_accepts_a_valid_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"$schema": DRAFT, "type": "object"}))
    assert load_schema(path) == {"$schema": DRAFT, "type": "object"}


def test_load_schema_can_skip_the_meta_schema_check_only(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"type": 5}')
    assert load_schema(path, check_meta_schema=False) == {"type": 5}
    path.write_text("[]")
    with pytest.raises(SchemaFileError):
        load_schema(path, check_meta_schema=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "object",}', "s.json:1:19: invalid JSON: Expecting property name"),
        ("[]", "s.json: a schema must be a JSON object"),
        ('{"type": 5}', "s.json: invalid JSON Schema at /type: 5 is not valid under any"),
        (None, "s.json: cannot read the schema"),
    ],
)
def test_load_schema_rejects_broken_schemas(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SchemaFileError) as caught:
        load_schema(path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")
