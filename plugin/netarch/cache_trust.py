"""Where netarch keeps what it caches, and why it can trust what it finds there.

The cache folder (``$NETARCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/netarch``, else
``~/.cache/netarch``) holds Mermaid's verdicts and the pages of earlier builds. Whoever can
write it could plant a page with a script in it, or a verdict calling a bad diagram valid: a
CI cache restored from another run (a pull request's included), another user on a shared
folder. So:

- Entries are signed (HMAC-SHA256) with a key that is never in the cache folder, so never in
  what a CI cache saves or restores: ``$NETARCH_CACHE_KEY`` when set (a CI secret, at least
  32 characters), else a random key made on first use in a private file of the user's own,
  ``$XDG_STATE_HOME/netarch/cache-key`` (default ``~/.local/state/netarch/cache-key``). A
  fresh CI runner makes a fresh key, so a cache restored into it is never trusted there.
- The key file is used only if it is a regular file (not a symlink) owned by the user, that
  nobody else may read or write, in a folder nobody else may write; a key inside the cache
  folder is refused too. Otherwise nothing is cached, with one warning.
- Every folder and file is created private (0700, 0600) whatever the umask; a cache folder
  owned by another user or writable by others is not used, with one warning.

Nothing here ever fails a run: no key, or no usable folder, only costs the time of a run
without a cache.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import stat
import threading
from pathlib import Path

log = logging.getLogger("netarch")

KEY_ENVIRONMENT = "NETARCH_CACHE_KEY"
KEY_FILE_NAME = "cache-key"
MIN_KEY_BYTES = 32
_MAX_KEY_BYTES = 1024
# POSIX names; where they do not exist (Windows), ownership is left to the system's ACLs.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_warned: set[str] = set()
_warned_lock = threading.Lock()


def default_cache_dir() -> Path:
    """``$NETARCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/netarch``, else ``~/.cache/netarch``."""
    explicit = os.environ.get("NETARCH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "netarch"


def default_key_file() -> Path:
    """``$XDG_STATE_HOME/netarch/cache-key``, else ``~/.local/state/netarch/cache-key``."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base).expanduser() / "netarch" / KEY_FILE_NAME


def warn_once(message: str) -> None:
    """Log ``message`` as a warning the first time this process meets it."""
    with _warned_lock:
        if message in _warned:
            return
        _warned.add(message)
    log.warning(f"netarch: warning: {message}")


def cache_key(cache_dir: Path | None = None) -> bytes:
    """The key cache entries are signed with, or ``b""`` when there is none to trust (then
    nothing is read from or written to the cache). ``cache_dir``: the cache folder, which
    the key file must not be in."""
    from_environment = os.environ.get(KEY_ENVIRONMENT, "")
    if from_environment:
        key = from_environment.encode("utf-8", "surrogateescape")
        if len(key) < MIN_KEY_BYTES:
            warn_once(
                f"${KEY_ENVIRONMENT} is shorter than {MIN_KEY_BYTES} characters: the cache is"
                " not used; set it to a long random secret, or unset it"
            )
            return b""
        return key
    try:
        path = default_key_file()
    except RuntimeError:  # no home folder to keep it in
        return b""
    if cache_dir is not None and _is_within(path, cache_dir):
        warn_once(
            f"the cache key {path} would be inside the cache folder {cache_dir}, which a"
            " restored cache can replace: the cache is not used; point $NETARCH_CACHE_DIR"
            " or $XDG_STATE_HOME elsewhere"
        )
        return b""
    for _ in range(2):
        try:
            return _read_key(path)
        except FileNotFoundError:
            pass
        except _Refused as refusal:
            warn_once(f"{path}: {refusal}: the cache is not used; delete it to get a new key")
            return b""
        except OSError:
            return b""
        if not _make_key(path):
            return b""
    return b""


def usable_folder(folder: Path, *, create: bool) -> bool:
    """Whether ``folder`` may hold cache entries: a folder of this user that nobody else may
    write. With ``create``, a missing one is made private first (and its missing parents)."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        if not create:
            return False
        try:
            make_private_folders(folder)
            info = folder.stat()
        except OSError:
            return False  # read-only or full: a run without a cache
    except OSError:
        return False
    problem = _sharing_problem(info, folder=True)
    if problem is None:
        return True
    warn_once(
        f"the cache folder {folder} {problem}: it is not used; make it yours with"
        f" `chmod go-w`, or set $NETARCH_CACHE_DIR to a folder of your own"
    )
    return False


def make_private_folders(folder: Path) -> None:
    """``mkdir -p`` with mode 0700 for every folder made, whatever the umask."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask; 0700 never widens it


class _Refused(Exception):
    """A key file that someone other than the user could have written or read."""


def _read_key(path: Path) -> bytes:
    folder_info = path.parent.stat()
    problem = _sharing_problem(folder_info, folder=True)
    if problem is not None:
        raise _Refused(f"its folder {problem}")
    # O_NOFOLLOW: a symlink in the key's place is refused, not followed.
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _Refused("a symlink, not a file") from None
        raise
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("not a regular file")
        problem = _sharing_problem(info, folder=False)
        if problem is not None:
            raise _Refused(problem)
        data = os.read(descriptor, _MAX_KEY_BYTES + 1)
    finally:
        os.close(descriptor)
    if not MIN_KEY_BYTES <= len(data) <= _MAX_KEY_BYTES:
        raise _Refused(f"not a key of {MIN_KEY_BYTES} to {_MAX_KEY_BYTES} bytes")
    return data


def _make_key(path: Path) -> bool:
    """Write a new random key at ``path`` unless one is there; False if it cannot be made.

    Written whole into a temporary file first, then linked into place: a run reading the key
    meanwhile sees either no file or the complete key, never half of one.
    """
    try:
        make_private_folders(path.parent)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(secrets.token_bytes(MIN_KEY_BYTES))
            os.link(temporary, path)
        except FileExistsError:
            pass  # another run made it meanwhile: read theirs
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        # Said once: the cache folder may well be writable, so the cause would be a mystery.
        warn_once(
            f"cannot make the cache key {path} ({error.strerror or error}): the cache is not"
            " used; make that folder writable, or set $XDG_STATE_HOME or $NETARCH_CACHE_KEY"
        )
        return False
    return True


def _sharing_problem(info: os.stat_result, *, folder: bool) -> str | None:
    """Why a file or folder with this ``stat`` is not the user's alone, or None."""
    you = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    if info.st_uid != you:
        return f"is owned by user {info.st_uid}, not by you ({you})"
    if folder and not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    # A folder others may read is fine (only its entries' names leak); a key others may read
    # is a key others may sign with.
    shared = stat.S_IWGRP | stat.S_IWOTH if folder else 0o077
    if info.st_mode & shared:
        kind = "writable" if folder else "readable or writable"
        return f"is {kind} by others (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def _is_within(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return True  # cannot tell: assume the worst
