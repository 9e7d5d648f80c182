"""A ```netarch-diff block in a site, through real `mkdocs build` runs in tmp_path."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from diff_sites import EDGE_MODEL, SITE_CONFIG
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from netarch.validate.engine import MermaidProblem, MermaidValidator

pytestmark = pytest.mark.slow

PAGE = """\
# What changed

```netarch-diff
base: {base}
```
"""


def make_site(tmp_path: Path, base: str = "docs/previous/network.yaml") -> Path:
    docs = tmp_path / "docs"
    (docs / "previous").mkdir(parents=True)
    (docs / "network.yaml").write_text(EDGE_MODEL, encoding="utf-8")
    old = EDGE_MODEL.replace("0.25.1", "0.24.0").replace("192.168.8.11", "192.168.8.21")
    (docs / "previous" / "network.yaml").write_text(old, encoding="utf-8")
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    (docs / "changes.md").write_text(PAGE.format(base=base), encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(SITE_CONFIG, encoding="utf-8")
    return tmp_path


def run_build(site: Path, *, strict: bool) -> Path:
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "site"), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site / "site"


def test_the_block_becomes_the_report_with_its_diagram_checked_by_mermaid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    checked: list[str] = []
    real_check = MermaidValidator.check

    def recording(self: MermaidValidator, text: str) -> list[MermaidProblem]:
        checked.append(text)
        return real_check(self, text)

    monkeypatch.setattr(MermaidValidator, "check", recording)
    out = run_build(site, strict=True)
    page = (out / "changes" / "index.html").read_text(encoding="utf-8")
    assert "Network changes: docs/previous/network.yaml → docs/network.yaml" in page
    assert re.search(r"<td>changed</td>\s*<td>component <code>flannel</code></td>", page)
    assert "<code>0.24.0</code> → <code>0.25.1</code>" in page
    [drawn] = re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert "\nflowchart LR\n" in html.unescape(drawn)  # after the front matter
    # Checked by the real Mermaid, like the diagrams of the generated pages.
    assert html.unescape(drawn).rstrip() in [text.rstrip() for text in checked]
    # The models the block compares stay out of the site, as the site's model does.
    assert not list(out.rglob("*.yaml"))


@pytest.mark.parametrize(
    ("base", "where", "message"),
    [
        ("docs/gone.yaml", "docs/changes.md:4:7", "'docs/gone.yaml': no such model file"),
        ("../network.yaml", "docs/changes.md:4:7", "is outside the site's folder"),
    ],
)
def test_a_bad_block_is_a_located_warning_that_strict_turns_into_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, base: str, where: str, message: str
) -> None:
    site = make_site(tmp_path, base)
    (tmp_path.parent / "network.yaml").write_text(EDGE_MODEL, encoding="utf-8")
    with pytest.raises(Abort):
        run_build(site, strict=True)
    assert re.search(rf"WARNING .*{re.escape(where)}: warning DIFF_BLOCK: .*{message}", caplog.text)
    caplog.clear()
    # Without --strict the site is built, and the page says what is wrong where the report was.
    out = run_build(site, strict=False)
    page = html.unescape((out / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "netarch-view-problem" in page and f"{where}: netarch-diff block" in page
    assert "Network changes" not in page
