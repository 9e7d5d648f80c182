"""``netarch.markdown``: the Python-Markdown extension for sites that run no MkDocs plugin.

Zensical reads ``mkdocs.yml`` but does not run MkDocs plugins (the netarch plugin included);
it does run Python-Markdown extensions. This one does on each page what the plugin does to
hand-written pages: it replaces ```` ```netarch-view ```` and ```` ```netarch-diff ```` blocks
with the view or the change report, and checks every diagram (those of the blocks and the
page's own ```` ```mermaid ```` fences) with the real, pinned Mermaid. The generated pages
themselves come from ``netarch render`` (see docs/guide/zensical.md).

.. code-block:: yaml

    markdown_extensions:
      - netarch.markdown:
          model: network.yaml

Works the same with plain Python-Markdown::

    markdown.markdown(text, extensions=["netarch.markdown"],
                      extension_configs={"netarch.markdown": {"model": "network.yaml"}})

A model error, an unknown view or a diagram Mermaid rejects raises
:class:`NetarchMarkdownError` (one line per problem, ``file:line:col: error CODE: ...``), so
the build stops instead of publishing a page that shows code or a syntax-error bomb. Warnings
go to the ``netarch`` logger.

The pipeline runs once per model and options for the whole build (Zensical makes a new
``Markdown`` instance for every page), and again only when a file of the model changes.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from netarch.diagnostics import Diagnostic, Location, Severity, display_path
from netarch.safety import excerpt
from netarch.validate.fences import VIEW_ID_CHARS, Fence

log = logging.getLogger("netarch")

# Before the fenced-code preprocessors (priority 25, Python-Markdown's and superfences'), so
# the Markdown that replaces a block has its ```mermaid fences read as diagrams.
PRIORITY = 28
_BLOCK_WORDS = ("netarch-view", "netarch-diff")


class NetarchMarkdownError(Exception):
    """The page cannot be made as checked: the message lists every problem, one a line."""


class NetarchExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "model": ["network.yaml", "The network model, relative to base_dir."],
            "base_dir": [
                "",
                "The site's folder: model, netarch-diff and template paths are relative to it"
                " and must stay in it (default: the current folder).",
            ],
            "checks": [{}, "Severity per check code, e.g. {NA201: error, NA125: 'off'}."],
            "custom_templates": ["", "A folder searched before the built-in templates."],
            "mermaid_js": ["", "The mermaid.min.js to check with (default: as `netarch check`)."],
            "check_diagrams": [True, "Check every diagram of the page with Mermaid."],
            "cache_verdicts": [True, "Keep Mermaid's verdicts in $NETARCH_CACHE_DIR."],
            "strict": [
                False,
                "Warnings stop the build too (Zensical's --strict does not count them).",
            ],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        options = _Options.from_config(self.getConfigs())
        md.preprocessors.register(_BlockPreprocessor(md, options), "netarch", PRIORITY)


def makeExtension(**kwargs: Any) -> NetarchExtension:
    return NetarchExtension(**kwargs)


@dataclass(frozen=True)
class _Options:
    base_dir: Path
    model: Path
    checks: tuple[tuple[str, str], ...]
    custom_templates: Path | None
    mermaid_js: Path | None
    check_diagrams: bool
    cache_verdicts: bool
    strict: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> _Options:
        base = Path(str(config["base_dir"] or ".")).resolve()
        checks = config["checks"] or {}
        if not isinstance(checks, Mapping):
            raise NetarchMarkdownError(
                f"netarch.markdown: `checks` must map check codes to severities, got {checks!r}"
            )
        overrides = {str(code): str(level) for code, level in checks.items()}
        from netarch.checks.framework import check_severity_overrides

        problems = check_severity_overrides(overrides)
        if problems:
            raise NetarchMarkdownError("netarch.markdown: checks: " + "; ".join(problems))
        model = _inside(base, str(config["model"]), "model")
        if model.suffix.lower() not in (".yaml", ".yml"):
            raise NetarchMarkdownError(
                f"netarch.markdown: the model must be a .yaml file, got {config['model']!r}"
            )
        templates = config["custom_templates"]
        mermaid = config["mermaid_js"]
        return cls(
            base,
            model,
            tuple(sorted(overrides.items())),
            _inside(base, str(templates), "custom_templates") if templates else None,
            (base / str(mermaid)).resolve() if mermaid else None,
            bool(config["check_diagrams"]),
            bool(config["cache_verdicts"]),
            bool(config["strict"]),
        )


def _inside(base: Path, written: str, option: str) -> Path:
    path = (base / written).resolve()
    if not path.is_relative_to(base):
        raise NetarchMarkdownError(
            f"netarch.markdown: {option} {written!r} is outside the site's folder {base}"
            " (base_dir); keep it inside"
        )
    return path


class _BlockPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, options: _Options) -> None:
        super().__init__(md)
        self.options = options

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        has_blocks = any(word in text for word in _BLOCK_WORDS)
        checks_fences = self.options.check_diagrams and "mermaid" in text
        if not has_blocks and not checks_fences:
            return lines
        page, offset = _page_source(self.md, text)
        # Blank lines in place of the front matter Zensical took off: every line number in a
        # message is then the file's.
        expanded = _site(self.options).expand(
            "\n" * offset + text, page, check_fences=checks_fences
        )
        return expanded.split("\n")[offset:]


def _page_source(md: Markdown, text: str) -> tuple[str, int]:
    """The page's file for messages, and how many of its lines come before ``text`` (front
    matter): Zensical's rendering context names the page and its docs_dir; otherwise a
    stand-in name, and no offset."""
    for processor in md.preprocessors:
        page = getattr(processor, "page", None)
        path = getattr(page, "path", None)
        if not isinstance(path, str) or not path:
            continue
        config = getattr(processor, "config", None)
        docs_dir = config.get("docs_dir") if isinstance(config, Mapping) else None
        if not isinstance(docs_dir, str):
            return path, 0
        source = Path(docs_dir) / path
        try:
            whole = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return path, 0
        body, full = text.rstrip("\n"), whole.rstrip("\n")
        if body.strip() and full.endswith(body):
            return display_path(source), full[: len(full) - len(body)].count("\n")
        return display_path(source), 0
    return "<markdown>", 0


@dataclass
class _Site:
    """What the pipeline made of one model, shared by every page of the build."""

    options: _Options
    generation: Any = None  # netarch.pipeline.Generation
    stamp: tuple[tuple[str, int, int], ...] = ()
    diff_reports: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expand(self, text: str, page: str, *, check_fences: bool) -> str:
        with self.lock:  # a builder may render pages on several threads
            problems: list[Diagnostic] = []
            if check_fences:
                problems += self._fence_problems(text, page)
            if "netarch-view" in text:
                text = self._views(text, page, problems)
            if "netarch-diff" in text:
                text = self._diff_blocks(text, page, problems)
            _report(problems, self.options.strict)
            return text

    # -- the model -------------------------------------------------------------------------

    def _generated(self) -> Any:
        if self.generation is not None and _stamp(self.generation.files) == self.stamp:
            return self.generation
        from netarch.checks import run_checks
        from netarch.pipeline import generate

        options = self.options
        if not options.model.is_file():
            raise NetarchMarkdownError(
                f"netarch.markdown: the model {display_path(options.model, options.base_dir)}"
                " does not exist; set the extension's `model:` option to your network.yaml"
                " (relative to base_dir, default the current folder)"
            )
        validator = _validator(options)
        generation = generate(
            options.model,
            display_path=display_path(options.model, options.base_dir),
            renderer=self._renderer(),
            check_diagram=validator.check if validator is not None else None,
            model_checks=[partial(run_checks, severity_overrides=dict(options.checks))],
            project_dir=options.base_dir,
        )
        _report(generation.diagnostics, options.strict, "in the network model or its diagrams")
        self.generation, self.stamp = generation, _stamp(generation.files)
        self.diff_reports = {}
        return generation

    def _renderer(self) -> Any:
        from netarch.pages.render import PageRenderer

        return PageRenderer(self.options.custom_templates)

    # -- the blocks ------------------------------------------------------------------------

    def _views(self, text: str, page: str, problems: list[Diagnostic]) -> str:
        from netarch.pages.embed import expand_view_blocks

        views = self._generated().views

        def unknown(block: Fence, view_id: str) -> str:
            problems.append(
                Diagnostic(
                    Location(page, block.start_line, block.column),
                    Severity.ERROR,
                    "VIEW_UNKNOWN",
                    f"unknown view {excerpt(view_id, VIEW_ID_CHARS)!r} in a netarch-view block",
                    hint="known: " + ", ".join(sorted(views)),
                )
            )
            return ""

        return expand_view_blocks(text, views, unknown)

    def _diff_blocks(self, text: str, page: str, problems: list[Diagnostic]) -> str:
        from netarch.diff.blocks import expand_blocks, run_page_blocks
        from netarch.serve_state import view_problem_html

        self._generated()  # the head side defaults to the model: it must be sound
        validator = _validator(self.options)
        found = run_page_blocks(
            text,
            page,
            site_dir=self.options.base_dir,
            default_model=self.options.model,
            renderer=self._renderer(),
            severity_overrides=dict(self.options.checks),
            check=validator.check if validator is not None else None,
            done=self.diff_reports,
        )
        self.diff_reports.update(found.reports)
        unusable: dict[str, str] = {}
        for fence, problem in found.problems:
            problems.append(problem)  # a warning: the block shows why instead of a report
            unusable[fence.text] = view_problem_html(f"{problem.location}: {problem.message}")
        problems += found.diagnostics
        reports = {**self.diff_reports, **unusable}
        return expand_blocks(text, lambda fence: reports.get(fence.text, ""))

    def _fence_problems(self, text: str, page: str) -> list[Diagnostic]:
        from netarch.validate.fences import check_markdown

        validator = _validator(self.options)
        return check_markdown(text, validator, page) if validator is not None else []


def _stamp(files: Sequence[str]) -> tuple[tuple[str, int, int], ...]:
    """The model's files by modification time and size: an edit under `serve` shows."""
    found = []
    for name in files:
        try:
            stat = Path(name).stat()
        except OSError:
            found.append((name, -1, -1))
        else:
            found.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _report(diagnostics: Sequence[Diagnostic], strict: bool, what: str = "") -> None:
    """Log the warnings; raise on errors (and, ``strict``, on warnings) listing every one."""
    fatal = [d for d in diagnostics if d.is_error or (strict and d.severity is Severity.WARNING)]
    for diagnostic in diagnostics:
        if diagnostic not in fatal and diagnostic.severity is Severity.WARNING:
            log.warning(diagnostic.format_human())
    if fatal:
        kind = "problem(s)" if strict else "error(s)"
        raise NetarchMarkdownError(
            f"netarch: {len(fatal)} {kind}{' ' + what if what else ''}; the page is not made:\n"
            + "\n".join(d.format_human() for d in fatal)
        )


