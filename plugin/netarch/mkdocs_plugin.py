"""The MkDocs plugin: a thin layer that feeds MkDocs the pages the core pipeline generates.

plugins:
  - netarch:
      model: docs/network.yaml
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from netarch import assets, site_nav, site_plugins, site_setup
from netarch.diagnostics import (
    Diagnostic,
    Location,
    Severity,
    display_path,
    format_report,
    has_errors,
)
from netarch.page_cache import (
    BlockCache,
    FenceCache,
    PageCache,
    StoredBlocks,
    StoredGeneration,
    stat_key,
)
from netarch.registry import KitLoadError
from netarch.safety import defuse_html_links, excerpt, inspect_path, resolve_path
from netarch.serve_state import (
    LivePreview,
    crash_diagnostic,
    template_listing,
    view_problem_html,
    watch_targets,
)
from netarch.validate.engine import MermaidNotFound, MermaidValidator, mini_racer_version
from netarch.validate.fences import VIEW_ID_CHARS
from netarch.validate.mermaid_build import MermaidBuild, locate_mermaid
from netarch.validate.verdicts import default_cache_dir

# Imported where used: a build that reuses cached pages needs neither the model, its
# checks, the views nor the templates (about 0.2 s of imports).
if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

    from netarch.diff.preview import BaseRevision
    from netarch.pages.render import PageRenderer
    from netarch.pipeline import Generation
    from netarch.validate.fences import Fence


class _PluginLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """MkDocs' plugin logger, saying "netarch: " once: most messages here say it already
    (they are PluginError texts too), and MkDocs' own prefix would double it."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        text = str(msg)
        return (text if text.startswith("netarch: ") else f"netarch: {text}"), kwargs


# The logger MkDocs (or ProperDocs, which counts the warnings of its own) gives plugins.
log = _PluginLog(get_plugin_logger(__name__).logger, {})

# A page that holds no such word has no ```netarch-diff block: it is not parsed for one.
_DIFF_BLOCK_WORD = "netarch-diff"


class _ModelFile(opt.Type):
    """A path to the model, checked when the config is loaded rather than mid-build."""

    def __init__(self) -> None:
        super().__init__(str, default="docs/network.yaml")

    def run_validation(self, value: object) -> str:
        path = super().run_validation(value)
        if not path.endswith((".yaml", ".yml")):
            raise base.ValidationError(f"the model must be a .yaml file, got {path!r}")
        return path


class _SectionDir(opt.Type):
    """A folder inside the site for the generated pages: `../x` would drop them silently."""

    def __init__(self) -> None:
        super().__init__(str, default="architecture")

    def run_validation(self, value: object) -> str:
        folder = super().run_validation(value)
        parts = PurePosixPath(folder.replace("\\", "/")).parts
        if folder.startswith(("/", "\\")) or ".." in parts or ":" in folder:
            raise base.ValidationError(
                f"section_dir must be a folder inside docs_dir, e.g. 'architecture', got {folder!r}"
            )
        return folder


class _SeverityOverrides(opt.Type):
    """``{code: severity}`` for the model checks, checked when the config is loaded."""

    def __init__(self) -> None:
        super().__init__(dict, default={})

    def run_validation(self, value: object) -> dict[str, str]:
        overrides = super().run_validation(value)
        if not overrides:
            return overrides
        from netarch.checks.framework import check_severity_overrides

        problems = check_severity_overrides(overrides)
        if problems:
            raise base.ValidationError("; ".join(problems))
        return overrides


class _Revision(opt.Type):
    """A git revision (or ``auto``), never something git would read as an option."""

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        revision = super().run_validation(value)
        if not revision or revision.startswith("-") or any(c.isspace() for c in revision):
            raise base.ValidationError(
                f"diff_base must be a git revision (a branch, tag or commit) or 'auto', got"
                f" {revision!r}"
            )
        return revision


