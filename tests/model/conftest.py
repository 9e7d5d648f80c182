"""Helpers for the model tests: write a small model tree and run the first pipeline stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from netarch.diagnostics import Diagnostic, sorted_diagnostics
from netarch.model.references import IdIndex, check_references
from netarch.model.schema_check import check_schema
from netarch.model.source import Document, load_document

Files = Mapping[str, str | bytes]


def write_files(root: Path, files: Files) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def run_pipeline(
    root: Path, schema: dict[str, Any], main: str = "net.yaml"
) -> tuple[Document | None, IdIndex | None, list[Diagnostic]]:
    """load -> schema -> references, the way the CLI chains them; diagnostics sorted."""
    doc, diagnostics = load_document(root / main, display_path=main)
    ids = None
    if doc is not None:
        diagnostics += check_schema(doc, schema)
        ids, problems = check_references(doc, schema)
        diagnostics += problems
    return doc, ids, sorted_diagnostics(diagnostics)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Files], Path]:
    """Write a model tree into a fresh directory and return that directory."""

    def run(files: Files) -> Path:
        write_files(tmp_path, files)
        return tmp_path

    return run


@pytest.fixture
def diagnose(tmp_path: Path) -> Callable[[Files, dict[str, Any]], list[Diagnostic]]:
    """Write ``files`` (the model is ``net.yaml``) and return all diagnostics, sorted."""

    def run(files: Files, schema: dict[str, Any]) -> list[Diagnostic]:
        write_files(tmp_path, files)
        return run_pipeline(tmp_path, schema)[2]

    return run
