"""The `netarch.markdown` Python-Markdown extension (for Zensical and plain Python-Markdown):
blocks made as the MkDocs plugin makes them, diagrams checked, problems stop the page."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import markdown
import pytest
from pymdownx.superfences import fence_code_format

from netarch.markdown import NetarchMarkdownError
from netarch.pages.embed import embedded
from netarch.pipeline import generate

FENCES = {"custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]}
EXTENSIONS = ["admonition", "tables", "pymdownx.superfences", "netarch.markdown"]


@pytest.fixture
def site(tmp_path: Path, demo_model_path: Path) -> Path:
    shutil.copy(demo_model_path, tmp_path / "network.yaml")
    return tmp_path


def convert(text: str, site: Path, **options: Any) -> str:
    configs = {
        "pymdownx.superfences": FENCES,
        "netarch.markdown": {"base_dir": str(site), **options},
    }
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs=configs)


def test_a_view_block_is_the_view_as_the_plugin_embeds_it(site: Path) -> None:
    views = generate(site / "network.yaml").views
    page = "# Home\n\nBefore.\n\n```netarch-view\nflow-external-access\n```\n\nAfter.\n"
    by_hand = page.replace(
        "```netarch-view\nflow-external-access\n```", embedded(views["flow-external-access"])
    )
    html = convert(page, site)
    assert html == markdown.markdown(
        by_hand, extensions=EXTENSIONS[:3], extension_configs={"pymdownx.superfences": FENCES}
    )
    assert html.count('<pre class="mermaid">') == 1 and "netarch-view" not in html


def test_a_block_in_a_list_item_stays_in_it(site: Path) -> None:
    html = convert("- Item:\n\n    ```netarch-view\n    layers\n    ```\n\n- Next\n", site)
    item = html.split("<li>")[1]
    assert "<table>" in item and "Layer" in item


def test_an_unknown_view_stops_the_page_naming_its_line(site: Path) -> None:
    with pytest.raises(NetarchMarkdownError) as raised:
        convert("# Home\n\n```netarch-view\nno-such-view\n```\n", site)
    message = str(raised.value)
    assert "<markdown>:3:1: error VIEW_UNKNOWN: unknown view 'no-such-view'" in message
    assert "known: " in message and "flow-external-access" in message


def test_a_fence_mermaid_rejects_stops_the_page(site: Path) -> None:
    with pytest.raises(NetarchMarkdownError, match=r"<markdown>:6:\d+: error MERMAID"):
        convert("# Home\n\n```mermaid\nflowchart TD\n    A --> B\n    B --> (\n```\n", site)
    assert "<svg" not in convert("# Home\n\n```mermaid\nflowchart TD\n    A --> B\n```\n", site)


def test_a_broken_model_stops_the_page_with_every_error(site: Path) -> None:
    model = site / "network.yaml"
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("  service_cidr:", "  servce_cidr: x\n  service_cidr:", 1))
    with pytest.raises(NetarchMarkdownError) as raised:
        convert("```netarch-view\nlayers\n```\n", site)
    assert "network.yaml:" in str(raised.value) and "servce_cidr" in str(raised.value)


def _text(html: str) -> str:
    """The page with the diagrams' line breaks (written at spaces) read as spaces."""
    return html.replace("&lt;br/&gt;", " ").replace("<br/>", " ")


def test_an_edited_model_shows_on_the_next_page(site: Path) -> None:
    page = "```netarch-view\nflow-external-access\n```\n"
    assert "External clients" in _text(convert(page, site))
    model = site / "network.yaml"
    stat = model.stat()
    model.write_text(model.read_text().replace("name: External clients", "name: Outside clients"))
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert "Outside clients" in _text(convert(page, site))


def test_a_diff_block_is_the_change_report(site: Path) -> None:
    model = site / "network.yaml"
    previous = site / "network-previous.yaml"
    previous.write_text(model.read_text().replace("name: External clients", "name: Old clients"))
    html = convert("# Change\n\n```netarch-diff\nbase: network-previous.yaml\n```\n", site)
    assert "Old clients" in html and "External clients" in html
    assert '<pre class="mermaid">' in html  # the change drawn, checked like the views


def test_an_unusable_diff_block_warns_and_says_why_on_the_page(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    page = "# Change\n\n```netarch-diff\nbase: missing.yaml\n```\n"
    with caplog.at_level(logging.WARNING, logger="netarch"):
        html = convert(page, site)
    assert "netarch-view-problem" in html and "no such model file" in html
    assert any("<markdown>:4:7: warning DIFF_BLOCK" in r.getMessage() for r in caplog.records)
    # Zensical's --strict does not count a Python warning: the extension's `strict` does.
    with pytest.raises(NetarchMarkdownError, match="DIFF_BLOCK"):
        convert(page, site, strict=True)


def test_a_page_without_blocks_or_diagrams_is_left_alone(tmp_path: Path) -> None:
    # No model there: a page that needs none does not read it.
    assert convert("# Plain\n\nText.\n", tmp_path) == "<h1>Plain</h1>\n<p>Text.</p>"


def test_paths_outside_the_site_are_refused(site: Path) -> None:
    with pytest.raises(NetarchMarkdownError, match="outside the site's folder"):
        convert("text", site, model="../network.yaml")
    with pytest.raises(NetarchMarkdownError, match=r"must be a \.yaml file"):
        convert("text", site, model="network.json")
    with pytest.raises(NetarchMarkdownError, match="checks"):
        convert("text", site, checks={"NA104": "loud"})
