"""The pinned Mermaid is served with the site: which scripts are added, and what is copied.

No browser here; the browser tests check that the theme really uses these files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from netarch import assets
from netarch.mkdocs_plugin import NetarchConfig
from netarch.validate.engine import find_mermaid_js


def _config(*scripts: str) -> MkDocsConfig:
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "extra_javascript": list(scripts)})
    errors, _ = config.validate()
    assert not errors
    return config


def test_serving_is_on_by_default() -> None:
    assert NetarchConfig().serve_mermaid is True


def test_mermaid_and_its_defaults_load_after_the_sites_own_scripts_once() -> None:
    config = _config("js/extra.js")
    source = assets.register_mermaid(config, None)
    assert source == find_mermaid_js()
    # Again, as on a `mkdocs serve` rebuild with the same config object.
    assets.register_mermaid(config, None)
    assert [str(s) for s in config.extra_javascript] == [
        "js/extra.js",
        assets.MERMAID_URI,
        assets.DEFAULTS_URI,
    ]


def test_a_site_that_loads_its_own_mermaid_keeps_it() -> None:
    config = _config("https://cdn.example/mermaid@12/dist/mermaid.esm.min.mjs")
    assert assets.register_mermaid(config, None) is None
    assert len(config.extra_javascript) == 1


def test_the_mermaid_js_option_is_what_is_served(tmp_path: Path) -> None:
    own = tmp_path / "mermaid.min.js"
    own.write_text("/* a build of mermaid */", encoding="utf-8")
    assert assets.register_mermaid(_config(), str(own)) == own


def test_a_missing_mermaid_stops_the_build_with_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETARCH_MERMAID_JS", str(tmp_path / "nowhere.js"))
    with pytest.raises(PluginError, match="serve_mermaid: false"):
        assets.register_mermaid(_config(), None)


def test_the_served_file_is_the_checked_file_and_copying_again_is_a_no_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = find_mermaid_js()
    assets.copy_mermaid(source, tmp_path)
    assert (tmp_path / assets.MERMAID_URI).read_bytes() == source.read_bytes()
    defaults = tmp_path / assets.DEFAULTS_URI
    assert defaults.read_text(encoding="utf-8") == assets.MERMAID_DEFAULTS_JS

    def no_copy(*args: object) -> None:
        raise AssertionError(f"copied again: {args}")

    # A `mkdocs serve` rebuild: 5.5 MB are not copied again.
    monkeypatch.setattr(assets.shutil, "copy2", no_copy)
    assets.copy_mermaid(source, tmp_path)
