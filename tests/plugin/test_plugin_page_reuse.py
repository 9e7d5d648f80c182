"""A build whose inputs have not changed reuses the pages of the last one, and only then."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from netarch import pipeline
from netarch.scaffold import init_site

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    init_site(folder, "mkdocs")
    return folder


def _page(path: Path) -> str:
    """A built page without the theme's build-date comment."""
    return re.sub(r"<!--\s*MkDocs version.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)


def run_build(site: Path, *, strict: bool = False) -> str:
    """Build; return the generated ingress page's HTML."""
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "out"), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return _page(site / "out" / "architecture" / "ingress" / "index.html")


class Calls:
    """Counts the calls of ``owner.name`` (a module's function or a class's method)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.count = 0
        real = getattr(owner, name)

        def counting(*args: object, **kwargs: object) -> object:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Runs of the pipeline."""
    return Calls(monkeypatch, pipeline, "generate")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unchanged_site_skips_the_pipeline_with_the_same_output(site: Path, runs: Calls) -> None:
    first = run_build(site)
    index = _page(site / "out" / "index.html")
    assert runs.count == 1
    assert run_build(site) == first
    assert _page(site / "out" / "index.html") == index  # with its netarch-view block
    assert runs.count == 1


def test_a_model_edit_runs_it_again(site: Path, runs: Calls) -> None:
    run_build(site)
    edit(site / "docs" / "network.yaml", "name: Upstream router", "name: Edge router")
    assert "Edge router" in run_build(site)
    assert runs.count == 2


def test_an_include_edit_runs_it_again(site: Path, runs: Calls) -> None:
    model = site / "docs" / "network.yaml"
    edit(model, "netarch: 1\n", "netarch: 1\ninclude: [nodes.yaml]\n")
    nodes_start = model.read_text(encoding="utf-8").index("nodes:\n")
    text = model.read_text(encoding="utf-8")
    nodes_end = text.index("\nmetallb:")
    (site / "docs" / "nodes.yaml").write_text(text[nodes_start:nodes_end] + "\n", encoding="utf-8")
    model.write_text(text[:nodes_start] + text[nodes_end + 1 :], encoding="utf-8")
    run_build(site)
    edit(site / "docs" / "nodes.yaml", "name: Node 1", "name: Node One")
    assert "Node One" in run_build(site)
    assert runs.count == 2


def test_a_custom_template_edit_runs_it_again(site: Path, runs: Calls) -> None:
    overrides = site / "overrides"
    overrides.mkdir()
    template = overrides / "ingress.md.jinja"
    template.write_text(
        '{% extends "_base/ingress.md.jinja" %}\n{% block intro %}First.{% endblock %}\n',
        encoding="utf-8",
    )
    edit(
        site / "mkdocs.yml",
        "model: docs/network.yaml",
        "model: docs/network.yaml\n      custom_templates: overrides",
    )
    assert "First." in run_build(site)
    edit(template, "First.", "Second.")
    assert "Second." in run_build(site)
    assert runs.count == 2


def test_warnings_are_reported_again_from_the_cache(
    site: Path, runs: Calls, caplog: pytest.LogCaptureFixture
) -> None:
    # The router's address inside the MetalLB pool is a warning (NA123): --strict fails
    # each time, the cached build included.
    edit(site / "docs" / "network.yaml", "address: 192.168.100.1\n", "address: 192.168.100.220\n")
    with pytest.raises(Abort):
        run_build(site, strict=True)
    first = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("NA123" in message for message in first), first
    caplog.clear()
    with pytest.raises(Abort):
        run_build(site, strict=True)
    again = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert again == first
    assert runs.count == 1


def test_a_damaged_entry_is_a_miss(site: Path, runs: Calls) -> None:
    first = run_build(site)
    pages = Path(os.environ["NETARCH_CACHE_DIR"]) / "pages"
    for entry in pages.glob("pages-*.json"):
        entry.write_text('{"format": 1, "inputs": {}, "generation": {"pages": [', encoding="utf-8")
    assert run_build(site) == first
    assert runs.count == 2


