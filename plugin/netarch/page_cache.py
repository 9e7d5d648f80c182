"""Generated pages kept between builds, so that a build whose inputs have not changed skips
the whole pipeline (YAML, schema, checks, views, templates, Mermaid).

An entry is keyed by everything the output depends on besides the model files: netarch's own
code and templates (their bytes), the custom templates, the options that change the output,
and the Mermaid build the diagrams were checked with. It lists the model files that were read
(the model and its includes) with the sha256 of their bytes; it is used only while every one
of them still has those bytes. Only clean generations are kept (no error: a build that
fails must fail again, with its messages), with their warnings, which are reported again.

JSON only, written atomically, and signed with the cache key (the one the Mermaid verdicts
are signed with, never kept in the cache folder: :mod:`netarch.cache_trust`): a page the site
would publish cannot be planted by editing an entry, nor by restoring a cache from another
run. An unreadable, damaged, unsigned or mismatched entry is a miss and costs only the time of
a normal build; so does a folder another user owns or may write. The folder keeps the newest
entries only.

The reports of a page's ``netarch-diff`` blocks are kept the same way (:class:`BlockCache`):
they compare two models, so they cost two runs of the pipeline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from netarch.cache_trust import cache_key, usable_folder
from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.safety import UnreadableFile, read_regular_file

FORMAT = 3
MAX_ENTRIES = 32
MAX_ENTRY_BYTES = 20_000_000
_PACKAGE = Path(__file__).resolve().parent
_Decoded = TypeVar("_Decoded")


@dataclass(frozen=True)
class StoredPage:
    src_uri: str
    title: str
    markdown: str
    views: tuple[str, ...]


@dataclass(frozen=True)
class StoredView:
    """A view as the plugin embeds it (netarch-view blocks): its id and its Markdown."""

    id: str
    markdown: str

    def to_markdown(self) -> str:
        return self.markdown


@dataclass(frozen=True)
class StoredGeneration:
    diagnostics: list[Diagnostic]
    files: list[str]
    pages: list[StoredPage]
    views: dict[str, StoredView]
    ok: bool = True


class _SignedEntry:
    """One signed JSON entry in ``folder``, named by a hash of ``key`` and of netarch's code,
    and valid while the files it lists keep their bytes."""

    prefix = ""

    def __init__(
        self, folder: Path, key: Iterable[str], custom_templates: Path | None = None
    ) -> None:
        self.folder = folder
        digest = hashlib.sha256()
        for part in (
            f"format {FORMAT}",
            *key,
            _code_fingerprint(),
            _folders_fingerprint([custom_templates] if custom_templates else []),
        ):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        self.path = folder / f"{self.prefix}-{digest.hexdigest()[:32]}.json"

    def _secret(self) -> bytes:
        # Shared with the verdicts' store; ``folder`` is a folder of the cache.
        return cache_key(self.folder.parent)

    def _usable(self, *, create: bool) -> bool:
        # ``folder`` is a folder of the cache: both must be this user's alone.
        return usable_folder(self.folder.parent, create=create) and usable_folder(
            self.folder, create=create
        )

    def _load_payload(self, decode: Callable[[Any], _Decoded]) -> _Decoded | None:
        """The stored payload, as ``decode`` makes it, or None: missing, unsigned, damaged
        (``decode`` failing included), or an input changed."""
        if not self._usable(create=False):
            return None
        secret = self._secret()
        if not secret:
            return None
        try:
            signature, _, body = read_regular_file(self.path, MAX_ENTRY_BYTES).partition(b"\n")
            if not hmac.compare_digest(signature, _sign(secret, body)):
                return None
            entry = json.loads(body.decode("utf-8"))
            if entry.get("format") != FORMAT:
                return None
            for name, expected in entry["inputs"].items():
                if _file_digest(Path(name)) != expected:
                    return None
            return decode(entry["payload"])
        except (OSError, UnreadableFile, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _store_payload(self, payload: Any, files: Iterable[str]) -> None:
        secret = self._secret()
        if not secret:
            return
        try:
            inputs = {name: _file_digest(Path(name)) for name in files}
            if None in inputs.values():
                return
            entry = {"format": FORMAT, "inputs": inputs, "payload": payload}
            if not self._usable(create=True):
                return
            handle, temporary = tempfile.mkstemp(
                dir=self.folder, prefix=f".{self.prefix}-", suffix=".tmp"
            )
            try:
                body = json.dumps(entry).encode("utf-8")
                with os.fdopen(handle, "wb") as stream:
                    stream.write(_sign(secret, body) + b"\n" + body)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            _prune(self.folder, self.prefix)
        except OSError:
            return  # an unwritable cache only costs time


class PageCache(_SignedEntry):
    """One site's entry in ``folder``; ``options`` are what else changes the output."""

    prefix = "pages"

    def __init__(
        self,
        folder: Path,
        model_path: Path,
        custom_templates: Path | None,
        options: Mapping[str, object],
    ) -> None:
        key = [str(model_path), json.dumps(options, sort_keys=True, default=str)]
        super().__init__(folder, key, custom_templates)

    def load(self) -> StoredGeneration | None:
        return self._load_payload(_generation_from_json)

    def store(self, generation: Any, inputs_before: Mapping[str, tuple[int, int]]) -> None:
        """Keep a clean ``generation`` (a :class:`netarch.pipeline.Generation`).

        ``inputs_before``: ``stat`` of the model file taken before generating; if it changed
        meanwhile, the pages may come from other bytes than those hashed now: nothing is kept.
        """
        if not generation.ok:
            return
        try:
            for name, before in inputs_before.items():
                if stat_key(Path(name)) != before:
                    return
        except OSError:
            return
        self._store_payload(_generation_to_json(generation), generation.files)


