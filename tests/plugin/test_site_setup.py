"""A site's configuration, as `mkdocs build` meets it: which Mermaid is checked and served,
the warnings that say why diagrams would not render, the nav order, the unpublished model."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin

from netarch.assets import DRAW_URI, MERMAID_URI
from netarch.scaffold import init_site
from netarch.site_setup import SiteSettings, render_problems
from netarch.validate.mermaid_build import locate_mermaid

pytestmark = pytest.mark.slow

FENCE = """\
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""


@pytest.fixture
def pinned() -> Path:
    return locate_mermaid(start=Path("/")).path


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("NETARCH_MERMAID_JS", raising=False)
    folder = tmp_path / "site"
    init_site(folder, "mkdocs")
    return folder


def edit_config(site: Path, old: str, new: str) -> None:
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_build(site: Path, *, strict: bool = True) -> Path:
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "out"), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site / "out"


def netarch_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "netarch" in record.getMessage()
    ]


def test_the_scaffolded_site_builds_strict_without_a_warning(
    site: Path, caplog: pytest.LogCaptureFixture, pinned: Path
) -> None:
    out = run_build(site)
    assert netarch_warnings(caplog) == []
    assert (out / MERMAID_URI).read_bytes() == pinned.read_bytes()
    assert (out / DRAW_URI).is_file()  # theme mkdocs draws nothing itself
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index(MERMAID_URI) < html.index(DRAW_URI)


def test_the_model_is_not_published_unless_asked(site: Path) -> None:
    out = run_build(site)
    assert not list(out.rglob("*.yaml"))
    edit_config(
        site, "model: docs/network.yaml", "model: docs/network.yaml\n      publish_model: true"
    )
    out = run_build(site)
    assert (out / "network.yaml").read_bytes() == (site / "docs" / "network.yaml").read_bytes()


def test_without_a_nav_generated_pages_keep_netarchs_order(site: Path) -> None:
    out = run_build(site)
    html = (out / "index.html").read_text(encoding="utf-8")
    order = [
        "architecture/cluster/",
        "architecture/ingress/",
        "architecture/service-load-balancing/",
        "architecture/rules/",
    ]
    positions = [html.index(f'href="{uri}"') for uri in order]
    assert positions == sorted(positions), "not in netarch's order (alphabetical puts rules 3rd)"
    # Previous/next links follow the same order.
    ingress = (out / "architecture" / "ingress" / "index.html").read_text(encoding="utf-8")
    assert 'href="../service-load-balancing/"' in ingress
    rules = (out / "architecture" / "rules" / "index.html").read_text(encoding="utf-8")
    assert 'href="../service-load-balancing/"' in rules