class NetarchConfig(base.Config):
    enabled = opt.Type(bool, default=True)
    """Turn generation off, e.g. for a quick prose-only preview."""
    model = _ModelFile()
    """The network model, relative to mkdocs.yml."""
    section = opt.Type(str, default="Network architecture")
    """Title of the nav section holding the generated pages."""
    section_dir = _SectionDir()
    """Folder (URL prefix) of the generated pages inside the site."""
    custom_templates = opt.Optional(opt.Dir(exists=True))
    """A folder searched before the built-in templates: override one page or one block."""
    mermaid_js = opt.Optional(opt.File(exists=True))
    """The mermaid.min.js to check with and serve; by default node_modules/mermaid next to
    mkdocs.yml (or above it), else the pinned copy shipped with netarch."""
    check_diagrams = opt.Type(bool, default=True)
    """Check every generated diagram, and every ```mermaid fence in docs_dir, with Mermaid."""
    cache_verdicts = opt.Type(bool, default=True)
    """Keep Mermaid's verdicts for later builds ($NETARCH_CACHE_DIR, default ~/.cache/netarch):
    an unchanged diagram is not parsed again, and a build with none new never starts Mermaid.
    The generated pages too: a build whose model, templates and options are unchanged reuses
    them (with their warnings) instead of running the pipeline again."""
    invalid_diagrams = opt.Choice(("error", "warn"), default="error")
    """`error` stops the build on an invalid diagram; `warn` logs it (so --strict fails)."""
    checks = _SeverityOverrides()
    """Severity per check code, e.g. `{NA201: error, NA125: off}` (error, warning, info, off)."""
    publish_model = opt.Type(bool, default=False)
    """Copy the model (and its includes) into the built site; off: internal addresses stay out."""
    serve_mermaid = opt.Type(bool, default=True)
    """Serve the checked mermaid.min.js with the site (offline, same version); `false`: the theme's."""
    diff_base = opt.Optional(_Revision())
    """Under `mkdocs serve`: a git revision, or `auto` (the merge base with the default branch,
    as `netarch diff`); each generated page the change since then alters says so at its top."""
    diff_in_build = opt.Type(bool, default=False)
    """Show the `diff_base` notes in `mkdocs build` too (a pull request's preview site)."""


