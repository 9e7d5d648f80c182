"""Run netarch on hostile input in a child process with a deadline and a memory limit.

RLIMIT_DATA, not RLIMIT_AS: V8 reserves gigabytes of address space it never touches, while
the data limit counts what is actually allocated.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

MEMORY_BYTES = 1_500_000_000


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def limit_memory() -> None:
    """For ``preexec_fn``: the child may allocate at most MEMORY_BYTES."""
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_BYTES, MEMORY_BYTES))


def run_netarch(
    *args: str | Path, cwd: Path, timeout_s: float = 60.0, env: dict[str, str] | None = None
) -> Run:
    """``netarch ARGS`` in ``cwd``; fails the test if it overruns ``timeout_s``."""
    return _run_module("netarch.cli", args, cwd=cwd, timeout_s=timeout_s, env=env)


def run_mkdocs(
    *args: str | Path, cwd: Path, timeout_s: float = 120.0, env: dict[str, str] | None = None
) -> Run:
    """``mkdocs ARGS`` in ``cwd``, bounded as :func:`run_netarch` is."""
    return _run_module("mkdocs", args, cwd=cwd, timeout_s=timeout_s, env=env)


def _run_module(
    module: str,
    args: tuple[str | Path, ...],
    *,
    cwd: Path,
    timeout_s: float,
    env: dict[str, str] | None,
) -> Run:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout_s,
        preexec_fn=limit_memory,
        env={
            **os.environ,
            "NETARCH_MERMAID_TIMEOUT": "3",
            "NO_MKDOCS_2_WARNING": "1",
            **(env or {}),
        },
    )
    return Run(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def assert_bounded_output(run: Run, line_chars: int = 600) -> None:
    """No line of what netarch printed is longer than a bounded message."""
    longest = max((len(line) for line in run.output.splitlines()), default=0)
    assert longest <= line_chars, f"a {longest}-character line was printed"
    assert "Traceback" not in run.output, run.output[-2000:]
