"""A table of broken models and the exact diagnostics each must produce, all in one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from netarch.diagnostics import Diagnostic

# A miniature network schema exercising every check: ids, id keys, references, oneOf, $ref.
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["cluster"],
    "properties": {
        "cluster": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "description": "Cluster name."},
                "pod_cidr": {"$ref": "#/$defs/cidr"},
                "service_cidr": {"type": "string", "format": "cidr"},
                "mtu": {"type": "integer", "minimum": 576},
                "dns": {"type": "array", "items": {"type": "string", "format": "ipv4"}},
            },
        },
        "nodes": {
            "type": "array",
            "uniqueItems": True,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "role"],
                "properties": {
                    "id": {"type": "string", "x-netarch-id": "node"},
                    "role": {"enum": ["control-plane", "worker"]},
                    "address": {"type": "string", "format": "ipv4"},
                },
            },
        },
        "components": {"type": "array", "items": {"$ref": "#/$defs/component"}},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to"],
                "properties": {
                    "from": {"type": "string", "x-netarch-ref": ["node", "component"]},
                    "to": {"type": "string", "x-netarch-ref": ["node", "component"]},
                },
            },
        },
        "zones": {
            "type": "object",
            "x-netarch-id-keys": "zone",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "nodes": {"type": "array", "items": {"type": "string", "x-netarch-ref": "node"}}
                },
            },
        },
        "pools": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["kind", "addresses"],
                        "properties": {
                            "kind": {"const": "l2"},
                            "addresses": {"type": "array", "items": {"$ref": "#/$defs/cidr"}},
                        },
                    },
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["kind", "peer"],
                        "properties": {
                            "kind": {"const": "bgp"},
                            "peer": {"type": "string", "x-netarch-ref": "component"},
                        },
                    },
                ]
            },
        },
    },
    "$defs": {
        "cidr": {
            "type": "string",
            "pattern": "^[0-9.]+/[0-9]+$",
            "x-netarch-hint": "a prefix such as 10.0.0.0/8",
        },
        "component": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "x-netarch-id": "component"},
                "kind": {"enum": ["external", "platform", "kernel"]},
            },
        },
    },
}

GOOD = "cluster:\n  name: demo\n"


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]  # the model is net.yaml
    expected: list[str]
    # Expected hints of some of the diagnostics, by their index in ``expected``.
    hints: dict[int, str] = field(default_factory=dict)
    schema: dict[str, Any] = field(default_factory=lambda: SCHEMA)


CASES = [
    # --- NA001 YAML syntax ------------------------------------------------------------------
    Case(
        "tab indentation",
        {"net.yaml": "cluster:\n\tname: demo\n"},
        ["net.yaml:2:1: error NA001: tab character: YAML indentation must use spaces"],
        {0: "replace it with spaces"},
    ),
    Case(
        "bad indentation",
        {"net.yaml": "cluster:\n  name: demo\n mtu: 1500\n"},
        [
            "net.yaml:3:2: error NA001: bad indentation: a 'key: value' entry does not line up "
            "with the mapping started on line 1"
        ],
    ),
    Case(
        "deeper indentation",
        {"net.yaml": "cluster:\n  name: demo\n    mtu: 1500\n"},
        ["net.yaml:3:8: error NA001: unexpected ':' -- a 'key: value' entry cannot start here"],
    ),
    Case(
        "list item under a mapping",
        {"net.yaml": "cluster:\n  name: demo\n- node\n"},
        [
            "net.yaml:3:1: error NA001: bad indentation: a list item ('-') does not line up "
            "with the mapping started on line 1"
        ],
    ),
    Case(
        "unterminated double quote at the end of the file",
        {"net.yaml": 'cluster:\n  name: demo\n  pod_cidr: "10.0.0.0/8\n'},
        ["net.yaml:3:13: error NA001: unterminated quoted string: the closing quote is missing"],
    ),
    Case(
        "unterminated quote that swallows the next line",
        {"net.yaml": "cluster:\n  name: 'demo\n  mtu: 1500\nnodes: 'x'\n"},
        [
            "net.yaml:2:9: error NA001: the quoted string opened here runs on to line 4: is its "
            "closing quote missing?"
        ],
    ),
    Case(
        "unclosed flow list",
        {"net.yaml": "cluster:\n  name: demo\n  dns: [1.1.1.1, 8.8.8.8\n  mtu: 1500\n"},
        [
            "net.yaml:4:6: error NA001: the [...] list opened on line 3 is not closed properly: "
            "expected ',' or ']', found ':'"
        ],
    ),
    Case(
        "missing colon",
        {"net.yaml": "cluster:\n  name: demo\n  mtu\n  dns: []\n"},
        ["net.yaml:3:3: error NA001: the key on line 3 is missing its ':'"],
    ),
    Case(
        "undefined alias",
        {"net.yaml": "cluster:\n  name: *name\n"},
        [
            "net.yaml:2:9: error NA001: alias *name refers to an anchor that is not defined before it"
        ],
    ),
    Case(
        "control character",
        {"net.yaml": "cluster:\n  name: de\x07mo\n"},
        ["net.yaml:2:11: error NA001: control character U+0007 is not allowed in YAML"],
    ),
    Case(
        "two documents",
        {"net.yaml": "cluster:\n  name: demo\n---\ncluster:\n  name: other\n"},
        ["net.yaml:3:1: error NA001: more than one YAML document ('---') in the file"],
    ),
    # --- NA002 duplicate keys -----------------------------------------------------------------
    Case(
        "duplicate keys nested deep, with schema errors in the same run",
        {
            "net.yaml": (
                "cluster:\n"
                "  name: demo\n"
                "  mtu: 100\n"
                "nodes:\n"
                "  - id: n1\n"
                "    role: worker\n"
                "    address: 10.0.0.1\n"
                "    role: worker\n"
                "zones:\n"
                "  a:\n"
                "    nodes: [n1]\n"
                "  a:\n"
                "    nodes: [n2]\n"
            )
        },
        [
            "net.yaml:3:8: error NA010: 'mtu' must be at least 576, got 100 (at cluster.mtu)",
            "net.yaml:8:5: error NA002: duplicate key 'role' (first defined at line 6)",
            "net.yaml:12:3: error NA002: duplicate key 'a' (first defined at line 10)",
            "net.yaml:13:13: error NA020: 'nodes[0]' refers to node \"n2\", which is not defined "
            "(at zones.a.nodes[0])",
        ],
    ),
    # --- NA003 top level ----------------------------------------------------------------------
    Case("empty file", {"net.yaml": ""}, ["net.yaml:1:1: error NA003: net.yaml is empty"]),
    Case(
        "comments only",
        {"net.yaml": "# nothing yet\n"},
        ["net.yaml:1:1: error NA003: net.yaml is empty"],
    ),
    Case(
        "top level is a list",
        {"net.yaml": "- cluster\n"},
        [
            "net.yaml:1:1: error NA003: the top level of net.yaml must be a mapping "
            "(key: value), got a list"
        ],
    ),
    Case(
        "top level is a scalar",
        {"net.yaml": "just text\n"},
        [
            "net.yaml:1:1: error NA003: the top level of net.yaml must be a mapping "
            "(key: value), got a single value"
        ],
    ),
    # --- NA004 unsupported YAML ---------------------------------------------------------------
    Case(
        "custom tags, set and binary",
        {
            "net.yaml": (
                "cluster:\n"
                "  name: !secret demo\n"
                "  dns: !!set {1.1.1.1}\n"
                "  pod_cidr: !!binary MTAuMC4wLjAvOA==\n"
            )
        },
        [
            "net.yaml:2:9: error NA004: unsupported YAML tag !secret",
            "net.yaml:3:8: error NA004: unsupported YAML tag !!set",
            "net.yaml:3:8: error NA012: 'dns' must be a list, got a mapping (at cluster.dns)",
            "net.yaml:4:13: error NA004: unsupported YAML tag !!binary",
            "net.yaml:4:13: error NA015: 'pod_cidr' has the wrong format: \"MTAuMC4wLjAvOA==\" "
            "(at cluster.pod_cidr)",
        ],
    ),
    Case(
        "recursive alias and a list as a key",
        {"net.yaml": "cluster:\n  name: demo\nzones: &z\n  a: *z\n  ? [x]\n  : 1\n"},
        [
            "net.yaml:4:6: error NA004: recursive alias: this alias refers to a node that "
            "contains it",
            "net.yaml:4:6: error NA012: 'a' must be a mapping, got nothing (an empty value) "
            "(at zones.a)",
            "net.yaml:5:5: error NA004: unsupported mapping key: a list used as a key",
        ],
    ),
    Case(
        "bad explicit tag value",
        {"net.yaml": "cluster:\n  name: demo\n  mtu: !!int fifteen\n"},
        [
            'net.yaml:3:8: error NA004: cannot read "fifteen" as !!int',
            "net.yaml:3:8: error NA012: 'mtu' must be a whole number, got a string "
            '("fifteen") (at cluster.mtu)',
        ],
    ),
    # --- NA005 unreadable ---------------------------------------------------------------------
    Case(
        "not UTF-8",
        {"net.yaml": b"cluster:\n  name: caf\xe9\n"},
        [
            "net.yaml:2:12: error NA005: cannot read net.yaml: not valid UTF-8 "
            "(byte 0xe9 at line 2, column 12)"
        ],
    ),
    Case(
        "missing model file",
        {"other.yaml": GOOD},
        ["net.yaml: error NA005: cannot read net.yaml: file not found"],
    ),
    Case(
        "included file not UTF-8",
        {"net.yaml": "include: [nodes.yaml]\n" + GOOD, "nodes.yaml": b"nodes: [\xff]\n"},
        [
            "nodes.yaml:1:9: error NA005: cannot read nodes.yaml: not valid UTF-8 "
            "(byte 0xff at line 1, column 9)"
        ],
    ),
    # --- NA006 includes -----------------------------------------------------------------------
    Case(
        "include merge: errors located in the included file",
        {
            "net.yaml": "include: [parts/nodes.yaml]\n"
            + GOOD
            + "nodes:\n  - {id: n1, role: worker}\n",
            "parts/nodes.yaml": (
                "nodes:\n"
                "  - id: n2\n"
                "    role: wroker\n"
                "cluster:\n"
                "  mtu: 9000\n"
                "  name: again\n"
                "links:\n"
                "  - {from: n1, to: n3}\n"
            ),
        },
        [
            "parts/nodes.yaml:3:11: error NA014: 'role' must be one of \"control-plane\", "
            '"worker"; got "wroker" (at nodes[1].role)',
            "parts/nodes.yaml:6:3: error NA006: 'cluster.name' is also defined in net.yaml (line 3)",
            "parts/nodes.yaml:8:20: error NA020: 'to' refers to node or component \"n3\", "
            "which is not defined (at links[0].to)",
        ],
    ),
    Case(
        "include cycle",
        {
            "net.yaml": "include: [a.yaml]\n" + GOOD,
            "a.yaml": "include: [sub/b.yaml]\nnodes: []\n",
            "sub/b.yaml": "include:\n  - ../a.yaml\nlinks: []\n",
        },
        ["sub/b.yaml:2:5: error NA006: include cycle: a.yaml -> sub/b.yaml -> a.yaml"],
    ),
    Case(
        "self include, missing include, include twice, bad include entry",
        {
            "net.yaml": "include: [net.yaml, gone.yaml, a.yaml, ./a.yaml, 42]\n" + GOOD,
            "a.yaml": "nodes: []\n",
        },
        [
            "net.yaml:1:11: error NA006: include cycle: net.yaml -> net.yaml",
            "net.yaml:1:21: error NA006: included file not found: gone.yaml",
            "net.yaml:1:40: error NA006: a.yaml is included more than once",
            "net.yaml:1:50: error NA006: 'include' takes a list of file paths relative to this "
            "file",
        ],
    ),
    Case(
        "included file is empty or a list",
        {
            "net.yaml": "include: [empty.yaml, list.yaml]\n" + GOOD,
            "empty.yaml": "",
            "list.yaml": "- a\n",
        },
        [
            "empty.yaml:1:1: error NA003: empty.yaml is empty",
            "list.yaml:1:1: error NA003: the top level of list.yaml must be a mapping "
            "(key: value), got a list",
        ],
    ),
    Case(
        "syntax error in an included file does not hide the including file's errors",
        {
            "net.yaml": "include: [bad.yaml]\ncluster:\n  name: demo\n  mtu: 1\n",
            "bad.yaml": "nodes: [\n",
        },
        [
            "bad.yaml:1:8: error NA001: the [...] list opened here is never closed",
            "net.yaml:4:8: error NA010: 'mtu' must be at least 576, got 1 (at cluster.mtu)",
        ],
    ),
    # --- NA010-NA015 schema -------------------------------------------------------------------
    Case(
        "unknown keys with and without a close match",
        {"net.yaml": "clustr:\n  name: demo\nextra: 1\n"},
        [
            "net.yaml:1:1: error NA011: unknown key 'clustr' at the top level (at clustr)",
            "net.yaml:1:1: error NA013: the document is missing the required key 'cluster'",
            "net.yaml:3:1: error NA011: unknown key 'extra' at the top level (at extra)",
        ],
        {
            0: "did you mean 'cluster'?",
            2: "allowed keys: cluster, nodes, components, links, zones, pools",
        },
    ),
    Case(
        "wrong types, in YAML words",
        {
            "net.yaml": (
                "cluster:\n"
                "  name: [demo]\n"
                "  mtu: 1500.5\n"
                "  dns: 1.1.1.1\n"
                "nodes:\n"
                "  -\n"
                "zones:\n"
                "  a: yes\n"
            )
        },
        [
            "net.yaml:2:9: error NA012: 'name' must be a string, got a list (at cluster.name)",
            "net.yaml:3:8: error NA012: 'mtu' must be a whole number, got a number (1500.5) "
            "(at cluster.mtu)",
            "net.yaml:4:8: error NA012: 'dns' must be a list, got a string (\"1.1.1.1\") "
            "(at cluster.dns)",
            "net.yaml:6:4: error NA012: 'nodes[0]' must be a mapping, got nothing (an empty "
            "value) (at nodes[0])",
            "net.yaml:8:6: error NA012: 'a' must be a mapping, got a boolean (true) (at zones.a)",
        ],
    ),
    Case(
        "missing required keys, located at the parent's key",
        {"net.yaml": "cluster:\n  mtu: 1500\nnodes:\n  - id: n1\n  - role: worker\n"},
        [
            "net.yaml:1:1: error NA013: 'cluster' is missing the required key 'name' (at cluster)",
            "net.yaml:4:5: error NA013: 'nodes[0]' is missing the required key 'role' "
            "(at nodes[0])",
            "net.yaml:5:5: error NA013: 'nodes[1]' is missing the required key 'id' (at nodes[1])",
        ],
        {0: "'name': Cluster name.", 1: ""},
    ),
    Case(
        "values outside an enum",
        {
            "net.yaml": GOOD
            + "nodes:\n  - {id: n1, role: Worker}\n  - {id: n2, role: storage}\n"
            + "components:\n  - {id: c1, kind: 3}\n"
        },
        [
            'net.yaml:4:20: error NA014: \'role\' must be one of "control-plane", "worker"; '
            'got "Worker" (at nodes[0].role)',
            'net.yaml:5:20: error NA014: \'role\' must be one of "control-plane", "worker"; '
            'got "storage" (at nodes[1].role)',
            'net.yaml:7:20: error NA014: \'kind\' must be one of "external", "platform", '
            '"kernel"; got 3 (at components[0].kind)',
        ],
        {0: 'did you mean "worker"?', 1: "", 2: ""},
    ),
    Case(
        "pattern and format mismatches",
        {
            "net.yaml": (
                "cluster:\n"
                "  name: demo\n"
                "  pod_cidr: 10.244.0.0\n"
                "  service_cidr: 10.96.0.1/12\n"
                "  dns: [1.1.1.1, 1.1.1, 2001:db8::1]\n"
                "nodes:\n"
                "  - {id: n1, role: worker, address: 10.0.0.256}\n"
            )
        },
        [
            "net.yaml:3:13: error NA015: 'pod_cidr' has the wrong format: \"10.244.0.0\" "
            "(at cluster.pod_cidr)",
            "net.yaml:4:17: error NA015: 'service_cidr' is not a valid cidr: \"10.96.0.1/12\": "
            "10.96.0.1/12 has host bits set (at cluster.service_cidr)",
            "net.yaml:5:18: error NA015: 'dns[1]' is not a valid ipv4: \"1.1.1\": Expected 4 "
            "octets in '1.1.1' (at cluster.dns[1])",
            "net.yaml:5:25: error NA015: 'dns[2]' is not a valid ipv4: \"2001:db8::1\": "
            "Expected 4 octets in '2001:db8::1' (at cluster.dns[2])",
            "net.yaml:7:37: error NA015: 'address' is not a valid ipv4: \"10.0.0.256\": Octet "
            "256 (> 255) not permitted in '10.0.0.256' (at nodes[0].address)",
        ],
        {0: "a prefix such as 10.0.0.0/8"},
    ),
    Case(
        "oneOf: the branch the user meant is reported, not 'valid under none'",
        {
            "net.yaml": GOOD
            + "components:\n  - {id: r1}\n"
            + "pools:\n"
            + "  - {kind: l2, addresses: [10.0.0.0/8, nope]}\n"
            + "  - {kind: bgp, peer: r1, addresses: []}\n"
            + "  - {kind: l3, peer: r1}\n"
            + "  - text\n"
        },
        [
            "net.yaml:6:40: error NA015: 'addresses[1]' has the wrong format: \"nope\" "
            "(at pools[0].addresses[1])",
            "net.yaml:7:27: error NA011: unknown key 'addresses' in 'pools[1]' "
            "(at pools[1].addresses)",
            'net.yaml:8:12: error NA014: \'kind\' must be one of "l2", "bgp"; got "l3" '
            "(at pools[2].kind)",
            "net.yaml:9:5: error NA012: 'pools[3]' must be a mapping, got a string (\"text\") "
            "(at pools[3])",
        ],
    ),
    Case(
        "repeated list item",
        {"net.yaml": GOOD + "nodes:\n  - {id: n1, role: worker}\n  - {id: n1, role: worker}\n"},
        [
            "net.yaml:5:5: error NA010: 'nodes' lists a mapping twice (items 0 and 1) (at nodes[1])",
            'net.yaml:5:10: error NA021: duplicate node id "n1" (first defined at '
            "net.yaml:4:10) (at nodes[1].id)",
        ],
    ),
    # --- NA020 / NA021 references ---------------------------------------------------------------
    Case(
        "dangling references with did-you-mean, and a kind with no ids at all",
        {
            "net.yaml": GOOD
            + "nodes:\n  - {id: node-1, role: worker}\n"
            + "links:\n  - {from: node-l, to: router}\n"
            + "pools:\n  - {kind: bgp, peer: node-1}\n"
        },
        [
            "net.yaml:6:12: error NA020: 'from' refers to node or component \"node-l\", which "
            "is not defined (at links[0].from)",
            "net.yaml:6:24: error NA020: 'to' refers to node or component \"router\", which is "
            "not defined (at links[0].to)",
            "net.yaml:8:23: error NA020: 'peer' refers to component \"node-1\", which is not "
            "defined (at pools[0].peer)",
        ],
        {
            0: 'did you mean "node-1"?; node or component ids are defined at nodes[*].id, '
            "components[*].id",
            1: "node or component ids are defined at nodes[*].id, components[*].id",
            2: "no component is defined; component ids are defined at components[*].id",
        },
    ),
    Case(
        "duplicate ids, in one file and across an include",
        {
            "net.yaml": "include: [more.yaml]\n"
            + GOOD
            + "components:\n  - id: dns\n  - id: ingress\n  - id: dns\n",
            "more.yaml": "components:\n  - id: ingress\nnodes:\n  - {id: dns, role: worker}\n",
        },
        [
            'more.yaml:2:9: error NA021: duplicate component id "ingress" (first defined at '
            "net.yaml:6:9) (at components[3].id)",
            'net.yaml:7:9: error NA021: duplicate component id "dns" (first defined at '
            "net.yaml:5:9) (at components[2].id)",
        ],
        {1: "component ids must be unique; rename one of them"},
    ),
    Case(
        "anchors, aliases and merge keys: values reported where they are used or written",
        {
            "net.yaml": (
                "cluster:\n"
                "  name: demo\n"
                "  dns: &dns [1.1.1.1]\n"
                "defaults: &worker\n"
                "  role: worker\n"
                "  address: 10.0.0.300\n"
                "nodes:\n"
                "  - <<: *worker\n"
                "    id: n1\n"
                "  - <<: *worker\n"
                "    id: n2\n"
                "    role: master\n"
                "links:\n"
                "  - {from: n1, to: *dns}\n"
            )
        },
        [
            "net.yaml:4:1: error NA011: unknown key 'defaults' at the top level (at defaults)",
            "net.yaml:6:12: error NA015: 'address' is not a valid ipv4: \"10.0.0.300\": Octet "
            "300 (> 255) not permitted in '10.0.0.300' (at nodes[0].address)",
            "net.yaml:6:12: error NA015: 'address' is not a valid ipv4: \"10.0.0.300\": Octet "
            "300 (> 255) not permitted in '10.0.0.300' (at nodes[1].address)",
            'net.yaml:12:11: error NA014: \'role\' must be one of "control-plane", "worker"; '
            'got "master" (at nodes[1].role)',
            "net.yaml:14:20: error NA012: 'to' must be a string, got a list (at links[0].to)",
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_model(case: Case, diagnose: Callable[..., list[Diagnostic]]) -> None:
    diagnostics = diagnose(case.files, case.schema)
    assert [d.headline() for d in diagnostics] == case.expected
    for index, hint in case.hints.items():
        assert diagnostics[index].hint == hint


def test_every_code_is_covered() -> None:
    codes = {line.split(" error ")[1][:5] for case in CASES for line in case.expected}
    assert codes >= {f"NA{n:03d}" for n in (1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 20, 21)}
