"""Shared fixtures: the repository layout and the demo model."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_MODEL = REPO_ROOT / "docs" / "network.yaml"


_VERDICTS = Path(tempfile.mkdtemp(prefix="netarch-test-verdicts-"))
# Where the key the cache is signed with is kept: outside every cache folder, as for a user.
_STATE = Path(tempfile.mkdtemp(prefix="netarch-test-state-"))


def pytest_configure(config: pytest.Config) -> None:
    # Mermaid verdicts kept between runs (netarch.validate.verdicts) must never come from, or
    # go to, the user's ~/.cache: every test run starts with none. Fixtures wider than one
    # test (and the processes they start) use this folder; each test gets its own below.
    os.environ["NETARCH_CACHE_DIR"] = str(_VERDICTS)
    # The cache's key is never the user's either (netarch.cache_trust).
    os.environ["XDG_STATE_HOME"] = str(_STATE)
    os.environ.pop("NETARCH_CACHE_KEY", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_VERDICTS, ignore_errors=True)
    shutil.rmtree(_STATE, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_verdict_cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test sees only the verdicts it made itself (the folder is made when first written)."""
    name = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    monkeypatch.setenv("NETARCH_CACHE_DIR", str(_VERDICTS / name))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def demo_model_path() -> Path:
    return DEMO_MODEL
