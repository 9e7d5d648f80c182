"""Hostile input cannot hang netarch or make it eat memory: every case ends within a deadline,
under a memory limit, with a located error (see ``bounded.py``)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from bounded import assert_bounded_output, run_mkdocs, run_netarch

from netarch.checks.text import without_code
from netarch.kits.cozystack.rules import _all_policed
from netarch.scaffold import init_site
from netarch.validate import engine
from netarch.validate.engine import MermaidValidator

REPO_ROOT = Path(__file__).resolve().parents[2]
# Mermaid's flowchart lexer goes cubic on a style line like this (400 s before the fix).
CUBIC_FENCE = "flowchart TD\n A-->B\n style " + ":#" * 10_000


def test_a_cubic_mermaid_fence_times_out_once_at_its_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        f"# Page\n\n```mermaid\n{CUBIC_FENCE}\n```\n\n```mermaid\nflowchart TD\n  X-->\n```\n",
        encoding="utf-8",
    )
    run = run_netarch("check", "page.md", "--no-cache", cwd=tmp_path, timeout_s=40)
    assert run.returncode == 1
    assert run.output.count("MERMAID_TIMEOUT") == 1
    assert "page.md:3: error MERMAID_TIMEOUT: mermaid did not finish parsing within 3 s" in (
        run.output
    )
    assert "page.md:11: error MERMAID:" in run.output  # the next fence is still checked
    assert_bounded_output(run)


def test_a_busy_loop_is_stopped_and_the_isolate_replaced() -> None:
    with MermaidValidator(workers=1, timeout_s=2) as validator:
        assert validator.check("flowchart TD\n  a --> b\n") == []
        started = time.monotonic()
        with validator._isolate() as isolate, pytest.raises(TimeoutError):
            isolate.evaluate("(async () => { await null; for (;;) {} })()")
        assert time.monotonic() - started < 4
        isolate.submit(isolate.restart).result()
        assert validator.check("flowchart TD\n  c --> d\n") == []


def test_a_timed_out_diagram_is_parsed_once_per_run() -> None:
    with MermaidValidator(workers=1, timeout_s=1) as validator:
        [first] = validator.check(CUBIC_FENCE)
        started = time.monotonic()
        [again] = validator.check(CUBIC_FENCE)
        assert first.code == again.code == "MERMAID_TIMEOUT"
        assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    "text",
    ["`" * 24_000, "all traffic " * 8000, "all pod traffic " * 6000 + "is policed", "``a" * 9000],
)
def test_text_checks_are_linear(text: str) -> None:
    started = time.monotonic()
    _all_policed(without_code(text))
    assert time.monotonic() - started < 1.0


def _demo_copy(tmp_path: Path) -> Path:
    shutil.copy(REPO_ROOT / "docs" / "network.yaml", tmp_path / "network.yaml")
    return tmp_path / "network.yaml"


def test_one_string_aliased_20000_times_is_refused_at_the_alias(tmp_path: Path) -> None:
    model = _demo_copy(tmp_path)
    text = model.read_text(encoding="utf-8")
    bomb = "x-big: &big " + "a" * 100_000 + "\nx-list:\n" + "  - *big\n" * 20_000
    model.write_text(bomb + text, encoding="utf-8")
    run = run_netarch("check", "network.yaml", "--no-cache", cwd=tmp_path, timeout_s=60)
    assert run.returncode == 1
    assert (
        "error NA004: network.yaml expands to more than 8 million characters through aliases"
        in (run.output)
    )
    assert "network.yaml:" in run.output.split("NA004")[0].splitlines()[-1]  # located
    assert_bounded_output(run)


def test_deep_nesting_in_an_example_is_a_located_error(tmp_path: Path) -> None:
    model = _demo_copy(tmp_path)
    deep = "[" * 450 + "1" + "]" * 450
    text = model.read_text(encoding="utf-8").replace(
        "examples:\n",
        f"examples:\n  - id: deep\n    section: cluster\n    title: Deep\n    content: {deep}\n",
        1,
    )
    model.write_text(text, encoding="utf-8")
    run = run_netarch("check", "network.yaml", "--no-cache", cwd=tmp_path)
    assert run.returncode == 1
    assert "error NA004" in run.output and "nested" in run.output
    assert "RecursionError" not in run.output
    assert_bounded_output(run)


def test_a_big_model_without_anchors_does_not_blame_aliases(tmp_path: Path) -> None:
    model = tmp_path / "network.yaml"
    model.write_text("x-many:\n" + "  - 1\n" * 100_001, encoding="utf-8")
    run = run_netarch("check", "network.yaml", "--no-cache", cwd=tmp_path)
    assert "has more than 100000 values" in run.output
    assert "alias" not in run.output
    assert_bounded_output(run)


def test_a_warning_on_a_huge_line_quotes_a_bounded_excerpt(tmp_path: Path) -> None:
    model = _demo_copy(tmp_path)
    text = model.read_text(encoding="utf-8")
    model.write_text(text + "x-unknown: " + "\x1b[2J" + "b" * 7_000_000 + "\n", encoding="utf-8")
    run = run_netarch("check", "network.yaml", "--no-cache", cwd=tmp_path)
    assert run.returncode == 1
    assert "\x1b" not in run.output
    assert_bounded_output(run)
    assert len(run.output) < 20_000


def test_a_model_file_larger_than_a_model_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "network.yaml"
    model.write_text("a: " + "b" * 9_000_000 + "\n", encoding="utf-8")
    run = run_netarch("check", "network.yaml", "--no-cache", cwd=tmp_path)
    assert run.returncode == 1
    assert "larger than 8 MB" in run.output
    assert_bounded_output(run)


def test_a_diagram_that_eats_memory_is_stopped_and_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NETARCH_MERMAID_MEMORY", "900000000")
    with MermaidValidator(workers=1, timeout_s=20) as validator:
        assert validator.check("flowchart TD\n  a --> b\n") == []
        started = time.monotonic()
        with validator._isolate() as isolate, pytest.raises(engine._ChildCrashed):
            isolate.evaluate(
                "(async () => { await null; const kept = [];"
                " for (;;) kept.push(new Array(1e6).fill(1.5)); })()"
            )
        assert time.monotonic() - started < 15  # stopped by the limit, not the deadline
        isolate.submit(isolate.restart).result()

        def crash(self: engine._Isolate, code: str, timeout_s: float | None = None) -> object:
            raise engine._ChildCrashed("ended")

        monkeypatch.setattr(engine._Isolate, "evaluate", crash)
        [problem] = validator.check("flowchart TD\n  c --> d\n")
        assert problem.code == "MERMAID_LIMIT"
        monkeypatch.undo()
        assert validator.check("flowchart TD\n  e --> f\n") == []


def _slow_fences(count: int) -> str:
    """``count`` different cubic fences (so none is a repeat of another), then a valid one."""
    fences = [
        f"```mermaid\nflowchart TD\n A{n}-->B\n style {':#' * 10_000}\n```\n" for n in range(count)
    ]
    return "# Page\n\n" + "\n".join(fences) + "\n```mermaid\nflowchart TD\n  X-->Y\n```\n"


def test_many_slow_fences_spend_the_run_budget_then_are_reported_not_checked(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.md"
    page.write_text(_slow_fences(8), encoding="utf-8")
    # Without a budget: 8 deadlines of 3 s, plus a fresh isolate after each.
    run = run_netarch(
        "check",
        "page.md",
        "--no-cache",
        cwd=tmp_path,
        timeout_s=40,
        env={"NETARCH_MERMAID_BUDGET": "4"},
    )
    assert run.returncode == 1
    lines = page.read_text(encoding="utf-8").splitlines()
    fence_lines = [n for n, line in enumerate(lines, 1) if line == "```mermaid"]
    unchecked = [
        n
        for n in fence_lines
        if f"page.md:{n}: error MERMAID_BUDGET: diagram not checked" in run.output
    ]
    timed_out = run.output.count("error MERMAID_TIMEOUT")
    assert timed_out >= 1 and timed_out + len(unchecked) == len(fence_lines)
    assert unchecked[-1] == fence_lines[-1]  # the valid fence too: not checked is not a pass
    assert "4 s of parsing, NETARCH_MERMAID_BUDGET" in run.output
    assert "raise NETARCH_MERMAID_BUDGET" in run.output  # the hint says how
    assert run.seconds < 25
    assert_bounded_output(run)


def test_a_spent_budget_is_not_remembered_as_a_verdict() -> None:
    with MermaidValidator(workers=1, timeout_s=1, budget=engine.RunBudget(1)) as validator:
        [slow] = validator.check(CUBIC_FENCE)
        assert slow.code == "MERMAID_TIMEOUT"
        [unchecked] = validator.check("flowchart TD\n  a --> b\n")
        assert unchecked.code == "MERMAID_BUDGET" and unchecked.is_error
        validator.reset_budget()  # the next `serve` rebuild
        assert validator.check("flowchart TD\n  a --> b\n") == []


def test_a_build_whose_budget_is_spent_fails_even_when_diagrams_only_warn(tmp_path: Path) -> None:
    site = tmp_path / "site"
    init_site(site, "mkdocs")
    (site / "docs" / "slow.md").write_text(_slow_fences(6), encoding="utf-8")
    budget = {"NETARCH_MERMAID_BUDGET": "4"}
    build = run_mkdocs("build", cwd=site, timeout_s=60, env=budget)
    assert build.returncode == 1
    assert "docs/slow.md:3" in build.output and "MERMAID_BUDGET" in build.output
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "model: docs/network.yaml", "model: docs/network.yaml\n      invalid_diagrams: warn"
        ),
        encoding="utf-8",
    )
    strict = run_mkdocs("build", "--strict", cwd=site, timeout_s=60, env=budget)
    assert strict.returncode == 1
    assert "WARNING" in strict.output and "MERMAID_BUDGET" in strict.output
    assert build.seconds < 30 and strict.seconds < 30
