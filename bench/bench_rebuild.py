"""What a `mkdocs serve` rebuild costs in the netarch plugin, warm vs cold, on the demo site.

    .venv/bin/python bench/bench_rebuild.py [--warm-runs 5] [--cold-runs 2]

Runs real MkDocs builds of a copy of the demo site (the Cozystack model) the way `mkdocs serve`
does: `on_startup(command="serve")` once, then the config is loaded again for every rebuild
and MkDocs hands back the same plugin instance. Every `on_*` hook of the plugin is timed; the
rest of the build (Markdown, theme, writing the site) is the difference to the whole build.

- cold: a new plugin instance -- fresh Mermaid engine, empty verdict caches (in memory and
  on disk), new Jinja environment -- which is what every rebuild would cost without the
  state kept in on_startup;
- warm, prose edit: one line of model text changes, no diagram changes;
- warm, diagram edit: one component name changes, so the diagrams that show it change
  (a new name each run, so the verdict cache cannot help).
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from netarch.mkdocs_plugin import NetarchPlugin
from netarch.model.network import load_model

REPO = Path(__file__).resolve().parent.parent
SERVE_URL = "http://127.0.0.1:8000/"
PROSE = ("Cozystack layers four", "Cozystack ({n}) layers four")
DIAGRAM = ("    name: MetalLB\n", "    name: MetalLB {n}\n")


@dataclass
class Timings:
    """Wall-clock seconds per hook for one build, the plugin's CPU seconds, the whole build."""

    hooks: dict[str, float] = field(default_factory=dict)
    cpu: float = 0.0
    total: float = 0.0

    @property
    def plugin(self) -> float:
        return sum(self.hooks.values())


