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

# Ends the <title> element: Material prints `page.title | striptags`, which decodes entities.
TITLE = "</title><script>alert(1)</script>"
# The same in entities, for a theme (or a filter) that decodes once more.
TITLE_ENTITIES = '&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; "><svg onload=alert(1)>'
# Links whose target starts with a space Python-Markdown skips and the URL check once did not.
UNICODE_SPACE_LINKS = " ".join(
    f"[{name}]({space}javascript:alert(1))"
    for name, space in (("em", "\u2003"), ("nbsp", "\u00a0"), ("ideo", "\u3000"), ("nel", "\u0085"))
)
# Model prose written as blocks: a live Mermaid diagram (no check would have seen it), an
# admonition, a details block, a list, a heading, a table and indented code.
FENCE_MARKER = "hostileFence"
BLOCKS = (
    f"~~~mermaid\nflowchart LR\n  {FENCE_MARKER} --> x\n~~~\n\n"
    f"```mermaid\nflowchart LR\n  {FENCE_MARKER}2 --> y\n```\n\n"
    '!!! danger "admonition"\n    text\n\n??? note "details"\n    text\n\n'
    "- list item\n\n# heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n    indented code\n"
)

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


# The model warnings the hostile text earns (titles shown with look-alikes, text written as
# blocks, "???" read as a placeholder) would fail `mkdocs build --strict`; what is tested with
# these sites is what the reader's browser does, so they are information here (tests/hostile
# and tests/checks test the warnings).
HOSTILE_SITE_CHECKS = "      checks: {NA176: info, NA177: info, NA203: info}\n"


def hostile_pages() -> list[dict[str, Any]]:
    """A ``pages:`` section that renames pages of the plan to hostile titles, adds a page of
    its own, and introduces pages with prose written as blocks."""
    return [
        {"id": "overview", "title": f"Overview {TITLE}", "intro": BLOCKS},
        {"id": "cluster", "title": f"Cluster {TITLE_ENTITIES}", "intro": UNICODE_SPACE_LINKS},
        {"id": "components", "title": f"Components {SVG} & AT&T"},
        {"id": "hostile", "title": TITLE, "intro": f"{BLOCKS}\n{JS_LINK}", "views": ["nodes"]},
    ]


def write_hostile_project(repo_root: Path, target: Path) -> Path:
    """Copy the demo project to ``target`` with a hostile model; return its mkdocs.yml."""
    shutil.copytree(repo_root / "docs", target / "docs")
    if (repo_root / "overrides").is_dir():
        shutil.copytree(repo_root / "overrides", target / "overrides")
    config = (repo_root / "mkdocs.yml").read_text(encoding="utf-8")
    anchor = "      section_dir: architecture\n"
    assert anchor in config, "the demo's mkdocs.yml names the netarch options"
    (target / "mkdocs.yml").write_text(
        config.replace(anchor, anchor + HOSTILE_SITE_CHECKS), encoding="utf-8"
    )
    model_file = target / "docs" / "network.yaml"
    model = yaml.safe_load(model_file.read_text(encoding="utf-8"))
    # The hand-picked strings above, then a payload in every other free-text field: the
    # schema is walked, so a field added later is covered without touching this file.
    schema = json.loads((repo_root / "plugin/netarch/model/network.schema.json").read_text())
    model, _fields = hostile_everywhere(hostile_model(model), schema)
    model["pages"] = hostile_pages()  # after the walk: a page's `views` are ids
    model_file.write_text(
        yaml.safe_dump(model, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return target / "mkdocs.yml"


# --- A `netarch init` site for each theme, hostile throughout --------------------------------

# A hand-written page: a real netarch-view block (a table of hostile model text), blocks shown
# inside longer fences of either kind (documentation of the syntax: never expanded, so their
# unknown id is no error), and a netarch-diff block over two hostile models.
EMBEDDING_PAGE = """# Embedded views

```netarch-view
components
```

`````markdown
```netarch-view
no-such-view
```
`````

~~~~text
```netarch-view
no-such-view-either
```
~~~~

```netarch-diff
base: docs/base.yaml
```
"""


def write_hostile_theme_site(target: Path, theme: str) -> Path:
    """A `netarch init` site in ``theme`` with a hostile model, hostile page titles and
    introductions, and a hand-written page embedding views and a change report; returns its
    mkdocs.yml."""
    from netarch.scaffold import init_site

    init_site(target, theme)
    config_file = target / "mkdocs.yml"
    config = config_file.read_text(encoding="utf-8")
    anchor = "      model: docs/network.yaml\n"
    config_file.write_text(config.replace(anchor, anchor + HOSTILE_SITE_CHECKS), encoding="utf-8")
    model_file = target / "docs" / "network.yaml"
    model = yaml.safe_load(model_file.read_text(encoding="utf-8"))
    schema_file = Path(__file__).resolve().parents[2] / "plugin/netarch/model/network.schema.json"
    model, _fields = hostile_everywhere(model, json.loads(schema_file.read_text()))
    model["pages"] = hostile_pages()
    dump = yaml.safe_dump(model, sort_keys=False, allow_unicode=True)
    model_file.write_text(dump, encoding="utf-8")
    # The base of the change report: the same model without its second node.
    model["nodes"] = model["nodes"][:1]
    model["metallb"]["speakers"] = model["metallb"]["speakers"][:1]
    (target / "docs" / "base.yaml").write_text(
        yaml.safe_dump(model, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    # The views are embedded one folder down, as the generated pages are, where the model's
    # relative links resolve: the starter's home page, which embeds one at the top, is plain.
    (target / "docs" / "index.md").write_text("# Home\n\nA hostile site.\n", encoding="utf-8")
    (target / "docs" / "guide").mkdir()
    (target / "docs" / "guide" / "embedded.md").write_text(EMBEDDING_PAGE, encoding="utf-8")
    return config_file


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
    UNICODE_SPACE_LINKS,
    BLOCKS,
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
