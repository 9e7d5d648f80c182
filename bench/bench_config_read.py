"""How fast ``netarch drift`` reads a large cluster's dump, against a plain YAML load of it.

Writes a ``kubectl get -o yaml`` dump of 5,000 nodes and 50,000 pods with their Services and
EndpointSlices (about 100 MB; ``--nodes``/``--pods`` to change), then times, in turns:
- netarch's reader, keeping the kinds the drift readers use (Node, Service, EndpointSlice, ...);
- ``yaml.load_all`` with libyaml's CSafeLoader: the fastest plain load of the same file;
- with ``--pure``, ``yaml.safe_load_all`` too (the pure-Python loader: minutes at this size);
- the same dump as ``kubectl get -o json`` through netarch's reader and through ``json.load``.
Each figure is the median of ``--repeat`` runs, with the peak memory (RSS) of a child process
per run (VmHWM). Prints the load average before and after.

    .venv/bin/python bench/bench_config_read.py [--repeat 3] [--pure]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster_dump import write_dump, write_json_dump

_CHILD = r"""
import json, sys, time
from pathlib import Path
how, path = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
if how == "netarch":
    from netarch.cluster.reader import read_configuration
    from netarch.drift.readers import wanted_kinds
    result = read_configuration([path], wanted_kinds())
    kept = len(result.objects)
elif how == "csafe":
    import yaml
    with path.open(encoding="utf-8") as stream:
        kept = sum(1 for _ in yaml.load_all(stream, Loader=yaml.CSafeLoader))
elif how == "pure":
    import yaml
    with path.open(encoding="utf-8") as stream:
        kept = sum(1 for _ in yaml.safe_load_all(stream))
else:
    with path.open(encoding="utf-8") as stream:
        kept = len(json.load(stream).get("items", []))
seconds = time.perf_counter() - start
# VmHWM is this process's own peak: ru_maxrss keeps the parent's across exec.
status = Path("/proc/self/status").read_text()
peak = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM"))) / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "kept": kept}))
"""


def _run(how: str, path: Path) -> dict[str, float]:
    import json

    out = subprocess.run(
        [sys.executable, "-c", _CHILD, how, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "plugin")},
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pure", action="store_true", help="also time yaml.safe_load_all")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder, "dump.yaml")
        size = write_dump(dump, args.nodes, args.pods)
        json_dump = Path(folder, "dump.json")
        json_size = write_json_dump(dump, json_dump)
        print(
            f"dump: {args.nodes} nodes, {args.pods} pods: {size / 1e6:.0f} MB YAML, "
            f"{json_size / 1e6:.0f} MB JSON"
        )
        cases = [("netarch", dump), ("csafe", dump), ("netarch", json_dump), ("json", json_dump)]
        if args.pure:
            cases.append(("pure", dump))
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            for how, path in cases:
                results.setdefault((how, path.suffix), []).append(_run(how, path))
        names = {
            ("netarch", ".yaml"): "netarch reader, YAML",
            ("csafe", ".yaml"): "yaml.load_all (CSafeLoader), YAML",
            ("pure", ".yaml"): "yaml.safe_load_all, YAML",
            ("netarch", ".json"): "netarch reader, JSON",
            ("json", ".json"): "json.load, JSON",
        }
        base = statistics.median(r["seconds"] for r in results[("csafe", ".yaml")])
        print(f"{'':40} {'median s':>9} {'ratio':>7} {'peak MiB':>9} {'objects':>8}")
        for key, runs in results.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            peak = statistics.median(r["peak_mib"] for r in runs)
            print(
                f"{names[key]:40} {seconds:9.2f} {seconds / base:7.2f}x {peak:9.0f} "
                f"{int(runs[0]['kept']):8}"
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