def test_an_edited_entry_is_not_trusted(site: Path, runs: Calls) -> None:
    """A page planted in the cache (script in the model's place) never reaches the site."""
    first = run_build(site)
    pages = Path(os.environ["NETARCH_CACHE_DIR"]) / "pages"
    [entry] = pages.glob("pages-*.json")
    signature, _, body = entry.read_bytes().partition(b"\n")
    assert len(signature) == 64 and body.startswith(b"{")
    planted = body.replace(b"External traffic ingress", b"<script>alert(1)</script>", 1)
    assert planted != body
    entry.write_bytes(signature + b"\n" + planted)  # the old signature, new content
    assert run_build(site) == first
    assert runs.count == 2
    assert "<script>alert(1)</script>" not in first


def test_no_cache_with_cache_verdicts_false(site: Path, runs: Calls) -> None:
    edit(
        site / "mkdocs.yml",
        "model: docs/network.yaml",
        "model: docs/network.yaml\n      cache_verdicts: false",
    )
    run_build(site)
    run_build(site)
    assert runs.count == 2


def block_runs(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Counts the netarch-diff blocks made (each compares two models: two pipeline runs)."""
    from netarch.diff import blocks

    return Calls(monkeypatch, blocks, "run_block")


@pytest.fixture
def diff_site(site: Path) -> Path:
    model = (site / "docs" / "network.yaml").read_text(encoding="utf-8")
    assert "name: Upstream router" in model
    older = model.replace("name: Upstream router", "name: Old router", 1)
    (site / "docs" / "older.yaml").write_text(older, encoding="utf-8")
    page = "# What changed\n\n```netarch-diff\nbase: docs/older.yaml\n```\n"
    (site / "docs" / "changes.md").write_text(page, encoding="utf-8")
    return site


def _changes(site: Path) -> str:
    return _page(site / "out" / "changes" / "index.html")


def test_a_diff_blocks_report_is_reused_until_what_it_compares_changes(
    diff_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = block_runs(monkeypatch)
    run_build(diff_site, strict=True)
    first = _changes(diff_site)
    assert "Old router" in first and blocks.count == 1
    run_build(diff_site, strict=True)
    assert _changes(diff_site) == first and blocks.count == 1
    edit(diff_site / "docs" / "older.yaml", "name: Old router", "name: Older router")
    run_build(diff_site, strict=True)
    assert "Older router" in _changes(diff_site) and blocks.count == 2
    edit(diff_site / "docs" / "network.yaml", "name: Upstream router", "name: Edge router")
    run_build(diff_site, strict=True)
    assert "Edge router" in _changes(diff_site) and blocks.count == 3
    edit(diff_site / "docs" / "changes.md", "# What changed", "# What changes")
    run_build(diff_site, strict=True)
    assert blocks.count == 4  # the page's own text is part of the key


def test_an_edited_block_entry_is_not_trusted(
    diff_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = block_runs(monkeypatch)
    run_build(diff_site)
    first = _changes(diff_site)
    pages = Path(os.environ["NETARCH_CACHE_DIR"]) / "pages"
    [entry] = pages.glob("blocks-*.json")
    signature, _, body = entry.read_bytes().partition(b"\n")
    planted = body.replace(b"Old router", b"<script>alert(1)</script>", 1)
    assert planted != body
    entry.write_bytes(signature + b"\n" + planted)
    run_build(diff_site)
    assert _changes(diff_site) == first and blocks.count == 2


def test_a_build_with_unchanged_fences_never_makes_the_mermaid_engine(
    site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from netarch.validate.engine import MermaidValidator

    made = Calls(monkeypatch, MermaidValidator, "__init__")
    misdrawn = "```mermaid\nxychart-beta\n  x-axis [a, b, c]\n  bar [1, 2]\n```\n"
    (site / "docs" / "drawn.md").write_text(f"# Drawn\n\n{misdrawn}", encoding="utf-8")
    run_build(site)
    assert made.count == 1
    first = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("MERMAID_MISDRAWN" in message for message in first), first
    caplog.clear()
    run_build(site)
    assert made.count == 1  # pages, fences and verdicts all kept: no engine at all
    again = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert again == first  # the fence's warning is given again
    edit(site / "docs" / "drawn.md", "# Drawn", "# Drawn again")
    run_build(site)
    assert made.count == 2
