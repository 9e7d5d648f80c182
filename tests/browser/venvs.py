"""Virtualenvs with other versions of a site's packages (mkdocs-material 7.x, ...), made once.

Each holds this checkout (editable, so it finds the checkout's pinned Mermaid) and the
requirements asked for, installed from PyPI by pip. They are kept between runs in
``$NETARCH_TEST_VENVS`` (default ``~/.cache/netarch-test-venvs``), one folder per checkout,
requirement set, Python and pyproject.toml; a lock lets parallel runs share them, and each
pip run is bounded in time.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from sites import REPO_ROOT

PIP_TIMEOUT_S = 600
_READY = ".netarch-ready"


@dataclass(frozen=True)
class SiteVenv:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def run(
        self, *command: str, cwd: Path, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """``command`` with only this virtualenv on PATH and no Mermaid of the environment."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("NETARCH_MERMAID", "VIRTUAL_ENV", "PYTHON"))
        }
        # ProperDocs (which mkdocs-literate-nav pulls in) prints a banner on stderr otherwise.
        env.update(
            PATH=f"{self.bin}:/usr/bin:/bin",
            NO_MKDOCS_2_WARNING="1",
            DISABLE_MKDOCS_2_WARNING="true",
        )
        return subprocess.run(
            [str(self.bin / command[0]), *command[1:]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def cache_root() -> Path:
    configured = os.environ.get("NETARCH_TEST_VENVS")
    return Path(configured) if configured else Path.home() / ".cache" / "netarch-test-venvs"


def cached_venv(*requirements: str) -> SiteVenv:
    """A virtualenv with this checkout and ``requirements`` (made on first use)."""
    identity = "\n".join(
        [
            str(REPO_ROOT),
            sys.version,
            (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"),
            *requirements,
        ]
    )
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    name = "-".join(r.replace("==", "-") for r in requirements)[:60]
    root = cache_root() / f"{name}-{key}"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run making the same one: wait for it
        if not (root / _READY).is_file():
            shutil.rmtree(root, ignore_errors=True)  # left half-made by an interrupted run
            venv.EnvBuilder(with_pip=True).create(root)
            result = subprocess.run(
                [
                    str(root / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    *requirements,
                    "-e",
                    str(REPO_ROOT),
                ],
                capture_output=True,
                text=True,
                timeout=PIP_TIMEOUT_S,
                check=False,
            )
            if result.returncode != 0:
                raise RuntimeError(
                    f"pip install {' '.join(requirements)} failed:\n{result.stderr[-3000:]}"
                )
            (root / _READY).write_text(identity, encoding="utf-8")
    return SiteVenv(root)
