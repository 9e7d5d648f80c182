"""A copy of the demo project whose model text tries to run script in the reader's browser.

Model text is written by many people and pasted from anywhere; the generated site must show it
as text. Every string below lands in prose, tables, admonitions, code blocks or diagram labels.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from netarch.kits import installed_kits

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
SVG = '"><svg onload=alert(1)>'
JS_LINK = "[click me](javascript:alert(1))"
# Would switch Mermaid to securityLevel loose (live HTML labels, click callbacks) if it got
# into a diagram as a directive.
DIRECTIVE = "%%{init: {'securityLevel': 'loose'}}%%"
# The schema refuses quotes, parentheses and angle brackets in URLs (tests/views); an
# attempt encoded so that it passes the schema must still stay inert in the link.
URL = "https://example.com/%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E"

# Strings that must be visible, literally, somewhere on the built site.
SHOWN_AS_TEXT = (IMG, SCRIPT, SVG, DIRECTIVE)


def _by_id(items: list[dict[str, Any]], element_id: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == element_id)


def hostile_model(model: dict[str, Any]) -> dict[str, Any]:
    """The demo model with hostile text in names, roles, descriptions, notes and flows."""
    components = model["components"]
    metallb = _by_id(components, "metallb")
    metallb["name"] = f"MetalLB {IMG}"
    metallb["description"] = f"{SCRIPT} {JS_LINK}"
    metallb["url"] = URL
    _by_id(components, "cilium")["role"] = SVG
    _by_id(components, "kube-ovn")["features"][0] = DIRECTIVE
    _by_id(model["nodes"], "node1")["name"] = f"Node 1 {IMG}"
    _by_id(model["metallb"]["vlans"]["items"], "vlan-a")["name"] = SCRIPT
    model["site"]["summary"] = f"{SCRIPT} {IMG}"
    l2 = model["metallb"]["l2"]
    l2["steps"][0] = JS_LINK
    l2["notes"][0]["text"] = f"{IMG} {JS_LINK}"
    l2["notes"][0]["title"] = SVG
    flow = _by_id(model["flows"], "l2-announcement")
    flow["steps"][0]["text"] = f"{SCRIPT} {DIRECTIVE}"
    example = _by_id(model["examples"], "cilium-network-policy")
    example["caption"] = IMG
    example["content"]["metadata"]["name"] = SCRIPT
    return model


def write_hostile_project(repo_root: Path, target: Path) -> Path:
    """Copy the demo project to ``target`` with a hostile model; return its mkdocs.yml."""
    shutil.copytree(repo_root / "docs", target / "docs")
    if (repo_root / "overrides").is_dir():
        shutil.copytree(repo_root / "overrides", target / "overrides")
    shutil.copy(repo_root / "mkdocs.yml", target / "mkdocs.yml")
    model_file = target / "docs" / "network.yaml"
    model = yaml.safe_load(model_file.read_text(encoding="utf-8"))
    # The hand-picked strings above, then a payload in every other free-text field: the
    # schema is walked, so a field added later is covered without touching this file.
    schema = json.loads((repo_root / "plugin/netarch/model/network.schema.json").read_text())
    model, _fields = hostile_everywhere(hostile_model(model), schema)
    model_file.write_text(
        yaml.safe_dump(model, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return target / "mkdocs.yml"


# --- Hostile text in every free-text field the schema allows ----------------------------------

# Each tries a different way out of Markdown into live HTML or a script link.
PAYLOADS = (
    IMG,
    SCRIPT,
    SVG,
    JS_LINK,
    "[nested](javascript:alert((1)))",
    "[ref][r]\n\n[r]: javascript:alert(1)",
    "[entity](javascript&#58;alert(1))",
    "[tab](java\tscript:alert(1))",
    "``a` <img src=x onerror=alert(1)> `x`",
    "`a\n\n<img src=x onerror=alert(1)>\n\n`",
    "\\`<img src=x onerror=alert(1)>`",
    "```\n<img src=x onerror=alert(1)>\n```",
    "![img](data:text/html,<script>alert(1)</script>)",
    "[vb](vbscript:msgbox(1)) [file](file:///etc/passwd) [data](data:text/html,x)",
    "[ok](https://example.com/a) [mail](mailto:ops@example.com) [rel](../index.md)",
    DIRECTIVE,
)
# Strings the schema leaves free but the network checks compare as data (a tenant's namespace
# follows from its parent's, the distribution's DNS domain must equal the cluster's): text in
# them is refused by a check before any page exists, so it cannot reach the site.
CHECKED_AS_DATA = frozenset({"namespace", "dns_domain"})
# Product settings a kit types (NA175 refuses text in them before any page exists), as the
# path suffix they have under a section's `settings`.
TYPED_SETTINGS = tuple(f".settings.{key}" for kit in installed_kits() for key in kit.settings)
# Schema keywords that constrain a string to data (ids, references, addresses, enums).
_CONSTRAINED = ("pattern", "enum", "const", "format", "x-netarch-id", "x-netarch-ref")


class _Walker:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.count = 0
        self.fields: set[str] = set()

    def resolve(self, node: Any) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = {**self.schema["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
        return node if isinstance(node, dict) else {}

    def free_text(self, node: dict[str, Any]) -> bool:
        types = node.get("type")
        allows_string = types is None or types == "string" or "string" in (types or ())
        return allows_string and not any(key in node for key in _CONSTRAINED)

    def payload(self) -> str:
        self.count += 1
        return PAYLOADS[self.count % len(PAYLOADS)]

    def walk(self, value: Any, node: Any, path: str) -> Any:
        node = self.resolve(node)
        for key in ("anyOf", "oneOf"):
            if key in node:  # the first alternative that fits the value's kind
                for option in node[key]:
                    option = self.resolve(option)
                    if _fits(value, option):
                        return self.walk(value, option, path)
        if isinstance(value, dict):
            properties = node.get("properties", {})
            extra = node.get("additionalProperties", {})
            for key in list(value):
                child = properties.get(key, extra if isinstance(extra, dict) else {})
                value[key] = self.walk(value[key], child, f"{path}.{key}")
            for key, child in properties.items():  # optional text the model left out
                child = self.resolve(child)
                if (
                    key not in value
                    and key not in CHECKED_AS_DATA
                    and child.get("type") == "string"
                    and self.free_text(child)
                ):
                    self.fields.add(f"{path}.{key}")
                    value[key] = f"{key} {self.payload()}"
            return value
        if isinstance(value, list):
            items = node.get("items", {})
            return [self.walk(item, items, f"{path}[]") for item in value]
        if path.rsplit(".", 1)[-1] in CHECKED_AS_DATA or path.endswith(TYPED_SETTINGS):
            return value
        if isinstance(value, str) and self.free_text(node) and "content" not in path.split("."):
            self.fields.add(path)
            return f"{value} {self.payload()}"
        if isinstance(value, str) and "content" in path.split("."):  # free-form examples
            self.fields.add(path)
            return f"{value} {self.payload()}"
        return value


def _fits(value: Any, node: dict[str, Any]) -> bool:
    kind = node.get("type")
    if kind is None:
        return True
    kinds = kind if isinstance(kind, list) else [kind]
    python = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
        "integer": int,
        "number": (int, float),
        "null": type(None),
    }
    return any(isinstance(value, python[k]) for k in kinds if k in python)


def hostile_everywhere(model: dict[str, Any], schema: dict[str, Any]) -> tuple[dict, set[str]]:
    """``model`` with a hostile payload in every string the schema leaves free, including
    optional ones the model does not set; returns the model and the fields it touched."""
    walker = _Walker(schema)
    return walker.walk(model, schema, "$"), walker.fields
