"""Whoever can write the cache cannot make netarch trust it: the key is never in it, a key file
others could have touched is refused, and every cache folder is private, whatever the umask."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bounded import run_mkdocs, run_netarch

from netarch.cache_trust import cache_key, default_key_file, usable_folder
from netarch.page_cache import FenceCache
from netarch.scaffold import init_site
from netarch.validate.verdicts import VerdictStore

SCRIPT = b"<script>alert(1)</script>"
ANOTHER_USER = 4242


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state folder of this test's own: where the cache key is kept."""
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    caplog.set_level(logging.WARNING, logger="netarch")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "netarch"]


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_a_cache_restored_from_another_run_cannot_plant_a_page(tmp_path: Path) -> None:
    """A pull request's CI run writes the cache; the main branch's run restores it."""
    site = tmp_path / "site"
    init_site(site, "mkdocs")
    cache = tmp_path / "cache"  # what CI saves and restores: $NETARCH_CACHE_DIR, whole
    pull_request = {"NETARCH_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(tmp_path / "pr")}
    main = {"NETARCH_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(tmp_path / "main")}
    page = site / "out" / "architecture" / "ingress" / "index.html"

    built = run_mkdocs("build", "-d", "out", cwd=site, env=pull_request)
    assert built.returncode == 0, built.output[-3000:]
    clean = page.read_bytes()
    # The run that wrote the cache could read its own key: it is not in what is restored.
    key = (tmp_path / "pr" / "netarch" / "cache-key").read_bytes()
    for path in _files(cache):
        data = path.read_bytes()
        assert key not in data and key.hex().encode() not in data, path
    # So that run signs a page of its own making, with a script in it.
    [entry] = (cache / "pages").glob("pages-*.json")
    _, _, body = entry.read_bytes().partition(b"\n")
    planted = body.replace(b"External traffic ingress", SCRIPT)
    assert planted != body
    signature = hmac.new(key, planted, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(signature + b"\n" + planted)

    # Where that key is known, the entry is sound: the signature is all that stands in the way.
    again = run_mkdocs("build", "-d", "out", cwd=site, env=pull_request)
    assert again.returncode == 0 and SCRIPT in page.read_bytes()

    restored = run_mkdocs("build", "-d", "out", cwd=site, env=main)
    assert restored.returncode == 0, restored.output[-3000:]
    assert page.read_bytes() == clean
    assert SCRIPT not in page.read_bytes()


def _group_writable(key: Path) -> None:
    key.chmod(0o620)


def _world_readable(key: Path) -> None:
    key.chmod(0o644)


def _another_users(key: Path) -> None:
    os.chown(key, ANOTHER_USER, -1)


def _a_symlink(key: Path) -> None:
    elsewhere = key.with_name("elsewhere")
    key.rename(elsewhere)
    key.symlink_to(elsewhere)


def _a_fifo(key: Path) -> None:
    key.unlink()
    os.mkfifo(key, 0o600)


def _in_a_shared_folder(key: Path) -> None:
    key.parent.chmod(0o777)


def _too_short(key: Path) -> None:
    key.write_bytes(b"short")


@pytest.mark.parametrize(
    "spoil",
    [
        _group_writable,
        _world_readable,
        pytest.param(
            _another_users,
            marks=pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away"),
        ),
        _a_symlink,
        _a_fifo,
        _in_a_shared_folder,
        _too_short,
    ],
)
def test_a_key_file_someone_else_could_have_touched_is_refused(
    tmp_path: Path,
    state: Path,
    warnings: Callable[[], list[str]],
    spoil: Callable[[Path], None],
) -> None:
    cache = tmp_path / "cache"
    store = VerdictStore(cache / "v.json")
    store.put("diagram", '{"ok": true}')
    assert store.save()
    key = default_key_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    spoil(key)
    assert cache_key(cache) == b""
    assert cache_key(cache) == b""
    assert VerdictStore(cache / "v.json").get("diagram") is None
    [warning] = warnings()  # once, however often it is asked
    assert str(key) in warning and "not used" in warning


def test_a_key_file_inside_the_cache_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warnings: Callable[[], list[str]]
) -> None:
    # A restored cache would bring its own key along.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "cache" / "state"))
    store = VerdictStore(tmp_path / "cache" / "v.json")
    store.put("diagram", "{}")
    assert store.save() is False
    assert not (tmp_path / "cache").exists()
    [warning] = warnings()
    assert "inside the cache folder" in warning


def test_a_short_key_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warnings: Callable[[], list[str]]
) -> None:
    monkeypatch.setenv("NETARCH_CACHE_KEY", "guessable")
    assert cache_key(tmp_path) == b""
    [warning] = warnings()
    assert "NETARCH_CACHE_KEY" in warning and "guessable" not in warning
    monkeypatch.setenv("NETARCH_CACHE_KEY", "x" * 40)
    assert cache_key(tmp_path) == b"x" * 40


def test_under_umask_000_every_cache_folder_and_file_is_private(tmp_path: Path) -> None:
    site = tmp_path / "site"
    init_site(site, "mkdocs")
    # Missing parents too: nothing of it exists before the run.
    cache, state = tmp_path / "a" / "cache", tmp_path / "b" / "state"
    env = {"NETARCH_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(state)}
    before = os.umask(0)
    try:
        checked = run_netarch("check", cwd=site, env=env)
        built = run_mkdocs("build", "-d", str(tmp_path / "out"), cwd=site, env=env)
    finally:
        os.umask(before)
    assert checked.returncode == 0, checked.output[-3000:]
    assert built.returncode == 0, built.output[-3000:]
    made = [*cache.parent.rglob("*"), cache.parent, *state.parent.rglob("*"), state.parent]
    assert any(path.name == "cache-key" for path in made)
    assert any(path.name.startswith("pages-") for path in made)
    for path in made:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.lstat().st_mode) == expected, path


def _writable_by_others(folder: Path) -> None:
    folder.chmod(0o777)


def _owned_by_another_user(folder: Path) -> None:
    os.chown(folder, ANOTHER_USER, -1)


@pytest.mark.parametrize(
    "spoil",
    [
        _writable_by_others,
        pytest.param(
            _owned_by_another_user,
            marks=pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away"),
        ),
    ],
)
def test_a_cache_folder_someone_else_can_write_is_not_used(
    tmp_path: Path,
    state: Path,
    warnings: Callable[[], list[str]],
    spoil: Callable[[Path], None],
) -> None:
    cache = tmp_path / "cache"
    store = VerdictStore(cache / "v.json")
    store.put("diagram", '{"ok": true}')
    assert store.save()
    spoil(cache)
    assert VerdictStore(cache / "v.json").get("diagram") is None
    again = VerdictStore(cache / "v.json")
    again.put("another", "{}")
    assert again.save() is False
    assert [path.name for path in cache.iterdir()] == ["v.json"]
    assert usable_folder(cache, create=True) is False
    [warning] = warnings()
    assert str(cache) in warning and "not used" in warning
    # Nor is a folder of its own inside it, where the pages and fence verdicts are kept.
    fences = FenceCache(cache / "pages", {"index.md": "```mermaid\npie\n```\n"}, {})
    fences.store([])
    assert fences.load() is None and not (cache / "pages").exists()


def test_the_old_key_beside_the_cache_is_not_used(tmp_path: Path, state: Path) -> None:
    """A cache of an earlier netarch kept its key inside: such a cache proves nothing."""
    cache = tmp_path / "cache"
    store = VerdictStore(cache / "v.json")
    store.put("diagram", '{"ok": true}')
    assert store.save()
    (cache / "verdicts-secret").write_bytes(default_key_file().read_bytes())
    shutil.rmtree(state)  # a fresh machine restores that cache
    assert VerdictStore(cache / "v.json").get("diagram") is None


def test_runs_creating_the_key_at_once_all_get_the_same_one(tmp_path: Path) -> None:
    import threading

    for round_ in range(20):
        os.environ["XDG_STATE_HOME"] = str(tmp_path / f"state-{round_}")
        try:
            keys: list[bytes] = []
            start = threading.Barrier(8)

            def make(out: list[bytes] = keys, start: threading.Barrier = start) -> None:
                start.wait()
                out.append(cache_key(tmp_path / "cache"))

            threads = [threading.Thread(target=make) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
            assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 32
            left = sorted(p.name for p in (tmp_path / f"state-{round_}" / "netarch").iterdir())
            assert left == ["cache-key"]  # no temporary file left behind
        finally:
            del os.environ["XDG_STATE_HOME"]


def test_rounds_of_concurrent_checks_share_one_cache(tmp_path: Path) -> None:
    """The first round makes the key and the store at once; later ones merge into it.
    (Measured once with 20 rounds: 146 s on a busy machine, too long for every run.)"""
    from concurrent.futures import ThreadPoolExecutor

    site = tmp_path / "site"
    init_site(site, "mkdocs")
    env = {"NETARCH_CACHE_DIR": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "s")}
    with ThreadPoolExecutor(3) as pool:
        for _ in range(5):
            runs = list(pool.map(lambda _: run_netarch("check", cwd=site, env=env), range(3)))
            for run in runs:
                assert run.returncode == 0, run.output[-2000:]
                assert "Traceback" not in run.output
    last = run_netarch("check", cwd=site, env=env)
    assert last.returncode == 0 and "Mermaid parsed 0 diagram(s)" in last.output, last.output


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """A tmpfs of its own (root only, where mounting is allowed): really full, really read-only."""
    mounted: list[Path] = []

    def mount(name: str, size: str, *options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", point],
            capture_output=True,
        )
        if done.returncode != 0:
            pytest.skip("cannot mount a tmpfs here")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", point], check=False)


def test_a_full_cache_and_state_file_system_costs_only_time(
    tmp_path: Path, small_filesystem: Callable[..., Path]
) -> None:
    site = tmp_path / "site"
    init_site(site, "mkdocs")
    full = small_filesystem("full", "8k", "mode=0700")
    (full / "filler").write_bytes(b"x" * 4096)
    with contextlib.suppress(OSError), (full / "more").open("wb") as out:
        while True:
            out.write(b"x" * 512)
            out.flush()
    env = {"NETARCH_CACHE_DIR": str(full / "cache"), "XDG_STATE_HOME": str(full / "state")}
    checked = run_netarch("check", cwd=site, env=env)
    assert checked.returncode == 0, checked.output[-2000:]
    built = run_mkdocs("build", "-d", str(tmp_path / "out"), cwd=site, env=env)
    assert built.returncode == 0, built.output[-2000:]
    assert "Traceback" not in checked.output + built.output
    assert "cannot make the cache key" in checked.output  # said once, with what to do
    assert checked.output.count("cannot make the cache key") == 1
    # Nothing half-written: no key shorter than a key, no temporary file.
    for path in _files(full):
        assert path.name in ("filler", "more") or path.name == "cache-key", path
        if path.name == "cache-key":
            assert len(path.read_bytes()) == 32


def test_a_read_only_cache_is_still_read(
    tmp_path: Path, small_filesystem: Callable[..., Path]
) -> None:
    site = tmp_path / "site"
    init_site(site, "mkdocs")
    cache = small_filesystem("cache", "32m", "mode=0700")
    env = {"NETARCH_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(tmp_path / "state")}
    first = run_netarch("check", cwd=site, env=env)
    assert first.returncode == 0, first.output[-2000:]
    subprocess.run(["mount", "-o", "remount,ro", cache], check=True)
    again = run_netarch("check", cwd=site, env=env)
    assert again.returncode == 0, again.output[-2000:]
    assert "Mermaid parsed 0 diagram(s)" in again.output  # every verdict from the cache
    built = run_mkdocs("build", "-d", str(tmp_path / "out"), cwd=site, env=env)
    assert built.returncode == 0 and "Traceback" not in built.output, built.output[-2000:]
