"""What `netarch diff` costs on a large model: 1,000 components, 50 nodes, 20 pools and peers.

    .venv/bin/python bench/bench_diff.py [--runs 7] [--components 1000]

HEAD changes a handful of elements of BASE (a version, a pool's range, a peer's ASN, one
component renamed, one added, one removed, one policy added) and lists the components in
another order. Timed,
as the median of ``--runs``:

- compare: the model-aware comparison alone (``compare_models`` on two loaded models);
- reachability: who can reach whom under each version's policies, compared
  (``compare_reachability``; 20 tenants, HEAD opens one tenant's web pods to the world);
- load + compare: both models read, schema- and reference-checked, then compared;
- full diff: ``diff_models``, which also runs the rules and generates every page and view on
  both sides (no Mermaid check);
- difflib: a plain unified diff of the two YAML texts, for scale: it says which lines moved,
  not what changed in the network.

The machine load (``os.getloadavg()``) is printed with the figures: on a shared machine they
are only comparable at a similar load.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from netarch.diff import diff_models
from netarch.diff.compare import compare_models
from netarch.diff.reachability import compare_reachability
from netarch.model.network import Model, load_model

TENANTS = 20


def model_text(components: int, *, head: bool) -> str:
    lines = [
        "netarch: 1",
        "cluster:",
        "  name: bench",
        "  pod_cidr: 10.42.0.0/16",
        "  service_cidr: 10.43.0.0/16",
        "components:",
        "  - {id: metallb, name: MetalLB, kind: platform, product: metallb, version: 0.16.1}",
        "  - {id: router, name: Router, kind: external}",
    ]
    order = range(components)
    if head:
        order = reversed(order)  # listed in another order: not a change
    for index in order:
        if head and index == 3:
            continue  # removed
        element_id = f"svc-{index}-renamed" if head and index == 5 else f"svc-{index}"
        version = "2.0.0" if head and index == 7 else "1.0.0"
        lines += [
            f"  - id: {element_id}",
            f"    name: Service {index % 97}",
            "    kind: workload",
            f"    version: {version}",
            f"    namespace: team-{index % 13}",
            "    description: A workload of the benchmark model.",
        ]
    if head:
        lines += ["  - {id: svc-new, name: New service, kind: workload, version: 1.0.0}"]
    lines.append("nodes:")
    lines += [
        f"  - {{id: node{index}, name: node-{index}, address: 192.168.{index // 200}.{index % 200 + 10}}}"
        for index in range(50)
    ]
    lines += ["metallb:", "  component: metallb", "  pools:"]
    for index in range(20):
        last = 240 if head and index == 2 else 250
        lines += [
            f"    - id: pool{index}",
            f"      addresses: [172.16.{index}.200-172.16.{index}.{last}]",
        ]
    lines += ["  bgp:", "    peers:"]
    for index in range(20):
        asn = 65100 if head and index == 4 else 65001
        lines += [
            f"      - id: peer{index}",
            f"        address: 10.0.{index}.1",
            "        router: router",
            "        my_asn: 65000",
            f"        peer_asn: {asn}",
        ]
    # Tenants isolated from each other; HEAD opens one tenant's web pods to the world on
    # HTTPS, which the reachability comparison must report (and nothing else).
    lines += ["tenants:", "  items:"]
    for index in range(TENANTS):
        lines += [
            f"    - id: tenant-{index}",
            f"      name: t{index}",
            f"      namespace: tenant-{index}",
            "      pods:",
            f"        - {{id: web-{index}, address: 10.42.{index}.10, labels: {{app: web}}}}",
            f"        - {{id: db-{index}, address: 10.42.{index}.20, labels: {{app: db}}}}",
        ]
    lines += [
        "policies:",
        "  items:",
        "    - {id: same-tenant, action: allow, scope: same-tenant}",
        "    - {id: cross-tenant, action: deny, scope: cross-tenant}",
    ]
    if head:
        lines += [
            "    - id: web-7-https",
            "      action: allow",
            "      direction: ingress",
            "      to: {tenant: tenant-7, labels: {app: web}}",
            "      from: {entity: world}",
            "      ports: [{port: 443, protocol: tcp}]",
        ]
    return "\n".join(lines) + "\n"


def median_seconds(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--components", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="netarch-bench-diff-") as folder:
        base_path, head_path = Path(folder, "base.yaml"), Path(folder, "head.yaml")
        base_text = model_text(args.components, head=False)
        head_text = model_text(args.components, head=True)
        base_path.write_text(base_text, encoding="utf-8")
        head_path.write_text(head_text, encoding="utf-8")

        def load(path: Path) -> Model:
            loaded = load_model(path, display_path=path.name)
            if loaded.model is None:
                raise SystemExit(f"the generated model does not load: {loaded.diagnostics[:3]}")
            return loaded.model

        base, head = load(base_path), load(head_path)
        changes = compare_models(base, head)
        # (median seconds, runs); the full diff is slower, so it runs half as often.
        full_runs = max(1, args.runs // 2)
        reachability = compare_reachability(base, head)
        figures = {
            "compare": (median_seconds(lambda: compare_models(base, head), args.runs), args.runs),
            "reachability": (
                median_seconds(lambda: compare_reachability(base, head), args.runs),
                args.runs,
            ),
            "load + compare": (
                median_seconds(lambda: compare_models(load(base_path), load(head_path)), args.runs),
                args.runs,
            ),
            "full diff": (
                median_seconds(
                    lambda: diff_models(base_path, head_path, "base.yaml", "head.yaml"),
                    full_runs,
                ),
                full_runs,
            ),
            "difflib": (
                median_seconds(
                    lambda: list(
                        difflib.unified_diff(base_text.splitlines(), head_text.splitlines())
                    ),
                    args.runs,
                ),
                args.runs,
            ),
        }
    load1, load5, _ = os.getloadavg()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"netarch diff bench, {now}, load {load1:.2f} (1 min) {load5:.2f} (5 min),")
    print(f"  {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(
        f"  model: {args.components + 2} components, 50 nodes, 20 pools, 20 peers,"
        f" {TENANTS} tenants; {len(base_text.splitlines())} lines; {len(changes)} changes found"
    )
    print(f"  reachability: {len(reachability.changes)} pair change(s) found")
    for name, (seconds, runs) in figures.items():
        print(f"  {name:<15} median of {runs:>2}: {seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