def _copy_site(target: Path) -> Path:
    for name in ("docs", "overrides"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target / "docs" / "network.yaml"


def _fresh_plugins() -> None:
    # MkDocs keeps plugin instances for the whole process (that is what serve relies on);
    # forget them so that the next load_config makes a cold one.
    plugins: Any = MkDocsConfig.plugins  # the config option, which holds the cache
    plugins.plugin_cache.clear()


def _instrument(plugin: NetarchPlugin, sink: dict[str, float]) -> None:
    """Time every hook of this plugin instance into ``sink``: name -> wall seconds, summed,
    and "cpu" -> CPU seconds of all hooks (steadier than wall time on a busy machine)."""
    for name in dir(type(plugin)):
        if not name.startswith("on_") or name in ("on_startup", "on_shutdown", "on_serve"):
            continue
        original = getattr(plugin, name)

        def timed(*args: Any, _original: Callable[..., Any] = original, _name: str = name,
                  **kwargs: Any) -> Any:  # fmt: skip
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                sink[_name] = sink.get(_name, 0.0) + time.perf_counter() - start
                sink["cpu"] = sink.get("cpu", 0.0) + time.process_time() - cpu

        setattr(plugin, name, functools.wraps(original)(timed))


class Site:
    """A copy of the demo site and the serve-style session building it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.model = _copy_site(root)
        self.original = self.model.read_text(encoding="utf-8")
        self.sink: dict[str, float] = {}
        self.plugin: NetarchPlugin | None = None

    def _config(self) -> MkDocsConfig:
        return load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.root / "site"))

    def start(self) -> Timings:
        """A cold first build: new plugin instance, new engine, nothing cached."""
        _fresh_plugins()
        config = self._config()
        config.plugins.on_startup(command="serve", dirty=False)
        plugin = config.plugins["netarch"]
        assert isinstance(plugin, NetarchPlugin)
        _instrument(plugin, self.sink)
        self.plugin = plugin
        return self.rebuild()

    def rebuild(self) -> Timings:
        config = self._config()  # serve reloads the config and gets the same instance back
        assert config.plugins["netarch"] is self.plugin
        self.sink.clear()
        start = time.perf_counter()
        build(config, serve_url=SERVE_URL)
        cpu = self.sink.pop("cpu", 0.0)
        timings = Timings(dict(self.sink), cpu, time.perf_counter() - start)
        assert self.plugin is not None and self.plugin.generation is not None
        assert self.plugin.generation.ok, "the edit broke the model"
        return timings

    def edit(self, old: str, new: str) -> None:
        self.model.write_text(self.original.replace(old, new, 1), encoding="utf-8")

    def close(self) -> None:
        if self.plugin is not None:
            self.plugin.on_shutdown()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def _report(label: str, runs: list[Timings]) -> None:
    plugin = [run.plugin for run in runs]
    total = [run.total for run in runs]
    share = statistics.median(plugin) / statistics.median(total)
    print(
        f"{label:<26} plugin {_ms(statistics.median(plugin))} (min {_ms(min(plugin))},"
        f" CPU {_ms(statistics.median(run.cpu for run in runs))})"
        f"   whole build {_ms(statistics.median(total))}   plugin share {share:5.1%}"
    )
    hooks: dict[str, list[float]] = {}
    for run in runs:
        for name, seconds in run.hooks.items():
            hooks.setdefault(name, []).append(seconds)
    for name, values in sorted(hooks.items(), key=lambda item: -statistics.median(item[1])):
        if statistics.median(values) >= 0.0005:
            print(f"    {name:<24} {_ms(statistics.median(values))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)  # keep the figures readable

    cold: list[Timings] = []
    prose: list[Timings] = []
    diagram: list[Timings] = []
    with tempfile.TemporaryDirectory(prefix="netarch-bench-") as tmp:
        for run in range(args.cold_runs):
            # Cold means no Mermaid verdicts kept from earlier runs either (a fresh cache_dir).
            os.environ["NETARCH_CACHE_DIR"] = str(Path(tmp) / f"verdicts-cold-{run}")
            site = Site(Path(tmp) / f"cold-{run}")
            try:
                cold.append(site.start())
            finally:
                site.close()
        os.environ["NETARCH_CACHE_DIR"] = str(Path(tmp) / "verdicts-warm")
        site = Site(Path(tmp) / "warm")
        try:
            site.start()
            assert site.plugin is not None
            validator = site.plugin.validator
            parses = validator.parses if validator else 0
            for n in range(args.warm_runs):
                site.edit(PROSE[0], PROSE[1].format(n=n))
                prose.append(site.rebuild())
            reparsed_prose = (validator.parses if validator else 0) - parses
            for n in range(args.warm_runs):
                site.edit(DIAGRAM[0], DIAGRAM[1].format(n=n))
                diagram.append(site.rebuild())
            reparsed = (validator.parses if validator else 0) - parses - reparsed_prose
            same_engine = site.plugin.validator is validator
        finally:
            site.close()

        # The floor of any rebuild after a model edit: reading the model again.
        model = Path(tmp) / "warm" / "docs" / "network.yaml"
        loads = []
        for _ in range(args.warm_runs):
            start = time.perf_counter()
            load_model(model)
            loads.append(time.perf_counter() - start)

    print(
        f"netarch rebuild benchmark: demo site (Cozystack model), Python {sys.version.split()[0]}"
    )
    print("median over runs; plugin = time inside the plugin's on_* hooks\n")
    _report(f"cold ({args.cold_runs} runs)", cold)
    _report(f"warm, prose edit ({args.warm_runs})", prose)
    _report(f"warm, diagram edit ({args.warm_runs})", diagram)
    print(
        f"\nwarm runs: one engine throughout ({same_engine}); diagrams parsed again: "
        f"{reparsed_prose} after {args.warm_runs} prose edits, {reparsed} after "
        f"{args.warm_runs} diagram edits"
    )
    print(f"of which loading the model (YAML, schema, references): {_ms(statistics.median(loads))}")
    speedup = statistics.median(r.plugin for r in cold) / statistics.median(r.plugin for r in prose)
    print(f"warm vs cold plugin time: {speedup:.0f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
