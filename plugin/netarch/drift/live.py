"""Read a live cluster through ``kubectl``: only the kinds the readers need, never Secrets.

Each kind is one ``kubectl get ... -o json`` (an argument list, no shell), with the user's
own kubeconfig, context and authentication (exec plugins, OIDC) as kubectl has them; objects
asked for by name are fetched by name (``-n NS NAME``, or ``--field-selector metadata.name=``
across namespaces), so a ConfigMap no reader uses is never fetched. Every call is bounded in
time and output; nothing is written to the cluster. The answers are kept in a private
temporary folder for the reader and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from netarch.cluster.objects import K3S_CONFIG, TALOS_CONFIG, Wanted
from netarch.safety import excerpt

# Kinds that are files a distribution reads, never objects of the API.
FILE_KINDS = frozenset({TALOS_CONFIG, K3S_CONFIG, "ClusterConfiguration", "KubeProxyConfiguration"})
NEVER = frozenset({"Secret"})
TIMEOUT_SECONDS = 60
MAX_OUTPUT_BYTES = 512 * 1024 * 1024


class LiveError(Exception):
    """kubectl is missing, or the cluster cannot be reached at all (an environment error)."""


@dataclass
class LiveReading:
    folder: Path
    # One line per kind that could not be read (not served, forbidden), in kubectl's words.
    notes: list[str] = field(default_factory=list)
    calls: int = 0


def _queries(wanted: Sequence[Wanted]) -> list[tuple[str, list[str]]]:
    """(a name for the answer, kubectl's arguments after ``get``) per query."""
    queries: list[tuple[str, list[str]]] = []
    seen: set[tuple[str, ...]] = set()
    for want in wanted:
        if want.kind in FILE_KINDS or want.kind in NEVER:
            continue
        groups = sorted(g for g in want.api_groups if g) or [""]
        for group in groups:
            resource = f"{want.kind}.{group}" if group else want.kind
            if not want.names:
                arguments = [resource, "--all-namespaces"]
                key = tuple(arguments)
                if key not in seen:
                    seen.add(key)
                    queries.append((f"{want.kind}-{len(queries)}", arguments))
                continue
            for name in sorted(want.names):
                namespace, _, bare = name.rpartition("/")
                if namespace:
                    arguments = [resource, "--namespace", namespace, bare]
                else:
                    arguments = [
                        resource,
                        "--all-namespaces",
                        f"--field-selector=metadata.name={bare}",
                    ]
                key = tuple(arguments)
                if key not in seen:
                    seen.add(key)
                    queries.append((f"{want.kind}-{len(queries)}", arguments))
    return queries


@contextmanager
def read_live(
    wanted: Sequence[Wanted],
    *,
    context: str | None = None,
    kubeconfig: Path | None = None,
    kubectl: str | None = None,
) -> Iterator[LiveReading]:
    """The objects the readers want, as JSON files in a private temporary folder."""
    program = kubectl or shutil.which("kubectl")
    if not program:
        raise LiveError("kubectl not found: install it, or read files with --from")
    base = [program]
    if kubeconfig is not None:
        base += ["--kubeconfig", str(kubeconfig)]
    if context:
        base += ["--context", context]
    top = Path(tempfile.mkdtemp(prefix="netarch-live-"))
    os.chmod(top, 0o700)
    # Messages name the answers "live/<Kind>-<n>.json": the folder's own name means nothing.
    folder = top / "live"
    folder.mkdir(mode=0o700)
    reading = LiveReading(folder)
    try:
        reachable = False
        for name, arguments in _queries(wanted):
            target = folder / f"{name}.json"
            command = [
                *base,
                "get",
                *arguments,
                "--output",
                "json",
                f"--request-timeout={TIMEOUT_SECONDS}s",
            ]
            reading.calls += 1
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(descriptor, "wb") as out:
                try:
                    done = subprocess.run(
                        command,
                        stdout=out,
                        stderr=subprocess.PIPE,
                        stdin=subprocess.DEVNULL,
                        timeout=TIMEOUT_SECONDS + 10,
                        check=False,
                    )
                except subprocess.TimeoutExpired:
                    reading.notes.append(
                        f"{arguments[0]}: kubectl did not answer in {TIMEOUT_SECONDS} s"
                    )
                    target.unlink(missing_ok=True)
                    continue
            message = excerpt(
                done.stderr.decode("utf-8", "replace").strip().splitlines()[-1]
                if done.stderr.strip()
                else "",
                300,
            )
            if target.stat().st_size > MAX_OUTPUT_BYTES:
                reading.notes.append(
                    f"{arguments[0]}: more than {MAX_OUTPUT_BYTES // 2**20} MiB, not read"
                )
                target.unlink()
                continue
            if done.returncode != 0:
                target.unlink(missing_ok=True)
                if (
                    "NotFound" in message
                    or "not found" in message
                    or "doesn't have a resource type" in message
                ):
                    reading.notes.append(
                        f"{' '.join(arguments[:1] + arguments[-1:])}: not in the cluster"
                    )
                    reachable = True
                    continue
                reading.notes.append(
                    f"{arguments[0]}: {message or f'kubectl exited with {done.returncode}'}"
                )
                continue
            reachable = True
        if not reachable and reading.calls:
            raise LiveError(
                "the cluster could not be read: "
                + (reading.notes[0] if reading.notes else "kubectl failed")
            )
        yield reading
    finally:
        shutil.rmtree(top, ignore_errors=True)