@dataclass(frozen=True)
class StoredBlocks:
    """The reports of a page's ``netarch-diff`` blocks (see ``netarch.diff.blocks``)."""

    reports: dict[str, str]  # block body -> report Markdown
    diagnostics: list[Diagnostic]  # warnings, reported again
    files: list[str]  # the model files both sides read


class BlockCache(_SignedEntry):
    """The reports of one page's blocks: keyed by the page's text and ``options``."""

    prefix = "blocks"

    def __init__(
        self,
        folder: Path,
        page_text: str,
        custom_templates: Path | None,
        options: Mapping[str, object],
    ) -> None:
        page = hashlib.sha256(page_text.encode("utf-8", "surrogatepass")).hexdigest()
        key = [page, json.dumps(options, sort_keys=True, default=str)]
        super().__init__(folder, key, custom_templates)

    def load(self) -> StoredBlocks | None:
        return self._load_payload(
            lambda payload: StoredBlocks(
                reports={str(k): str(v) for k, v in payload["reports"].items()},
                diagnostics=[_diagnostic_from_json(d) for d in payload["diagnostics"]],
                files=[str(name) for name in payload["files"]],
            )
        )

    def store(self, blocks: StoredBlocks, started_ns: int) -> None:
        """Keep reports made with no error. ``started_ns``: when making them began; a model
        file written since may have been read in either version, so nothing is kept then."""
        if any(d.is_error for d in blocks.diagnostics):
            return
        try:
            if any(Path(name).stat().st_mtime_ns >= started_ns for name in blocks.files):
                return
        except OSError:
            return
        payload = {
            "reports": blocks.reports,
            "diagnostics": [_diagnostic_to_json(d) for d in blocks.diagnostics],
            "files": blocks.files,
        }
        self._store_payload(payload, blocks.files)


