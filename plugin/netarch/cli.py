"""``netarch``: render pages and check models and Markdown without a site generator.

    netarch render docs/network.yaml -o build/architecture
    netarch check                       # the mkdocs.yml in the current folder
    netarch check docs/network.yaml docs/ --format github

Exit codes: 0 clean, 1 problems found, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from netarch.checks import run_checks
from netarch.checks.framework import check_severity_overrides
from netarch.diagnostics import Diagnostic, Severity, display_path, format_report
from netarch.kits import KitLoadError
from netarch.mkdocs_config import (
    EnvPolicy,
    SiteConfigError,
    is_site_config,
    load_site,
    site_config_in,
)
from netarch.pages.render import PageRenderer
from netarch.pipeline import generate
from netarch.safety import (
    UnreadableFile,
    excerpt,
    inspect_path,
    os_problem,
    read_regular_file,
    resolve_path,
)
from netarch.validate.engine import MermaidNotFound, MermaidValidator
from netarch.validate.fences import check_pages, find_page_fences, unknown_views
from netarch.validate.mermaid_build import locate_mermaid
from netarch.validate.verdicts import default_cache_dir

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# A hand-written page is read whole; one larger than this is not a page.
MAX_MARKDOWN_BYTES = 20_000_000


class UsageError(Exception):
    """Bad arguments or environment: exit code 2 with a message saying what to do."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as error:
        print(f"netarch: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except MermaidNotFound as error:
        print(f"netarch: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KitLoadError as error:  # an installed kit is broken: the environment, not the model
        print(f"netarch: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # a path that cannot be used (too long, a loop, no permission)
        named = error.filename
        name = excerpt(os.fsdecode(named), 200) if isinstance(named, (str, bytes)) else "netarch"
        print(f"netarch: error: {name}: {os_problem(error)}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netarch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    render = commands.add_parser("render", help="write the generated pages as Markdown")
    render.add_argument("model", type=Path, help="the network model (YAML)")
    render.add_argument("-o", "--output", type=Path, required=True, help="folder to write into")
    render.add_argument(
        "--custom-templates", type=Path, help="folder searched before the built-in templates"
    )
    render.add_argument(
        "--no-check", action="store_true", help="skip checking diagrams with Mermaid"
    )
    render.add_argument("--mermaid-js", type=Path, help="the mermaid.min.js to check with")
    _add_cache_option(render)
    render.set_defaults(run=_render)

    check = commands.add_parser("check", help="check models and the Mermaid in Markdown files")
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="models (.yaml), Markdown files or folders, or a site configuration (default: ./mkdocs.yml or ./properdocs.yml)",
    )
    check.add_argument("--format", choices=("human", "github", "json"), default="human")
    check.add_argument(
        "--render", action="store_true", help="also render every diagram in headless Chromium"
    )
    check.add_argument("--mermaid-js", type=Path, help="the mermaid.min.js to check with")
    _add_allow_env_option(check)
    check.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="CODE=LEVEL",
        help="change a check's severity: error, warning, info or off (repeatable)",
    )
    _add_cache_option(check)
    check.set_defaults(run=_check)

    init = commands.add_parser("init", help="start a site: mkdocs.yml, a starter model, a page")
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), help="default: here")
    init.add_argument(
        "--theme",
        choices=("material", "mkdocs", "readthedocs"),
        help="default: material when mkdocs-material is installed, else mkdocs",
    )
    init.set_defaults(run=_init)

    schema = commands.add_parser("schema", help="where the model's JSON Schema is, for editors")
    schema.add_argument("--write", type=Path, metavar="FILE", help="write a copy to FILE")
    schema.set_defaults(run=_schema)

    diff = commands.add_parser(
        "diff",
        help="what a change does to the network: compare two models or git revisions",
        description="BASE and HEAD are model files or git revisions of the model (default:"
        " the merge base with the default branch, and the working tree).",
    )
    diff.add_argument("base", nargs="?", help="model file or git revision (default: merge base)")
    diff.add_argument("head", nargs="?", help="model file or git revision (default: working tree)")
    diff.add_argument(
        "--model", type=Path, help="the model, for revisions (default: from ./mkdocs.yml)"
    )
    diff.add_argument("--format", choices=("human", "markdown", "json"), default="human")
    diff.add_argument("--exit-code", action="store_true", help="exit with 1 when there are changes")
    _add_allow_env_option(diff)
    diff.set_defaults(run=_diff)
    return parser


