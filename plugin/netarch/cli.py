"""``netarch``: render pages and check models and Markdown without a site generator.

    netarch render docs/network.yaml -o build/architecture
    netarch check                       # the mkdocs.yml in the current folder
    netarch check docs/network.yaml docs/ --format github

Exit codes: 0 clean, 1 problems found, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from netarch.checks import run_checks
from netarch.checks.framework import check_severity_overrides
from netarch.diagnostics import Diagnostic, Severity, display_path, format_report
from netarch.kits import KitLoadError
from netarch.pages.render import PageRenderer
from netarch.pipeline import generate
from netarch.validate.engine import MermaidNotFound, MermaidValidator
from netarch.validate.fences import check_pages, find_page_fences
from netarch.validate.verdicts import default_cache_dir

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netarch", description=__doc__.split("\n\n")[0])
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
        help="models (.yaml), Markdown files or folders, or a mkdocs.yml (default: ./mkdocs.yml)",
    )
    check.add_argument("--format", choices=("human", "github", "json"), default="human")
    check.add_argument(
        "--render", action="store_true", help="also render every diagram in headless Chromium"
    )
    check.add_argument("--mermaid-js", type=Path, help="the mermaid.min.js to check with")
    check.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="CODE=LEVEL",
        help="change a check's severity: error, warning, info or off (repeatable)",
    )
    _add_cache_option(check)
    check.set_defaults(run=_check)

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
    diff.set_defaults(run=_diff)
    return parser


def _add_cache_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every diagram, ignoring verdicts kept from earlier runs "
        "(kept in $NETARCH_CACHE_DIR, default ~/.cache/netarch)",
    )


def _render(args: argparse.Namespace) -> int:
    if not args.model.is_file():
        raise UsageError(f"{args.model}: no such model file")
    if args.custom_templates is not None and not args.custom_templates.is_dir():
        raise UsageError(f"{args.custom_templates}: no such templates folder")
    validator = (
        None
        if args.no_check
        else _validator(args.mermaid_js, _DIAGRAMS_PER_MODEL, cache=not args.no_cache)
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
    _write_all(args.output, {page.src_uri: page.markdown for page in result.pages})
    print(f"netarch: wrote {len(result.pages)} page(s) to {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def _write_all(output: Path, files: dict[str, str]) -> None:
    """Write every page or none: each goes to a temporary file first, then is renamed."""
    output.mkdir(parents=True, exist_ok=True)
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
            staged.append((Path(temporary), target))
    except OSError:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        temporary.replace(target)


def _check(args: argparse.Namespace) -> int:
    models, markdown = _targets(args.paths or [Path("mkdocs.yml")])
    overrides = _severity_overrides(args.severity)
    checks = [partial(run_checks, severity_overrides=overrides)]
    diagnostics: list[Diagnostic] = []
    pages = {display_path(path): path.read_text(encoding="utf-8") for path in markdown}
    fences = find_page_fences(pages)
    diagrams = sum(fence.terminated for found in fences.values() for fence in found)
    expected = _DIAGRAMS_PER_MODEL * len(models) + diagrams
    with (
        _validator(args.mermaid_js, expected, cache=not args.no_cache) as validator,
        ExitStack() as stack,
    ):
        checker: Any = validator
        if args.render:
            from netarch.validate.render import BrowserRenderer

            renderer = stack.enter_context(BrowserRenderer(validator.mermaid_js))
            checker = _ParseThenRender(validator, renderer)
        for model in models:
            result = generate(
                model,
                display_path=display_path(model),
                check_diagram=checker.check,
                model_checks=checks,
                # The browser of --render must stay on this thread.
                diagram_threads=0 if args.render else validator.workers,
            )
            diagnostics += result.diagnostics
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
    two_files = all(arg and Path(arg).is_file() for arg in (args.base, args.head))
    if model is None and not two_files and Path("mkdocs.yml").is_file():
        found = _from_mkdocs_config(Path("mkdocs.yml"))[0]
        model = found[0] if found else None
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
    mermaid_js: Path | None, diagrams: int | None = None, *, cache: bool = True
) -> MermaidValidator:
    if mermaid_js is not None and not mermaid_js.is_file():
        raise UsageError(
            f"{mermaid_js}: no such file; point --mermaid-js at mermaid.min.js, or leave it out"
            " to use the pinned build installed by `npm ci` (npm install mermaid@12.3.0)"
        )
    few = diagrams is not None and diagrams < _WORTH_MORE_ISOLATES
    chosen = "NETARCH_MERMAID_WORKERS" in os.environ  # the user's number wins
    return MermaidValidator(
        mermaid_js,
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


def _targets(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    models: list[Path] = []
    markdown: list[Path] = []
    for path in paths:
        if path.name in ("mkdocs.yml", "mkdocs.yaml"):
            found_models, docs_dir = _from_mkdocs_config(path)
            models += found_models
            markdown += sorted(docs_dir.rglob("*.md"))
        elif path.is_dir():
            markdown += sorted(path.rglob("*.md"))
        elif path.suffix in (".yaml", ".yml") and path.is_file():
            models.append(path)
        elif path.suffix == ".md" and path.is_file():
            markdown.append(path)
        elif not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        else:
            raise UsageError(
                f"{path}: not a model (.yaml), Markdown file (.md), folder or mkdocs.yml"
            )
    return models, markdown


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its ``!!python/name`` tags point at."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _from_mkdocs_config(path: Path) -> tuple[list[Path], Path]:
    if not path.is_file():
        raise UsageError(
            f"{path}: not found; name models or Markdown files to check, or run in a site folder"
        )
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    except yaml.YAMLError as error:
        raise UsageError(f"{path}: not valid YAML: {error}") from None
    base_dir = path.parent
    docs_dir = base_dir / config.get("docs_dir", "docs")
    models = []
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "netarch" in plugin:
            options = plugin["netarch"] or {}
            models.append(base_dir / options.get("model", "docs/network.yaml"))
    return models, docs_dir


if __name__ == "__main__":
    sys.exit(main())
