"""The wheel and mkdocs-material are all a user needs: no Node, no npm.

The wheel is built from this checkout and installed with mkdocs-material into a fresh
virtualenv (pip may use PyPI and its wheel cache). Every command then runs with only that
virtualenv on PATH, in folders far from this checkout and its node_modules: `netarch init`
in an empty folder, `mkdocs build --strict`, and every page in Chromium, offline.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from audit import CHROMIUM, mermaid_sources
from sites import BlockingProxy, SiteServer
from themes import diagram_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MERMAID_URI = "assets/javascripts/netarch/mermaid.min.js"


@dataclass
class Installed:
    bin: Path
    env: dict[str, str]

    def run(self, *command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / command[0]), *command[1:]],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    work = tmp_path_factory.mktemp("wheel-install")
    wheels = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(repo_root),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("mkdocs_netarch-*.whl")
    environment = work / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    pip = [str(environment / "bin" / "python"), "-m", "pip"]
    subprocess.run(
        [*pip, "install", "-q", str(wheel), "mkdocs-material"],
        check=True,
        capture_output=True,
        timeout=900,
    )
    path = str(environment / "bin")  # nothing else: no node, no npm
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NETARCH_MERMAID", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(PATH=path, NO_MKDOCS_2_WARNING="1", HOME=str(work / "home"))
    yield Installed(environment / "bin", env)


def _check_site(site_dir: Path, name: str, site_server: SiteServer, proxy: BlockingProxy) -> None:
    served = site_server.root / f"wheel-{name}"
    shutil.copytree(site_dir, served)
    assert sum(len(mermaid_sources(page)) for page in served.rglob("index.html")) >= 3
    problems = diagram_problems(served, f"{site_server.url}/wheel-{name}/", proxy)
    assert len(problems) >= 7, f"every page visited: {sorted(problems)}"
    failing = {page: found for page, found in problems.items() if found}
    assert not failing, "\n".join(f"{page}: {'; '.join(found)}" for page, found in failing.items())


def test_the_installed_package_reports_its_version_and_ships_the_pinned_mermaid(
    installed: Installed, repo_root: Path, tmp_path: Path
) -> None:
    result = installed.run("netarch", "--version", cwd=tmp_path)
    assert result.stdout.strip() == "netarch 0.1.0", result.stderr
    schema = installed.run("netarch", "schema", cwd=tmp_path).stdout.strip()
    assert Path(schema).is_file() and str(installed.bin.parent) in schema


def test_init_build_strict_and_every_diagram_in_the_browser(
    installed: Installed,
    repo_root: Path,
    tmp_path: Path,
    site_server: SiteServer,
    blocking_proxy: BlockingProxy,
) -> None:
    site = tmp_path / "mysite"
    site.mkdir()
    init = installed.run("netarch", "init", cwd=site)
    assert init.returncode == 0, init.stderr
    assert "material theme" in init.stderr
    built = installed.run("mkdocs", "build", "--strict", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr
    assert not list((site / "site").rglob("*.yaml")), "the model is not published"
    lock = json.loads((repo_root / "package-lock.json").read_text(encoding="utf-8"))
    stamp = json.loads(
        next(installed.bin.parent.rglob("netarch/_vendor/mermaid/pinned.json")).read_text()
    )
    assert stamp["integrity"] == lock["packages"]["node_modules/mermaid"]["integrity"]
    served = (site / "site" / MERMAID_URI).read_bytes()
    assert hashlib.sha256(served).hexdigest() == stamp["sha256"]
    check = installed.run("netarch", "check", cwd=site)
    assert check.returncode == 0 and "0 problem(s)" in check.stderr, check.stderr
    _check_site(site / "site", "material", site_server, blocking_proxy)


@pytest.mark.parametrize("theme", ["mkdocs", "readthedocs"])
def test_other_themes_built_with_f_from_another_folder(
    theme: str,
    installed: Installed,
    tmp_path: Path,
    site_server: SiteServer,
    blocking_proxy: BlockingProxy,
) -> None:
    init = installed.run("netarch", "init", "--theme", theme, "docs-site", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    built = installed.run(
        "mkdocs", "build", "--strict", "-f", "../docs-site/mkdocs.yml", "-d", "out", cwd=elsewhere
    )
    assert built.returncode == 0, built.stderr
    _check_site(tmp_path / "docs-site" / "out", theme, site_server, blocking_proxy)