class FenceCache(_SignedEntry):
    """Mermaid's verdicts on the ```mermaid fences of a site's own pages, keyed by the path
    and text of every such page and ``options`` (the Mermaid build): a build that changed
    none of them neither reads ``mermaid.min.js`` nor looks up a verdict."""

    prefix = "fences"

    def __init__(self, folder: Path, pages: Mapping[str, str], options: Mapping[str, object]):
        digest = hashlib.sha256()
        for name, text in sorted(pages.items()):
            for part in (name, text):
                data = part.encode("utf-8", "surrogatepass")
                digest.update(len(data).to_bytes(8, "big") + data)
        super().__init__(folder, [digest.hexdigest(), json.dumps(options, sort_keys=True)])

    def load(self) -> list[Diagnostic] | None:
        return self._load_payload(
            lambda payload: [_diagnostic_from_json(d) for d in payload["diagnostics"]]
        )

    def store(self, diagnostics: list[Diagnostic]) -> None:
        """Keep verdicts with no error (warnings are reported again)."""
        if not any(d.is_error for d in diagnostics):
            self._store_payload({"diagnostics": [_diagnostic_to_json(d) for d in diagnostics]}, [])


def stat_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@cache
def _code_fingerprint() -> str:
    """netarch's own code, data and built-in templates (inside the wheel's package, or at the
    top of a checkout): a changed checker, view or template must not reuse old pages.

    By path, size and modification time, not bytes: reading ~100 files on every build would
    cost a good part of what this cache saves; an edit or an upgrade changes them.
    """
    digest = hashlib.sha256()
    for path in _files([_PACKAGE, _PACKAGE.parents[1] / "templates"], (".py", ".json", ".jinja")):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode("utf-8", "replace"))
    return digest.hexdigest()


def _folders_fingerprint(folders: Iterable[Path]) -> str:
    """The bytes of every file under ``folders`` (the site's custom templates)."""
    digest = hashlib.sha256()
    for path in _files(folders):
        digest.update(str(path).encode("utf-8", "surrogatepass") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _files(folders: Iterable[Path], suffixes: tuple[str, ...] = ()) -> list[Path]:
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if suffixes and path.suffix not in suffixes:
                continue
            if "_vendor" in path.parts or "__pycache__" in path.parts or not path.is_file():
                continue
            found.append(path)
    return found


def _prune(folder: Path, prefix: str) -> None:
    entries = sorted(folder.glob(f"{prefix}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[MAX_ENTRIES:]:
        stale.unlink(missing_ok=True)


def _diagnostic_to_json(diagnostic: Diagnostic) -> dict[str, Any]:
    data = asdict(diagnostic)
    data["severity"] = diagnostic.severity.value
    return data


def _diagnostic_from_json(data: dict[str, Any]) -> Diagnostic:
    return Diagnostic(
        location=Location(**data["location"]),
        severity=Severity(data["severity"]),
        code=str(data["code"]),
        message=str(data["message"]),
        hint=str(data["hint"]),
        path=str(data["path"]),
        related=tuple(Location(**other) for other in data["related"]),
        source_line=str(data["source_line"]),
    )


def _generation_to_json(generation: Any) -> dict[str, Any]:
    return {
        "diagnostics": [_diagnostic_to_json(d) for d in generation.diagnostics],
        "files": [str(name) for name in generation.files],
        "pages": [
            {
                "src_uri": page.src_uri,
                "title": page.title,
                "markdown": page.markdown,
                "views": list(page.views),
            }
            for page in generation.pages
        ],
        "views": {view_id: view.to_markdown() for view_id, view in generation.views.items()},
    }


def _generation_from_json(data: dict[str, Any]) -> StoredGeneration:
    return StoredGeneration(
        diagnostics=[_diagnostic_from_json(d) for d in data["diagnostics"]],
        files=[str(name) for name in data["files"]],
        pages=[
            StoredPage(
                str(page["src_uri"]),
                str(page["title"]),
                str(page["markdown"]),
                tuple(str(v) for v in page["views"]),
            )
            for page in data["pages"]
        ],
        views={str(k): StoredView(str(k), str(v)) for k, v in data["views"].items()},
    )


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")
