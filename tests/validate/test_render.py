"""Render mode: the pinned mermaid.render in Debian's Chromium, and its agreement with the
fast in-process engine (which claims to catch the same render-only failures)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import yaml

from netarch.validate.engine import MermaidValidator
from netarch.validate.render import BrowserRenderer

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, object] = yaml.safe_load((CORPUS / "expected.yaml").read_text())

RENDER_ONLY = [
    # (diagram, fragment of the browser's error, line the engine reports)
    (
        "gantt\n  dateFormat YYYY-MM-DD\n  section S\n  Task :a1, 2024-13-45, 3d\n",
        "Invalid date",
        4,
    ),
    ("sankey-beta\nA,B,10\nB,C,5\nC,A,1\n", "circular link", 4),
    (
        "stateDiagram-v2\n  [*] --> Up\n  note right of Ghost : never declared\n",
        "No such shape: undefined",
        3,
    ),
    (
        "requirementDiagram\n  requirement r {\n    id: 1\n  }\n  x - satisfies -> r\n",
        "Id must be a string or an integer",
        5,
    ),
]


def test_renderer_loads_the_pinned_mermaid(renderer: BrowserRenderer) -> None:
    assert renderer.version == "12.3.0"


@pytest.mark.parametrize(("text", "fragment", "line"), RENDER_ONLY)
def test_render_only_errors(
    renderer: BrowserRenderer, validator: MermaidValidator, text: str, fragment: str, line: int
) -> None:
    [in_browser] = renderer.render(text)
    assert in_browser.code == "MERMAID_RENDER"
    assert fragment in in_browser.message
    # The fast engine catches the same failure, with a line.
    [fast] = validator.check(text)
    assert (fast.code, fast.line) == ("MERMAID_RENDER", line)


def test_valid_diagrams_render(renderer: BrowserRenderer) -> None:
    assert renderer.render("flowchart LR\n  a[Router] --> b[(DB)]\n") == []
    assert (
        renderer.render(
            "sequenceDiagram\n  box Aqua Site A\n    participant A\n  end\n  A->>A: x\n"
        )
        == []
    )


def test_parse_errors_in_render_mode_have_mapped_lines(renderer: BrowserRenderer) -> None:
    [problem] = renderer.render("---\ntitle: t\n---\n%% c\nsequenceDiagram\n  A-->>: x\n")
    assert (problem.line, problem.code) == (6, "MERMAID")


def test_size_and_empty_checks(renderer: BrowserRenderer) -> None:
    assert renderer.render("")[0].code == "MERMAID_EMPTY"
    assert renderer.render("graph TD\n" + "%%" * 25_000)[0].code == "MERMAID_SIZE"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_browser_agrees_with_the_engine_on_the_corpus(
    renderer: BrowserRenderer, validator: MermaidValidator, name: str
) -> None:
    text = (CORPUS / name).read_text()
    # Warnings (MERMAID_MISDRAWN) are drawings that render, just not as written.
    fast = [problem for problem in validator.check(text) if problem.is_error]
    slow = renderer.render(text)
    assert bool(fast) == bool(slow)
    if fast:
        assert fast[0].code == slow[0].code
        if fast[0].code == "MERMAID":
            assert [p.line for p in fast] == [p.line for p in slow]


# Features whose parse path touches browser APIs (URL, window.CSS, DOMPurify...) or that
# mermaid.md lists as accepted by both parse and render.
FEATURES = {
    "click links": 'flowchart LR\n  a["**b** <b>h</b>"] --> b\n  click a "https://x.example/p?q=1" "t" _blank\n',
    "class links": 'classDiagram\n  class A~T~\n  link A "https://example.com" "tip"\n',
    "gantt click": 'gantt\n  dateFormat YYYY-MM-DD\n  section S\n  T :t1, 2024-01-01, 3d\n  click t1 href "https://e.com"\n',
    "sequence box colour": "sequenceDiagram\n  box rgb(10,20,30) Site\n    participant A\n  end\n  A->>A: x\n",
    "sequence links": "sequenceDiagram\n  participant A\n  link A: Dash @ https://dash.example.com/\n  A->>A: x\n",
    "c4 link": 'C4Context\n  Person(a, "A", $link="https://example.com")\n  System(b, "B")\n  Rel(a, b, "uses")\n',
    "shapes": 'flowchart TD\n  a@{ shape: cyl, label: "DB" }\n  a e1@--> b\n  e1@{ animate: true }\n',
    "unknown shape": "flowchart TD\n  a@{ shape: nosuchshape }\n",
    "kanban metadata": 'kanban\n  todo[Todo]\n    t1[Task]@{ ticket: 42, priority: "High" }\n',
    "gantt after unknown task": "gantt\n  dateFormat YYYY-MM-DD\n  section S\n  T :t1, after zz, 3d\n",
    "block wider than columns": "block-beta\n  columns 2\n  a:3\n",
    "xychart length mismatch": "xychart-beta\n  x-axis [a, b, c]\n  bar [1, 2]\n",
    "negative pie": 'pie\n  "a" : -1\n',
    "sankey self loop": "sankey-beta\nA,A,1\n",
    "cherry-pick unknown": 'gitGraph\n  commit id: "a"\n  cherry-pick id: "zz"\n',
    "state composite note": "stateDiagram-v2\n  state X {\n    A --> B\n  }\n  note right of X : n\n",
}


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_browser_agrees_with_the_engine_on_features(
    renderer: BrowserRenderer, validator: MermaidValidator, name: str
) -> None:
    text = FEATURES[name]
    errors = [problem for problem in validator.check(text) if problem.is_error]
    assert bool(errors) == bool(renderer.render(text))


@pytest.mark.parametrize(
    ("name", "line"),
    [("gantt after unknown task", 4), ("block wider than columns", 3),
     ("xychart length mismatch", 3)],
)  # fmt: skip
def test_what_renders_but_not_as_written_is_a_located_warning(
    renderer: BrowserRenderer, validator: MermaidValidator, name: str, line: int
) -> None:
    text = FEATURES[name]
    assert renderer.render(text) == []  # the browser draws it without a word
    [warning] = validator.check(text)
    assert (warning.code, warning.line, warning.is_error) == ("MERMAID_MISDRAWN", line, False)


def test_closed_renderer_refuses_work() -> None:
    # playwright allows one sync session per thread and the session fixture holds this one's.
    outcome: dict[str, object] = {}

    def own_browser() -> None:
        try:
            with BrowserRenderer() as own:
                outcome["render"] = own.render("info")
            try:
                own.render("info")
            except RuntimeError as error:
                outcome["after close"] = str(error)
            own.close()  # idempotent
        except Exception as error:  # surfaced below
            outcome["error"] = error

    thread = threading.Thread(target=own_browser)
    thread.start()
    thread.join()
    assert outcome == {"render": [], "after close": "BrowserRenderer is closed"}


def test_engine_works_on_a_thread_running_playwright(renderer: BrowserRenderer) -> None:
    # playwright's sync API leaves an asyncio loop running on this thread; mini-racer refuses
    # promise.get() on such a thread, so the engine must do its V8 work elsewhere.
    assert renderer.render("info") == []
    with MermaidValidator() as fresh:
        assert fresh.check("flowchart LR\n  a --> b\n") == []
        assert fresh.check("flowchart LR\n  a -->\n")[0].line == 2


def test_rendering_spends_the_run_budget_parsing_left(
    renderer: BrowserRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from netarch.validate.engine import RunBudget

    spent = RunBudget(5)
    spent.spend(5)  # the checks of this run used it all
    monkeypatch.setattr(renderer, "budget", spent)
    renders = renderer.renders
    [problem] = renderer.render("flowchart LR\n  a --> b\n")
    assert problem.code == "MERMAID_BUDGET" and problem.is_error
    assert renderer.renders == renders  # Chromium was not asked
    spent.reset()
    assert renderer.render("flowchart LR\n  a --> b\n") == []
