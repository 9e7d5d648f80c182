"""Real git repositories in tmp_path for the tests of `netarch diff` and of `diff_base`."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed author; fail the test when git does."""
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout


def make_repo(root: Path, files: Mapping[str, str], branch: str = "main") -> Path:
    """``files`` (path -> text) written under ``root`` and committed on ``branch``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", branch)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root
