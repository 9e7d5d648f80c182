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
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from netarch.checks import run_checks
from netarch.checks.framework import check_severity_overrides
from netarch.diagnostics import Diagnostic, Location, Severity, display_path, format_report
from netarch.mkdocs_config import (
    EnvPolicy,
    SiteConfigError,
    is_site_config,
    load_site,
    site_config_in,
)
from netarch.pages.render import PageRenderer
from netarch.pipeline import generate
from netarch.registry import KitLoadError
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
    render.add_argument(
        "--flavor",
        choices=("mkdocs", "hugo"),
        default="mkdocs",
        help="mkdocs: Markdown for MkDocs or Zensical (default); hugo: a Hugo/Docsy section"
        " (_index.md, front matter, alert shortcodes, relref links)",
    )
    render.add_argument(
        "--weight",
        type=int,
        metavar="N",
        help="hugo: weight of the section's _index.md (its place among its siblings); the"
        " pages get N+1, N+2, ... in the plan's order (default: 1)",
    )
    render.add_argument(
        "--section",
        metavar="TITLE",
        help="hugo: title of the section (its _index.md, the overview), as the nav shows it"
        " (default: Network architecture)",
    )
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
    check.add_argument(
        "--generator",
        choices=("auto", "mkdocs", "zensical"),
        default="auto",
        help="what builds a mkdocs.yml site (default auto: Zensical when its theme sets"
        " `variant` or it uses the netarch.markdown extension, else MkDocs with the plugin)",
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

    mermaid = commands.add_parser(
        "mermaid",
        help="where the Mermaid netarch checks with is, to serve it with a site",
        description="Prints the path of the mermaid.min.js `check` and `render` use (found as"
        " they find it from the current folder); --write copies it, for a site that netarch's"
        " MkDocs plugin does not serve it to (Zensical, Hugo).",
    )
    mermaid.add_argument("--write", type=Path, metavar="FILE", help="copy it to FILE")
    mermaid.set_defaults(run=_mermaid)

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

    drift = commands.add_parser(
        "drift",
        help="compare the model with the cluster's real configuration, fact by fact",
        description="Reads Kubernetes objects (YAML or JSON: manifests, helm template or"
        " kustomize build output, kubectl get dumps) and distribution files (Talos, kubeadm,"
        " k3s, kube-proxy) and says of every fact whether it agrees with the model.",
    )
    drift.add_argument(
        "model", nargs="?", type=Path, help="the network model (default: from ./mkdocs.yml)"
    )
    where = drift.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--from",
        dest="sources",
        type=Path,
        action="append",
        metavar="PATH",
        help="a file or folder of configuration (repeatable)",
    )
    where.add_argument(
        "--live", action="store_true", help="read the cluster kubectl reaches (read-only)"
    )
    drift.add_argument("--context", help="with --live: the kubeconfig context to use")
    drift.add_argument("--kubeconfig", type=Path, help="with --live: the kubeconfig file")
    drift.add_argument("--format", choices=("human", "github", "markdown", "json"), default="human")
    drift.set_defaults(run=_drift)

    importer = commands.add_parser(
        "import",
        help="write a first model from the cluster's real configuration",
        description="Reads the same files as `netarch drift` and writes a schema-valid model of"
        " what they say; never overwrites a file.",
    )
    importer.add_argument(
        "--from",
        dest="sources",
        type=Path,
        action="append",
        required=True,
        metavar="PATH",
        help="a file or folder of configuration (repeatable)",
    )
    importer.add_argument(
        "-o", "--output", type=Path, required=True, help="the model to write (must not exist)"
    )
    importer.set_defaults(run=_import)
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


