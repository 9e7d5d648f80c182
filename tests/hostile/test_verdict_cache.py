"""The verdict cache cannot be talked into calling a bad diagram valid, nor hang a run."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from netarch.cache_trust import default_key_file
from netarch.validate.engine import MermaidValidator
from netarch.validate.verdicts import VerdictStore

BAD = "flowchart LR\n  a --> b\n  b -->\n"


def _store_file(cache: Path) -> Path:
    [path] = cache.glob("mermaid-verdicts-*.json")
    return path


def test_a_hand_edited_verdict_marking_a_bad_diagram_valid_is_not_trusted(
    tmp_path: Path,
) -> None:
    with MermaidValidator(workers=1, cache_dir=tmp_path) as first:
        assert first.check(BAD)[0].is_error
    path = _store_file(tmp_path)
    data = json.loads(path.read_text())
    for entry in data.values():
        entry[1] = json.dumps({"ok": True, "type": "flowchart-v2"})  # the signature stays
    path.write_text(json.dumps(data))
    with MermaidValidator(workers=1, cache_dir=tmp_path) as later:
        problems = later.check(BAD)
        assert problems and problems[0].is_error
        assert later.stored_hits == 0 and later.parses == 1


def test_an_entry_signed_with_another_key_does_not_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-machine"))
    one = VerdictStore(tmp_path / "one" / "v.json")
    one.put("key", '{"ok": true}')
    assert one.save()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "this-machine"))
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "v.json").write_bytes((tmp_path / "one" / "v.json").read_bytes())
    assert VerdictStore(tmp_path / "two" / "v.json").get("key") is None
    assert VerdictStore(tmp_path / "one" / "v.json").get("key") is None


def _in_thread(target: object) -> bool:
    """True if ``target()`` returns within 10 s."""
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    return not thread.is_alive()


def test_a_fifo_or_dev_zero_in_place_of_the_store_is_nothing_stored(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo" / "v.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    zero = tmp_path / "zero" / "v.json"
    zero.parent.mkdir()
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        found: list[VerdictStore] = []
        assert _in_thread(lambda p=path, out=found: out.append(VerdictStore(p)))
        assert found[0].get("anything") is None


def test_a_fifo_in_place_of_the_key_is_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = default_key_file()
    key.parent.mkdir(parents=True, mode=0o700)
    os.mkfifo(key, 0o600)
    found: list[VerdictStore] = []
    assert _in_thread(lambda: found.append(VerdictStore(tmp_path / "cache" / "v.json")))
    found[0].put("k", "{}")
    assert found[0].save() is False  # nothing unsigned is written
    assert not (tmp_path / "cache").exists()


def test_with_every_verdict_cached_v8_never_starts(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).resolve().parents[2] / "docs" / "network.yaml", tmp_path)
    env = {**os.environ, "NETARCH_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "netarch.cli", "check", "network.yaml"]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert first.returncode == 0, first.stderr

    def small_address_space() -> None:  # V8 reserves far more than this before it runs
        resource.setrlimit(resource.RLIMIT_AS, (1_000_000_000, 1_000_000_000))

    again = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=small_address_space,
    )
    assert again.returncode == 0, again.stderr
    assert "Mermaid parsed 0 diagram(s)" in again.stderr and "verdict(s) kept" in again.stderr
