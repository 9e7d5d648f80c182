"""What the netarch plugin costs a `mkdocs build` of the demo site, against the same site
without it.

    .venv/bin/python bench/bench_site_build.py [--runs 5]

Three kinds of build, each a fresh `python -m mkdocs build` process timed from start to end,
taken in turns so that a change in the machine's load hits all three alike:

- plain: the demo's pages as plain Markdown (what the plugin generated, with netarch-view
  blocks already expanded), the same nav, theme and extensions, and the same mermaid.min.js
  served as a static file; no netarch;
- plugin, cached: the demo as it is, with Mermaid's verdicts of an earlier build on disk
  ($NETARCH_CACHE_DIR), the common case of a rebuild or a CI job with a cache;
- plugin, cold: the same with an empty cache folder, so the pipeline runs and Mermaid checks
  every diagram (one V8 isolate, as `mkdocs build` uses);
- plugin, cold, two isolates: the same with NETARCH_MERMAID_WORKERS=2.

Every build runs with Python's bytecode cache (in a folder of the bench's own, through
PYTHONPYCACHEPREFIX), as a user's has: pip compiles an installed wheel, and the site-packages
that plain builds use are compiled too. Without it (PYTHONDONTWRITEBYTECODE=1, an editable
checkout) netarch's own modules are compiled from source on every build, which alone costs
about 30 ms and says nothing about a user's site.

Prints the medians of wall time and of CPU time (user + system of the build process and its
threads: far less sensitive than wall time to the other jobs on a shared machine), the ratios
to plain, and the machine's load before and after.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "mkdocs.yml"


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _capture_plugin_site(work: Path) -> tuple[dict[str, str], list[Any]]:
    """Build the demo in-process once; return every page's Markdown after the plugin, and the
    nav with the generated section."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from netarch.mkdocs_plugin import NetarchPlugin

    pages: dict[str, str] = {}
    original = NetarchPlugin.on_page_markdown

    def record(self: NetarchPlugin, markdown: str, **kwargs: Any) -> str | None:
        result = original(self, markdown, **kwargs)
        pages[kwargs["page"].file.src_uri] = markdown if result is None else result
        return result

    NetarchPlugin.on_page_markdown = record  # type: ignore[method-assign]
    try:
        config = load_config(str(DEMO_CONFIG), site_dir=str(work / "capture"))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    finally:
        NetarchPlugin.on_page_markdown = original  # type: ignore[method-assign]
    return pages, config.nav


def _write_plain_site(work: Path) -> Path:
    """The demo without netarch: generated pages as files, Mermaid as a static file."""
    from netarch.assets import DEFAULTS_URI, MERMAID_DEFAULTS_JS, MERMAID_URI
    from netarch.validate.mermaid_build import locate_mermaid

    pages, nav = _capture_plugin_site(work)
    plain = work / "plain"
    docs = plain / "docs"
    for source in (REPO / "docs").rglob("*"):
        relative = source.relative_to(REPO / "docs")
        if source.is_file() and source.suffix not in (".md", ".yaml"):
            (docs / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, docs / relative)
    for src_uri, markdown in pages.items():
        (docs / src_uri).parent.mkdir(parents=True, exist_ok=True)
        (docs / src_uri).write_text(markdown, encoding="utf-8")
    (docs / MERMAID_URI).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(locate_mermaid(start=REPO).path, docs / MERMAID_URI)
    (docs / DEFAULTS_URI).write_text(MERMAID_DEFAULTS_JS, encoding="utf-8")
    shutil.copytree(REPO / "overrides", plain / "overrides")
    # The demo's mkdocs.yml without the netarch plugin block and with the full nav.
    lines = DEMO_CONFIG.read_text(encoding="utf-8").split("\n")
    start = lines.index("  - netarch:")
    end = start + 1
    while end < len(lines) and lines[end].startswith("      "):
        end += 1
    lines[start:end] = []
    text = "\n".join(lines)
    text = text[: text.index("\nnav:")] + "\n"
    text += yaml.safe_dump({"nav": nav}, sort_keys=False, allow_unicode=True)
    text += yaml.safe_dump({"extra_javascript": [MERMAID_URI, DEFAULTS_URI]})
    (plain / "mkdocs.yml").write_text(text, encoding="utf-8")
    return plain / "mkdocs.yml"


def _timed_build(
    config: Path, site_dir: Path, cache_dir: Path, workers: int | None = None
) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one build."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "NETARCH_CACHE_DIR": str(cache_dir),
        # One bytecode cache for every build (see the module's docstring); the untimed
        # builds of main() fill it.
        "PYTHONPYCACHEPREFIX": str(site_dir.parent / "bytecode"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("NETARCH_MERMAID_WORKERS", None)
    if workers is not None:
        env["NETARCH_MERMAID_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "-d", str(site_dir)], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"build of {config} failed:\n{result.stderr}")
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="netarch-bench-site-") as folder:
        work = Path(folder)
        plain_config = _write_plain_site(work)
        primed = work / "verdicts-primed"
        _timed_build(
            DEMO_CONFIG, work / "out", primed
        )  # fills the verdicts and the bytecode; not counted
        _timed_build(plain_config, work / "out", primed)  # warms the OS file cache alike
        load_before = _uptime()
        times: dict[str, list[tuple[float, float]]] = {
            "plain": [],
            "cached": [],
            "cold": [],
            "cold2": [],
        }
        for run in range(args.runs):
            times["plain"].append(_timed_build(plain_config, work / "out", primed))
            times["cached"].append(_timed_build(DEMO_CONFIG, work / "out", primed))
            cold = work / f"verdicts-cold-{run}"
            times["cold"].append(_timed_build(DEMO_CONFIG, work / "out", cold))
            cold2 = work / f"verdicts-cold2-{run}"
            times["cold2"].append(_timed_build(DEMO_CONFIG, work / "out", cold2, workers=2))
        load_after = _uptime()
    plain_wall = statistics.median(wall for wall, _ in times["plain"])
    plain_cpu = statistics.median(cpu for _, cpu in times["plain"])
    print(f"date: {datetime.date.today().isoformat()}")
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    )
    print(f"before: {load_before}")
    print(f"after:  {load_after}")
    print(f"runs of each: {args.runs}")
    print()
    print("| build | wall, median (min-max) | ratio | CPU, median (min-max) | ratio |")
    print("|---|---|---|---|---|")
    for kind, label in (
        ("plain", "plain Markdown, no netarch"),
        ("cached", "netarch plugin, verdicts cached"),
        ("cold", "netarch plugin, cold (nothing cached)"),
        ("cold2", "netarch plugin, cold, two isolates"),
    ):
        walls = [wall for wall, _ in times[kind]]
        cpus = [cpu for _, cpu in times[kind]]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"| {label} | {wall:.2f} s ({min(walls):.2f}-{max(walls):.2f})"
            f" | {wall / plain_wall:.2f}x | {cpu:.2f} s ({min(cpus):.2f}-{max(cpus):.2f})"
            f" | {cpu / plain_cpu:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
