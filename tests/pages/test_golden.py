"""Golden files: the generated Cozystack pages, compared whole.

After an intended change, regenerate with ``NETARCH_UPDATE_GOLDEN=1 pytest tests/pages`` and
review the diff like any other change to the documentation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netarch.diff.blocks import expand_blocks, run_page_blocks
from netarch.pipeline import generate

GOLDEN = Path(__file__).parent / "golden"
PAGES = (
    "index.md",
    "cluster.md",
    "components.md",
    "ingress.md",
    "service-load-balancing.md",
    "tenant-isolation.md",
    "observability.md",
    "traffic-flows.md",
    "rules.md",
)


@pytest.fixture(scope="module")
def pages(demo_model_path: Path) -> dict[str, str]:
    result = generate(demo_model_path, display_path="docs/network.yaml")
    assert result.ok, [d.headline() for d in result.diagnostics]
    return {page.src_uri: page.markdown for page in result.pages}


def test_the_demo_model_generates_exactly_these_pages(pages: dict[str, str]) -> None:
    assert sorted(pages) == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_generated_page_matches_golden(pages: dict[str, str], name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("NETARCH_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(pages[name], encoding="utf-8")
    assert pages[name] == golden.read_text(encoding="utf-8")


# The demo's hand-written page whose ```netarch-diff block becomes the report of the change
# from the demo model to its proposed next version (docs/network-next.yaml).
DIFF_PAGE = "proposed-change.md"


def test_the_proposed_change_page_matches_golden(repo_root: Path, demo_model_path: Path) -> None:
    source = (repo_root / "docs" / DIFF_PAGE).read_text(encoding="utf-8")
    found = run_page_blocks(
        source, f"docs/{DIFF_PAGE}", site_dir=repo_root, default_model=demo_model_path
    )
    assert not found.problems and not found.diagnostics
    page = expand_blocks(source, lambda fence: found.reports[fence.text])
    # The block is replaced by the report; the one shown inside a ````markdown example is not.
    assert page.count("```netarch-diff") == 1 and "\n````markdown\n```netarch-diff" in page
    assert "## Network changes: docs/network.yaml → docs/network-next.yaml" in page
    assert "| added | pool <code>tenant-d-public</code> |" in page
    assert "warning <code>NA125</code>" in page and page.count("```mermaid") == 1
    golden = GOLDEN / DIFF_PAGE
    if os.environ.get("NETARCH_UPDATE_GOLDEN"):
        golden.write_text(page, encoding="utf-8")
    assert page == golden.read_text(encoding="utf-8")