_SITES: dict[_Options, _Site] = {}
_VALIDATORS: dict[tuple[Path, bool], Any] = {}
_STATE = threading.Lock()


def _site(options: _Options) -> _Site:
    with _STATE:
        site = _SITES.get(options)
        if site is None:
            site = _SITES[options] = _Site(options)
        return site


def _validator(options: _Options) -> Any:
    """One Mermaid engine per Mermaid build for the whole process, closed when it ends."""
    if not options.check_diagrams:
        return None
    from netarch.validate.engine import MermaidNotFound, MermaidValidator
    from netarch.validate.mermaid_build import locate_mermaid
    from netarch.validate.verdicts import default_cache_dir

    try:
        build = locate_mermaid(
            options.mermaid_js, start=options.base_dir, explicit_origin="the mermaid_js option"
        )
    except MermaidNotFound as error:
        raise NetarchMarkdownError(f"netarch.markdown: {error}") from None
    key = (build.path, options.cache_verdicts)
    with _STATE:
        validator = _VALIDATORS.get(key)
        if validator is None:
            mismatch = build.mismatch()
            if mismatch:
                log.warning(f"netarch: {mismatch}")
            cache = default_cache_dir() if options.cache_verdicts else None
            validator = _VALIDATORS[key] = MermaidValidator(build.path, workers=1, cache_dir=cache)
        return validator


@atexit.register
def _close_validators() -> None:
    for validator in _VALIDATORS.values():
        # Late in the interpreter's exit the engine's threads may be gone; its child
        # processes then end by themselves when their input closes.
        with suppress(RuntimeError):
            validator.close()
    _VALIDATORS.clear()
