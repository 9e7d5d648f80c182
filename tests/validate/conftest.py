"""Fixtures for the Mermaid validation tests: one V8 (and one browser) per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from netarch.validate.engine import MermaidValidator

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="session")
def validator() -> Iterator[MermaidValidator]:
    # Loading mermaid.min.js takes ~1 s: share one validator across all tests.
    with MermaidValidator() as shared:
        yield shared


@pytest.fixture(scope="session")
def renderer() -> Iterator[object]:
    if not Path("/usr/bin/chromium").exists() or shutil.which("chromium") is None:
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    pytest.importorskip("playwright.sync_api")
    from netarch.validate.render import BrowserRenderer

    with BrowserRenderer() as shared:
        yield shared
