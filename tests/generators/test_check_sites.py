"""`netarch check` of a Zensical or a Hugo site: what it finds, what it says is not run, and
what in the configuration keeps the pages from being built as checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netarch.cli import main

ZENSICAL_YML = """\
site_name: Z
theme:
  name: material
  font: false
extra_javascript:
  - javascripts/mermaid.min.js
markdown_extensions:
  - admonition
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - netarch.markdown:
      model: network.yaml
"""
ZENSICAL_TOML = """\
[project]
site_name = "Z"
extra_javascript = ["javascripts/mermaid.min.js"]
[project.markdown_extensions.admonition]
[project.markdown_extensions.pymdownx.superfences]
custom_fences = [{ name = "mermaid", class = "mermaid", format = "pymdownx.superfences.fence_code_format" }]
[project.markdown_extensions."netarch.markdown"]
model = "network.yaml"
"""
HUGO_TOML = """\
baseURL = "https://example.org/"
[markup.goldmark.renderer]
unsafe = true
[params.mermaid]
version = "12.3.0"
"""
VIEW_PAGE = "# Home\n\n```netarch-view\nflow-external-access\n```\n"


def _check(
    site: Path, capsys: pytest.CaptureFixture[str], *args: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    monkeypatch.chdir(site)
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def zensical_site(tmp_path: Path, demo_model_path: Path, repo_root: Path) -> Path:
    site = tmp_path / "zensical"
    (site / "docs" / "javascripts").mkdir(parents=True)
    shutil.copy(demo_model_path, site / "network.yaml")
    shutil.copy(
        repo_root / "node_modules/mermaid/dist/mermaid.min.js",
        site / "docs/javascripts/mermaid.min.js",
    )
    (site / "docs" / "index.md").write_text(VIEW_PAGE, encoding="utf-8")
    return site


@pytest.mark.parametrize(
    ("name", "config"), [("mkdocs.yml", ZENSICAL_YML), ("zensical.toml", ZENSICAL_TOML)]
)
def test_the_zensical_recipe_checks_clean_and_says_what_is_not_run(
    name: str,
    config: str,
    zensical_site: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (zensical_site / name).write_text(config, encoding="utf-8")
    assert (
        main(
            [
                "render",
                str(zensical_site / "network.yaml"),
                "-o",
                str(zensical_site / "docs/architecture"),
            ]
        )
        == 0
    )
    code, output = _check(zensical_site, capsys, monkeypatch=monkeypatch)
    assert code == 0, output
    assert (
        f"{name}:1:1: info SITE_CONFIG: a Zensical site: Zensical runs no MkDocs plugin" in output
    )
    assert "1 model(s), 10 Markdown file(s) checked: 0 problem(s)" in output


def test_stale_rendered_pages_and_a_bad_view_fail_the_check(
    zensical_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (zensical_site / "mkdocs.yml").write_text(ZENSICAL_YML, encoding="utf-8")
    model = zensical_site / "network.yaml"
    assert main(["render", str(model), "-o", str(zensical_site / "docs/architecture")]) == 0
    model.write_text(model.read_text().replace("name: External clients", "name: Outside clients"))
    (zensical_site / "docs" / "typo.md").write_text("```netarch-view\nno-such\n```\n")
    code, output = _check(zensical_site, capsys, monkeypatch=monkeypatch)
    assert code == 1
    assert (
        "warning STALE_PAGES:" in output
        and "netarch render network.yaml -o docs/architecture" in output
    )
    assert "docs/typo.md:1:1: error VIEW_UNKNOWN" in output


def test_a_mkdocs_site_moved_to_zensical_is_told_what_zensical_drops(
    zensical_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plugin's setup, with Zensical's own theme setting, and no Mermaid of its own.
    (zensical_site / "docs" / "network.yaml").write_text(
        (zensical_site / "network.yaml").read_text()
    )
    (zensical_site / "mkdocs.yml").write_text(
        "site_name: Z\ntheme:\n  name: material\n  variant: classic\n"
        "plugins:\n  - netarch:\n      model: docs/network.yaml\n"
        "markdown_extensions:\n  - pymdownx.superfences\n",
        encoding="utf-8",
    )
    (zensical_site / "docs/javascripts/mermaid.min.js").unlink()
    code, output = _check(zensical_site, capsys, monkeypatch=monkeypatch)
    assert code == 1
    assert "mkdocs.yml:6:5: warning SITE_CONFIG: Zensical does not run the netarch plugin" in output
    assert (
        "docs/index.md:3:1: warning SITE_CONFIG: Zensical shows this netarch-view block as code"
        in output
    )
    assert "no ```mermaid fence configured" in output
    assert "Zensical's theme loads mermaid@12 from a CDN" in output


def test_zensical_toml_mistakes(
    zensical_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.move(zensical_site / "network.yaml", zensical_site / "docs" / "network.yaml")
    unquoted = ZENSICAL_TOML.replace(
        '"netarch.markdown"]\nmodel = "network.yaml"',
        'netarch.markdown]\nmodel = "docs/network.yaml"',
    )
    (zensical_site / "zensical.toml").write_text(unquoted, encoding="utf-8")
    code, output = _check(zensical_site, capsys, monkeypatch=monkeypatch)
    assert code == 1
    assert "`netarch.markdown` unquoted is a TOML dotted key" in output
    quoted = ZENSICAL_TOML.replace('model = "network.yaml"', 'model = "docs/network.yaml"')
    (zensical_site / "zensical.toml").write_text(quoted, encoding="utf-8")
    code, output = _check(zensical_site, capsys, monkeypatch=monkeypatch)
    assert code == 1
    assert "is inside docs_dir, and Zensical publishes every file there" in output


@pytest.fixture
def hugo_site(tmp_path: Path) -> Path:
    site = tmp_path / "hugo"
    (site / "content" / "docs").mkdir(parents=True)
    (site / "content" / "docs" / "_index.md").write_text("---\ntitle: Docs\n---\nDocs.\n")
    (site / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    return site


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('version = "12.3.0"', ""),
        (
            'version = "latest"',
            "hugo.toml:5:12: warning SITE_CONFIG: params.mermaid.version is `latest`",
        ),
        (
            'version = "11.4.1"',
            "params.mermaid.version is 11.4.1, but the diagrams are checked with Mermaid 12.3.0",
        ),
        ("enable = true", "sets no params.mermaid.version, so Docsy loads Mermaid `latest`"),
    ],
)
def test_hugo_site_mermaid_version(
    setting: str,
    expected: str,
    hugo_site: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (hugo_site / "hugo.toml").write_text(HUGO_TOML.replace('version = "12.3.0"', setting))
    code, output = _check(hugo_site, capsys, monkeypatch=monkeypatch)  # found by itself
    assert "hugo.toml:1:1: info SITE_CONFIG: a Hugo site" in output
    assert code == (1 if expected else 0), output
    assert expected in output


def test_hugo_params_file_alerts_and_blocks(
    hugo_site: Path,
    demo_model_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (hugo_site / "hugo.toml").write_text('baseURL = "https://example.org/"\n')
    (hugo_site / "config" / "_default").mkdir(parents=True)
    (hugo_site / "config/_default/params.yaml").write_text("Mermaid:\n  Version: 12.3.0\n")
    section = hugo_site / "content" / "docs" / "architecture"
    assert main(["render", str(demo_model_path), "-o", str(section), "--flavor", "hugo"]) == 0
    (hugo_site / "content" / "docs" / "mine.md").write_text(
        "---\ntitle: Mine\n---\n\n```netarch-view\nlayers\n```\n\n```mermaid\nflowchart TD\n  A --> (\n```\n"
    )
    code, output = _check(hugo_site, capsys, "hugo.toml", monkeypatch=monkeypatch)
    assert code == 1
    assert "params.mermaid.version" not in output  # read from config/_default/params.yaml
    assert "warning SITE_CONFIG: netarch's pages use Docsy's alert shortcode" in output
    assert (
        "content/docs/mine.md:5:1: warning SITE_CONFIG: Hugo shows this netarch-view block as code"
        in output
    )
    assert "content/docs/mine.md:11:4: error MERMAID" in output


def test_a_plugin_site_checked_for_zensical_says_what_zensical_drops(
    zensical_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A site set up for MkDocs and the plugin, nothing Zensical's own in it: MkDocs by default.
    shutil.move(zensical_site / "network.yaml", zensical_site / "docs" / "network.yaml")
    (zensical_site / "docs/javascripts/mermaid.min.js").unlink()
    (zensical_site / "mkdocs.yml").write_text(
        ZENSICAL_YML.replace("  - javascripts/mermaid.min.js\n", "  []\n")
        .replace("extra_javascript:\n  []\n", "")
        .replace("  - netarch.markdown:\n      model: network.yaml\n", "")
        + "plugins:\n  - netarch:\n      model: docs/network.yaml\n",
        encoding="utf-8",
    )
    code, output = _check(zensical_site, capsys, monkeypatch=monkeypatch)
    assert code == 0, output
    code, output = _check(zensical_site, capsys, "--generator", "zensical", monkeypatch=monkeypatch)
    assert code == 1
    assert "Zensical does not run the netarch plugin" in output
    assert (
        "docs/index.md:3:1: warning SITE_CONFIG: Zensical shows this netarch-view block" in output
    )
    assert "Zensical's theme loads mermaid@12 from a CDN" in output


def test_a_hugo_section_the_model_no_longer_makes_fails_the_check(
    hugo_site: Path,
    demo_model_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = hugo_site / "network.yaml"
    shutil.copy(demo_model_path, model)
    other = hugo_site / "other.yaml"
    shutil.copy(demo_model_path, other)
    monkeypatch.chdir(hugo_site)
    for source, folder, extra in (
        ("network.yaml", "content/docs/net", ["--weight", "7", "--section", "Our net"]),
        ("other.yaml", "content/docs/other", []),
    ):
        assert main(["render", source, "-o", folder, "--flavor", "hugo", *extra]) == 0
    code, output = _check(hugo_site, capsys, "hugo.toml", "network.yaml", monkeypatch=monkeypatch)
    assert code == 0, output
    model.write_text(model.read_text().replace("name: External clients", "name: Outside clients"))
    code, output = _check(hugo_site, capsys, "hugo.toml", "network.yaml", monkeypatch=monkeypatch)
    assert code == 1
    assert "content/docs/net/_index.md: warning STALE_PAGES:" in output
    assert (
        "netarch render network.yaml -o content/docs/net --flavor hugo --weight 7 --section 'Our net'"
        in output
    )
    # The other section names its own model in its footer: not compared with this one.
    assert "content/docs/other" not in output
