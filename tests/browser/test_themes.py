"""A site made by `netarch init` renders every diagram with material, mkdocs and readthedocs.

Built as a user builds it (`mkdocs build --strict`, from another folder with `-f`), served on
127.0.0.1 and visited in Debian's Chromium with every other request refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from audit import CHROMIUM, mermaid_sources
from sites import BlockingProxy, SiteServer
from themes import diagram_problems

from netarch.scaffold import init_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("theme", ["material", "mkdocs", "readthedocs"])
def test_every_diagram_renders_offline_in_every_theme(
    theme: str,
    tmp_path: Path,
    site_server: SiteServer,
    blocking_proxy: BlockingProxy,
) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    project = tmp_path / "project"
    init_site(project, theme)
    site_dir = site_server.root / f"theme-{theme}"
    build = ["mkdocs", "build", "--strict", "-f", "project/mkdocs.yml", "-d", str(site_dir)]
    result = subprocess.run(
        [sys.executable, "-m", *build],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "NETARCH_MERMAID_JS"}
        | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    diagrams = sum(len(mermaid_sources(page)) for page in site_dir.rglob("index.html"))
    assert diagrams >= 3, "the starter site has diagrams to draw"
    problems = diagram_problems(site_dir, f"{site_server.url}/theme-{theme}/", blocking_proxy)
    assert len(problems) >= 7, f"every page visited: {sorted(problems)}"
    failing = {page: found for page, found in problems.items() if found}
    assert not failing, "\n".join(f"{page}: {'; '.join(found)}" for page, found in failing.items())