def _init(args: argparse.Namespace) -> int:
    from netarch.scaffold import ScaffoldError, default_theme, init_site

    theme = args.theme or default_theme()
    try:
        written = init_site(args.folder, theme)
    except (ScaffoldError, OSError) as error:
        raise UsageError(str(error)) from None
    for path in written:
        print(f"netarch: wrote {path}", file=sys.stderr)
    where = "" if args.folder == Path(".") else f"cd {args.folder} && "
    print(f"netarch: {theme} theme; now run: {where}mkdocs serve", file=sys.stderr)
    return EXIT_CLEAN


def _schema(args: argparse.Namespace) -> int:
    from netarch.scaffold import SCHEMA

    if args.write is None:
        print(SCHEMA)
        return EXIT_CLEAN
    try:
        args.write.write_bytes(SCHEMA.read_bytes())
    except OSError as error:
        raise UsageError(f"{args.write}: {error.strerror or error}") from None
    print(f"netarch: wrote {args.write}", file=sys.stderr)
    return EXIT_CLEAN


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mkdocs-netarch")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _add_allow_env_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-env",
        action="append",
        default=[],
        metavar="NAME",
        help="let mkdocs.yml's `!ENV NAME` be read (repeatable); by default a value the check"
        " needs that names an environment variable is an error, so a pull request cannot have"
        " a secret printed. Never name a variable that holds a secret",
    )


def _add_cache_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every diagram, ignoring verdicts kept from earlier runs "
        "(kept in $NETARCH_CACHE_DIR, default ~/.cache/netarch)",
    )


def _render(args: argparse.Namespace) -> int:
    model = inspect_path(args.model)
    if not model.is_file:
        problem = "no such model file" if model.kind == "missing" else model.problem
        raise UsageError(f"{_shown(args.model)}: {problem}")
    if args.custom_templates is not None:
        templates = inspect_path(args.custom_templates)
        if not templates.is_folder:
            problem = templates.problem if templates.kind == "unusable" else "no such folder"
            raise UsageError(f"{_shown(args.custom_templates)}: {problem} (the templates folder)")
    _check_output_folder(args.output)  # before the work, not after it
    validator = (
        None
        if args.no_check
        else _validator(
            args.mermaid_js,
            _DIAGRAMS_PER_MODEL,
            cache=not args.no_cache,
            site_dir=args.model.parent,
        )
    )
    try:
        result = generate(
            args.model,
            display_path=display_path(args.model),
            renderer=PageRenderer(args.custom_templates),
            check_diagram=validator.check if validator else None,
            model_checks=[run_checks],
            diagram_threads=validator.workers if validator else 0,
        )
    finally:
        if validator is not None:
            validator.close()
    if result.diagnostics:
        print(format_report(result.diagnostics), file=sys.stderr)
    if not result.ok:
        return EXIT_PROBLEMS
    files = {page.src_uri: page.markdown for page in result.pages}
    _refuse_overwriting_hand_written(args.output, files)
    try:
        _write_all(args.output, files)
    except OSError as error:
        raise UsageError(
            f"{_shown(args.output)}: cannot write the pages: {os_problem(error)}"
        ) from None
    print(f"netarch: wrote {len(result.pages)} page(s) to {args.output}", file=sys.stderr)
    return EXIT_CLEAN


# The longest name of one file or folder on the file systems netarch runs on.
_NAME_MAX = 255

