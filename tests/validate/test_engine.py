"""MermaidValidator: API, caching, size limit, discovery of mermaid.min.js, threads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from netarch.validate import engine, mermaid_build
from netarch.validate.engine import (
    MAX_TEXT_SIZE,
    MermaidNotFound,
    MermaidProblem,
    MermaidValidator,
    find_mermaid_js,
)

CORPUS = Path(__file__).parent / "corpus"


def test_loads_the_pinned_mermaid(validator: MermaidValidator) -> None:
    assert validator.version == "12.3.0"
    assert validator.mermaid_js.name == "mermaid.min.js"


def test_valid_diagram_has_no_problems(validator: MermaidValidator) -> None:
    assert validator.check("flowchart LR\n  a[Router] --> b[Switch]\n") == []


def test_labels_go_through_the_dompurify_stand_in(validator: MermaidValidator) -> None:
    # Without the no-op DOMPurify methods these fail with "DOMPurify.addHook is not a function".
    text = 'flowchart LR\n  a["**bold** <b>html</b>"] -->|"`md label`"| b\n  click a "https://x"\n'
    assert validator.check(text) == []
    assert validator.check("classDiagram\n  class A~T~\n  A : +int x\n") == []


def test_problem_is_a_frozen_value() -> None:
    problem = MermaidProblem(3, 4, "boom")
    assert problem.code == "MERMAID"
    with pytest.raises(AttributeError):
        problem.line = 5  # type: ignore[misc]


def test_results_are_cached_by_content(validator: MermaidValidator) -> None:
    text = "sequenceDiagram\n  cached->>twice: only parsed once\n"
    parses, hits = validator.parses, validator.cache_hits
    first = validator.check(text)
    second = validator.check(text)
    assert first == second == []
    assert validator.parses == parses + 1
    assert validator.cache_hits == hits + 1
    # A changed diagram is parsed again.
    validator.check(text + "  twice->>cached: again\n")
    assert validator.parses == parses + 2


def test_cached_problem_lists_are_independent_copies(validator: MermaidValidator) -> None:
    text = "graph TD\n  A -->\n"
    validator.check(text).clear()
    assert len(validator.check(text)) == 1


def test_size_limit_is_mermaids_max_text_size(validator: MermaidValidator) -> None:
    head = "flowchart TD\n  a --> b\n"
    at_limit = head + "%%" + "x" * (MAX_TEXT_SIZE - len(head) - 2)
    assert len(at_limit) == MAX_TEXT_SIZE == 50_000
    assert validator.check(at_limit) == []
    [problem] = validator.check(at_limit + "x")
    assert problem.code == "MERMAID_SIZE"
    assert "50,001" in problem.message and "50,000" in problem.message


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_diagram(validator: MermaidValidator, text: str) -> None:
    [problem] = validator.check(text)
    assert problem.code == "MERMAID_EMPTY"


def test_only_front_matter_and_comments_is_an_unknown_type(validator: MermaidValidator) -> None:
    [problem] = validator.check("---\ntitle: x\n---\n%% nothing else\n")
    assert "unknown diagram type" in problem.message


def test_unknown_type_points_at_the_first_line_mermaid_reads(validator: MermaidValidator) -> None:
    [problem] = validator.check("---\ntitle: x\n---\n\nnetwork TD\n")
    assert (problem.line, problem.code) == (5, "MERMAID")


def test_detect_type(validator: MermaidValidator) -> None:
    assert validator.detect_type("---\ntitle: x\n---\nsequenceDiagram\n") == "sequence"
    assert validator.detect_type("nonsense\n") is None


def test_concurrent_checks_from_threads(validator: MermaidValidator) -> None:
    texts = [f"flowchart LR\n  t{i} --> u{i}\n" for i in range(12)]
    texts += [f"flowchart LR\n  t{i} --> \n" for i in range(12)]
    results: dict[int, list[MermaidProblem]] = {}

    def work(index: int) -> None:
        results[index] = validator.check(texts[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == [] for i in range(12))
    assert all(results[i][0].line == 2 for i in range(12, 24))


def test_check_many_uses_every_isolate_and_keeps_the_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [f"flowchart LR\n  m{i} --> n{i}\n" for i in range(6)]
    texts += ["flowchart LR\n  broken -->\n", 'pie\n  "a" : 1\n']
    with MermaidValidator(workers=2) as pool, MermaidValidator(workers=1) as single:
        assert pool.workers == 2 and single.workers == 1
        expected = [single.check(text) for text in texts]
        for started in pool._starting:
            started.result()  # the second isolate has joined
        used: set[int] = set()
        real_evaluate = engine._Isolate.evaluate

        def spy(self: engine._Isolate, code: str, timeout_s: float | None = None) -> object:
            used.add(id(self))
            return real_evaluate(self, code, timeout_s)

        monkeypatch.setattr(engine._Isolate, "evaluate", spy)
        many = pool.check_many(texts)
        assert many == expected
        assert many[6][0].line == 2 and many[7] == []
        assert used == {id(isolate) for isolate in pool._isolates}
        assert pool.parses == len(texts)
        assert pool.check_many(texts) == many and pool.cache_hits == len(texts)


def test_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETARCH_MERMAID_WORKERS", "3")
    assert engine.default_workers() == 3
    monkeypatch.setenv("NETARCH_MERMAID_WORKERS", "none")
    assert 1 <= engine.default_workers() <= 2


def test_close_while_an_isolate_is_still_starting() -> None:
    own = MermaidValidator(workers=2)
    own.close()  # waits for the background start, then stops both isolates
    assert all(isolate._worker is None for isolate in own._isolates)
    with pytest.raises(RuntimeError, match="closed"):
        own.check("flowchart LR\n  a --> b\n")


def test_a_background_isolate_that_fails_to_start_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_start = engine._Isolate.start
    calls = iter(range(100))

    def flaky(self: engine._Isolate) -> None:
        if next(calls) == 1:  # the second isolate
            raise MemoryError("no room for another isolate")
        real_start(self)

    monkeypatch.setattr(engine._Isolate, "start", flaky)
    with MermaidValidator(workers=2) as own:
        assert own._starting[0].exception() is not None
        assert own.check_many(["flowchart LR\n  a --> b\n"] * 3) == [[], [], []]


def test_close_and_context_manager() -> None:
    with MermaidValidator() as own:
        assert own.check('pie\n  "a" : 1\n') == []
    with pytest.raises(RuntimeError, match="closed"):
        own.check('pie\n  "b" : 2\n')
    own.close()  # idempotent


# -- finding mermaid.min.js -----------------------------------------------------------------------


def test_env_variable_wins(monkeypatch: pytest.MonkeyPatch, validator: MermaidValidator) -> None:
    monkeypatch.setenv("NETARCH_MERMAID_JS", str(validator.mermaid_js))
    assert find_mermaid_js(Path("/")) == validator.mermaid_js


def test_env_variable_pointing_nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETARCH_MERMAID_JS", str(tmp_path / "missing.js"))
    with pytest.raises(MermaidNotFound, match="NETARCH_MERMAID_JS"):
        find_mermaid_js(tmp_path)


def test_found_in_start_directory_or_a_parent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, validator: MermaidValidator
) -> None:
    monkeypatch.delenv("NETARCH_MERMAID_JS", raising=False)
    dist = tmp_path / "node_modules" / "mermaid" / "dist"
    dist.mkdir(parents=True)
    (dist / "mermaid.min.js").symlink_to(validator.mermaid_js)
    nested = tmp_path / "docs" / "site"
    nested.mkdir(parents=True)
    assert find_mermaid_js(nested) == dist / "mermaid.min.js"


def test_not_found_tells_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NETARCH_MERMAID_JS", raising=False)
    # Pretend the package was installed from a checkout without node_modules: no shipped copy.
    monkeypatch.setattr(mermaid_build, "SHIPPED_DIR", tmp_path / "no-vendor")
    monkeypatch.setattr(mermaid_build, "_CHECKOUT_SCRIPT", tmp_path / "no-checkout.js")
    with pytest.raises(MermaidNotFound) as caught:
        find_mermaid_js(tmp_path)
    message = str(caught.value)
    assert "npm ci" in message
    assert "netarch's wheel" in message
    assert "NETARCH_MERMAID_JS" in message


def test_file_without_mermaid_is_rejected(tmp_path: Path) -> None:
    fake = tmp_path / "mermaid.min.js"
    fake.write_text("var notMermaid = 1;\n")
    with pytest.raises(MermaidNotFound, match="did not define"):
        MermaidValidator(fake)


# The abandoned parse finishes inside the replaced isolate and mini-racer's callback then finds
# its event loop closed; mini-racer reports that through sys.unraisablehook. Nothing is lost.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_timeout_reports_and_restarts_the_isolate() -> None:
    with MermaidValidator() as own:
        own.timeout_s = 1e-6  # nothing finishes this fast
        [problem] = own.check("flowchart LR\n  slow --> parse\n")
        assert problem.code == "MERMAID_TIMEOUT"
        own.timeout_s = 30.0
        # A fresh isolate took over: checking works again, and the timeout was not cached.
        assert own.check("flowchart LR\n  slow --> parse\n") == []
        assert own.check("flowchart LR\n  slow -->\n")[0].line == 2


@pytest.mark.parametrize(
    ("name", "line", "column"),
    [("usecase.unclosed-label.bad.mmd", 8, 31), ("eventmodeling.duplicate-frame.bad.mmd", 8, 0)],
)
def test_position_written_only_in_the_message_is_mapped_back(
    validator: MermaidValidator, name: str, line: int, column: int
) -> None:
    # Front matter and a comment above the diagram: mermaid counts lines of its cleaned copy.
    text = "---\ntitle: t\n---\n%% a comment\n" + (CORPUS / name).read_text()
    (problem,) = validator.check(text)
    assert (problem.line, problem.column) == (line, column)
