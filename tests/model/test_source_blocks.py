"""Parsing a model block by block (live preview) gives exactly what parsing it whole gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netarch.model import source
from netarch.model.source import load_document

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "docs" / "network.yaml"


def _load(text: str, *, blocks: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        if not blocks:
            patch.setattr(source, "_top_level_blocks", lambda text: None)
        document, diagnostics = load_document(Path("model.yaml"), "model.yaml", text=text)
    if document is None:
        return None, [str(d) for d in diagnostics]
    return (
        (document.data, document.value_locations, document.key_locations),
        [str(d) for d in diagnostics],
    )


def _same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source._BLOCKS.clear()
    whole = _load(text, blocks=False, monkeypatch=monkeypatch)
    assert _load(text, blocks=True, monkeypatch=monkeypatch) == whole
    assert _load(text, blocks=True, monkeypatch=monkeypatch) == whole  # from the cache


EDGE_CASES = {
    "comments and blanks around blocks": "# head\n\na: 1\n# between\n\nb:\n  c: 2\n# tail\n",
    "value on the next line": "a:\n  - x\n  - y\nb:\n  z\n",
    "empty value": "a:\nb: 2\n",
    "literal and folded blocks": "a: |\n  one\n\n  two\nb: >-\n  three\n  four\nc: 1\n",
    "multi-line plain and quoted": "a: one\n  two\nb: \"x\n  y\"\nc: 'p\n  q'\n",
    "flow collections": "a: {x: 1, y: [1, 2]}\nb: [\n  1, 2]\n",
    "windows line ends": "a: 1\r\nb:\r\n  c: 2\r\n",
    "scalars of every type": "a: [1, 1.5, true, null, ~, '1', 2024-01-01, 0x1F, .inf]\n",
    "quoted top-level key (whole parse)": '"a": 1\nb: 2\n',
    "duplicate top-level key (whole parse)": "a: 1\nb: 2\na: 3\n",
    "duplicate nested key (whole parse)": "a:\n  x: 1\n  x: 2\nb: 1\n",
    "syntax error in one block (whole parse)": "a: 1\nb: [1, 2\nc: 3\n",
    "document marker (whole parse)": "---\na: 1\n",
    "indented start (whole parse)": "  a: 1\nb: 2\n",
    "anchor (whole parse)": "a: &x 1\nb: *x\n",
    "tab (whole parse)": "a:\n\t- 1\n",
    "tag (whole parse)": "a: !!set {x}\nb: 1\n",
    "list at the top (whole parse)": "- a\n- b\n",
    "form feed (whole parse)": "a: x\x0cb: y\n",
    "include (whole parse)": "include: [other.yaml]\na: 1\n",
    "merge key (whole parse)": "<<: {a: 1}\nb: 2\n",
    "empty file": "",
    "only comments": "# nothing\n",
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(EDGE_CASES[name], monkeypatch)


def test_every_model_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    models = [DEMO, *sorted((ROOT / "tests").rglob("*.yaml"))]
    assert len(models) >= 3
    for path in models:
        _same(path.read_text(encoding="utf-8"), monkeypatch)


@pytest.mark.parametrize(
    "change",
    [
        ("\n", "\r\n"),  # Windows line ends throughout
        ("\nlayers:", "\nlayers:\nlayers:"),  # a duplicate top-level key
        ("    name: MetalLB\n", "    name: MetalLB\n    name: again\n"),  # a nested duplicate
        ("    name: MetalLB\n", "    name: [MetalLB\n"),  # a syntax error in one block
        ("    name: MetalLB\n", "    name: !!binary MetalLB\n"),  # an unsupported tag
        ("\nflows:", "\n# a comment at column 0\nflows:"),
    ],
)
def test_demo_variants(change: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    text = DEMO.read_text(encoding="utf-8")
    assert change[0] in text
    _same(text.replace(change[0], change[1]), monkeypatch)


def test_edits_that_move_lines_reuse_only_unmoved_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    text = DEMO.read_text(encoding="utf-8")
    source._BLOCKS.clear()
    _load(text, blocks=True, monkeypatch=monkeypatch)
    parsed: list[int] = []
    real = source._parse_block

    def spy(block: str, display: str, first_line: int) -> Any:
        parsed.append(first_line)
        return real(block, display, first_line)

    monkeypatch.setattr(source, "_parse_block", spy)
    one_line = text.replace("Cozystack layers four", "Cozystack (edited) layers four", 1)
    _load(one_line, blocks=True, monkeypatch=monkeypatch)
    assert parsed == [9]  # only the `site:` block, which holds the edit
    parsed.clear()
    extra_line = text.replace("site:\n", "site:\n  # a new comment\n", 1)
    assert _load(extra_line, blocks=True, monkeypatch=monkeypatch) == _load(
        extra_line, blocks=False, monkeypatch=monkeypatch
    )
    assert parsed and parsed[0] == 9 and len(parsed) > 10  # everything below moved