# What `render` wrote into a folder last time: those files it may replace, no others.
MANIFEST = ".netarch-pages"


def _check_output_folder(output: Path) -> None:
    """Exit 2 now, not after the whole render, if pages cannot be written to ``output``."""
    info = inspect_path(output)
    if info.kind == "unusable":
        raise UsageError(f"{_shown(output)}: {info.problem}")
    # A name no file system takes under a folder still to be made: found before the work.
    if any(len(os.fsencode(part)) > _NAME_MAX for part in output.parts):
        raise UsageError(f"{_shown(output)}: {os_problem(OSError(errno.ENAMETOOLONG, ''))}")
    if info.kind not in ("folder", "missing"):
        raise UsageError(f"{output}: exists and is not a folder; name a folder for the pages")
    existing = output
    while inspect_path(existing).kind == "missing":
        if existing.is_symlink():
            raise UsageError(f"{existing}: a symbolic link to nothing")
        existing = existing.parent
    if not inspect_path(existing).is_folder:
        raise UsageError(f"{output}: {existing} is a file, so no folder can be made under it")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{output}: {existing} is not writable")


def _refuse_overwriting_hand_written(output: Path, files: dict[str, str]) -> None:
    written_before = set()
    manifest = output / MANIFEST
    if manifest.is_file():
        written_before = set(manifest.read_text(encoding="utf-8", errors="replace").split("\n"))
    foreign = [
        name
        for name in files
        if (output / name).exists()
        and name not in written_before
        and not _has_netarch_footer(output / name)
    ]
    if foreign:
        raise UsageError(
            f"{output}: {', '.join(sorted(foreign)[:5])} exist(s) and were not written by"
            " `netarch render`; move them, or render into another folder"
        )


def _has_netarch_footer(path: Path) -> bool:
    """A page rendered before render kept its list: it ends with the generated-by footer."""
    try:  # a FIFO or a device in its place is not ours, and must not block the read
        return b"Generated by netarch from" in read_regular_file(path, 4_000_000)[-4096:]
    except (OSError, UnreadableFile):
        return False


