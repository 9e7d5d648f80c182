"""Benchmark: checking 200 Mermaid diagrams with netarch's engine vs. the Mermaid CLI (mmdc).

    python bench/bench_mermaid_check.py [--count 200] [--mmdc-count 20] [--skip-mmdc]

Generates the same ``--count`` varied diagrams every run (fixed seed; ~10 % contain a typical
mistake), writes them to a temporary directory, then

* netarch: a fresh Python process imports ``netarch.validate``, starts ``MermaidValidator``
  (V8 isolates with mermaid.min.js; one per core, at most two, or ``NETARCH_MERMAID_WORKERS``)
  and checks every diagram with ``check_many``, as ``netarch check`` does; we report wall time
  of that process,
  the engine's start-up, per-diagram mean/median/p95, a second (cached) pass and peak RSS;
  that run keeps no verdicts on disk: it is the cold figure, what a first check costs;
* netarch with verdicts kept on disk (``cache_dir``, as ``netarch check`` and the plugin use
  it by default): three more fresh processes -- the run that fills the cache, a later run
  with nothing changed, and one with 10 diagrams edited;
* a bare ``mermaid.parse`` loop in one Node process (``node_parse_loop.cjs``): the same
  mermaid.min.js and diagrams, with only the DOMPurify no-ops any loop outside a browser
  needs -- what a team would write by hand. netarch's cold run and this loop are taken in
  turns ``--repeat`` times (medians), with the machine's load before and after;
* mmdc: ``mmdc -i file`` per diagram -- how it is used today -- on an evenly spaced subset of
  ``--mmdc-count`` diagrams (one mmdc run takes seconds), extrapolated to ``--count``; the
  extrapolation is printed as such.

mmdc comes from bench/package.json: ``cd bench && PUPPETEER_SKIP_DOWNLOAD=1 npm ci``; it drives
Debian's /usr/bin/chromium through a generated puppeteer config.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The same browser flags as `netarch check --render`: one place says what works here.
from netarch.validate.render import CHROMIUM, CHROMIUM_ARGS

BENCH = Path(__file__).resolve().parent
MMDC = BENCH / "node_modules" / ".bin" / "mmdc"
NODE_LOOP = BENCH / "node_parse_loop.cjs"


# -- the diagrams ------------------------------------------------------------------------------


def _flowchart(rng: random.Random, i: int) -> str:
    n = rng.randint(5, 60)
    lines = [f"flowchart {rng.choice(['LR', 'TD'])}"]
    lines.append(f"  subgraph site{i}[Site {i}]")
    lines += [f"    n{k}[Device {k}]" for k in range(min(n, 6))]
    lines.append("  end")
    for k in range(1, n):
        arrow = rng.choice(["-->", "---", "-.->", "==>", "-->|uplink|"])
        lines.append(f"  n{rng.randrange(k)} {arrow} n{k}")
    lines.append("  classDef core fill:#f96;")
    lines.append("  class n0 core")
    return "\n".join(lines)


def _sequence(rng: random.Random, i: int) -> str:
    actors = ["Client", "LB", "Web", "DB", "Cache"][: rng.randint(2, 5)]
    lines = ["sequenceDiagram", "  autonumber"] + [f"  participant {a}" for a in actors]
    for k in range(rng.randint(3, 25)):
        a, b = rng.sample(actors, 2)
        lines.append(f"  {a}->>{b}: request {k}")
        if k % 5 == 0:
            lines.append(f"  Note over {a},{b}: step {k}")
    return "\n".join(lines)


def _class(rng: random.Random, i: int) -> str:
    lines = ["classDiagram"]
    for k in range(rng.randint(2, 10)):
        lines += [f"  class C{k} {{", "    +String name", f"    +port{k}() int", "  }"]
        if k:
            lines.append(f"  C{rng.randrange(k)} {rng.choice(['<|--', '*--', 'o--', '-->'])} C{k}")
    return "\n".join(lines)


def _state(rng: random.Random, i: int) -> str:
    states = [f"S{k}" for k in range(rng.randint(2, 8))]
    lines = ["stateDiagram-v2", f"  [*] --> {states[0]}"]
    for a, b in itertools.pairwise(states):
        lines.append(f"  {a} --> {b} : event")
    lines.append(f"  {states[-1]} --> [*]")
    return "\n".join(lines)


def _er(rng: random.Random, i: int) -> str:
    lines = ["erDiagram"]
    for k in range(1, rng.randint(2, 8)):
        lines.append(f"  E{k - 1} ||--o{{ E{k} : has")
    lines += ["  E0 {", "    string id PK", "    string name", "  }"]
    return "\n".join(lines)


def _gantt(rng: random.Random, i: int) -> str:
    lines = ["gantt", "  title Rollout", "  dateFormat YYYY-MM-DD", "  section Work"]
    lines.append("  First task :t0, 2024-01-01, 3d")
    for k in range(1, rng.randint(2, 10)):
        lines.append(f"  Task {k} :t{k}, after t{k - 1}, {rng.randint(1, 9)}d")
    return "\n".join(lines)


def _pie(rng: random.Random, i: int) -> str:
    return "pie\n  title Share\n" + "\n".join(
        f'  "Site {k}" : {rng.randint(1, 99)}' for k in range(rng.randint(2, 8))
    )


def _gitgraph(rng: random.Random, i: int) -> str:
    lines = ["gitGraph", "  commit"]
    for k in range(rng.randint(1, 5)):
        lines += [
            f"  branch b{k}",
            f"  checkout b{k}",
            "  commit",
            "  checkout main",
            f"  merge b{k}",
        ]
    return "\n".join(lines)


def _mindmap(rng: random.Random, i: int) -> str:
    lines = ["mindmap", "  root((Network))"]
    for k in range(rng.randint(2, 6)):
        lines.append(f"    Area{k}")
        lines += [f"      Item{k}x{m}" for m in range(rng.randint(1, 3))]
    return "\n".join(lines)


def _timeline(rng: random.Random, i: int) -> str:
    return "timeline\n  title History\n" + "\n".join(
        f"  {2010 + k} : event {k}" for k in range(rng.randint(2, 8))
    )


def _sankey(rng: random.Random, i: int) -> str:
    return "sankey-beta\n" + "\n".join(
        f"L{k},L{k + 1},{rng.randint(1, 50)}" for k in range(rng.randint(2, 8))
    )


def _xychart(rng: random.Random, i: int) -> str:
    n = rng.randint(3, 10)
    values = ", ".join(str(rng.randint(1, 100)) for _ in range(n))
    xs = ", ".join(f"d{k}" for k in range(n))
    return f'xychart-beta\n  title "Load"\n  x-axis [{xs}]\n  bar [{values}]\n  line [{values}]'


def _block(rng: random.Random, i: int) -> str:
    names = [f"b{k}" for k in range(rng.randint(2, 6))]
    return (
        f"block-beta\n  columns {len(names)}\n  "
        + " ".join(names)
        + f"\n  {names[0]} --> {names[-1]}"
    )


def _packet(rng: random.Random, i: int) -> str:
    lines, start = ["packet-beta"], 0
    for k in range(rng.randint(2, 6)):
        width = rng.choice([8, 16, 32])
        lines.append(f'  {start}-{start + width - 1}: "field {k}"')
        start += width
    return "\n".join(lines)


def _architecture(rng: random.Random, i: int) -> str:
    n = rng.randint(2, 6)
    lines = ["architecture-beta", "  group dc(cloud)[DC]"]
    lines += [f"  service s{k}(server)[Server {k}] in dc" for k in range(n)]
    lines += [f"  s{k}:R --> L:s{k + 1}" for k in range(n - 1)]
    return "\n".join(lines)


def _quadrant(rng: random.Random, i: int) -> str:
    points = "\n".join(
        f"  P{k}: [{rng.random():.2f}, {rng.random():.2f}]" for k in range(rng.randint(1, 8))
    )
    return "quadrantChart\n  x-axis Low --> High\n  y-axis Slow --> Fast\n" + points


def _journey(rng: random.Random, i: int) -> str:
    return "journey\n  title Onboarding\n  section Steps\n" + "\n".join(
        f"    Step {k}: {rng.randint(1, 5)}: Ops" for k in range(rng.randint(1, 6))
    )


def _requirement(rng: random.Random, i: int) -> str:
    return (
        "requirementDiagram\n  requirement r1 {\n    id: 1\n    text: two uplinks\n"
        "    risk: high\n    verifymethod: test\n  }\n  element e1 {\n    type: config\n  }\n"
        "  e1 - satisfies -> r1"
    )


def _c4(rng: random.Random, i: int) -> str:
    return (
        'C4Context\n  Person(ops, "NetOps")\n  System(nms, "Monitoring")\n'
        '  Rel(ops, nms, "uses", "HTTPS")'
    )


def _kanban(rng: random.Random, i: int) -> str:
    lines = ["kanban"]
    for k in range(rng.randint(1, 4)):
        lines.append(f"  col{k}[Column {k}]")
        lines += [f"    t{k}x{m}[Task {m}]" for m in range(rng.randint(1, 3))]
    return "\n".join(lines)


GENERATORS = [
    _flowchart, _flowchart, _flowchart, _sequence, _sequence, _class, _state, _er, _gantt,
    _pie, _gitgraph, _mindmap, _timeline, _sankey, _xychart, _block, _packet, _architecture,
    _quadrant, _journey, _requirement, _c4, _kanban,
]  # fmt: skip

# Typical mistakes, applied to ~10 % of the diagrams.
MISTAKES = [
    lambda text: text + "\n  broken -->",
    lambda text: text.replace(":", "", 1) if text.startswith("pie") else text + "\n  ]]",
    lambda text: "flowchart TD\n  a[unclosed --> b\n" + text.split("\n", 1)[1],
    lambda text: text + "\n  %%{init: }%% oops ((",
]


def make_diagrams(count: int, seed: int = 2024) -> list[tuple[str, bool]]:
    """``count`` (diagram text, has_mistake) pairs, the same for the same arguments."""
    rng = random.Random(seed)
    diagrams = []
    for i in range(count):
        text = GENERATORS[i % len(GENERATORS)](rng, i)
        broken = rng.random() < 0.10
        if broken:
            text = rng.choice(MISTAKES)(text)
        diagrams.append((text + "\n", broken))
    return diagrams


# -- our engine, measured in its own process ---------------------------------------------------


def engine_child(directory: Path) -> None:
    """Runs in a fresh interpreter: import, start, check all, check again; print JSON."""
    import resource

    started = time.perf_counter()
    from netarch.validate.engine import MermaidProblem, MermaidValidator

    imported = time.perf_counter()
    validator = MermaidValidator()
    ready = time.perf_counter()
    files = sorted(directory.glob("*.mmd"))
    texts = [path.read_text() for path in files]
    # Each check's own duration, taken inside check_many (which calls self.check per text).
    durations: dict[int, float] = {}
    real_check = validator.check

    def timed_check(text: str) -> list[MermaidProblem]:
        t0 = time.perf_counter()
        try:
            return list(real_check(text))
        finally:
            durations[id(text)] = time.perf_counter() - t0

    validator.check = timed_check  # type: ignore[method-assign]
    # As `netarch check` does it: all diagrams at once, on every isolate.
    results = validator.check_many(texts)
    validator.check = real_check  # type: ignore[method-assign]
    done = time.perf_counter()
    per_diagram = [durations[id(text)] for text in texts]

    # Rejected = an error, as mmdc would fail; warnings (drawn, but not as written) are counted.
    def is_rejected(problems: list[MermaidProblem]) -> bool:
        return any(problem.is_error for problem in problems)

    verdicts = {
        path.name: is_rejected(problems) for path, problems in zip(files, results, strict=True)
    }
    warned = sum(1 for problems in results if problems and not is_rejected(problems))
    for text in texts:  # unchanged diagrams: served from the content-hash cache
        validator.check(text)
    cached = time.perf_counter() - done
    version = validator.version  # asked after the timed part: it loads one more grammar
    validator.close()
    print(
        json.dumps(
            {
                "import_s": imported - started,
                "startup_s": ready - imported,
                "checks_s": done - ready,
                "total_s": done - started,
                "per_diagram_s": per_diagram,
                "cached_pass_s": cached,
                "cache_hits": validator.cache_hits,
                "parses": validator.parses,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "version": version,
                "workers": validator.workers,
                "verdicts": verdicts,
                "warned": warned,
            }
        )
    )


def cache_child(directory: Path, cache: Path, changed: int) -> None:
    """A fresh interpreter checking every diagram with verdicts kept in ``cache``, the first
    ``changed`` diagrams edited (a comment line added): one later run, e.g. a pre-commit."""
    started = time.perf_counter()
    from netarch.validate.engine import MermaidValidator

    texts = [path.read_text() for path in sorted(directory.glob("*.mmd"))]
    texts = [f"{text}%% edited\n" if n < changed else text for n, text in enumerate(texts)]
    with MermaidValidator(cache_dir=cache) as validator:
        validator.check_many(texts)
    print(
        json.dumps(
            {
                "wall_s": time.perf_counter() - started,
                "parses": validator.parses,
                "stored_hits": validator.stored_hits,
                "started": validator.started,
            }
        )
    )


def _run_child(*arguments: str) -> dict[str, object]:
    """Run this script again in a fresh interpreter; its last line of output is JSON."""
    t0 = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=True
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - t0
    return result


def run_cache_child(directory: Path, cache: Path, changed: int) -> dict[str, object]:
    return _run_child("--cache-child", str(directory), str(cache), str(changed))


def run_engine(directory: Path) -> dict[str, object]:
    return _run_child("--engine-child", str(directory))


# -- a bare mermaid.parse loop in Node ----------------------------------------------------------


def run_node_loop(directory: Path, mermaid_js: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    child = subprocess.run(
        ["node", str(NODE_LOOP), str(mermaid_js), str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - t0
    return result


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


# -- mmdc ---------------------------------------------------------------------------------------


def run_mmdc(directory: Path, names: list[str]) -> dict[str, object]:
    config = directory / "puppeteer-config.json"
    config.write_text(
        json.dumps({"executablePath": CHROMIUM, "headless": "shell", "args": list(CHROMIUM_ARGS)})
    )
    out = directory / "out"
    out.mkdir(exist_ok=True)
    times, verdicts = [], {}
    for name in names:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                str(MMDC),
                "-q",
                "-p",
                str(config),
                "-i",
                str(directory / name),
                "-o",
                str(out / f"{name}.svg"),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        )
        times.append(time.perf_counter() - t0)
        verdicts[name] = proc.returncode != 0
    version = subprocess.run(
        [str(MMDC), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {"times": times, "verdicts": verdicts, "version": version}


# -- report -------------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--mmdc-count", type=int, default=20)
    parser.add_argument("--skip-mmdc", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=5, help="netarch and the Node loop, in turns (default 5)"
    )
    parser.add_argument("--engine-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_child:
        engine_child(args.engine_child)
        return 0
    if args.cache_child:
        folder, cache, changed = args.cache_child
        cache_child(Path(folder), Path(cache), int(changed))
        return 0

    diagrams = make_diagrams(args.count)
    with tempfile.TemporaryDirectory(prefix="netarch-bench-") as tmp:
        directory = Path(tmp)
        names = []
        for index, (text, _broken) in enumerate(diagrams):
            name = f"d{index:03d}.mmd"
            (directory / name).write_text(text)
            names.append(name)

        from netarch.validate.mermaid_build import locate_mermaid

        mermaid_js = locate_mermaid(start=BENCH.parent).path
        load_before = _uptime()
        engines, loops = [], []
        for _ in range(max(1, args.repeat)):  # in turns: a change of load hits both alike
            engines.append(run_engine(directory))
            if shutil.which("node"):
                loops.append(run_node_loop(directory, mermaid_js))
        load_after = _uptime()
        # The run with the median wall time is the one described in detail.
        engines.sort(key=lambda run: float(run["process_wall_s"]))  # type: ignore[arg-type]
        engine = engines[len(engines) // 2]
        per = [t * 1000 for t in engine["per_diagram_s"]]  # type: ignore[union-attr]
        rejected = sum(engine["verdicts"].values())  # type: ignore[union-attr]
        broken = sum(b for _, b in diagrams)
        print(f"date: {datetime.date.today().isoformat()}")
        print(
            f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}"
        )
        print(f"load before: {load_before}")
        print(f"load after:  {load_after}")
        print(
            f"\nnetarch engine (mermaid {engine['version']}, mini-racer V8, one process, "
            f"{engine['workers']} isolate(s); NETARCH_MERMAID_WORKERS sets it)"
        )
        print(
            f"  diagrams checked      {len(per)}  (rejected {rejected}; {broken} had a mistake "
            f"injected; {engine['warned']} drawn, but not as written: warnings)"
        )
        print(f"  python + import       {engine['import_s']:.2f} s")
        print(
            f"  start-up (V8+mermaid) {engine['startup_s']:.2f} s   "
            f"(the first isolate; the others start alongside)"
        )
        print(f"  {len(per)} checks            {engine['checks_s']:.2f} s")
        print(
            f"  total incl. start-up  {engine['total_s']:.2f} s   (process wall {engine['process_wall_s']:.2f} s)"
        )
        print(
            f"  per diagram (its own) mean {statistics.mean(per):.1f} ms, median "
            f"{statistics.median(per):.1f} ms, p95 {_percentile(per, 0.95):.1f} ms, max {max(per):.1f} ms"
        )
        print(
            f"  second pass (cached)  {engine['cached_pass_s'] * 1000:.1f} ms for {len(per)} "
            f"({engine['cache_hits']} cache hits, {engine['parses']} parses)"
        )
        print(f"  peak RSS              {engine['peak_rss_mb']:.0f} MB")
        by_kind: dict[str, list[float]] = {}
        for (text, _broken), ms in zip(diagrams, per, strict=True):
            by_kind.setdefault(text.split(None, 1)[0], []).append(ms)
        print(
            "  by kind (mean ms, n): "
            + ", ".join(
                f"{kind} {statistics.mean(v):.0f} ({len(v)})"
                for kind, v in sorted(by_kind.items(), key=lambda kv: -statistics.mean(kv[1]))
            )
        )

        print(f"\ncold, {len(names)} diagrams, process wall, median of {len(engines)} in turns")
        engine_walls = [float(run["process_wall_s"]) for run in engines]  # type: ignore[arg-type]
        engine_wall = statistics.median(engine_walls)
        print(
            f"  netarch engine        {engine_wall:.2f} s ({min(engine_walls):.2f}-"
            f"{max(engine_walls):.2f})"
        )
        if loops:
            loop_walls = [float(run["process_wall_s"]) for run in loops]  # type: ignore[arg-type]
            loop_wall = statistics.median(loop_walls)
            node_per = [t * 1000 for run in loops for t in run["per_diagram_s"]]  # type: ignore[union-attr]
            agree = sum(
                loops[0]["verdicts"][name] == engine["verdicts"][name]  # type: ignore[index]
                for name in names
            )
            print(
                f"  bare Node loop        {loop_wall:.2f} s ({min(loop_walls):.2f}-"
                f"{max(loop_walls):.2f}); Node {loops[0]['node']}, start-up median "
                f"{statistics.median(float(r['startup_s']) for r in loops):.2f} s, per diagram "
                f"median {statistics.median(node_per):.1f} ms"
            )
            print(f"  ratio                 netarch / Node loop = {engine_wall / loop_wall:.2f}x")
            print(f"  verdicts agree        {agree}/{len(names)} (rejected or not)")
        else:
            print("  bare Node loop        not run: no `node` on PATH")

        # Verdicts kept on disk (MermaidValidator(cache_dir=...), as `netarch check` and the
        # plugin use it): what a later run over the same diagrams costs.
        cache = directory / "verdicts"
        print("\nverdicts kept on disk for later runs (cache_dir; fresh process each)")
        for label, changed in [
            ("first run, fills the cache", 0),
            ("next run, nothing changed", 0),
            ("next run, 10 diagrams edited", 10),
        ]:
            run = run_cache_child(directory, cache, changed)
            print(
                f"  {label:29} {run['process_wall_s']:.2f} s process wall  ({run['parses']} "
                f"parses, {run['stored_hits']} from the cache, "
                f"V8 {'started' if run['started'] else 'not started'})"
            )

        if args.skip_mmdc:
            return 0
        if not MMDC.exists():
            print(f"\nmmdc not installed: cd {BENCH} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci")
            return 1
        step = max(1, len(names) // args.mmdc_count)
        subset = names[::step][: args.mmdc_count]
        mmdc = run_mmdc(directory, subset)
        times: list[float] = mmdc["times"]  # type: ignore[assignment]
        measured = sum(times)
        extrapolated = measured / len(subset) * len(names)
        agree = sum(mmdc["verdicts"][n] == engine["verdicts"][n] for n in subset)  # type: ignore[index]
        engine_total = float(engine["process_wall_s"])  # type: ignore[arg-type]
        print(
            f"\nmmdc {mmdc['version']} (@mermaid-js/mermaid-cli, one run per file, Debian chromium)"
        )
        print(
            f"  measured              {len(subset)} of the {len(names)} diagrams (every {step}th): "
            f"{measured:.1f} s, {statistics.mean(times):.2f} s per diagram"
        )
        print(
            f"  EXTRAPOLATED to {len(names)}    {extrapolated:.0f} s  (= {measured:.1f} s / {len(subset)} x {len(names)})"
        )
        print(f"  verdicts agree        {agree}/{len(subset)}")
        print(
            f"\nspeed-up for {len(names)} diagrams: {extrapolated / engine_total:.0f}x "
            f"(mmdc extrapolated {extrapolated:.0f} s vs netarch {engine_total:.2f} s process wall, "
            "start-up included)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