class NetarchPlugin(BasePlugin[NetarchConfig]):
    def __init__(self) -> None:
        self.generation: Generation | StoredGeneration | None = None
        self.validator: MermaidValidator | None = None
        self.renderer: PageRenderer | None = None
        self.is_serve = False
        self._model_path: Path | None = None
        self._display_path = ""
        self._custom_templates: Path | None = None  # those of self.renderer
        self._templates_option: Path | None = None  # this build's custom_templates
        self._template_listing: frozenset[str] = frozenset()
        # Under `serve`: watched paths, the last good pages and this rebuild's problems.
        self.preview = LivePreview()
        self._config_dir = Path.cwd()
        self._mermaid_asset: Path | None = None
        self._draw_script = False  # the theme needs netarch's script to draw diagrams
        self._mermaid: MermaidBuild | None = None
        self._background = ThreadPoolExecutor(1, thread_name_prefix="netarch-assets")
        self._asset_copy: Future[None] | None = None
        # A build does not wait for Mermaid in on_config: the verdicts come in while MkDocs
        # reads the pages, and on_env (before anything is written) waits for them.
        self._store_when_settled: Callable[[], None] | None = None
        # Verdicts still to come (on the site's own fences, on the diagrams of netarch-diff
        # reports), each with what keeps it for later builds once it is in.
        self._pending_verdicts: list[
            tuple[Future[list[Diagnostic]], Callable[[list[Diagnostic]], None]]
        ] = []
        # Body of each ```netarch-diff block of this build -> the Markdown that replaces it.
        self._diff_blocks: dict[str, str] = {}
        # diff_base: the base revision's side (kept across `serve` rebuilds), the note of each
        # generated page the change alters (src_uri -> Markdown), the warnings already given.
        self._diff_base: BaseRevision | None = None
        self._page_notes: dict[str, str] = {}
        self._diff_warnings: set[str] = set()
        # The language of this build of a multilingual site (mkdocs-static-i18n), if any.
        self._language: site_plugins.Language | None = None
        # src_uri -> the title the site's own nav gives a generated page (kept there).
        self._nav_titles: dict[str, str] = {}
        # The SUMMARY.md given to mkdocs-literate-nav for the section's folder, if any.
        self._literate_summary: File | None = None
        # Under `serve`: each page's HTML before the problems were put on it, by src_uri.
        self._page_html: dict[str, str] = {}

    # -- lifecycle -----------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # The instance lives across `mkdocs serve` rebuilds: the Mermaid engine stays warm
        # and its verdict cache survives.
        self.is_serve = command == "serve"
        # MkDocs caches plugin instances for the whole process, not per command.
        self.preview = LivePreview()
        self._diff_base = None
        self._diff_warnings = set()

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
        self._mermaid_asset = None
        self._draw_script = False
        self._store_when_settled = None
        self._pending_verdicts = []
        self._page_html = {}
        if not self.config.enabled:
            return None
        config_dir = self._config_dir = Path(config.config_file_path).parent
        mermaid = self._setup_mermaid(config, config_dir)
        model = config_dir / self.config.model
        self._model_path = resolve_path(model) or model.absolute()
        self._display_path = display_path(self._model_path, config_dir)
        if not self._model_path.is_relative_to(config_dir.resolve()):
            # What the model includes is confined to the site's folder; so is the model.
            raise PluginError(
                f"netarch: the model {self.config.model} is outside the site's folder; keep it"
                " next to mkdocs.yml"
            )
        # Under `serve` a missing model is one more problem to show (it may be mid-rename).
        found = inspect_path(self._model_path)
        if not found.is_file and not self.is_serve:
            problem = "does not exist" if found.kind == "missing" else f"is {found.problem}"
            if found.kind in ("unusable", "folder"):
                problem = f"cannot be read ({found.problem or 'a folder'})"
            raise PluginError(
                f"netarch: the model {excerpt(str(self.config.model), 200)} {problem}; set `model:`"
                " under the netarch plugin in mkdocs.yml to your network.yaml"
            )
        self._templates_option = (
            Path(self.config.custom_templates) if self.config.custom_templates else None
        )
        self._mermaid = mermaid
        if self.validator is not None and self.validator.mermaid_js != mermaid.path:
            self.validator.close()  # another Mermaid since the last `serve` rebuild
            self.validator = None
        if self.is_serve:
            validator = self._mermaid_validator()  # started once, kept warm across rebuilds
            if validator is not None:
                validator.reset_budget()  # each rebuild is a run of its own
        self.preview.start()
        self._language = site_plugins.i18n_language(config.plugins)
        self.generation = self._generate()
        self._report(self.generation.diagnostics)
        if self.is_serve:
            section_dir = self.config.section_dir.strip("/")
            self.preview.record(self.generation, section_dir, self.config.section)
            # The model itself too: an unreadable one is not always among the files read.
            files = [self._model_path, *self.generation.files]
            folders = self._page_renderer().template_dirs
            self.preview.watches.add(watch_targets(files, config_dir, folders))
        # Computed (and its modules imported) only when asked for: a build pays nothing.
        self._page_notes = self._notes_against_base() if self._diff_notes_on else {}
        self._nav_titles = {}
        if config.nav is not None:
            self._place_in_nav(config)
        return config

    def _place_in_nav(self, config: MkDocsConfig) -> None:
        """Put the generated pages into the site's own nav (see netarch.site_nav)."""
        titles = self._page_titles()
        placed = site_nav.place_pages(
            config.nav or [],
            list(titles),
            section=self.config.section,
            section_dir=self.config.section_dir.strip("/"),
        )
        config.nav = placed.nav
        # Titles netarch wrote itself (the SUMMARY.md it gives literate-nav) are not the site's.
        self._nav_titles.update(
            {uri: title for uri, title in placed.titles.items() if titles.get(uri) != title}
        )

    @property
    def _diff_notes_on(self) -> bool:
        return bool(self.config.diff_base) and (self.is_serve or self.config.diff_in_build)

    def _setup_mermaid(self, config: MkDocsConfig, config_dir: Path) -> MermaidBuild:
        """The Mermaid to check with (and serve), and warnings where diagrams cannot render.

        The site's own local Mermaid, when it loads one, is what its readers get: check with
        that. Otherwise netarch serves the one it checks with.
        """
        site = site_setup.SiteSettings.from_mkdocs(config)
        mermaids = site_setup.site_mermaids(site, assets.OWN_URIS)
        serving = self.config.serve_mermaid
        for problem in site_setup.render_problems(site, mermaids, serve_mermaid=serving):
            log.warning(f"netarch: {problem}")
        local = next((found for found in mermaids if found.local_file is not None), None)
        explicit: Path | str | None = None
        origin = "the mermaid_js option"
        if self.config.mermaid_js:
            explicit = self.config.mermaid_js
        elif local is not None:
            explicit, origin = local.local_file, f"the site's own {local.script}"
        try:
            mermaid = locate_mermaid(explicit, start=config_dir, explicit_origin=origin)
        except MermaidNotFound as error:
            raise PluginError(f"netarch: {error}") from None
        mismatch = mermaid.mismatch()
        if mismatch:
            log.warning(f"netarch: {mismatch}")
        serve = serving and not mermaids
        if not serving and not mermaids and site.theme_draws_diagrams:
            log.info("netarch: serve_mermaid is false: the theme loads a Mermaid of its own")
        assets.add_mermaid_scripts(config, serve=serve)
        self._mermaid_asset = mermaid.path if serve else None
        self._draw_script = not site.theme_draws_diagrams
        return mermaid

    def _on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self._mermaid_asset is not None:
            # MkDocs has just emptied site_dir: copy the 5.5 MB script while it renders pages.
            self._asset_copy = self._background.submit(
                assets.copy_mermaid, self._mermaid_asset, config.site_dir
            )
        if not self.config.enabled or self.generation is None:
            return files
        # Read once here: MkDocs' File reads its source again on every access.
        pages = {
            display_path(Path(file.abs_src_path), self._config_dir): file.content_string
            for file in files.documentation_pages()
            if not file.generated_by and file.abs_src_path
        }
        if self.config.check_diagrams:
            self._check_hand_written_fences(pages)
        # What the blocks compare is model files too: kept out of the site like the model.
        diff_files = self._run_diff_blocks(pages)
        if not self.config.publish_model:
            model_files = [self._model_path, *map(Path, self.generation.files)]
            _leave_out(files, [*model_files, *map(Path, diff_files)])
        if self._language is None:  # with i18n, after it (see netarch.site_plugins)
            self._add_pages(files, config)
        self._literate_summary = None
        nav_file = site_plugins.literate_nav_file(config.plugins)
        section_dir = self.config.section_dir.strip("/")
        # Not with i18n, which would fail on a generated file before literate-nav reads it.
        wanted = nav_file and section_dir and self._language is None
        summary_uri = f"{section_dir}/{nav_file}" if wanted else None
        if summary_uri and files.get_file_from_path(summary_uri) is None:
            pages = list(self._page_titles().items())
            summary = site_nav.summary_markdown(pages, section_dir)
            self._literate_summary = File.generated(config, summary_uri, content=summary)
            files.append(self._literate_summary)
        return files

    @event_priority(-110)  # after mkdocs-static-i18n and mkdocs-literate-nav (-100)
    def _on_files_after_others(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled or self.generation is None:
            return files
        if self._language is not None:
            self._add_pages(files, config, self._language.dest_prefix)
        if self._literate_summary is not None:
            # literate-nav has read it: a nav file, not a page of the site.
            summary = self._literate_summary
            if files.get_file_from_path(summary.src_uri) is summary:
                files.remove(summary)
            self._literate_summary = None
            if config.nav is not None:  # literate-nav's nav, placed like a hand-written one
                self._place_in_nav(config)
        return files

    on_files = CombinedEvent(_on_files, _on_files_after_others)

    def _add_pages(self, files: Files, config: MkDocsConfig, dest_prefix: str = "") -> None:
        """Add the generated pages to ``files``; ``dest_prefix``: the language's folder of a
        multilingual site's build ("" for the default language)."""
        assert self._model_path is not None and self.generation is not None
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
            if dest_prefix:
                generated.dest_uri = dest_prefix + generated.dest_uri
            generated.edit_uri = edit_uri
            files.append(generated)

    def _on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if not self.config.enabled or self.generation is None:
            return nav
        titles = self._page_titles()
        for page in nav.pages:
            if page.file.src_uri in titles and page.file.src_uri not in self._nav_titles:
                # Themes print a page title as HTML (MkDocs takes it from the rendered H1), and
                # a title composed from the model carries its component names: escape them.
                page.title = html.escape(titles[page.file.src_uri])
                # With an automatic nav the folder name would title the section.
                if isinstance(page.parent, Section) and config.nav is None:
                    page.parent.title = self.config.section
        if config.nav is None:  # MkDocs sorts an automatic nav by name; keep netarch's order
            _keep_generated_order(nav, list(titles))
        return nav

    @event_priority(-110)  # after the plugins that rebuild the nav (mkdocs-static-i18n: -100)
    def _on_nav_after_others(
        self, nav: Navigation, *, config: MkDocsConfig, files: Files
    ) -> Navigation:
        if not self.config.enabled or self.generation is None:
            return nav
        titles = self._page_titles()
        # From the items: a plugin that rebuilds them may leave nav.pages as it was.
        in_nav = {page.file.src_uri for page in _pages_of(nav.items)}
        missing = [uri for uri in titles if uri not in in_nav]
        if not missing:
            return nav
        if config.nav is None:
            # An automatic nav another plugin rebuilt without them (mkdocs-static-i18n's folder
            # structure keeps only what is in the language's folder): the section goes back.
            pages = [file.page for uri in missing if (file := files.get_file_from_path(uri))]
            section = Section(self.config.section, [page for page in pages if page is not None])
            for page in section.children:
                page.parent = section
                page.title = html.escape(titles[page.file.src_uri])
            nav.items.append(section)
            _keep_generated_order(nav, list(titles))
            return nav
        marker = site_nav.placeholder(self.config.section_dir)
        log.warning(
            f"netarch: the site's nav leaves out {len(missing)} generated page(s)"
            f" ({', '.join(missing)}): put `{marker}` where the section belongs (in"
            " `nav:`, or as a link in the SUMMARY.md of mkdocs-literate-nav)"
        )
        return nav

    on_nav = CombinedEvent(_on_nav, _on_nav_after_others)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # Every page is read, nothing is written yet: the last moment to stop a build whose
        # diagrams Mermaid rejects.
        self._settle()
        if self.is_serve and self.config.enabled and self.generation is not None:
            self._check_model_still_there(files)
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        copying, self._asset_copy = self._asset_copy, None
        if copying is not None:
            copying.result()  # done by now; raises what the copy raised
        elif self._mermaid_asset is not None:
            assets.copy_mermaid(self._mermaid_asset, config.site_dir)
        if self._draw_script:
            assets.copy_drawing_script(config.site_dir)
        assets.copy_diagram_assets(config)

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled or self.generation is None:
            return None
        if self._diff_blocks and _DIFF_BLOCK_WORD in markdown:
            markdown = self._expand_diff_blocks(markdown)
        note = self._page_notes.get(page.file.src_uri) if page.file.generated_by else None
        if note:
            markdown = _under_title(markdown, note)
        from netarch.pages.embed import expand_view_blocks

        views = self.generation.views

        def unknown(block: Fence, wanted: str) -> str:
            view_id = excerpt(wanted, VIEW_ID_CHARS)  # the body may be a megabyte
            if self.preview.broken:
                return view_problem_html(f"view {view_id!r}: the model has errors (see above)")
            known = ", ".join(sorted(views))
            if not self.is_serve:
                raise PluginError(
                    f"netarch: {page.file.src_uri}: unknown view {view_id!r} in a"
                    f" netarch-view block; the model has: {known}"
                )
            source = page.file.abs_src_path
            shown = display_path(Path(source), self._config_dir) if source else page.file.src_uri
            where = Location(shown, block.start_line, block.column)
            message = f"unknown view {view_id!r} in a netarch-view block"
            self._report(
                [Diagnostic(where, Severity.ERROR, "VIEW_UNKNOWN", message, f"known: {known}")]
            )
            return view_problem_html(f"{where}: {message}")

        if self.preview.broken:  # every block stands for a view the model cannot give now
            return expand_view_blocks(markdown, {}, unknown)
        return expand_view_blocks(markdown, views, unknown)

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.config.enabled and page.file.generated_by:
            # Second line of defence: a link in a generated page's HTML that is neither http,
            # https, mailto nor relative, however Markdown came to write it, goes nowhere.
            html = defuse_html_links(html)
        if self.is_serve and self.config.enabled:
            self._page_html[page.file.src_uri] = html  # shown with the problems found later
        return self._with_problems(html, page)

    def _with_problems(self, html: str, page: Page) -> str:
        # Under `serve` only: a build stops at the first error, so there is nothing to show.
        if not self.config.enabled or not self.preview.problems:
            return html
        if page.file.generated_by and page.file.src_uri in self.preview.error_pages():
            return html + self.preview.error_page_html()
        return self.preview.banner() + html

    def _check_model_still_there(self, files: Files) -> None:
        """Under `serve`, the end of a rebuild: a model file it read that is now a folder (or
        gone) makes its pages stale. They show the error, as if the rebuild had seen it."""
        assert self.generation is not None and self._model_path is not None
        read = [str(self._model_path), *self.generation.files]
        problems = self.preview.check_still_there(dict.fromkeys(read), self._config_dir)
        if not problems:
            return
        for problem in problems:
            log.error(problem.format_human())
        titles = self.preview.error_pages()
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.content is None or file.src_uri not in self._page_html:
                continue
            content = self._page_html[file.src_uri]
            if file.generated_by and file.src_uri in titles:
                content = f"<h1>{html.escape(titles[file.src_uri])}</h1>\n"
                page.toc = TableOfContents([])  # the headings of a page that is not current
            page.content = self._with_problems(content, page)

    # -- helpers -------------------------------------------------------------------------

    def _generate(self) -> Generation | StoredGeneration:
        """The pipeline's output, or that of an earlier build with the very same inputs."""
        assert self._model_path is not None
        cache = self._page_cache()
        if cache is None:
            return self._run_pipeline()
        stored = cache.load()
        if stored is not None:
            return stored
        before = {str(self._model_path): stat_key(self._model_path)}
        generation = self._run_pipeline()
        if not isinstance(generation, StoredGeneration) and generation.pending:
            self._store_when_settled = partial(cache.store, generation, before)
        else:
            cache.store(generation, before)
        return generation

    def _waits_for_mermaid(self) -> bool:
        """Whether on_config waits for the diagrams' verdicts. A build does not: it stops at
        on_env all the same. `serve` shows each rebuild's errors at once, and `warn` logs
        them before the pages are handed over."""
        return self.is_serve or self.config.invalid_diagrams != "error"

    def _settle(self) -> None:
        """Report the verdicts of diagrams still with Mermaid; errors stop the build."""
        found: list[Diagnostic] = []
        generation = self.generation
        pending, self._pending_verdicts = self._pending_verdicts, []
        try:
            # A generation from the cache, or none, has nothing pending.
            if not isinstance(generation, StoredGeneration | None) and generation.pending:
                found += generation.settle()
            for verdicts, keep in pending:
                problems = verdicts.result()
                found += problems
                keep(problems)
        except MermaidNotFound as error:  # the engine starts with the first new diagram
            raise PluginError(f"netarch: {error}") from None
        store, self._store_when_settled = self._store_when_settled, None
        if store is not None:
            store()  # keeps only a clean generation
        self._report(found)

    def _kept_between_builds(self) -> Path | None:
        """The folder where a build keeps its pages, diff reports and fence verdicts for the
        next, or None. Not under `serve`: the plugin instance keeps its own, finer state
        across rebuilds."""
        if self.is_serve or not self.config.cache_verdicts:
            return None
        return default_cache_dir() / "pages"

    def _page_cache(self) -> PageCache | None:
        folder = self._kept_between_builds()
        # Not for diff_base notes either: they compare the model itself, which a cache lacks.
        if folder is None or self._diff_notes_on:
            return None
        assert self._model_path is not None
        if not inspect_path(self._model_path).is_file:
            return None
        options = {
            "display_path": self._display_path,
            "section_dir": self.config.section_dir.strip("/"),
            "checks": self.config.checks,
            "language": self._language.code if self._language else None,
            **self._engine_identity(),
        }
        return PageCache(folder, self._model_path, self._templates_option, options)

    def _run_pipeline(self) -> Generation:
        from netarch.checks import run_checks
        from netarch.pipeline import Generation, generate

        assert self._model_path is not None
        validator = self._mermaid_validator()
        if validator is not None and not validator.stored_verdicts:
            # Nothing checked before (a cold cache): every diagram will need V8, so start it
            # now, while the pipeline's modules load and the model is read.
            validator.start_in_background()
        try:
            return generate(
                self._model_path,
                display_path=self._display_path,
                renderer=self._page_renderer(),
                section_dir=self.config.section_dir.strip("/"),
                project_dir=self._config_dir,
                check_diagram=validator.check if validator else None,
                model_checks=[partial(run_checks, severity_overrides=self.config.checks)],
                diagram_threads=validator.workers if validator else 0,
                wait_for_diagrams=self._waits_for_mermaid(),
                language=self._language.code if self._language else None,
            )
        except MermaidNotFound as error:  # the engine starts with the first new diagram
            raise PluginError(f"netarch: {error}") from None
        except KitLoadError as error:  # a broken installed kit: say which, no traceback
            raise PluginError(f"netarch: {error}") from None
        except Exception as error:
            if not self.is_serve:
                raise
            # Mostly a template being edited live: show it like a model error, keep serving.
            problem = crash_diagnostic(error, Location(self._display_path))
            return Generation([problem], [str(self._model_path)])

    def _page_renderer(self) -> PageRenderer:
        """The Jinja renderer, kept across `serve` rebuilds while custom_templates stays."""
        from netarch.pages.render import PageRenderer

        custom = self._templates_option
        if self.renderer is None or custom != self._custom_templates:
            self.renderer = PageRenderer(custom)
            self._custom_templates = custom
        self._refresh_templates(self.renderer)
        return self.renderer

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

    def _check_hand_written_fences(self, site_pages: dict[str, str]) -> None:
        """``site_pages``: the text of each hand-written page, by its path as shown."""
        from netarch.validate.fences import check_pages, find_page_fences

        # Only pages that name Mermaid can hold a ```mermaid fence: the others are not parsed.
        pages = {name: text for name, text in site_pages.items() if "mermaid" in text}
        fences = find_page_fences(pages)
        if not any(fences.values()):
            return  # no ```mermaid fence: no engine needed
        cache = self._fence_cache(pages)
        stored = cache.load() if cache is not None else None
        if stored is not None:
            self._report(stored)
            return
        validator = self._mermaid_validator()
        assert validator is not None
        check = partial(
            check_pages, pages, validator, fences=fences, check_many=validator.check_many
        )
        keep = cache.store if cache is not None else _keep_nothing
        if not self._waits_for_mermaid():
            # Checked while MkDocs reads the pages; reported (and kept) in on_env.
            self._pending_verdicts.append((self._background.submit(check), keep))
            return
        try:
            found = check()
        except MermaidNotFound as error:  # the engine starts with the first new diagram
            raise PluginError(f"netarch: {error}") from None
        keep(found)
        self._report(found)

    def _fence_cache(self, pages: dict[str, str]) -> FenceCache | None:
        """Where the verdicts on the site's own fences are kept between builds."""
        folder = self._kept_between_builds()
        if folder is None or self._mermaid is None:
            return None
        return FenceCache(folder, pages, self._engine_identity())

    def _engine_identity(self) -> dict[str, object]:
        """The Mermaid build and V8 the diagrams are checked with, by path, size and
        modification time (hashing the 5.5 MB script on every build would cost more)."""
        mermaid = self._mermaid.path if self._mermaid and self.config.check_diagrams else None
        return {
            "mermaid": [str(mermaid), *stat_key(mermaid)] if mermaid else None,
            "mini-racer": mini_racer_version() if mermaid else None,
        }

    def _notes_against_base(self) -> dict[str, str]:
        """The note of each generated page that the change since ``diff_base`` alters."""
        from netarch.checks import run_checks
        from netarch.diff import diff_sides, side_of
        from netarch.diff.preview import BaseRevision, BaseUnavailable, note_markdown, page_notes
        from netarch.pipeline import Generation

        generation = self.generation
        # A broken model shows its errors instead; a cached generation is never used here.
        if not isinstance(generation, Generation) or generation.model is None or not generation.ok:
            return {}
        assert self._model_path is not None and self.config.diff_base
        if self._diff_base is None or self._diff_base.revision != self.config.diff_base:
            self._diff_base = BaseRevision(self.config.diff_base)
        renderer = self._page_renderer()
        try:
            base = self._diff_base.load(
                self._model_path,
                self._config_dir,
                renderer=renderer,
                section_dir=self.config.section_dir.strip("/"),
                severity_overrides=self.config.checks,
            )
        except BaseUnavailable as error:
            self._warn_once(
                f"netarch: diff_base {self.config.diff_base}: {error}; the pages are shown"
                " without what changed"
            )
            return {}
        findings = run_checks(generation.model, self.config.checks)
        result = diff_sides(base.side, side_of(generation, self._display_path, findings))
        titles = {view_id: view.title for view_id, view in generation.views.items()}
        validator = self._mermaid_validator()
        notes: dict[str, str] = {}
        for src_uri, note in page_notes(result, generation.pages).items():
            try:
                markdown, problems = note_markdown(
                    note, result, base, titles, validator.check if validator else None
                )
            except MermaidNotFound as error:
                raise PluginError(f"netarch: {error}") from None
            for problem in problems:  # the note is shown without its diagram
                log.warning(
                    f"netarch: diff_base: the change diagram of {src_uri} is left out, Mermaid"
                    f" says at its line {problem.line}: {problem.message}"
                )
            notes[src_uri] = markdown
        return notes

    def _warn_once(self, message: str) -> None:
        # Every `serve` rebuild would say it again: once is clear, more is noise.
        if message not in self._diff_warnings:
            self._diff_warnings.add(message)
            log.warning(message)

    def _run_diff_blocks(self, site_pages: dict[str, str]) -> list[str]:
        """Make the report of every ```netarch-diff block of the hand-written pages, check
        its diagram like a generated one, and warn at the block when it cannot be made.
        Returns the model files the blocks read."""
        self._diff_blocks = {}
        pages = {name: text for name, text in site_pages.items() if _DIFF_BLOCK_WORD in text}
        read: list[str] = []
        for display, content in pages.items():
            cache = self._block_cache(display, content)
            stored = cache.load() if cache is not None else None
            if stored is not None:
                self._report(stored.diagnostics)
                self._diff_blocks.update(stored.reports)
                read += stored.files
            else:
                read += self._make_diff_blocks(display, content, cache)
        if self.is_serve:  # an edit to either model rebuilds the page
            self.preview.watches.add(watch_targets(read, self._config_dir))
        return read

    def _make_diff_blocks(self, display: str, content: str, cache: BlockCache | None) -> list[str]:
        from netarch.diff.blocks import diagram_problems, run_page_blocks

        validator = self._mermaid_validator()
        later = validator is not None and not self._waits_for_mermaid()
        started = time.time_ns()
        try:
            found = run_page_blocks(
                content,
                display,
                site_dir=self._config_dir,
                default_model=self._model_path,
                renderer=self._page_renderer(),
                severity_overrides=self.config.checks,
                check=validator.check if validator is not None and not later else None,
                done=self._diff_blocks,
            )
        except MermaidNotFound as error:  # the engine starts with the first new diagram
            raise PluginError(f"netarch: {error}") from None
        for fence, problem in found.problems:
            message = f"{problem.location}: {problem.message}"
            self._diff_blocks[fence.text] = view_problem_html(message)
        self._report([problem for _, problem in found.problems] + found.diagnostics)
        self._diff_blocks.update(found.reports)

        def keep(verdicts: list[Diagnostic]) -> None:
            if cache is not None and not found.problems:
                stored = StoredBlocks(found.reports, found.diagnostics + verdicts, found.files)
                cache.store(stored, started)

        if later:
            assert validator is not None
            made, check = found.made, validator.check

            def check_reports() -> list[Diagnostic]:
                return [d for fence, md in made for d in diagram_problems(fence, md, check)]

            # Checked while MkDocs reads the pages; reported (and kept) in on_env.
            self._pending_verdicts.append((self._background.submit(check_reports), keep))
        else:
            keep([])
        return found.files

    def _block_cache(self, display: str, content: str) -> BlockCache | None:
        """Where the reports of a page's blocks are kept between builds (as the pages are)."""
        folder = self._kept_between_builds()
        if folder is None:
            return None
        options = {
            "page": display,
            "model": str(self._model_path),
            "checks": self.config.checks,
            **self._engine_identity(),
        }
        return BlockCache(folder, content, self._templates_option, options)

    def _expand_diff_blocks(self, markdown: str) -> str:
        from netarch.diff.blocks import expand_blocks

        def replacement(fence: Fence) -> str:
            # A block another plugin wrote after the pages were read has no report.
            missing = view_problem_html("netarch-diff block: not among the pages' blocks")
            return self._diff_blocks.get(fence.text, missing)

        return expand_blocks(markdown, replacement)

    def _mermaid_validator(self) -> MermaidValidator | None:
        """The Mermaid engine, made when first needed (on the main thread, as V8 wants): a
        build that reuses cached pages and has no fence of its own needs none."""
        if not self.config.check_diagrams or self._mermaid is None:
            return None
        if self.validator is None:
            cache = default_cache_dir() if self.config.cache_verdicts else None
            # A second isolate costs ~0.8 s of a core to start, which a build of a few dozen
            # diagrams never earns back on two cores (measured on the demo: 1.8 s against
            # 2.3-3.0 s cold). `serve` keeps both: started once, they check edits in parallel.
            chosen = "NETARCH_MERMAID_WORKERS" in os.environ  # the user's number wins
            workers = None if self.is_serve or chosen else 1
            self.validator = MermaidValidator(self._mermaid.path, cache_dir=cache, workers=workers)
        return self.validator

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


def _keep_nothing(verdicts: list[Diagnostic]) -> None:
    return None


def _under_title(markdown: str, note: str) -> str:
    """``note`` under the page's first-line title, else at its top."""
    title, newline, rest = markdown.partition("\n")
    if title.startswith("# "):
        return f"{title}{newline}\n{note}\n{rest}"
    return f"{note}\n{markdown}"


def _edit_uri(model_path: Path, docs_dir: Path) -> str:
    return Path(os.path.relpath(model_path, docs_dir)).as_posix()


def _leave_out(files: Files, paths: list[Path]) -> None:
    """Drop the model's files from the site (they are in docs_dir, so MkDocs would copy them)."""
    resolved = {path.resolve() for path in paths}
    suffixes = tuple({path.suffix for path in resolved if path.suffix})
    for file in list(files):
        source = file.abs_src_path
        if source and source.endswith(suffixes) and Path(source).resolve() in resolved:
            files.remove(file)


def _keep_generated_order(nav: Navigation, src_uris: list[str]) -> None:
    """Put the generated pages of each section in the order netarch generated them."""
    rank = {src_uri: index for index, src_uri in enumerate(src_uris)}

    def order(items: list[Any]) -> None:
        generated = [item for item in items if isinstance(item, Page) and item.file.src_uri in rank]
        slots = iter(sorted(generated, key=lambda page: rank[page.file.src_uri]))
        moved = {id(page) for page in generated}
        items[:] = [next(slots) if id(item) in moved else item for item in items]
        for item in items:
            if isinstance(item, Section):
                order(item.children)

    order(nav.items)
    pages = nav.pages = _pages_of(nav.items)
    for before, page, after in zip([None, *pages[:-1]], pages, [*pages[1:], None], strict=True):
        page.previous_page, page.next_page = before, after


def _pages_of(items: list[Any]) -> list[Page]:
    """The pages of nav ``items`` (sections included), in nav order."""
    pages: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages += _pages_of(item.children)
    return pages
