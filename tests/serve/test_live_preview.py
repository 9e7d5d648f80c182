"""`mkdocs serve` on a copy of the demo site follows model edits and survives bad ones.

The model is moved out of docs_dir and split with an include, so the edits below are only
seen through the watches the plugin registers, not through MkDocs' own watch on docs_dir.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MKDOCS = REPO / ".venv" / "bin" / "mkdocs"
MERMAID_JS = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
# Generous bounds: the first build starts the Mermaid engine and checks every diagram.
START_TIMEOUT_S = 60.0
REBUILD_TIMEOUT_S = 30.0
# The livereload script MkDocs injects: a newer epoch makes open browser tabs reload.
_EPOCH = re.compile(r"livereload\((\d+),")


@dataclass
class Site:
    root: Path
    model: Path  # model/network.yaml, outside docs_dir
    include: Path  # model/observability.yaml, included by the model
    docs: Path


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def fetch(self, path: str) -> str | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None  # not up yet, or mid-rebuild

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, path: str, ready: Callable[[str], bool], what: str, timeout: float) -> str:
        """Poll ``path`` until ``ready(page)``; fail (with the server log) on timeout or exit."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"mkdocs serve exited:\n{self.output()}"
            page = self.fetch(path)
            if page is not None and ready(page):
                return page
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what} at {path}\n{self.output()[-4000:]}")
            time.sleep(0.25)


def _split_demo_model(text: str) -> tuple[str, str]:
    """(model without its `observability:` section + an include of it, that section)."""
    lines = text.splitlines(keepends=True)
    start = lines.index("observability:\n")
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"[a-z_]+:", lines[i]))
    section = "".join(lines[start:end])
    rest = "".join(lines[:start] + lines[end:])
    return rest.replace("netarch: 1\n", "netarch: 1\ninclude: [observability.yaml]\n", 1), section


@pytest.fixture
def site(tmp_path: Path) -> Site:
    root = tmp_path / "site"
    shutil.copytree(REPO / "docs", root / "docs")
    if (REPO / "overrides").is_dir():  # the theme's custom_dir, when the demo has one
        shutil.copytree(REPO / "overrides", root / "overrides")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "model: docs/network.yaml" in config
    (root / "mkdocs.yml").write_text(
        config.replace("model: docs/network.yaml", "model: model/network.yaml"), encoding="utf-8"
    )
    model_dir = root / "model"
    model_dir.mkdir()
    model, section = _split_demo_model((root / "docs" / "network.yaml").read_text("utf-8"))
    (root / "docs" / "network.yaml").unlink()
    (model_dir / "network.yaml").write_text(model, encoding="utf-8")
    (model_dir / "observability.yaml").write_text(section, encoding="utf-8")
    return Site(root, model_dir / "network.yaml", model_dir / "observability.yaml", root / "docs")


@pytest.fixture
def server(site: Site, tmp_path: Path) -> Iterator[Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NETARCH_MERMAID_JS": str(MERMAID_JS)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(MKDOCS), "serve", "-a", f"127.0.0.1:{port}", "-f", str(site.root / "mkdocs.yml")],
            cwd=site.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the finalizer stops it all
        )
    try:
        yield Server(f"http://127.0.0.1:{port}/", process, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _epoch(page: str) -> int:
    match = _EPOCH.search(page)
    assert match, "no livereload script in the served page"
    return int(match.group(1))


def _edit(path: Path, old: str, new: str) -> str:
    """Replace ``old`` once; returns the new text."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def _position(text: str, fragment: str) -> str:
    """``line:col`` (1-based) where ``fragment`` first starts in ``text``."""
    offset = text.index(fragment)
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"{line}:{column}"


def test_serve_follows_the_model_survives_bad_edits_and_recovers(
    site: Site, server: Server
) -> None:
    docs_before = _snapshot(site.docs)
    original = site.model.read_text(encoding="utf-8")
    overview = "architecture/"
    observability = "architecture/observability/"

    page = server.wait_for(
        overview, lambda p: "Cozystack layers four" in p, "the first build", START_TIMEOUT_S
    )
    assert "netarch-problems" not in page
    epoch = _epoch(page)

    # An edit to an included file, outside docs_dir.
    _edit(site.include, "Hubble is optional", "Hubble (edit one) is optional")
    page = server.wait_for(
        observability, lambda p: "Hubble (edit one)" in p, "the included file's edit", 30
    )
    assert _epoch(page) > epoch, "open browsers would not reload"
    epoch = _epoch(page)

    # Broken YAML: the server lives, and every page says so instead of serving stale content.
    bad_line = "  name: <b>cozystack</b>: [oops\n"
    broken = _edit(site.model, "  name: cozystack\n", bad_line)
    where = f"model/network.yaml:{_position(broken, ': [oops')}"  # the second ': '

    page = server.wait_for(
        overview, lambda p: "netarch-problems" in p, "the YAML error page", REBUILD_TIMEOUT_S
    )
    assert server.process.poll() is None
    assert f"{where}: error NA001" in html.unescape(page)
    assert "&lt;b&gt;cozystack&lt;/b&gt;" in page and "<b>cozystack</b>" not in page
    assert "Cozystack layers four" not in page
    assert _epoch(page) > epoch, "open browsers would not reload"
    epoch = _epoch(page)
    stale = server.fetch(observability) or ""
    assert "netarch-problems" in stale and "Hubble (edit one)" not in stale
    assert "netarch-problems" in (server.fetch("") or ""), "no banner on the hand-written page"
    assert re.search(rf"ERROR .*{re.escape(where)}: error NA001", server.output())

    # Valid YAML that the schema rejects.
    site.model.write_text(original, encoding="utf-8")
    wrong = _edit(site.model, "udp_port: 6081\n", "udp_port: <i>six</i>\n")
    where = f"model/network.yaml:{_position(wrong, '<i>six')}"
    page = server.wait_for(
        overview,
        lambda p: where in html.unescape(p) and "NA001" not in p,
        "the schema error page",
        REBUILD_TIMEOUT_S,
    )
    assert "&lt;i&gt;six&lt;/i&gt;" in page and "<i>six</i>" not in page
    assert server.process.poll() is None

    # Fixed: the pages come back, with the earlier edit, and no banner anywhere.
    site.model.write_text(original, encoding="utf-8")
    page = server.wait_for(
        overview,
        lambda p: "Cozystack layers four" in p and "netarch-problems" not in p,
        "recovery",
        REBUILD_TIMEOUT_S,
    )
    assert "Hubble (edit one)" in (server.fetch(observability) or "")
    assert "netarch-problems" not in (server.fetch("") or "")
    assert _epoch(page) > epoch

    # Nothing was written into docs_dir (MkDocs would rebuild in a loop).
    assert _snapshot(site.docs) == docs_before
    assert sorted(p.name for p in site.model.parent.iterdir()) == [
        "network.yaml",
        "observability.yaml",
    ]
