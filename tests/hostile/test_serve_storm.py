"""`mkdocs serve` under a storm of edits, and a model replaced by a folder while it rebuilds:
every rebuild ends with the current state shown, never the pages of a model that is gone.
The server runs in a child process with the suite's memory limit; every wait has a deadline."""

from __future__ import annotations

import contextlib
import html
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bounded import MEMORY_BYTES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "serve"))
from test_live_preview import MERMAID_JS, Server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
SETTLE_TIMEOUT_S = 60.0


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_BYTES, MEMORY_BYTES))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, Server]]:
    root = tmp_path / "site"
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copytree(REPO / "overrides", root / "overrides")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NETARCH_MERMAID_JS": str(MERMAID_JS)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_limits,
        )
    try:
        yield root, Server(f"http://127.0.0.1:{port}/", process, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _rebuilds(server: Server) -> int:
    return server.output().count("Detected file changes")


def test_a_storm_of_edits_then_a_model_replaced_by_a_folder_mid_rebuild(
    served: tuple[Path, Server],
) -> None:
    root, server = served
    model = root / "docs" / "network.yaml"
    overview = "architecture/"
    server.wait_for(
        overview, lambda p: "Cozystack layers four" in p, "the first build", START_TIMEOUT_S
    )
    original = model.read_text(encoding="utf-8")

    # 100 edits, faster than the site rebuilds: the last one is what ends up shown.
    for n in range(100):
        model.write_text(
            original.replace("Cozystack layers four", f"Cozystack layers edit-{n}", 1),
            encoding="utf-8",
        )
        time.sleep(0.02)
    server.wait_for(
        overview,
        lambda p: "Cozystack layers edit-99" in p and "netarch-problems" not in p,
        "the last edit of the storm",
        SETTLE_TIMEOUT_S,
    )

    # One more edit, and while that rebuild runs, the model becomes a folder.
    before = _rebuilds(server)
    model.write_text(original, encoding="utf-8")
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while _rebuilds(server) == before and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    model.unlink()
    model.mkdir()
    page = server.wait_for(
        overview,
        lambda p: "netarch-problems" in p,
        "the error page",
        SETTLE_TIMEOUT_S,
    )
    assert "docs/network.yaml: error NA005" in html.unescape(page)
    assert "Cozystack layers" not in page
    assert server.process.poll() is None

    model.rmdir()
    model.write_text(original, encoding="utf-8")
    server.wait_for(
        overview,
        lambda p: "Cozystack layers four" in p and "netarch-problems" not in p,
        "recovery",
        SETTLE_TIMEOUT_S,
    )