def _mermaid(args: argparse.Namespace) -> int:
    import shutil

    build = locate_mermaid()
    if args.write is None:
        print(build.path)
        print(
            f"netarch: mermaid {build.version or '(version unknown)'}, {build.origin}",
            file=sys.stderr,
        )
        return EXIT_CLEAN
    if args.write.is_dir():
        raise UsageError(
            f"{args.write}: a folder; name the file to write, e.g. {args.write / 'mermaid.min.js'}"
        )
    try:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build.path, args.write)
    except OSError as error:
        raise UsageError(f"{args.write}: {error.strerror or error}") from None
    print(
        f"netarch: wrote {args.write} (mermaid {build.version or '(version unknown)'})",
        file=sys.stderr,
    )
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
    hugo_only = [f"--{name}" for name in ("weight", "section") if getattr(args, name) is not None]
    if hugo_only and args.flavor != "hugo":
        raise UsageError(f"{' and '.join(hugo_only)}: only for --flavor hugo")
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
    if args.flavor == "hugo":
        from netarch.pages.hugo import DEFAULT_BASE_WEIGHT, DEFAULT_SECTION

        weight = DEFAULT_BASE_WEIGHT if args.weight is None else args.weight
        files = _hugo_files(result.pages, args.output, weight, args.section or DEFAULT_SECTION)
    _refuse_overwriting_hand_written(args.output, files)
    try:
        _write_all(args.output, files)
    except OSError as error:
        raise UsageError(
            f"{_shown(args.output)}: cannot write the pages: {os_problem(error)}"
        ) from None
    print(f"netarch: wrote {len(result.pages)} page(s) to {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def _hugo_files(pages: Sequence[Any], output: Path, weight: int, section: str) -> dict[str, str]:
    from netarch.pages.hugo import HugoSectionError, hugo_section

    if (output / "index.md").exists():
        raise UsageError(
            f"{output}: index.md makes this folder a leaf bundle, and Hugo would publish none of"
            " the other pages: remove it (the hugo flavor writes the overview as _index.md)"
        )
    try:
        made = hugo_section(pages, base_weight=weight, section=section)
    except HugoSectionError as error:
        raise UsageError(str(error)) from None
    return {page.file_name: page.content for page in made}


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
    targets = _targets(args.paths or [_default_site()], env, args.generator)
    models, markdown = targets.models, targets.markdown
    if args.render and importlib.util.find_spec("playwright") is None:
        raise UsageError(
            "--render needs Playwright: pip install 'mkdocs-netarch[browser]' (it drives the"
            " system's Chromium, e.g. Debian's `chromium` package)"
        )
    overrides = _severity_overrides(args.severity)
    diagnostics: list[Diagnostic] = list(targets.notes)
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
        if targets.hugo_sites:
            from netarch.site_generators import hugo_problems
            from netarch.validate.mermaid_build import read_version

            checked = read_version(validator.mermaid_js)
            for hugo in targets.hugo_sites:
                diagnostics += hugo_problems(hugo, checked)
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
            if result.ok:
                diagnostics += _stale_pages(model, result.pages)
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


def _stale_pages(model: _Model, pages: Sequence[Any]) -> list[Diagnostic]:
    """Pages `netarch render` wrote into the site that the model no longer makes: the site
    would publish an architecture the model does not describe."""
    found = []
    for folder in model.rendered:
        if _rendered_from_another(folder, model.path):
            continue
        expected, again = _expected_pages(folder, pages)
        stale = [
            name
            for name, markdown in expected.items()
            if _without_footer(_read_or_empty(folder / name)) != _without_footer(markdown)
        ]
        if stale:
            shown = display_path(folder)
            found.append(
                Diagnostic(
                    Location(display_path(folder / stale[0])),
                    Severity.WARNING,
                    "STALE_PAGES",
                    f"{len(stale)} page(s) in {shown} ({', '.join(stale[:3])}"
                    f"{', ...' if len(stale) > 3 else ''}) are not what the model makes now",
                    hint=f"run `netarch render {display_path(model.path)} -o {shown}{again}` again",
                )
            )
    return found


_FOOTER_MODEL = re.compile(r"Generated by netarch from `([^`\n]{1,500})`")


def _rendered_from_another(folder: Path, model: Path) -> bool:
    """The folder's pages name, in their footer, another model file that exists."""
    first = next(iter(sorted(folder.glob("*.md"))), None)
    named = _FOOTER_MODEL.search(_read_or_empty(first)[-4096:]) if first else None
    if named is None:
        return False
    for base in (Path.cwd(), folder):
        candidate = base / named.group(1)
        if candidate.is_file():
            return candidate.resolve() != model.resolve()
    return False


def _expected_pages(folder: Path, pages: Sequence[Any]) -> tuple[dict[str, str], str]:
    """What `netarch render` writes into ``folder`` now, and the options it was run with: a
    Hugo section (an _index.md) with the weight and section title it has."""
    from netarch.pages.hugo import DEFAULT_BASE_WEIGHT, DEFAULT_SECTION, hugo_section

    index = folder / "_index.md"
    if not index.is_file():
        return {page.src_uri: page.markdown for page in pages}, ""
    front = _read_or_empty(index).split("---\n")
    try:
        meta = yaml.safe_load(front[1]) if len(front) > 2 and front[0] == "" else {}
    except yaml.YAMLError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    weight = meta.get("weight") if isinstance(meta.get("weight"), int) else DEFAULT_BASE_WEIGHT
    title = meta.get("title") if isinstance(meta.get("title"), str) else DEFAULT_SECTION
    title = title.replace("\u2060", "")  # the word joiners render puts in a title
    made = hugo_section(pages, base_weight=weight, section=title)
    options = f" --flavor hugo --weight {weight}"
    if title != DEFAULT_SECTION:
        options += f" --section {shlex.quote(title)}"
    return {page.file_name: page.content for page in made}, options


def _read_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _without_footer(markdown: str) -> str:
    # The footer names the model as the command line did: not a change of the page.
    return "\n".join(
        line for line in markdown.split("\n") if "Generated by netarch from" not in line
    )


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


def _drift(args: argparse.Namespace) -> int:
    from netarch.drift.report import FORMATS
    from netarch.drift.run import drift

    model = args.model
    if model is None:
        found = _from_mkdocs_config(Path("mkdocs.yml"))[0] if Path("mkdocs.yml").is_file() else []
        if not found:
            raise UsageError("name the model: netarch drift MODEL --from PATH")
        model = found[0].path
    if not model.is_file():
        raise UsageError(f"{model}: no such model file")
    if args.live:
        from netarch.drift.live import LiveError, read_live
        from netarch.drift.readers import wanted_kinds

        try:
            with read_live(
                wanted_kinds(), context=args.context, kubeconfig=args.kubeconfig
            ) as reading:
                result = drift(model, [reading.folder], base_dir=reading.folder.parent)
                result.sources = [
                    f"the cluster (context {args.context})" if args.context else "the cluster"
                ]
                result.notes += reading.notes
        except LiveError as error:
            raise UsageError(str(error)) from None
    else:
        result = drift(model, args.sources)
        unreadable = [d for d in result.diagnostics if d.code == "NA060" and not d.location.line]
        if unreadable and len(unreadable) == len(args.sources) and not result.objects_read:
            raise UsageError("; ".join(d.message for d in unreadable))
    try:
        print(FORMATS[args.format](result), flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_PROBLEMS if result.has_contradictions else EXIT_CLEAN


def _import(args: argparse.Namespace) -> int:
    from netarch.diagnostics import display_path, format_report
    from netarch.drift.importer import import_model, render, write_new
    from netarch.model.network import load_model

    output: Path = args.output
    if output.exists() or output.is_symlink():
        raise UsageError(f"{output} exists: netarch import never overwrites a file; name a new one")
    if not output.parent.is_dir():
        raise UsageError(f"{output.parent}: no such folder")
    model, problems, why = import_model(args.sources)
    if problems:
        print(format_report(problems), file=sys.stderr)
    if model is None:
        raise UsageError(why)
    text = render(model, [display_path(p) for p in args.sources])
    checked = load_model(output, display_path(output), text=text)
    if checked.model is None:
        print(format_report(checked.diagnostics), file=sys.stderr)
        raise UsageError("the imported model does not pass the schema (a bug: please report it)")
    try:
        write_new(output, text)
    except FileExistsError:
        raise UsageError(f"{output} exists: netarch import never overwrites a file") from None
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
    sections = [key for key in model if key not in ("netarch", "site")]
    print(f"netarch: wrote {display_path(output)}: {', '.join(sections)}")
    return EXIT_PROBLEMS if any(d.is_error for d in problems) else EXIT_CLEAN


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
    # Folders `netarch render` wrote this model's pages into (a site without the plugin).
    rendered: tuple[Path, ...] = ()


@dataclass
class _Targets:
    """What `netarch check` was asked to check."""

    models: list[_Model] = field(default_factory=list)
    markdown: list[Path] = field(default_factory=list)
    # Findings about a site's configuration that belong to no model (a site without one).
    notes: list[Diagnostic] = field(default_factory=list)
    # Hugo sites: their Mermaid is compared with the one the check runs.
    hugo_sites: list[Any] = field(default_factory=list)


_ZENSICAL_CONFIG = "zensical.toml"


def _default_site() -> Path:
    """The site configuration in the current folder: MkDocs', Zensical's or Hugo's."""
    from netarch.site_generators import HUGO_CONFIG_NAMES

    found = site_config_in(Path())
    if found is not None:
        return found
    # Many tools have a config.toml: Hugo's comes with Hugo's folders.
    hugo_folders = Path("content").is_dir() or Path("layouts").is_dir()
    for name in (_ZENSICAL_CONFIG, *HUGO_CONFIG_NAMES):
        if Path(name).is_file() and (not name.startswith("config.") or hugo_folders):
            return Path(name)
    return Path("mkdocs.yml")  # its absence is the error to report


def _targets(
    paths: Sequence[Path], env: EnvPolicy | None = None, generator: str = "auto"
) -> _Targets:
    from netarch.site_generators import HUGO_CONFIG_NAMES

    env = env or EnvPolicy()
    targets = _Targets()
    models, markdown = targets.models, targets.markdown
    for path in paths:
        info = inspect_path(path)
        if is_site_config(path) and info.kind != "unusable":
            _from_site_config(path, targets, generator, env)
        elif path.name == _ZENSICAL_CONFIG and info.is_file:
            from netarch.site_generators import SiteError, load_zensical_toml

            try:
                _from_extension_site(load_zensical_toml(path), targets)
            except SiteError as error:
                raise UsageError(str(error)) from None
        elif path.name in HUGO_CONFIG_NAMES and info.is_file:
            _from_hugo_config(path, targets)
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
                f"{path}: not a model (.yaml), Markdown file (.md), folder, or site"
                " configuration (mkdocs.yml, zensical.toml, hugo.toml)"
            )
    named = [model for model in models if model.site_pages is None]
    if targets.hugo_sites and len(named) == 1:
        # The one model named with a Hugo site is the one its rendered sections come from.
        folders = tuple(folder for site in targets.hugo_sites for folder in site.rendered)
        models[models.index(named[0])] = replace(named[0], rendered=folders)
    return targets


def _from_site_config(path: Path, targets: _Targets, generator: str, env: EnvPolicy) -> None:
    """A mkdocs.yml: built by MkDocs with the plugin, or by Zensical with the extension."""
    from netarch.mkdocs_config import read_config
    from netarch.site_generators import SiteError, is_zensical_config, load_extension_site

    if inspect_path(path).is_file:
        try:
            raw = read_config(path, env)
        except SiteConfigError as error:
            raise UsageError(str(error)) from None
        zensical = generator == "zensical" or (generator == "auto" and is_zensical_config(raw))
        if zensical:
            try:
                _from_extension_site(load_extension_site(path, raw, zensical=True), targets)
            except SiteError as error:
                raise UsageError(str(error)) from None
            return
    found_models, site_pages = _from_mkdocs_config(path, env)
    targets.models += found_models
    targets.markdown += site_pages


def _from_extension_site(site: Any, targets: _Targets) -> None:
    from netarch.site_generators import EXTENSION, ZENSICAL_GUIDE, block_problems

    pages = _markdown_under(site.docs_dir)
    targets.markdown += pages
    texts = {display_path(p): text for p in pages if "netarch-" in (text := _read_markdown(p))}
    notes = site.diagnostics + block_problems(
        site.config_file,
        texts,
        site.model is not None,
        site.generator,
        f"add the {EXTENSION} Markdown extension ({ZENSICAL_GUIDE})",
    )
    if site.model is None:
        targets.notes += notes
        return
    if not site.model.is_file():
        raise UsageError(
            f"{display_path(site.config_file)}: the {EXTENSION} model"
            f" {display_path(site.model, site.config_dir)} does not exist; set the extension's"
            " `model:` to your network.yaml"
        )
    targets.models.append(
        _Model(
            site.model,
            project_dir=site.config_dir,
            overrides=dict(site.checks),
            mermaid_js=site.mermaid_js,
            mermaid_origin=site.mermaid_origin,
            custom_templates=site.custom_templates,
            site_pages=tuple(pages),
            site_diagnostics=tuple(notes),
            rendered=tuple(sorted(p.parent for p in site.docs_dir.rglob(MANIFEST))),
        )
    )


def _from_hugo_config(path: Path, targets: _Targets) -> None:
    from netarch.site_generators import HUGO_GUIDE, SiteError, block_problems, load_hugo_site

    try:
        site = load_hugo_site(path)
    except SiteError as error:
        raise UsageError(str(error)) from None
    pages = _markdown_under(site.content_dir)
    targets.markdown += pages
    targets.hugo_sites.append(site)
    texts = {display_path(p): text for p in pages if "netarch-" in (text := _read_markdown(p))}
    fix = (
        "`netarch render --flavor hugo` writes the generated pages; a view on a page of your"
        f" own needs the MkDocs plugin or the netarch.markdown extension ({HUGO_GUIDE})"
    )
    targets.notes += block_problems(path, texts, False, "Hugo", fix)


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
