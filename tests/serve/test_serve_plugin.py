"""The plugin under `serve`, driven as `mkdocs serve` drives it: real builds, one plugin instance.

`mkdocs serve` loads the config again for every rebuild, gets the same (cached) plugin
instance back, and calls ``on_serve`` once after the first build; ``Preview`` does the same
with a fake server that records what it is asked to watch.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from netarch.mkdocs_plugin import NetarchPlugin
from netarch.pages.render import builtin_templates_dir
from netarch.views import DiagramView

pytestmark = pytest.mark.slow

SERVE_URL = "http://127.0.0.1:8000/"
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
      model: {model}
      check_diagrams: {check}
      serve_mermaid: false
{options}
"""


class FakeServer:
    def __init__(self) -> None:
        self.watched: dict[str, bool] = {}

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        assert path not in self.watched, f"{path} watched twice"
        self.watched[path] = recursive


class Preview:
    """A site in tmp_path, rebuilt the way `mkdocs serve` rebuilds it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = FakeServer()
        self.plugin: NetarchPlugin | None = None

    def build(self) -> None:
        config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.root / "site"))
        first = self.plugin is None
        if first:
            config.plugins.on_startup(command="serve", dirty=False)
        plugin = config.plugins["netarch"]
        assert isinstance(plugin, NetarchPlugin)
        assert self.plugin in (None, plugin), "serve would have kept the plugin instance"
        self.plugin = plugin
        build(config, serve_url=SERVE_URL)  # must not raise, whatever the edit
        if first:
            config.plugins.on_serve(self.server, config=config, builder=self.build)

    def page(self, path: str) -> str:
        return (self.root / "site" / path / "index.html").read_text(encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def close(self) -> None:
        if self.plugin is not None:
            self.plugin.on_shutdown()


@pytest.fixture
def make_preview(tmp_path: Path, demo_model_path: Path) -> Iterator[Callable[..., Preview]]:
    previews: list[Preview] = []

    def make(
        *,
        check: bool = False,
        model: str = "docs/network.yaml",
        options: str = "",
        pages: dict[str, str] | None = None,
    ) -> Preview:
        docs = tmp_path / "docs"
        docs.mkdir()
        if model == "docs/network.yaml":
            shutil.copy(demo_model_path, docs / "network.yaml")
        for name, text in (pages or {"index.md": "# Home\n"}).items():
            (docs / name).write_text(text, encoding="utf-8")
        (tmp_path / "mkdocs.yml").write_text(
            MKDOCS_YML.format(model=model, check=str(check).lower(), options=options),
            encoding="utf-8",
        )
        preview = Preview(tmp_path)
        previews.append(preview)
        return preview

    yield make
    for preview in previews:
        preview.close()


def test_rebuilds_keep_the_engine_the_renderer_and_the_verdicts(
    make_preview: Callable[..., Preview],
) -> None:
    preview = make_preview(check=True)
    preview.build()
    plugin = preview.plugin
    assert plugin is not None and plugin.validator is not None and plugin.renderer is not None
    validator, environment = plugin.validator, plugin.renderer.environment
    assert plugin.generation is not None
    diagrams = len(_diagram_texts(plugin))
    parses, hits = validator.parses, validator.cache_hits

    # Prose only: every diagram is the same text, so none is parsed again.
    preview.edit("docs/network.yaml", "Cozystack layers four", "Cozystack (edited) layers four")
    preview.build()
    assert "Cozystack (edited) layers four" in preview.page("architecture")
    assert plugin.validator is validator and plugin.renderer.environment is environment
    assert validator.parses == parses
    assert validator.cache_hits >= hits + diagrams

    # A component name that some diagrams show: only those are parsed again.
    before = _diagram_texts(plugin)
    preview.edit("docs/network.yaml", "    name: MetalLB\n", "    name: MetalLB speakers\n")
    preview.build()
    after = _diagram_texts(plugin)
    changed = sum(before[view] != after[view] for view in before)
    assert 0 < changed < diagrams
    assert validator.parses == parses + changed


def test_an_invalid_hand_written_diagram_is_shown_not_fatal(
    make_preview: Callable[..., Preview],
) -> None:
    index = "# Home\n\n```mermaid\nflowchart TD\n  a --> b[unclosed\n```\n"
    preview = make_preview(check=True, pages={"index.md": index})
    preview.build()
    home = preview.page("")
    assert "netarch-problems" in home and "docs/index.md:5" in home and "MERMAID" in home
    # The generated pages are current; they carry the banner too.
    overview = preview.page("architecture")
    assert "Cozystack layers four" in overview and "netarch-problems" in overview
    assert "not current" not in overview

    preview.edit("docs/index.md", "b[unclosed", "b[closed]")
    preview.build()
    assert "netarch-problems" not in preview.page("")


def test_a_template_error_and_an_unknown_view_are_shown_then_fixed(
    make_preview: Callable[..., Preview], tmp_path: Path
) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    index = "# Home\n\nText.\n\n```netarch-view\nno-such-view\n```\n"
    preview = make_preview(options="      custom_templates: custom", pages={"index.md": index})
    preview.build()
    home = preview.page("")
    assert "netarch-view-problem" in home and "docs/index.md:5:1" in home
    assert "VIEW_UNKNOWN" in home

    # A new override appears while serving: used from the next rebuild on.
    (custom / "observability.md.jinja").write_text(
        '{% extends "_base/observability.md.jinja" %}\n{% block title %}Seen live{% endblock %}\n'
    )
    preview.build()
    assert "Seen live" in preview.page("architecture/observability")

    # ... and a mistake in it becomes an error page pointing at the template line.
    (custom / "observability.md.jinja").write_text(
        '{% extends "_base/observability.md.jinja" %}\n{% block title %}{% if %}{% endblock %}\n'
    )
    preview.build()
    page = preview.page("architecture/observability")
    assert f"{custom / 'observability.md.jinja'}:2: error TEMPLATE" in page
    assert "Seen live" not in page

    (custom / "observability.md.jinja").unlink()
    preview.edit("docs/index.md", "no-such-view", "flow-external-access")
    preview.build()
    assert "netarch-problems" not in preview.page("architecture/observability")
    assert "netarch-view-problem" not in preview.page("")


def test_serve_watches_the_model_its_includes_and_the_templates(
    make_preview: Callable[..., Preview], tmp_path: Path, demo_model_path: Path
) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    text = demo_model_path.read_text(encoding="utf-8")
    (model_dir / "network.yaml").write_text(
        text.replace("netarch: 1\n", "netarch: 1\ninclude: [extra.yaml]\n", 1), encoding="utf-8"
    )
    preview = make_preview(model="model/network.yaml")
    preview.build()  # extra.yaml is missing: an error page
    assert "NA006" in preview.page("architecture")
    assert preview.server.watched[str(model_dir / "network.yaml")] is True
    assert preview.server.watched[str(builtin_templates_dir())] is True

    (model_dir / "extra.yaml").write_text("claims: []\n", encoding="utf-8")
    preview.build()
    assert "netarch-problems" not in preview.page("architecture")
    assert preview.server.watched[str(model_dir / "extra.yaml")] is True


def test_a_missing_model_is_an_error_page_until_it_exists(
    make_preview: Callable[..., Preview], tmp_path: Path, demo_model_path: Path
) -> None:
    preview = make_preview(model="model/network.yaml")
    (tmp_path / "model").mkdir()
    preview.build()
    page = preview.page("architecture")
    assert "model/network.yaml: error NA005" in page
    assert preview.server.watched[str(tmp_path / "model")] is False

    shutil.copy(demo_model_path, tmp_path / "model" / "network.yaml")
    preview.build()
    assert "Cozystack layers four" in preview.page("architecture")
    assert "netarch-problems" not in preview.page("")


def _diagram_texts(plugin: NetarchPlugin) -> dict[str, str]:
    assert plugin.generation is not None
    views = plugin.generation.views.items()
    return {key: view.diagram.text for key, view in views if isinstance(view, DiagramView)}


def test_a_model_replaced_by_a_folder_mid_rebuild_shows_the_error_not_its_pages(
    make_preview: Callable[..., Preview],
    tmp_path: Path,
    demo_model_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    preview = make_preview()
    preview.build()
    assert "Cozystack layers four" in preview.page("architecture")
    model = tmp_path / "docs" / "network.yaml"
    # on_config has read the model by then; on_nav is several handlers (before and after the
    # plugins that rebuild the nav), all run here in turn.
    read_by_netarch = NetarchPlugin.__dict__["on_nav"].methods

    def replaced_meanwhile(plugin: NetarchPlugin, nav: object, **kwargs: object) -> object:
        if model.is_file():
            model.unlink()
            model.mkdir()
        for handler in read_by_netarch:
            nav = handler(plugin, nav, **kwargs)
        return nav

    monkeypatch.setattr(NetarchPlugin, "on_nav", replaced_meanwhile)
    preview.edit("docs/network.yaml", "Cozystack layers four", "Cozystack layers FOUR")
    preview.build()  # the fake server sends no event: no rebuild follows to put it right
    page = html.unescape(preview.page("architecture"))
    assert "docs/network.yaml: error NA005: cannot read docs/network.yaml" in page
    assert "is a folder now" in page
    assert "Cozystack layers" not in page
    assert "netarch-problems" in preview.page("")

    monkeypatch.undo()
    model.rmdir()
    shutil.copy(demo_model_path, model)
    preview.build()
    assert "Cozystack layers four" in preview.page("architecture")
    assert "netarch-problems" not in preview.page("")
