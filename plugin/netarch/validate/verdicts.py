"""Mermaid's verdicts from earlier runs, kept on disk, so an unchanged diagram is not parsed again.

A pre-commit hook or a CI job checks the same diagrams over and over; parsing them costs Mermaid
30-150 ms each plus ~0.8 s to start an engine. The store keeps what the engine's JavaScript
answered for each diagram text (the raw JSON verdict, not our reading of it: positions and
messages are worked out again every run, so a netarch upgrade never serves stale ones).

One file per engine: its name carries a hash of everything that can change a verdict -- the
bytes of mermaid.min.js, the JavaScript netarch runs around it, and the V8 build. Another
Mermaid, or another netarch, simply finds no file of its own.

Entries are signed: each verdict carries an HMAC of the diagram's hash and the verdict, keyed
by the cache key (:mod:`netarch.cache_trust`), which is never kept in the cache folder. An entry
edited by hand -- say, one marking a bad diagram valid -- or copied from another cache (a CI
cache restored from another run included) does not verify and is parsed again. The store file
is read only if it is a regular file of bounded size: a FIFO or a link to /dev/zero in its place
is "nothing stored"; a folder that another user owns or may write is not used at all.

The store never fails a check: a missing, corrupt or unwritable file means "nothing stored".
Concurrent runs are safe: each writes a whole new file and renames it into place, merging what
another run saved meanwhile; the worst case is a verdict lost, to be parsed again next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from netarch.cache_trust import cache_key, default_cache_dir, usable_folder
from netarch.safety import UnreadableFile, read_regular_file

__all__ = ["VerdictStore", "default_cache_dir", "engine_key"]

# Enough for every diagram of a large documentation site, small enough to load in milliseconds
# (~100 bytes an entry). Past it, the verdicts least recently used are dropped.
MAX_ENTRIES = 20_000
# A store of MAX_ENTRIES verdicts is ~3 MB; anything much larger is not one of ours.
MAX_STORE_BYTES = 32_000_000


def engine_key(parts: Iterable[str | bytes]) -> str:
    """A short hash naming one engine: everything that can change what it answers."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # so no two lists of parts hash alike
        digest.update(data)
    return digest.hexdigest()[:20]


class VerdictStore:
    """Verdicts of one engine: diagram text hash -> the engine's raw JSON answer."""

    def __init__(self, path: Path, max_entries: int = MAX_ENTRIES) -> None:
        self.path = path
        self.max_entries = max_entries
        self._secret = cache_key(path.parent)  # never kept in path.parent itself
        self._entries = self._read()
        self._touched: dict[str, str] = {}  # added or used this run: kept first when trimming
        self._lock = threading.Lock()  # checks run on several threads

    @classmethod
    def for_engine(cls, directory: Path, key: str) -> VerdictStore:
        return cls(directory / f"mermaid-verdicts-{key}.json")

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text_hash: str) -> str | None:
        with self._lock:
            raw = self._entries.get(text_hash)
            if raw is not None:
                self._touched[text_hash] = raw
            return raw

    def put(self, text_hash: str, raw: str) -> None:
        with self._lock:
            self._entries[text_hash] = raw
            self._touched[text_hash] = raw

    def save(self) -> bool:
        """Write this run's verdicts, merged with what is on disk now. False if it could not."""
        with self._lock:
            touched = dict(self._touched)
        if not touched:
            return True
        if not self._secret:  # no secret could be made or read: keep nothing unsigned
            return False
        merged = {key: raw for key, raw in self._read().items() if key not in touched}
        merged.update(touched)  # this run's last: the most recently used
        entries = list(merged.items())[-self.max_entries :]
        if not usable_folder(self.path.parent, create=True):
            return False
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
            try:
                signed = {key: [self._sign(key, raw), raw] for key, raw in entries}
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(signed, out, separators=(",", ":"))
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return False
        with self._lock:
            for key in touched:
                self._touched.pop(key, None)
        return True

    def _sign(self, key: str, raw: str) -> str:
        message = f"{key}\0{raw}".encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _read(self) -> dict[str, str]:
        """The verdicts on disk whose signature verifies (with no secret, or in a folder that
        others could have written: none)."""
        if not self._secret or not usable_folder(self.path.parent, create=False):
            return {}
        try:
            data = json.loads(read_regular_file(self.path, MAX_STORE_BYTES))
        except (OSError, ValueError, UnreadableFile):  # missing, odd, or not JSON: nothing
            return {}
        if not isinstance(data, dict):
            return {}
        verified = {}
        for key, entry in data.items():
            if not (isinstance(key, str) and isinstance(entry, list) and len(entry) == 2):
                continue
            signature, raw = entry
            if (
                isinstance(raw, str)
                and isinstance(signature, str)
                and hmac.compare_digest(signature, self._sign(key, raw))
            ):
                verified[key] = raw
        return verified