def _write_all(output: Path, files: dict[str, str]) -> None:
    """Write every page or none: each goes to a temporary file first, then is renamed."""
    output.mkdir(parents=True, exist_ok=True)
    files = {**files, MANIFEST: "\n".join(sorted(files)) + "\n"}
    mode = 0o666 & ~_umask()  # mkstemp makes 0600 files; pages are for everyone to read
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            target = output / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                dir=target.parent, prefix=".netarch-", suffix=".md"
            )
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(content)
            os.chmod(temporary, mode)
            staged.append((Path(temporary), target))
    except OSError:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        temporary.replace(target)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _check(args: argparse.Namespace) -> int:
    env = EnvPolicy(frozenset(args.allow_env))
    models, markdown = _targets(args.paths or [site_config_in(Path()) or Path("mkdocs.yml")], env)
    if args.render and importlib.util.find_spec("playwright") is None:
        raise UsageError(
            "--render needs Playwright: pip install 'mkdocs-netarch[browser]' (it drives the"
            " system's Chromium, e.g. Debian's `chromium` package)"
        )
    overrides = _severity_overrides(args.severity)
    diagnostics: list[Diagnostic] = []
    pages = {display_path(path): _read_markdown(path) for path in markdown}
    fences = find_page_fences(pages)
    diagrams = sum(fence.terminated for found in fences.values() for fence in found)
    expected = _DIAGRAMS_PER_MODEL * len(models) + diagrams
    # --mermaid-js wins; else the one a site's netarch options name. Without either, the
    # Mermaid of the site's folder (mkdocs.yml or the model), not of the working directory.
    mermaid_js, origin = args.mermaid_js, "--mermaid-js"
    if mermaid_js is None:
        named = next((m for m in models if m.mermaid_js), None)
        if named is not None:
            mermaid_js, origin = named.mermaid_js, named.mermaid_origin
    site_dir = next(
        (path.parent for path in [*args.paths, *(m.path for m in models), *markdown]), Path.cwd()
    )
    with (
        _validator(
            mermaid_js, expected, cache=not args.no_cache, site_dir=site_dir, origin=origin
        ) as validator,
        ExitStack() as stack,
    ):
        if (models or diagrams) and not validator.stored_verdicts:
            # Nothing checked before: every diagram needs V8, so it starts while the models load.
            validator.start_in_background()
        checker: Any = validator
        if args.render:
            from netarch.validate.render import BrowserRenderer

            # One budget for the run: rendering spends what parsing left.
            renderer = stack.enter_context(
                BrowserRenderer(validator.mermaid_js, budget=validator.budget)
            )
            checker = _ParseThenRender(validator, renderer)
        for model in models:
            diagnostics += model.site_diagnostics
            # The site's `checks:` first, --severity over them, as for one build with both.
            checks = [partial(run_checks, severity_overrides={**model.overrides, **overrides})]
            result = generate(
                model.path,
                display_path=display_path(model.path),
                renderer=PageRenderer(model.custom_templates),
                check_diagram=checker.check,
                model_checks=checks,
                # The browser of --render must stay on this thread.
                diagram_threads=0 if args.render else validator.workers,
                project_dir=model.project_dir,
            )
            diagnostics += result.diagnostics
            if model.site_pages is not None:
                site_pages = {display_path(p): pages[display_path(p)] for p in model.site_pages}
                if result.ok:
                    diagnostics += unknown_views(site_pages, set(result.views))
                diagnostics += _diff_blocks(model, site_pages, overrides, checker.check)
        # Every fence parsed on all isolates at once; --render then draws them one by one.
        diagnostics += check_pages(pages, checker, fences=fences, check_many=validator.check_many)
    if diagnostics or args.format == "json":
        print(format_report(diagnostics, args.format))
    problems = [d for d in diagnostics if d.severity in (Severity.ERROR, Severity.WARNING)]
    if args.format == "human":
        summary = f"netarch: {len(models)} model(s), {len(markdown)} Markdown file(s) checked"
        parsed = f"Mermaid parsed {validator.parses} diagram(s)"
        if validator.stored_hits:
            parsed += f", {validator.stored_hits} verdict(s) kept from earlier runs"
        print(f"{summary}: {len(problems)} problem(s) ({parsed})", file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_CLEAN


def _diff(args: argparse.Namespace) -> int:
    from netarch.diff import diff_models
    from netarch.diff.report import FORMATS
    from netarch.diff.sources import SourceError, resolve_sources

    model = args.model
    # Two model files need no model of the site; a revision or a left-out argument does.
    two_files = all(arg and inspect_path(arg).is_file for arg in (args.base, args.head))
    config = site_config_in(Path())
    if model is None and not two_files and config is not None:
        found = _from_mkdocs_config(config, EnvPolicy(frozenset(args.allow_env)))[0]
        model = found[0].path if found else None
    with tempfile.TemporaryDirectory(prefix="netarch-diff-") as scratch:
        try:
            base, head = resolve_sources(args.base, args.head, model, Path(scratch))
        except SourceError as error:
            raise UsageError(str(error)) from None
        result = diff_models(base.path, head.path, base.label, head.label)
    try:
        print(FORMATS[args.format](result), flush=True)
    except BrokenPipeError:  # `netarch diff | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_PROBLEMS if args.exit_code and result.has_changes else EXIT_CLEAN


def _diff_blocks(
    model: _Model,
    pages: dict[str, str],
    overrides: dict[str, str],
    check: Callable[[str], Sequence[Any]],
) -> list[Diagnostic]:
    """The site's ```netarch-diff blocks, made as its build makes them: a block the build
    would warn about, or whose diagram Mermaid rejects, fails the check too."""
    with_blocks = {name: text for name, text in pages.items() if "netarch-diff" in text}
    if not with_blocks or model.project_dir is None:
        return []
    from netarch.diff.blocks import run_page_blocks

    found: list[Diagnostic] = []
    done: dict[str, str] = {}
    for display, text in with_blocks.items():
        page = run_page_blocks(
            text,
            display,
            site_dir=model.project_dir,
            default_model=model.path,
            renderer=PageRenderer(model.custom_templates),
            severity_overrides={**model.overrides, **overrides},
            check=check,
            done=done,
        )
        done.update(page.reports)
        found += [problem for _, problem in page.problems] + page.diagnostics
    return found


def _severity_overrides(pairs: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        code, _, level = pair.partition("=")
        overrides[code.strip()] = level.strip()
    problems = check_severity_overrides(overrides)
    if problems:
        raise UsageError("--severity: " + "; ".join(problems))
    return overrides


# A second Mermaid isolate takes ~0.8 s of a core to start and a diagram ~30 ms to check, so
# it only pays off for a few dozen diagrams; a one-model pre-commit run is faster with one.
_DIAGRAMS_PER_MODEL = 15  # the Cozystack model generates 14
_WORTH_MORE_ISOLATES = 40


def _validator(
    mermaid_js: Path | None,
    diagrams: int | None = None,
    *,
    cache: bool = True,
    site_dir: Path | None = None,
    origin: str = "--mermaid-js",
) -> MermaidValidator:
    found = inspect_path(mermaid_js) if mermaid_js is not None else None
    if found is not None and not found.is_file:
        problem = "no such file" if found.kind in ("missing", "folder") else found.problem
        raise UsageError(
            f"{_shown(mermaid_js)}: {problem} (from {origin}); point it at mermaid.min.js, or leave"
            " it out to use the copy of mermaid 12.3.0 shipped with netarch"
        )
    # node_modules is looked for next to the site (mkdocs.yml or the model), not in the cwd.
    build = locate_mermaid(mermaid_js, start=site_dir, explicit_origin=origin)
    mismatch = build.mismatch()
    if mismatch:
        print(f"netarch: warning: {mismatch}", file=sys.stderr)
    few = diagrams is not None and diagrams < _WORTH_MORE_ISOLATES
    chosen = "NETARCH_MERMAID_WORKERS" in os.environ  # the user's number wins
    return MermaidValidator(
        build.path,
        workers=1 if few and not chosen else None,
        cache_dir=default_cache_dir() if cache else None,
    )


class _ParseThenRender:
    """``--render``: parse first (fast, with lines), then render what parses in Chromium."""

    def __init__(self, validator: MermaidValidator, renderer: Any) -> None:
        self.validator = validator
        self.renderer = renderer

    def check(self, text: str) -> list[Any]:
        # Rendering a diagram that does not even parse only repeats the parse error.
        parsed = list(self.validator.check(text))
        if any(problem.is_error for problem in parsed):
            return parsed
        return parsed + list(self.renderer.render(text))


@dataclass(frozen=True)
class _Model:
    """A model to check, with what its site's netarch options say about it."""

    path: Path
    project_dir: Path | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    mermaid_js: Path | None = None
    mermaid_origin: str = "the mermaid_js option"  # where mermaid_js came from, for messages
    custom_templates: Path | None = None
    # The site's hand-written pages, whose netarch-view blocks must name this model's views.
    site_pages: tuple[Path, ...] | None = None
    # The plugin's warnings about the site's setup (diagrams that would not render).
    site_diagnostics: tuple[Diagnostic, ...] = ()


def _targets(paths: Sequence[Path], env: EnvPolicy) -> tuple[list[_Model], list[Path]]:
    models: list[_Model] = []
    markdown: list[Path] = []
    for path in paths:
        info = inspect_path(path)
        if is_site_config(path) and info.kind != "unusable":
            found_models, site_pages = _from_mkdocs_config(path, env)
            models += found_models
            markdown += site_pages
        elif info.is_folder:
            markdown += _markdown_under(path)
        elif info.is_file and path.suffix in (".yaml", ".yml"):
            models.append(_Model(path))
        elif info.is_file and path.suffix == ".md":
            markdown.append(path)
        elif info.kind in ("missing", "unusable", "other"):
            raise UsageError(f"{_shown(path)}: {info.problem}")
        else:
            raise UsageError(
                f"{path}: not a model (.yaml), Markdown file (.md), folder or mkdocs.yml"
            )
    return models, markdown


def _shown(path: Path) -> str:
    """A path as a message may quote it: relative to the current folder when it is inside
    it (without following links: a link is named, not its target), bounded."""
    text = str(path)
    if path.is_absolute():
        with contextlib.suppress(ValueError):
            relative = os.path.relpath(path)
            text = relative if not relative.startswith("..") else text
    return excerpt(text, 200)


def _markdown_under(folder: Path, project: Path | None = None) -> list[Path]:
    """The Markdown files under ``folder``; a broken link or a folder named x.md is an error,
    and so is a link that leads out of ``project``, as for includes (default: the current
    folder, or ``folder`` itself when it is elsewhere)."""
    if project is None:
        here, named = resolve_path(Path.cwd()), resolve_path(folder)
        project = here if here and named and named.is_relative_to(here) else folder
    inside = resolve_path(project)
    found = []
    for path in sorted(folder.rglob("*.md")):
        info = inspect_path(path)
        if info.is_file:
            resolved = resolve_path(path)
            if inside is None or resolved is None or not resolved.is_relative_to(inside):
                raise UsageError(
                    f"{_shown(path)}: a symbolic link that leads out of the site's folder;"
                    " netarch reads only pages inside it"
                )
            found.append(path)
        elif info.kind == "missing":
            raise UsageError(f"{_shown(path)}: {info.problem}; remove it or fix its target")
        elif not info.is_folder:
            raise UsageError(f"{_shown(path)}: {info.problem}")
        # A folder named x.md holds pages of its own, found by rglob too.
    return found


def _read_markdown(path: Path) -> str:
    try:
        return read_regular_file(path, MAX_MARKDOWN_BYTES).decode("utf-8")
    except UnreadableFile as error:
        raise UsageError(f"{_shown(path)}: cannot read it: {error}") from None
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{path}: not valid UTF-8 (byte 0x{error.object[error.start]:02x} at offset "
            f"{error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise UsageError(f"{_shown(path)}: cannot read it: {os_problem(error)}") from None


def _from_mkdocs_config(path: Path, env: EnvPolicy) -> tuple[list[_Model], list[Path]]:
    try:
        site = load_site(path, env)
    except SiteConfigError as error:
        raise UsageError(str(error)) from None
    pages = _markdown_under(site.docs_dir, site.config_dir)
    if site.model is None:
        return [], pages
    options = site.options
    if not inspect_path(site.model).is_file:
        raise UsageError(
            f"{path}: the netarch model {options.model} does not exist; set `model:` under the"
            " netarch plugin to your network.yaml"
        )
    # As the plugin does: the mermaid_js option, else the site's own local Mermaid (what its
    # readers get), else the one found next to the site.
    mermaid_js = Path(options.mermaid_js) if options.mermaid_js else None
    origin = f"the mermaid_js option in {display_path(path)}"
    # Found once: it reads the theme's templates.
    mermaids = site.mermaids()
    local = next((m for m in mermaids if m.local_file is not None), None)
    if mermaid_js is None and local is not None:
        mermaid_js, origin = local.local_file, f"the site's own {local.script}"
    model = _Model(
        site.model,
        project_dir=site.config_dir,
        overrides=dict(options.checks),
        mermaid_js=mermaid_js,
        mermaid_origin=origin,
        custom_templates=Path(options.custom_templates) if options.custom_templates else None,
        site_pages=tuple(pages),
        site_diagnostics=tuple(site.render_diagnostics(mermaids)),
    )
    return [model], pages


if __name__ == "__main__":
    sys.exit(main())
