"""Which two models ``netarch diff [BASE] [HEAD]`` compares.

Each argument is a model file, or a git revision of the working tree's model. Left out, HEAD is
the working tree's model and BASE its merge base with the default branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from netarch.diagnostics import display_path
from netarch.diff.git import (
    GitError,
    checkout_model,
    default_base,
    model_in_repository,
    repository_root,
    resolve_revision,
)
from netarch.safety import excerpt, inspect_path


class SourceError(Exception):
    """An argument names no model: a usage error, not a model problem."""


@dataclass(frozen=True)
class ModelSource:
    path: Path  # where the loader reads it (a temporary copy for a revision)
    label: str  # what the reader knows it as: the file, or "REVISION:path"


def resolve_sources(
    base: str | None, head: str | None, model: Path | None, scratch: Path
) -> tuple[ModelSource, ModelSource]:
    """``model`` is the working tree's model (needed for revisions and left-out arguments);
    revisions are written under ``scratch``."""
    try:
        head_source = _source(head, model, scratch / "head") if head else _working(model)
        if base:
            base_source = _source(base, model, scratch / "base")
        else:
            root, relative = _in_repository(model)
            name, commit = default_base(root)
            base_source = ModelSource(
                checkout_model(root, commit, relative, scratch / "base"),
                f"{name}:{relative}",
            )
    except GitError as error:
        raise SourceError(str(error)) from None
    return base_source, head_source


def _working(model: Path | None) -> ModelSource:
    if model is None:
        raise SourceError("no model: name it with --model, or run where mkdocs.yml names it")
    found = inspect_path(model)
    if not found.is_file:
        problem = "no such model file" if found.kind in ("missing", "folder") else found.problem
        raise SourceError(f"{excerpt(str(model), 200)}: {problem}")
    return ModelSource(model, display_path(model))


def _source(argument: str, model: Path | None, scratch: Path) -> ModelSource:
    path = Path(argument)
    found = inspect_path(path)
    if found.is_file:
        return ModelSource(path, display_path(path))
    if found.kind in ("other", "unusable") and ":" not in argument:
        raise SourceError(f"{excerpt(argument, 200)}: {found.problem}")
    if path.suffix in (".yaml", ".yml") and ":" not in argument:
        raise SourceError(f"{excerpt(argument, 200)}: no such model file")
    root, relative = _in_repository(model)
    commit = resolve_revision(argument, root)
    return ModelSource(checkout_model(root, commit, relative, scratch), f"{argument}:{relative}")


def _in_repository(model: Path | None) -> tuple[Path, PurePosixPath]:
    if model is None:
        raise SourceError("name the model with --model, or run where mkdocs.yml names it")
    folder = model.parent if inspect_path(model.parent).is_folder else Path.cwd()
    root = repository_root(folder)
    return root, model_in_repository(model, root)
