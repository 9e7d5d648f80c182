"""The MkDocs plugin: a thin layer that feeds MkDocs the pages the core pipeline generates.

plugins:
  - netarch:
      model: docs/network.yaml
"""

from __future__ import annotations

import os
import re
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from netarch import assets
from netarch.checks import run_checks
from netarch.checks.framework import check_severity_overrides
from netarch.diagnostics import (
    Diagnostic,
    Location,
    Severity,
    display_path,
    format_report,
    has_errors,
)
from netarch.kits import KitLoadError
from netarch.pages.render import PageRenderer
from netarch.pipeline import Generation, generate
from netarch.serve_state import (
    LivePreview,
    crash_diagnostic,
    template_listing,
    view_problem_html,
    watch_targets,
)
from netarch.validate.engine import MermaidNotFound, MermaidValidator
from netarch.validate.verdicts import default_cache_dir

log = get_plugin_logger(__name__)

# ```netarch-view
# external-ingress
# ```
_VIEW_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*netarch-view[ \t]*\n(?P<body>.*?)\n(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


class _ModelFile(opt.Type):
    """A path to the model, checked when the config is loaded rather than mid-build."""

    def __init__(self) -> None:
        super().__init__(str, default="docs/network.yaml")

    def run_validation(self, value: object) -> str:
        path = super().run_validation(value)
        if not path.endswith((".yaml", ".yml")):
            raise base.ValidationError(f"the model must be a .yaml file, got {path!r}")
        return path


class _SeverityOverrides(opt.Type):
    """``{code: severity}`` for the model checks, checked when the config is loaded."""

    def __init__(self) -> None:
        super().__init__(dict, default={})

    def run_validation(self, value: object) -> dict[str, str]:
        overrides = super().run_validation(value)
        problems = check_severity_overrides(overrides)
        if problems:
            raise base.ValidationError("; ".join(problems))
        return overrides


class NetarchConfig(base.Config):
    enabled = opt.Type(bool, default=True)
    """Turn generation off, e.g. for a quick prose-only preview."""
    model = _ModelFile()
    """The network model, relative to mkdocs.yml."""
    section = opt.Type(str, default="Network architecture")
    """Title of the nav section holding the generated pages."""
    section_dir = opt.Type(str, default="architecture")
    """Folder (URL prefix) of the generated pages inside the site."""
    custom_templates = opt.Optional(opt.Dir(exists=True))
    """A folder searched before the built-in templates: override one page or one block."""
    mermaid_js = opt.Optional(opt.File(exists=True))
    """The mermaid.min.js to check with; by default the pinned one in node_modules."""
    check_diagrams = opt.Type(bool, default=True)
    """Check every generated diagram, and every ```mermaid fence in docs_dir, with Mermaid."""
    cache_verdicts = opt.Type(bool, default=True)
    """Keep Mermaid's verdicts for later builds ($NETARCH_CACHE_DIR, default ~/.cache/netarch):
    an unchanged diagram is not parsed again, and a build with none new never starts Mermaid."""
    invalid_diagrams = opt.Choice(("error", "warn"), default="error")
    """`error` stops the build on an invalid diagram; `warn` logs it (so --strict fails)."""
    checks = _SeverityOverrides()
    """Severity per check code, e.g. `{NA201: error, NA125: off}` (error, warning, info, off)."""
    serve_mermaid = opt.Type(bool, default=True)
    """Serve the checked mermaid.min.js with the site (offline, same version); `false`: the theme's."""


class NetarchPlugin(BasePlugin[NetarchConfig]):
    def __init__(self) -> None:
        self.generation: Generation | None = None
        self.validator: MermaidValidator | None = None
        self.renderer: PageRenderer | None = None
        self.is_serve = False
        self._model_path: Path | None = None
        self._display_path = ""
        self._custom_templates: Path | None = None
        self._template_listing: frozenset[str] = frozenset()
        # Under `serve`: watched paths, the last good pages and this rebuild's problems.
        self.preview = LivePreview()
        self._config_dir = Path.cwd()
        self._mermaid_asset: Path | None = None
        self._background = ThreadPoolExecutor(1, thread_name_prefix="netarch-assets")
        self._asset_copy: Future[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # The instance lives across `mkdocs serve` rebuilds: the Mermaid engine stays warm
        # and its verdict cache survives.
        self.is_serve = command == "serve"
        # MkDocs caches plugin instances for the whole process, not per command.
        self.preview = LivePreview()

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        # Called once, after the first build; later rebuilds add new includes themselves.
        if self.config.enabled:
            self.preview.watches.attach(server)
        return server

    def on_shutdown(self) -> None:
        if self.validator is not None:
            self.validator.close()
            self.validator = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if self._asset_copy is not None:  # left by a build that failed: never race the cleanup
            wait([self._asset_copy])
            self._asset_copy = None
        serve = self.config.enabled and self.config.serve_mermaid
        self._mermaid_asset = (
            assets.register_mermaid(config, self.config.mermaid_js) if serve else None
        )
        if not self.config.enabled:
            return None
        config_dir = self._config_dir = Path(config.config_file_path).parent
        self._model_path = (config_dir / self.config.model).resolve()
        self._display_path = display_path(self._model_path, config_dir)
        # Under `serve` a missing model is one more problem to show (it may be mid-rename).
        if not self._model_path.is_file() and not self.is_serve:
            raise PluginError(
                f"netarch: the model {self._display_path} does not exist; set `model:` under"
                " the netarch plugin in mkdocs.yml to your network.yaml"
            )
        custom = Path(self.config.custom_templates) if self.config.custom_templates else None
        if self.renderer is None or custom != self._custom_templates:
            try:
                self.renderer = PageRenderer(custom)
            except KitLoadError as error:  # a broken installed kit: say which, no traceback
                raise PluginError(f"netarch: {error}") from None
            self._custom_templates = custom
        self._refresh_templates(self.renderer)
        if self.config.check_diagrams and self.validator is None:
            try:
                mermaid = Path(self.config.mermaid_js) if self.config.mermaid_js else None
                cache = default_cache_dir() if self.config.cache_verdicts else None
                self.validator = MermaidValidator(mermaid, cache_dir=cache)
            except MermaidNotFound as error:
                raise PluginError(f"netarch: {error}") from None
        self.preview.start()
        self.generation = self._generate()
        self._report(self.generation.diagnostics)
        if self.is_serve:
            section_dir = self.config.section_dir.strip("/")
            self.preview.record(self.generation, section_dir, self.config.section)
            # The model itself too: an unreadable one is not always among the files read.
            files = [self._model_path, *self.generation.files]
            folders = self.renderer.template_dirs
            self.preview.watches.add(watch_targets(files, config_dir, folders))
        if config.nav is not None:
            _add_to_nav(config.nav, self.config.section, list(self._page_titles()))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self._mermaid_asset is not None:
            # MkDocs has just emptied site_dir: copy the 5.5 MB script while it renders pages.
            self._asset_copy = self._background.submit(
                assets.copy_mermaid, self._mermaid_asset, config.site_dir
            )
        if not self.config.enabled or self.generation is None:
            return files
        if self.validator is not None:
            self._check_hand_written_fences(files)
        assert self._model_path is not None
        # "Edit this page" opens the model: the page itself is not a file to edit.
        edit_uri = _edit_uri(self._model_path, Path(config.docs_dir).resolve())
        # While the model is broken under `serve`, stand-ins take the generated pages' URLs.
        contents = {page.src_uri: page.markdown for page in self.generation.pages}
        for src_uri, title in self.preview.error_pages().items():
            contents[src_uri] = f"# {title}\n"
        for src_uri, markdown in contents.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None and not existing.generated_by:
                message = (
                    f"{src_uri} exists in docs_dir and would be replaced by a generated page;"
                    " move it, or change `section_dir`"
                )
                if not self.is_serve:
                    raise PluginError(f"netarch: {message}")
                self._report(
                    [Diagnostic(Location(src_uri), Severity.ERROR, "PAGE_CONFLICT", message)]
                )
                continue
            if existing is not None:
                files.remove(existing)
            generated = File.generated(config, src_uri, content=markdown)
            generated.edit_uri = edit_uri
            files.append(generated)
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if not self.config.enabled or self.generation is None:
            return nav
        titles = self._page_titles()
        for page in nav.pages:
            if page.file.src_uri in titles:
                page.title = titles[page.file.src_uri]
                # With an automatic nav the folder name would title the section.
                if isinstance(page.parent, Section) and config.nav is None:
                    page.parent.title = self.config.section
        return nav

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        copying, self._asset_copy = self._asset_copy, None
        if copying is not None:
            copying.result()  # done by now; raises what the copy raised
        elif self._mermaid_asset is not None:
            assets.copy_mermaid(self._mermaid_asset, config.site_dir)

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled or self.generation is None:
            return None
        views = self.generation.views

        def embed(match: re.Match[str]) -> str:
            view_id = match.group("body").strip()
            indent = match.group("indent")
            if self.preview.broken:
                return view_problem_html(f"view {view_id!r}: the model has errors (see above)")
            if view_id not in views:
                known = ", ".join(sorted(views))
                if not self.is_serve:
                    raise PluginError(
                        f"netarch: {page.file.src_uri}: unknown view {view_id!r} in a"
                        f" netarch-view block; the model has: {known}"
                    )
                line = markdown.count("\n", 0, match.start()) + 1
                source = page.file.abs_src_path
                shown = (
                    display_path(Path(source), self._config_dir) if source else page.file.src_uri
                )
                where = Location(shown, line, len(indent) + 1)
                message = f"unknown view {view_id!r} in a netarch-view block"
                self._report(
                    [Diagnostic(where, Severity.ERROR, "VIEW_UNKNOWN", message, f"known: {known}")]
                )
                return view_problem_html(f"{where}: {message}")
            return "\n".join(indent + line for line in views[view_id].to_markdown().splitlines())

        return _VIEW_FENCE.sub(embed, markdown)

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        # Under `serve` only: a build stops at the first error, so there is nothing to show.
        if not self.config.enabled or not self.preview.problems:
            return None
        if page.file.generated_by and page.file.src_uri in self.preview.error_pages():
            return html + self.preview.error_page_html()
        return self.preview.banner() + html

    # -- helpers -------------------------------------------------------------------------

    def _generate(self) -> Generation:
        assert self._model_path is not None and self.renderer is not None
        try:
            return generate(
                self._model_path,
                display_path=self._display_path,
                renderer=self.renderer,
                section_dir=self.config.section_dir.strip("/"),
                check_diagram=self.validator.check if self.validator else None,
                model_checks=[partial(run_checks, severity_overrides=self.config.checks)],
                diagram_threads=self.validator.workers if self.validator else 0,
            )
        except MermaidNotFound as error:  # the engine starts with the first new diagram
            raise PluginError(f"netarch: {error}") from None
        except Exception as error:
            if not self.is_serve:
                raise
            # Mostly a template being edited live: show it like a model error, keep serving.
            problem = crash_diagnostic(error, Location(self._display_path))
            return Generation([problem], [str(self._model_path)])

    def _refresh_templates(self, renderer: PageRenderer) -> None:
        # Jinja re-reads an edited template, but keeps using the built-in one after a
        # same-named override appears in custom_templates: start afresh when files come or go.
        listing = template_listing(renderer.template_dirs)
        if listing != self._template_listing:
            if renderer.environment.cache is not None:
                renderer.environment.cache.clear()
            self._template_listing = listing

    def _page_titles(self) -> dict[str, str]:
        """src_uri -> title of this build's generated pages, or of their stand-ins."""
        assert self.generation is not None
        titles = {page.src_uri: page.title for page in self.generation.pages}
        titles.update(self.preview.error_pages())
        return titles

    def _check_hand_written_fences(self, files: Files) -> None:
        from netarch.validate.fences import check_pages

        assert self.validator is not None
        pages = {
            display_path(Path(file.abs_src_path), self._config_dir): file.content_string
            for file in files.documentation_pages()
            if not file.generated_by and file.abs_src_path
        }
        try:
            found = check_pages(pages, self.validator, check_many=self.validator.check_many)
        except MermaidNotFound as error:  # the engine starts with the first new diagram
            raise PluginError(f"netarch: {error}") from None
        self._report(found)

    def _report(self, diagnostics: list[Diagnostic]) -> None:
        """Log the diagnostics; errors stop a build, and are shown in the browser under serve."""
        downgrade = self.config.invalid_diagrams == "warn"
        fatal: list[Diagnostic] = []
        for diagnostic in diagnostics:
            mermaid = diagnostic.code.startswith("MERMAID")
            if diagnostic.is_error and not (mermaid and downgrade):
                fatal.append(diagnostic)
            elif diagnostic.severity in (Severity.ERROR, Severity.WARNING):
                log.warning(diagnostic.format_human())
            else:
                log.info(diagnostic.format_human())
        if self.is_serve:
            # A bad edit must not stop the server: log each error where the editor can jump
            # to it, and let the pages show them until the next save fixes them.
            for diagnostic in fatal:
                log.error(diagnostic.format_human())
            self.preview.add(fatal)
        elif has_errors(fatal):
            raise PluginError(
                f"netarch: {len(fatal)} error(s) in the network model or its diagrams;"
                " nothing was generated:\n" + format_report(fatal)
            )


def _edit_uri(model_path: Path, docs_dir: Path) -> str:
    return Path(os.path.relpath(model_path, docs_dir)).as_posix()


def _add_to_nav(nav: list[Any], section: str, src_uris: list[str]) -> None:
    """Give the generated pages a section in a hand-written nav, unless it lists them."""
    listed: set[str] = set()

    def collect(items: Any) -> None:
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, str):
                listed.add(item)
            elif isinstance(item, dict):
                for value in item.values():
                    collect(value)

    collect(nav)
    missing = [uri for uri in src_uris if uri not in listed]
    if missing:
        nav.append({section: missing})
