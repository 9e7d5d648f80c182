"""A copy of the demo project whose model text tries to run script in the reader's browser.

Model text is written by many people and pasted from anywhere; the generated site must show it
as text. Every string below lands in prose, tables, admonitions, code blocks or diagram labels.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

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
    model_file.write_text(
        yaml.safe_dump(hostile_model(model), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return target / "mkdocs.yml"
