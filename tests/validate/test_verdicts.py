"""Verdicts kept on disk between runs: the store itself, and MermaidValidator(cache_dir=...)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from netarch.validate import verdicts
from netarch.validate.engine import MermaidNotFound, MermaidValidator
from netarch.validate.verdicts import VerdictStore, default_cache_dir, engine_key

CORPUS = Path(__file__).parent / "corpus"


# -- the store ----------------------------------------------------------------------------------


def _stored(path: Path) -> dict[str, str]:
    """The verdicts in a store file, without their signatures."""
    return {key: raw for key, (_signature, raw) in json.loads(path.read_text()).items()}


def test_verdicts_saved_by_one_run_are_read_by_the_next(tmp_path: Path) -> None:
    store = VerdictStore.for_engine(tmp_path / "cache", "abc")
    assert store.get("t1") is None
    store.put("t1", '{"ok": true}')
    assert store.save()
    again = VerdictStore.for_engine(tmp_path / "cache", "abc")
    assert again.get("t1") == '{"ok": true}'
    assert VerdictStore.for_engine(tmp_path / "cache", "other-engine").get("t1") is None


@pytest.mark.parametrize(
    "content", ["not json {", "[1, 2]", '{"t1": 5, "t2": "unsigned"}', "\udcff", ""]
)
def test_a_damaged_file_counts_as_nothing_stored_and_is_replaced(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "verdicts.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    store = VerdictStore(path)
    assert store.get("t1") is None
    assert store.get("t2") is None  # an unsigned entry is not trusted either
    store.put("t3", "{}")
    assert store.save()
    assert _stored(path) == {"t3": "{}"}


def test_an_unwritable_place_loses_the_verdicts_not_the_check(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    store = VerdictStore.for_engine(blocker, "abc")
    store.put("t1", "{}")
    assert store.save() is False
    assert list(tmp_path.iterdir()) == [blocker]


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = VerdictStore(tmp_path / "verdicts.json")
    store.put("t1", "{}")

    def refuse(source: str, target: str) -> None:
        raise PermissionError(target)

    monkeypatch.setattr(verdicts.os, "replace", refuse)
    assert store.save() is False
    assert list(tmp_path.iterdir()) == []  # the key is kept elsewhere


def test_past_the_limit_the_least_recently_used_go_first(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.json"
    first = VerdictStore(path, max_entries=3)
    for key in ("a", "b", "c"):
        first.put(key, "{}")
    first.save()
    second = VerdictStore(path, max_entries=3)
    assert second.get("a") == "{}"  # used again: now the most recent
    second.put("d", "{}")
    second.save()
    assert list(_stored(path)) == ["c", "a", "d"]


def test_two_runs_saving_at_once_keep_both_their_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.json"
    one, two = VerdictStore(path), VerdictStore(path)  # both opened before either saved
    one.put("from-one", "1")
    two.put("from-two", "2")
    one.save()
    two.save()
    assert _stored(path) == {"from-one": "1", "from-two": "2"}


def test_the_engine_key_changes_with_every_part_and_their_boundaries() -> None:
    key = engine_key(["mermaid", "harness"])
    assert key == engine_key(["mermaid", b"harness"])
    assert key != engine_key(["mermaid!", "harness"])
    assert key != engine_key(["mermaid", "harness", "v8"])
    assert engine_key(["ab", "c"]) != engine_key(["a", "bc"])


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETARCH_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("NETARCH_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "netarch"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "netarch"


# -- the validator with a cache folder ----------------------------------------------------------

# Valid, invalid (with a position), a warning, and text checked without V8 at all.
DIAGRAMS = [
    "flowchart LR\n  a --> b\n",
    "flowchart LR\n  a --> b\n  b -->\n",
    (CORPUS / "gantt.after-unknown.misdrawn.mmd").read_text(encoding="utf-8"),
    "sequenceDiagram\n  A->>B: hi\n  B-->>A: ho\n",
    "   \n",
]


def test_a_later_run_reads_every_verdict_and_never_starts_v8(tmp_path: Path) -> None:
    with MermaidValidator(workers=1, cache_dir=tmp_path) as first:
        assert not first.started  # nothing checked yet: no engine either
        expected = first.check_many(DIAGRAMS)
        assert first.started and first.parses == 4
    assert any(p.is_error for p in expected[1]) and expected[1][0].line == 3
    assert expected[2] and not any(p.is_error for p in expected[2])

    with MermaidValidator(workers=1, cache_dir=tmp_path) as later:
        assert later.check_many(DIAGRAMS) == expected
        assert (later.parses, later.stored_hits, later.started) == (0, 4, False)


@pytest.mark.parametrize("damaged", ["not json", '{"nope": 1}', "[]", '{"ok": false, "issues": 3}'])
def test_a_damaged_entry_is_parsed_again(tmp_path: Path, damaged: str) -> None:
    text = "flowchart LR\n  a --> b\n  b -->\n"
    with MermaidValidator(workers=1, cache_dir=tmp_path) as first:
        expected = first.check(text)
    [stored] = tmp_path.glob("mermaid-verdicts-*.json")
    entries = json.loads(stored.read_text())
    stored.write_text(json.dumps(dict.fromkeys(entries, damaged)))
    with MermaidValidator(workers=1, cache_dir=tmp_path) as later:
        assert later.check(text) == expected
        assert (later.stored_hits, later.parses) == (0, 1)


def test_only_what_the_engine_answered_is_kept(tmp_path: Path) -> None:
    with MermaidValidator(workers=1, cache_dir=tmp_path) as validator:
        validator.check("   \n")  # answered without V8
        validator.check("x" * 60_000)  # too long: answered without V8
        assert not validator.started
        validator.check('pie\n  "a" : 1\n')
    [stored] = tmp_path.glob("mermaid-verdicts-*.json")
    assert len(json.loads(stored.read_text())) == 1


# The abandoned parse finishes inside the replaced isolate and mini-racer's callback then finds
# its event loop closed; mini-racer reports that through sys.unraisablehook. Nothing is lost.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_is_not_kept(tmp_path: Path) -> None:
    with MermaidValidator(workers=1, cache_dir=tmp_path) as validator:
        validator.timeout_s = 1e-6  # nothing finishes this fast
        [problem] = validator.check("flowchart LR\n  slow --> parse\n")
        assert problem.code == "MERMAID_TIMEOUT"
    assert list(tmp_path.glob("mermaid-verdicts-*.json")) == []


def test_another_mermaid_build_does_not_read_these_verdicts(
    tmp_path: Path, validator: MermaidValidator
) -> None:
    text = "flowchart LR\n  a --> b\n"
    with MermaidValidator(workers=1, cache_dir=tmp_path / "cache") as first:
        first.check(text)
    patched = tmp_path / "mermaid.min.js"
    shutil.copy(validator.mermaid_js, patched)
    with patched.open("a", encoding="utf-8") as js:
        js.write("\n// another build\n")
    with MermaidValidator(patched, workers=1, cache_dir=tmp_path / "cache") as other:
        assert other.check(text) == []
        assert (other.stored_hits, other.parses) == (0, 1)
    assert len(list((tmp_path / "cache").glob("mermaid-verdicts-*.json"))) == 2


def test_threads_checking_at_once_share_one_start(tmp_path: Path) -> None:
    texts = [f"flowchart LR\n  a{n} --> b{n}\n" for n in range(8)]
    with MermaidValidator(workers=2, cache_dir=tmp_path) as validator:
        results: list[object] = [None] * len(texts)

        def check(index: int) -> None:
            results[index] = validator.check(texts[index])

        threads = [threading.Thread(target=check, args=(n,)) for n in range(len(texts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [[]] * len(texts)
        assert validator.parses == len(texts)


def test_a_broken_mermaid_file_is_reported_at_the_first_new_diagram(tmp_path: Path) -> None:
    fake = tmp_path / "mermaid.min.js"
    fake.write_text("var notMermaid = 1;\n")
    validator = MermaidValidator(fake, workers=1, cache_dir=tmp_path / "cache")
    with pytest.raises(MermaidNotFound, match="did not define"):
        validator.check("flowchart LR\n  a --> b\n")
    validator.close()


def test_the_cache_folder_is_left_alone_without_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETARCH_CACHE_DIR", str(tmp_path))
    with MermaidValidator(workers=1) as validator:
        validator.check("flowchart LR\n  a --> b\n")
    assert list(tmp_path.iterdir()) == []


def test_a_start_in_the_background_serves_the_first_check(tmp_path: Path) -> None:
    with MermaidValidator(workers=1, cache_dir=tmp_path) as first:
        assert first.stored_verdicts == 0 and not first.started
        first.start_in_background()  # returns at once; V8 loads meanwhile
        first.start_in_background()  # a second call starts nothing more
        assert first.check_many(DIAGRAMS[:2])[0] == []
        assert first.started and first.parses == 2
    with MermaidValidator(workers=1, cache_dir=tmp_path) as later:
        assert later.stored_verdicts == 2


def test_a_background_start_that_fails_is_reported_by_the_first_check_only(
    tmp_path: Path,
) -> None:
    fake = tmp_path / "mermaid.min.js"
    fake.write_text("var notMermaid = 1;\n")
    unused = MermaidValidator(fake, workers=1, cache_dir=tmp_path / "cache")
    unused.start_in_background()
    unused.close()  # nothing needed the engine: nothing to report
    needed = MermaidValidator(fake, workers=1, cache_dir=tmp_path / "cache")
    needed.start_in_background()
    with pytest.raises(MermaidNotFound, match="did not define"):
        needed.check("flowchart LR\n  a --> b\n")
    needed.close()


def test_a_file_that_is_not_utf8_is_refused_when_the_engine_starts(tmp_path: Path) -> None:
    fake = tmp_path / "mermaid.min.js"
    fake.write_bytes(b"var x = '\xff\xfe';\n")
    validator = MermaidValidator(fake, workers=1, cache_dir=tmp_path / "cache")
    with pytest.raises(MermaidNotFound, match="not UTF-8"):
        validator.check("flowchart LR\n  a --> b\n")
    validator.close()
