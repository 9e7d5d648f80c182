"""Golden files: the generated Cozystack pages, compared whole.

After an intended change, regenerate with ``NETARCH_UPDATE_GOLDEN=1 pytest tests/pages`` and
review the diff like any other change to the documentation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
