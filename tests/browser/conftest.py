"""One headless Chromium, one local web server and the built sites, shared by the browser tests.

The sites are built as a user builds them (``mkdocs build --strict``), all at once (they are
independent and the machine has two cores), into one folder that a stdlib HTTP server serves
on 127.0.0.1: the demo under ``/demo/``, the hostile-label copy under ``/hostile/``, and each
example site of ``examples/`` under ``/<example>/``.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from audit import CHROMIUM, CHROMIUM_ARGS, SiteVisit, open_browser, visit_site
from hostile import write_hostile_project, write_hostile_theme_site
from playwright.async_api import Browser
from sites import (
    EXAMPLES,
    PALETTES,
    REPO_ROOT,
    BlockingProxy,
    CachingHandler,
    SiteBuild,
    SiteServer,
    start_build,
)

from netarch.scaffold import THEMES

# Looked at by people, never committed (.gitignore has tests/artifacts/).
SCREENSHOTS = REPO_ROOT / "tests" / "artifacts" / "screenshots"
_SHOTS_TAKEN = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def served_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="session")
def site_server(served_root: Path) -> Iterator[SiteServer]:
    handler = functools.partial(CachingHandler, directory=str(served_root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield SiteServer(served_root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def site_builds(
    served_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, SiteBuild]]:
    hostile_config = write_hostile_project(REPO_ROOT, tmp_path_factory.mktemp("hostile-project"))
    builds = {
        "demo": start_build("demo", REPO_ROOT / "mkdocs.yml", served_root / "demo"),
        "hostile": start_build("hostile", hostile_config, served_root / "hostile"),
    }
    for name in EXAMPLES:
        config = REPO_ROOT / "examples" / name / "mkdocs.yml"
        builds[name] = start_build(name, config, served_root / name)
    # A `netarch init` site per theme with hostile titles, prose and links (hostile.py).
    for theme in THEMES:
        name = f"hostile-{theme}"
        config = write_hostile_theme_site(tmp_path_factory.mktemp(name) / "site", theme)
        builds[name] = start_build(name, config, served_root / name)
    yield builds
    for build in builds.values():
        if build.process.poll() is None:  # a test failed before waiting for it
            build.process.kill()
            build.process.wait()


@pytest.fixture(scope="session")
def blocking_proxy() -> Iterator[BlockingProxy]:
    proxy = BlockingProxy()
    thread = threading.Thread(target=proxy.serve_forever, name="blocking-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join()


@pytest.fixture(scope="session")
def screenshots_dir(pytestconfig: pytest.Config) -> Path:
    # Overwritten, not wiped: another run in the same checkout may be writing there too.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pytestconfig.stash[_SHOTS_TAKEN] = True
    return SCREENSHOTS


@pytest.fixture(scope="session")
def site_visits(
    blocking_proxy: BlockingProxy,
    site_builds: dict[str, SiteBuild],
    site_server: SiteServer,
    screenshots_dir: Path,
) -> dict[str, SiteVisit | None]:
    """One browser visits every page of the demo, light and dark, of the hostile copy and the
    hostile site of each theme (keys ``hostile-<theme>``), clicking every link of theirs, and of
    each example, light and dark (keys ``<example>-<palette>``).

    The passes run side by side (own context, own renderer process: the two cores are
    used), each starting as soon as its site is built. ``None``: that site did not build
    (the tests then report mkdocs' output through ``SiteBuild.wait``).
    """
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    # Everything but loopback goes to the proxy, which counts and refuses it. (Not Playwright's
    # `proxy=` option: it would send 127.0.0.1 through the proxy too.)
    args = [*CHROMIUM_ARGS, f"--proxy-server={blocking_proxy.url}"]

    async def visit(browser: Browser, name: str, palette: str) -> SiteVisit | None:
        build = site_builds[name]
        if not await asyncio.to_thread(build.succeeded):
            return None
        shots = screenshots_dir if name == "demo" else None
        url = f"{site_server.url}/{name}/"
        return await visit_site(
            browser,
            url,
            build.site_dir,
            palette,
            blocking_proxy.refused,
            shots,
            click_links=name.startswith("hostile"),
        )

    passes = {
        "light": ("demo", "light"),
        "dark": ("demo", "dark"),
        "hostile": ("hostile", "light"),
        **{f"hostile-{theme}": (f"hostile-{theme}", "light") for theme in THEMES},
        **{f"{name}-{palette}": (name, palette) for name in EXAMPLES for palette in PALETTES},
    }

    async def visit_all() -> list[SiteVisit | None]:
        # Three at a time, as many as the demo's passes: more renderers only share two cores.
        slots = asyncio.Semaphore(3)

        async def visit_in_turn(browser: Browser, name: str, palette: str) -> SiteVisit | None:
            async with slots:
                return await visit(browser, name, palette)

        async with open_browser(args) as browser:
            return await asyncio.gather(
                *(visit_in_turn(browser, *site) for site in passes.values())
            )

    return dict(zip(passes, asyncio.run(visit_all()), strict=True))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    shots = sorted(SCREENSHOTS.glob("*.png")) if config.stash.get(_SHOTS_TAKEN, False) else []
    if shots:
        terminalreporter.write_line(
            f"browser tests: {len(shots)} screenshots (light and dark) in {SCREENSHOTS}"
        )
