"""Helpers for the network-check tests: edit the base model, load it, locate needles in it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from netarch.checks import run_checks
from netarch.diagnostics import Diagnostic
from netarch.model.network import Model, load_model
from netarch.pipeline import generate

FIXTURES = Path(__file__).with_name("fixtures")
DISPLAY = "net.yaml"
MARK = "^"


def base_text() -> str:
    return (FIXTURES / "base.yaml").read_text(encoding="utf-8")


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """Apply ``(old, new)`` replacements; each ``old`` must occur exactly once."""
    for old, new in replacements:
        count = text.count(old)
        assert count == 1, f"{old!r} occurs {count} times in the model"
        text = text.replace(old, new)
    return text


def at(text: str, needle: str) -> str:
    """``net.yaml:LINE:COL`` of the ``^`` in ``needle`` (the text around it must be unique)."""
    assert needle.count(MARK) == 1, "mark the position with one ^"
    plain = needle.replace(MARK, "")
    count = text.count(plain)
    assert count == 1, f"{plain!r} occurs {count} times in the model"
    offset = text.index(plain) + needle.index(MARK)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{DISPLAY}:{line}:{column}"


def load(tmp_path: Path, text: str) -> Model:
    path = tmp_path / DISPLAY
    path.write_text(text, encoding="utf-8")
    result = load_model(path, display_path=DISPLAY)
    assert result.model is not None, [d.headline() for d in result.diagnostics]
    return result.model


Check = Callable[..., list[Diagnostic]]


@pytest.fixture
def check(tmp_path: Path) -> Check:
    """Load ``text`` and run every check on it, after its pages are rendered as in a build
    (the placement rules look at what landed on which page)."""

    def run(text: str, overrides: Mapping[str, str] | None = None) -> list[Diagnostic]:
        load(tmp_path, text)
        result = generate(
            tmp_path / DISPLAY,
            display_path=DISPLAY,
            model_checks=[lambda model: run_checks(model, overrides)],
        )
        return result.diagnostics

    return run
