"""Property: any model the schema and references accept renders without an exception, and
every view it has lands on a page or is reported (NA170): nothing is dropped silently.

Models are the demo with any choice of its optional sections left out, and with pages of its
own listed in any order, hidden or added.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from netarch.checks import run_checks
from netarch.pipeline import generate

REQUIRED = ("netarch", "cluster", "components")
DEFAULT_PAGES = (
    "overview",
    "cluster",
    "components",
    "ingress",
    "service-load-balancing",
    "tenant-isolation",
    "observability",
    "traffic-flows",
    "rules",
    "my-page",
)


@pytest.fixture(scope="module")
def demo(demo_model_path: Path) -> dict[str, Any]:
    return yaml.safe_load(demo_model_path.read_text(encoding="utf-8"))


def _pages(draw_ids: list[str], hidden: list[bool], views: list[str]) -> list[dict[str, Any]]:
    pages = []
    for page_id, hide in zip(draw_ids, hidden, strict=False):
        entry: dict[str, Any] = {"id": page_id, "title": f"Page {page_id}"}
        if hide:
            entry["hidden"] = True
        if page_id == "my-page":
            entry["views"] = views
        pages.append(entry)
    return pages


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    dropped=st.sets(
        st.sampled_from(
            [
                "layers",
                "variants",
                "nodes",
                "metallb",
                "tenants",
                "identities",
                "policies",
                "policy_enforcement",
                "security_properties",
                "observability",
                "examples",
                "claims",
                "flows",
                "service_load_balancing",
                "pod_networking",
                "site",
            ]
        )
    ),
    page_ids=st.lists(st.sampled_from(DEFAULT_PAGES), unique=True, max_size=5),
    hidden=st.lists(st.booleans(), min_size=5, max_size=5),
    listed=st.lists(
        st.sampled_from(["nodes", "components", "layers", "flow-overview"]), unique=True, max_size=2
    ),
)
def test_every_view_lands_on_a_page_or_is_reported(
    tmp_path_factory: pytest.TempPathFactory,
    demo: dict[str, Any],
    dropped: set[str],
    page_ids: list[str],
    hidden: list[bool],
    listed: list[str],
) -> None:
    data = copy.deepcopy(demo)
    for section in dropped:
        data.pop(section, None)
    if page_ids:
        data["pages"] = _pages(page_ids, hidden, listed)
    path = tmp_path_factory.mktemp("model") / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = generate(path, display_path="network.yaml", model_checks=[run_checks])
    if result.model is None:  # dropped a section others refer to: a located error, no pages
        assert result.diagnostics and not result.pages
        assume(False)
    shown = {view_id for page in result.pages for view_id in page.views}
    reported = "\n".join(d.message for d in result.diagnostics if d.code in ("NA170", "NA172"))
    if result.ok:
        for view_id in result.views:
            flow = view_id.removeprefix("flow-")
            said = f"flow {flow} appears" if flow != view_id else f"view {view_id} ("
            assert view_id in shown or said in reported, view_id
        names = [page.name for page in result.pages]
        hidden_pages = {e["id"] for e in data.get("pages", []) if e.get("hidden")}
        assert ("overview" in hidden_pages) != (names[0] == "overview")
        assert ("rules" in hidden_pages) != (names[-1] == "rules")
        assert len(names) == len(set(names))
        for page in result.pages:
            assert page.markdown.startswith(f"# {page.title}") or page.name == "rules"


def test_the_smallest_model_renders(tmp_path: Path) -> None:
    path = tmp_path / "network.yaml"
    path.write_text(
        "netarch: 1\ncluster: {pod_cidr: 10.1.0.0/16, service_cidr: 10.2.0.0/16}\n"
        "components:\n  - {id: a, name: A, kind: platform}\n",
        encoding="utf-8",
    )
    result = generate(path, model_checks=[run_checks])
    assert result.ok, [d.headline() for d in result.diagnostics]
    assert [page.name for page in result.pages] == ["overview", "cluster", "components", "rules"]
