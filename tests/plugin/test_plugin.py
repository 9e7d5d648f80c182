"""The MkDocs plugin, driven by real `mkdocs build` runs on small sites in tmp_path."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.plugins import CombinedEvent

pytestmark = pytest.mark.slow

MKDOCS_YML = """\
site_name: test
docs_dir: docs
markdown_extensions:
  - admonition
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
plugins:
  - netarch:
      model: docs/network.yaml
{options}
"""


def make_site(
    tmp_path: Path,
    demo_model_path: Path,
    *,
    model_text: str | None = None,
    options: str = "",
    pages: dict[str, str] | None = None,
) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    if model_text is None:
        shutil.copy(demo_model_path, docs / "network.yaml")
    else:
        (docs / "network.yaml").write_text(model_text, encoding="utf-8")
    for name, text in (pages or {"index.md": "# Home\n"}).items():
        (docs / name).write_text(text, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(options=options), encoding="utf-8")
    return tmp_path


def run_build(site: Path, strict: bool = False) -> Path:
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "site"), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site / "site"


def build_error(site: Path, caplog: pytest.LogCaptureFixture, strict: bool = False) -> str:
    """Run a build that must fail; return what MkDocs logged (the PluginError's text)."""
    with pytest.raises(Abort):
        run_build(site, strict=strict)
    return caplog.text


def test_build_generates_the_section_without_touching_docs(
    tmp_path: Path, demo_model_path: Path
) -> None:
    site = make_site(tmp_path, demo_model_path)
    before = sorted(p.name for p in (site / "docs").iterdir())
    out = run_build(site, strict=True)
    assert (out / "architecture" / "tenant-isolation" / "index.html").is_file()
    assert sorted(p.name for p in (site / "docs").iterdir()) == before


def test_a_bad_model_stops_the_build_with_every_error_and_writes_nothing(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = demo_model_path.read_text(encoding="utf-8")
    model = model.replace(
        "  pod_cidr: 10.244.0.0/16", "  pod_cidr: 10.244.0.0/16\n  pod_cidr_typo: 1", 1
    )
    model = model.replace(
        "    component: metallb\n    purpose:", "    component: metalb\n    purpose:", 1
    )
    site = make_site(tmp_path, demo_model_path, model_text=model)
    message = build_error(site, caplog)
    assert "docs/network.yaml:" in message
    assert "NA011" in message and "pod_cidr_typo" in message  # unknown key
    assert "NA020" in message and "metalb" in message and "metallb" in message  # did you mean
    assert "Traceback" not in message
    assert not (site / "site" / "architecture").exists()


def test_yaml_syntax_error_is_located(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site(tmp_path, demo_model_path, model_text="netarch: 1\ncluster: {pod_cidr: [\n")
    assert re.search(
        r"docs/network\.yaml:\d+:\d+: error NA001", build_error(site, caplog), re.DOTALL
    )


def test_missing_model_is_a_clear_error(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site(tmp_path, demo_model_path)
    (site / "docs" / "network.yaml").unlink()
    assert re.search("does not exist", build_error(site, caplog), re.DOTALL)


def test_custom_templates_override_one_block(tmp_path: Path, demo_model_path: Path) -> None:
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "cluster.md.jinja").write_text(
        '{% extends "_base/cluster.md.jinja" %}\n{% block intro %}Our own addressing plan.{% endblock %}\n',
        encoding="utf-8",
    )
    site = make_site(tmp_path, demo_model_path, options="      custom_templates: overrides")
    out = run_build(site, strict=True)
    page = (out / "architecture" / "cluster" / "index.html").read_text(encoding="utf-8")
    assert "Our own addressing plan." in page
    assert "10.244.0.0/16" in page  # the rest of the page is still the built-in one


def test_hand_written_page_embeds_a_view_by_id(tmp_path: Path, demo_model_path: Path) -> None:
    pages = {"index.md": "# Home\n\nIntro.\n\n```netarch-view\nidentity\n```\n\nAfter.\n"}
    site = make_site(tmp_path, demo_model_path, pages=pages)
    out = run_build(site, strict=True)
    page = (out / "index.html").read_text(encoding="utf-8")
    # After the front matter that keeps Mermaid's own wrapping out of the labels.
    assert re.search(r'<pre class="mermaid"><code>(---\n.*?---\n)?flowchart LR', page, re.DOTALL)
    assert "identity 12345" in page and "After." in page


def test_unknown_view_id_names_the_page_and_the_known_views(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {"index.md": "# Home\n\n```netarch-view\nno-such-view\n```\n"}
    site = make_site(tmp_path, demo_model_path, pages=pages)
    assert re.search(
        r"index\.md: unknown view 'no-such-view'.*identity", build_error(site, caplog), re.DOTALL
    )


def test_invalid_hand_written_mermaid_fence_stops_the_build(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {
        "index.md": "# Home\n\ntext\n\n```mermaid\nflowchart TD\n    A --> B\n    B --> (\n```\n"
    }
    site = make_site(tmp_path, demo_model_path, pages=pages)
    assert re.search(r"docs/index\.md:8:\d+: error MERMAID", build_error(site, caplog), re.DOTALL)


def test_invalid_fence_can_be_downgraded_to_a_warning_that_strict_fails(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {"index.md": "# Home\n\n```mermaid\nflowchart TD\n    A --> (\n```\n"}
    site = make_site(tmp_path, demo_model_path, options="      invalid_diagrams: warn", pages=pages)
    run_build(site)  # a warning only
    assert "error MERMAID" in caplog.text
    shutil.rmtree(site / "site")
    with pytest.raises(Abort, match="strict mode"):
        run_build(site, strict=True)


def _unsourced_claim(demo_model_path: Path) -> str:
    text = demo_model_path.read_text(encoding="utf-8")
    return text.replace(
        "    source: https://docs.cilium.io/en/stable/network/ebpf/intro/\n",
        "  - id: latency\n    text: The whole decision takes approximately 100 nanoseconds.\n",
        1,
    )


def test_an_unsourced_claim_is_a_warning_that_strict_fails(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site(tmp_path, demo_model_path, model_text=_unsourced_claim(demo_model_path))
    run_build(site)
    assert re.search(r"docs/network\.yaml:\d+:\d+: warning NA201", caplog.text)
    shutil.rmtree(site / "site")
    with pytest.raises(Abort, match="strict mode"):
        run_build(site, strict=True)


def test_a_site_can_change_a_checks_severity(tmp_path: Path, demo_model_path: Path) -> None:
    options = "      checks:\n        NA201: 'off'\n        NA202: error"
    site = make_site(
        tmp_path, demo_model_path, model_text=_unsourced_claim(demo_model_path), options=options
    )
    run_build(site, strict=True)


def test_an_unknown_check_code_fails_at_config_time(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site(tmp_path, demo_model_path, options="      checks:\n        NA999: error")
    with pytest.raises(Abort, match="configuration error"):
        run_build(site)
    assert "option 'checks': severity override for unknown rule or kit 'NA999'" in caplog.text


@pytest.mark.parametrize(("option", "kept"), [("", True), ("      cache_verdicts: false", False)])
def test_a_build_keeps_mermaids_verdicts_unless_told_not_to(
    tmp_path: Path, demo_model_path: Path, option: str, kept: bool
) -> None:
    from netarch.validate.verdicts import default_cache_dir

    site = make_site(tmp_path, demo_model_path, options=option)
    run_build(site, strict=True)
    stored = list(default_cache_dir().glob("mermaid-verdicts-*.json"))
    assert bool(stored) is kept
    # A second build of the same site reads them back and builds the same pages.
    first = (site / "site" / "architecture" / "tenant-isolation" / "index.html").read_text()
    run_build(site, strict=True)
    assert (site / "site" / "architecture" / "tenant-isolation" / "index.html").read_text() == first


def test_a_mermaid_file_that_is_not_mermaid_stops_the_build_clearly(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # With verdicts kept on disk, Mermaid starts at the first new diagram, during generation.
    fake = tmp_path / "fake-mermaid.js"
    fake.write_text("var notMermaid = 1;\n", encoding="utf-8")
    site = make_site(tmp_path, demo_model_path, options=f"      mermaid_js: {fake}")
    text = build_error(site, caplog)
    assert "netarch:" in text and "did not define a global `mermaid`" in text
    assert "Traceback" not in text


def test_a_build_reads_the_pages_while_mermaid_checks_the_diagrams(
    tmp_path: Path, demo_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each verdict waits until MkDocs has asked for the files, which comes after on_config: a
    # plugin that waited for Mermaid in on_config would never get there.
    from netarch.mkdocs_plugin import NetarchPlugin
    from netarch.validate.engine import MermaidValidator

    files_asked = threading.Event()
    waited_in_vain: list[str] = []
    real_check, real_on_files = MermaidValidator.check, NetarchPlugin._on_files

    def check_after_files(self: MermaidValidator, text: str) -> list[object]:
        if not files_asked.wait(10):
            waited_in_vain.append(text)
        return real_check(self, text)

    def on_files(self: NetarchPlugin, files: object, **kwargs: object) -> object:
        files_asked.set()
        return real_on_files(self, files, **kwargs)

    monkeypatch.setattr(MermaidValidator, "check", check_after_files)
    # The plugin's on_files is two handlers (before and after other plugins): wrap the first.
    later = NetarchPlugin._on_files_after_others
    monkeypatch.setattr(NetarchPlugin, "on_files", CombinedEvent(on_files, later))
    out = run_build(make_site(tmp_path, demo_model_path), strict=True)
    assert waited_in_vain == []
    assert (out / "architecture" / "tenant-isolation" / "index.html").is_file()


def test_a_generated_diagram_mermaid_rejects_stops_the_build_before_any_page_is_written(
    tmp_path: Path,
    demo_model_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from netarch.validate.engine import MermaidProblem, MermaidValidator

    def reject_the_note(self: MermaidValidator, text: str) -> list[MermaidProblem]:
        return [MermaidProblem(1, 0, "rejected")] if "Note over" in text else []

    monkeypatch.setattr(MermaidValidator, "check", reject_the_note)
    site = make_site(tmp_path, demo_model_path)
    message = build_error(site, caplog)
    assert re.search(r"docs/network\.yaml:\d+:\d+: error MERMAID: view '[^']+'", message)
    assert "Traceback" not in message
    assert not list((site / "site").rglob("*.html"))


def test_a_page_title_from_the_model_is_the_heading_the_nav_entry_and_the_title(
    tmp_path: Path, demo_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = demo_model_path.read_text(encoding="utf-8") + (
        "pages:\n"
        "  - id: ingress\n"
        "    title: How clients reach us\n"
        "    intro: Written in the model.\n"
        "  - id: observability\n"
        "    hidden: true\n"
    )
    site = make_site(tmp_path, demo_model_path, model_text=model)
    out = run_build(site)
    # The hidden page held the Hubble example: hiding it is allowed, and said.
    assert "NA170: example hubble-values appears on no page" in caplog.text
    html = (out / "architecture" / "ingress" / "index.html").read_text(encoding="utf-8")
    assert "<title>How clients reach us - test</title>" in html
    assert re.search(r"<h1[^>]*>How clients reach us", html)
    assert "<p>Written in the model.</p>" in html
    index = (out / "architecture" / "index.html").read_text(encoding="utf-8")
    # Listed in the model, the renamed page comes first after the overview.
    listing = index[index.index('id="pages-in-this-section"') :]
    assert re.findall(r'<li><a href="([a-z-]+)/">', listing)[:2] == ["ingress", "cluster"]
    assert '<a href="ingress/">How clients reach us</a>' in listing
    assert not (out / "architecture" / "observability").exists()