def test_a_missing_mermaid_fence_warns_so_strict_fails(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edit_config(site, FENCE, "")
    with pytest.raises(Abort):
        run_build(site)
    [warning] = netarch_warnings(caplog)
    assert "no ```mermaid fence configured, so every diagram shows as code" in warning
    assert "custom_fences" in warning and "fence_code_format" in warning


def test_mermaid2_warns(site: Path) -> None:
    # Without installing mkdocs-mermaid2-plugin: a plugin registered under its name.
    config = load_config(str(site / "mkdocs.yml"))
    config.plugins["mermaid2"] = BasePlugin()
    [problem] = render_problems(SiteSettings.from_mkdocs(config), [])
    assert "the mermaid2 plugin loads a Mermaid of its own" in problem.message
    assert "remove `mermaid2` from plugins" in problem.message


def test_a_mermaid_from_a_cdn_warns_and_netarch_serves_none(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cdn = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"
    edit_config(site, "plugins:", f"extra_javascript:\n  - {cdn}\n\nplugins:")
    out = run_build(site, strict=False)
    [warning] = netarch_warnings(caplog)
    assert f"extra_javascript loads {cdn} from the network" in warning
    assert "not the 12.3.0 the diagrams were checked with" in warning
    assert not (out / MERMAID_URI).exists()


def test_a_local_mermaid_of_the_sites_own_is_the_one_checked(
    site: Path, caplog: pytest.LogCaptureFixture, pinned: Path, tmp_path: Path
) -> None:
    # An 11.x build by its text: the pinned script with its version string changed.
    text = pinned.read_text(encoding="utf-8").replace('{version:"12.3.0"}', '{version:"11.9.0"}')
    (site / "docs" / "js").mkdir()
    (site / "docs" / "js" / "mermaid.min.js").write_text(text, encoding="utf-8")
    edit_config(site, "plugins:", "extra_javascript:\n  - js/mermaid.min.js\n\nplugins:")
    out = run_build(site, strict=False)
    [warning] = netarch_warnings(caplog)
    assert "checking diagrams with mermaid 11.9.0 from the site's own js/mermaid.min.js" in warning
    assert "not the pinned mermaid 12.3.0" in warning
    assert not (out / MERMAID_URI).exists()  # the site's own is what readers get
    assert (out / "js" / "mermaid.min.js").is_file()


def test_a_mermaid_in_a_theme_override_is_found(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    overrides = site / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}\n{% block extrahead %}'
        '<script src="https://cdn.jsdelivr.net/npm/mermaid@10/dist/mermaid.min.js"></script>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    edit_config(site, "  name: mkdocs\n", "  name: mkdocs\n  custom_dir: overrides\n")
    run_build(site, strict=False)
    [warning] = netarch_warnings(caplog)
    assert "main.html loads https://cdn.jsdelivr.net/npm/mermaid@10" in warning


def test_node_modules_is_found_from_mkdocs_yml_not_the_working_directory(
    site: Path, pinned: Path, tmp_path: Path
) -> None:
    package = site / "node_modules" / "mermaid"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps({"name": "mermaid", "version": "11.0.0"}), encoding="utf-8"
    )
    shutil.copy(pinned, package / "dist" / "mermaid.min.js")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(site / "mkdocs.yml")],
        cwd=elsewhere,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"checking diagrams with mermaid 11.0.0 from {package}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_mermaid_that_cannot_run_stops_the_build_in_one_sentence(
    site: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "mermaid.min.js"
    broken.write_text("throw new ReferenceError('document is not defined');", encoding="utf-8")
    edit_config(
        site, "model: docs/network.yaml", f"model: docs/network.yaml\n      mermaid_js: {broken}"
    )
    with pytest.raises(Abort):
        run_build(site, strict=False)
    assert "cannot run in netarch's checker" in caplog.text
    assert "document is not defined" in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("theme", "version", "draws"),
    [
        ("material", "7.1.8", False),
        ("material", "8.1.11", False),
        ("material", "8.2.0", True),
        ("material", "9.5.0b1", True),
        ("material", None, True),
        ("mkdocs", None, False),
        ("readthedocs", None, False),
    ],
)
def test_only_material_from_8_2_draws_diagrams_itself(
    theme: str, version: str | None, draws: bool
) -> None:
    from netarch.site_setup import theme_draws_diagrams

    assert theme_draws_diagrams(theme, version) is draws


def test_serve_mermaid_false_warns_where_the_theme_draws_nothing(tmp_path: Path) -> None:
    fences = {"custom_fences": [{"name": "mermaid", "class": "mermaid"}]}
    common = {"markdown_extensions": ("pymdownx.superfences",), "superfences": fences}
    old = SiteSettings(tmp_path, theme="material", material_version="7.1.8", **common)
    [problem] = render_problems(old, [], serve_mermaid=False)
    assert "no diagram renders with the material theme 7.1.8" in problem.message
    assert render_problems(old, [], serve_mermaid=True) == []
    new = SiteSettings(tmp_path, theme="material", material_version="9.6.0", **common)
    assert render_problems(new, [], serve_mermaid=False) == []
