"""Building and serving the sites under test: plain `mkdocs build --strict` and http.server."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The example sites (examples/<name>/mkdocs.yml), built and visited like the demo.
EXAMPLES = ("cilium-bgp", "eks")
PALETTES = ("light", "dark")


@dataclass
class SiteBuild:
    """A `mkdocs build --strict` running in the background."""

    name: str
    site_dir: Path
    process: subprocess.Popen[str]
    _output: str | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def succeeded(self) -> bool:
        """Wait for the build; True when it built the site. Safe from several threads."""
        with self._lock:
            if self._output is None:
                self._output, _ = self.process.communicate()
        return self.process.returncode == 0

    def wait(self) -> Path:
        """The built site; fails the calling test with mkdocs' output when the build failed."""
        if not self.succeeded():
            pytest.fail(f"mkdocs build --strict of the {self.name} site failed:\n{self._output}")
        return self.site_dir


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class SiteServer:
    root: Path
    url: str


def start_build(name: str, config: Path, site_dir: Path) -> SiteBuild:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    process = subprocess.Popen(
        [*command, "-d", str(site_dir)],
        cwd=REPO_ROOT,  # where the pinned node_modules/mermaid is found, as for `make serve`
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return SiteBuild(name, site_dir, process)


class CachingHandler(QuietHandler):
    """Serves the site with a cache lifetime, as a real web server does.

    Without it Chromium re-fetches and re-compiles the 5.5 MB mermaid.min.js on every page.
    """

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()


# Chromium's own background services (autofill, sign-in, component updates): the proxy refuses
# them like everything else, but they are the browser's requests, not the site's. Exact host
# names, so that a site asking e.g. fonts.googleapis.com is still caught.
BROWSER_SERVICE_HOSTS = frozenset(
    {
        "accounts.google.com",
        "clients2.google.com",
        "content-autofill.googleapis.com",
        "optimizationguide-pa.googleapis.com",
        "safebrowsing.googleapis.com",
        "update.googleapis.com",
    }
)


def from_the_site(refused: list[str]) -> list[str]:
    """The proxy's refusals without the browser's own background requests."""
    return [
        entry
        for entry in refused
        if urlsplit(entry.partition(" ")[2]).hostname not in BROWSER_SERVICE_HOSTS
    ]


class BlockingProxy(http.server.ThreadingHTTPServer):
    """The browser's proxy: every request that would leave 127.0.0.1 ends here, refused.

    Chromium never proxies loopback addresses, so the site itself is reached directly and
    everything else (any host, any scheme, from pages, workers or the browser) is recorded
    and answered with 403. Unlike Playwright's request routing, this keeps the HTTP cache on.
    """

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RefuseHandler)
        self.refused: list[str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, target: str) -> None:
        with self._lock:
            self.refused.append(target)


class _RefuseHandler(http.server.BaseHTTPRequestHandler):
    server: BlockingProxy

    def _refuse(self) -> None:
        # CONNECT names only host:port (the rest of an https URL is encrypted).
        target = f"https://{self.path}" if self.command == "CONNECT" else self.path
        self.server.record(f"{self.command} {target}")
        self.send_error(403, "blocked by the netarch browser tests: the site must be offline")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse
    do_CONNECT = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass
