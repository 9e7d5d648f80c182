"""A model as it was at a git revision: the model file and its includes, read with
``git show REV:path`` into a temporary folder so that the ordinary loader reads them.

git runs with argument lists (never a shell) and a timeout. Includes are fetched as the loader
asks for them, relative to the model inside the revision, and only from inside the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from netarch.model.source import load_document

GIT_TIMEOUT_S = 30
# Include chains deeper than this are not a real model; stop rather than loop.
_MAX_ROUNDS = 50
_MAX_FILE_BYTES = 20_000_000


class GitError(Exception):
    """git is missing, the folder is no repository, or a revision or file does not exist."""


def git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed to read a model at a revision)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout.decode("utf-8", "replace")


def repository_root(folder: Path) -> Path:
    return Path(git(["rev-parse", "--show-toplevel"], folder).strip())


def resolve_revision(revision: str, root: Path) -> str:
    """The commit a revision names; an option-like or unknown revision is an error."""
    if revision.startswith("-"):
        raise GitError(f"{revision!r} is not a revision")
    try:
        return git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root).strip()
    except GitError:
        raise GitError(f"{revision!r} is neither a model file nor a git revision") from None


def default_base(root: Path) -> tuple[str, str]:
    """(name, commit) of the merge base of HEAD with the default branch."""
    for branch in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
        try:
            commit = git(["merge-base", "HEAD", branch], root).strip()
        except GitError:
            continue
        if commit:
            return f"merge-base({branch})", commit
    raise GitError(
        "no default branch to compare with (tried origin/HEAD, origin/main, origin/master, main,"
        " master); name the base revision: netarch diff <revision>"
    )


def model_in_repository(model: Path, root: Path) -> PurePosixPath:
    """The model's path inside the repository; a model outside it cannot be read at a revision."""
    try:
        return PurePosixPath(model.resolve().relative_to(root.resolve()).as_posix())
    except ValueError:
        raise GitError(f"{model} is not inside the git repository {root}") from None


def checkout_model(root: Path, commit: str, model: PurePosixPath, into: Path) -> Path:
    """Write the model at ``commit`` and every file it includes under ``into``; return the
    model's path there. A missing include is left missing: the loader reports it."""
    target = into / model
    if not _exists(root, commit, model):
        # A model the revision does not have yet (the change adds it): that side does not
        # load, and the loader says the file is not found; the other side is still described.
        return target
    _write(root, commit, model, target)
    fetched = {target.resolve()}
    inside_root = into.resolve()
    for _ in range(_MAX_ROUNDS):
        document, _diagnostics = load_document(target)
        wanted = [Path(name).resolve() for name in (document.files if document else [])]
        new = [
            path
            for path in wanted
            if path not in fetched and (not path.exists() or not path.is_relative_to(inside_root))
        ]
        if not new:
            break
        for path in new:
            fetched.add(path)
            try:
                inside = PurePosixPath(path.relative_to(into.resolve()).as_posix())
            except ValueError:
                # The loader would read it from this machine, not from the revision.
                raise GitError(
                    f"{model} at {commit[:12]} includes {path.name} from outside the"
                    " repository; netarch diff reads a revision only from the repository"
                ) from None
            try:
                _write(root, commit, inside, path)
            except GitError:
                continue  # not in that revision: the loader says "included file not found"
    return target


def _exists(root: Path, commit: str, path: PurePosixPath) -> bool:
    try:
        git(["cat-file", "-e", f"{commit}:{path}"], root)
    except GitError:
        return False
    return True


def _write(root: Path, commit: str, path: PurePosixPath, target: Path) -> None:
    if ".." in path.parts:
        raise GitError(f"{path} is outside the repository")
    size = git(["cat-file", "-s", f"{commit}:{path}"], root).strip()
    if not size.isdigit() or int(size) > _MAX_FILE_BYTES:
        raise GitError(f"{path} at {commit[:12]} is not a model file")
    content = _git_bytes(["show", f"{commit}:{path}"], root)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def _git_bytes(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except (FileNotFoundError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git {args[0]} failed: {error}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or "git show failed")
    return done.stdout
