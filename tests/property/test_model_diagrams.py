"""Property: any model that passes the schema generates diagrams the real Mermaid accepts.

Text and ids anywhere in the model are drawn from hostile text: quotes, brackets, Mermaid
keywords, comment and directive markers, HTML, unicode, newlines, very long strings.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from netarch.model.network import load_model
from netarch.validate.engine import MermaidValidator
from netarch.views import DiagramView, build_views

HOSTILE_WORDS = [
    "end",
    "graph",
    "subgraph",
    "flowchart",
    "participant",
    "Note",
    "loop",
    "alt",
    "else",
    "click",
    "style",
    "classDef",
    "default",
    "o",
    "x",
    "A'",
    "Pod A'",
    '"',
    "'",
    "`",
    "``",
    "#",
    "#35;",
    ";",
    ":",
    "::",
    "|",
    "-->",
    "-->>",
    "--x",
    "==>",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "{{",
    "}}",
    "((",
    "))",
    "[/",
    "/]",
    ">",
    "<",
    "<br/>",
    "<br>",
    "%%",
    "%%{init: {'theme': 'dark'}}%%",
    "&",
    "&amp;",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "</script>",
    "→ ↔ — •",
    "\u200b",
    "🙂",
    "\t",
    "\\",
    "\\n",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE_WORDS),
    st.lists(st.sampled_from(HOSTILE_WORDS), min_size=1, max_size=6).map(" ".join),
    st.text(min_size=1, max_size=40),
    st.text(alphabet="ab\n ", min_size=1, max_size=8),
    st.just("x" * 3000),
).filter(lambda s: s.strip() != "")
# Ids must match the schema's id pattern; draw the ones that are Mermaid keywords often.
IDS = st.one_of(
    st.sampled_from(
        [
            "end",
            "graph",
            "subgraph",
            "default",
            "o",
            "x",
            "1st",
            "a.b",
            "A-B",
            "style",
            "click",
            "Note",
        ]
    ),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", fullmatch=True),
)


@pytest.fixture(scope="module")
def validator() -> Any:
    with MermaidValidator() as engine:
        yield engine


@pytest.fixture(scope="module")
def demo(demo_model_path: Path) -> dict[str, Any]:
    return yaml.safe_load(demo_model_path.read_text(encoding="utf-8"))


def rename(data: Any, old: str, new: str) -> Any:
    """Every occurrence of an id (as a whole string value) replaced, so references stay intact."""
    if isinstance(data, dict):
        return {k: rename(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [rename(v, old, new) for v in data]
    return new if data == old else data


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(TEXT, min_size=12, max_size=12),
    new_ids=st.lists(IDS, min_size=4, max_size=4, unique=True),
)
def test_schema_valid_models_generate_diagrams_mermaid_accepts(
    validator: Any, demo: dict[str, Any], texts: list[str], new_ids: list[str]
) -> None:
    data = copy.deepcopy(demo)
    components = data["components"]
    components[2]["name"], components[2]["role"] = texts[0], texts[1]  # MetalLB
    components[3]["features"] = [texts[2], texts[3]]  # Cilium
    data["nodes"][0]["name"] = texts[4]
    data["tenants"]["items"][1]["namespace"] = texts[5]
    data["flows"][2]["steps"][0]["text"] = texts[6]
    data["flows"][3]["steps"][3]["text"] = texts[7]  # a note
    data["flows"][2]["title"] = texts[8]
    data["service_load_balancing"]["comparison"]["pipelines"]["left"][1] = texts[9]
    data["service_load_balancing"]["ebpf"]["hooks"][0]["detail"] = texts[10]
    data["security_properties"]["items"][0]["name"] = texts[11]
    for old, new in zip(["metallb", "node1", "frontend-abc123", "tenant-a"], new_ids, strict=True):
        taken = {c["id"] for c in components} | {n["id"] for n in data["nodes"]}
        assume(new not in taken)
        data = rename(data, old, new)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    result = load_model(Path("network.yaml"), display_path="network.yaml", text=text)
    assume(result.model is not None)  # the property is about models the schema accepts
    for view in build_views(result.model).values():
        if isinstance(view, DiagramView):
            problems = validator.check(view.diagram.text)
            assert problems == [], f"{view.id}: {problems}\n{view.diagram.text}"
