"""The pinned Mermaid is served with the site: which scripts are added, and what is copied.

No browser here; the browser tests check that the theme really uses these files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig

from netarch import assets
from netarch.mkdocs_plugin import NetarchConfig
from netarch.validate.engine import find_mermaid_js


def _config(*scripts: str, theme: str = "material") -> MkDocsConfig:
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "extra_javascript": list(scripts), "theme": theme})
    errors, _ = config.validate()
    assert not errors
    return config


def test_serving_is_on_by_default() -> None:
    assert NetarchConfig().serve_mermaid is True


def test_mermaid_and_its_defaults_load_after_the_sites_own_scripts_once() -> None:
    config = _config("js/extra.js")
    assert assets.add_mermaid_scripts(config, serve=True)
    # Again, as on a `mkdocs serve` rebuild with the same config object.
    assets.add_mermaid_scripts(config, serve=True)
    assert [str(s) for s in config.extra_javascript] == [
        "js/extra.js",
        assets.MERMAID_URI,
        assets.DEFAULTS_URI,
        assets.DIAGRAMS_JS_URI,
    ]
    assert [str(s) for s in config.extra_css] == [assets.DIAGRAMS_CSS_URI]


@pytest.mark.parametrize("theme", ["mkdocs", "readthedocs"])
def test_themes_other_than_material_also_get_the_drawing_script(theme: str) -> None:
    config = _config("js/extra.js", theme=theme)
    assets.add_mermaid_scripts(config, serve=True)
    assert [str(s) for s in config.extra_javascript] == [
        "js/extra.js",
        assets.MERMAID_URI,
        assets.DEFAULTS_URI,
        assets.DIAGRAMS_JS_URI,
        assets.DRAW_URI,
    ]


def test_a_site_that_loads_its_own_mermaid_gets_only_the_drawing_script() -> None:
    config = _config("js/mermaid.min.js", theme="mkdocs")
    assert not assets.add_mermaid_scripts(config, serve=False)
    assert [str(s) for s in config.extra_javascript] == [
        "js/mermaid.min.js",
        assets.DIAGRAMS_JS_URI,
        assets.DRAW_URI,
    ]


def test_the_served_file_is_the_checked_file_and_copying_again_is_a_no_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = find_mermaid_js()
    assets.copy_mermaid(source, tmp_path)
    assets.copy_drawing_script(tmp_path)
    assert (tmp_path / assets.MERMAID_URI).read_bytes() == source.read_bytes()
    assert (tmp_path / assets.DRAW_URI).read_text(encoding="utf-8") == assets.MERMAID_DRAW_JS
    defaults = tmp_path / assets.DEFAULTS_URI
    assert defaults.read_text(encoding="utf-8") == assets.MERMAID_DEFAULTS_JS

    def no_copy(*args: object) -> None:
        raise AssertionError(f"copied again: {args}")

    # A `mkdocs serve` rebuild: 5.5 MB are not copied again.
    monkeypatch.setattr(assets.shutil, "copy2", no_copy)
    assets.copy_mermaid(source, tmp_path)


def test_the_diagram_script_and_css_are_written_only_where_the_site_loads_them(
    tmp_path: Path,
) -> None:
    config = _config(theme="material")
    config["site_dir"] = str(tmp_path / "site")
    assets.copy_diagram_assets(config)  # not added (the plugin is switched off): nothing
    assert not (tmp_path / "site").exists()
    assets.add_mermaid_scripts(config, serve=True)
    assets.copy_diagram_assets(config)
    script = (tmp_path / "site" / assets.DIAGRAMS_JS_URI).read_text(encoding="utf-8")
    css = (tmp_path / "site" / assets.DIAGRAMS_CSS_URI).read_text(encoding="utf-8")
    assert "mermaid.render" in script and "showModal" in script
    # Built with the DOM, never from markup: page text cannot become elements.
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "overflow-x: auto" in css and "table code" in css
