"""`netarch render` and `netarch check`: output formats, exit codes, nothing half-written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from netarch import cli
from netarch.cli import main
from netarch.validate.verdicts import default_cache_dir

BAD_FENCE = "# Page\n\nSome text.\n\n```mermaid\nflowchart TD\n    A --> B\n    B --> (\n```\n"


@pytest.fixture
def bad_model(tmp_path: Path, demo_model_path: Path) -> Path:
    text = demo_model_path.read_text(encoding="utf-8")
    path = tmp_path / "network.yaml"
    path.write_text(
        text.replace(
            "  service_cidr: 10.96.0.0/16", "  service_cidr: 10.96.0.0/16\n  servce_cidr: x", 1
        ),
        encoding="utf-8",
    )
    return path


def test_render_writes_every_page(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["render", str(demo_model_path), "-o", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(
        [
            "index.md",
            "cluster.md",
            "components.md",
            "ingress.md",
            "service-load-balancing.md",
            "tenant-isolation.md",
            "observability.md",
            "traffic-flows.md",
            "rules.md",
        ]
    )
    ingress = (out / "ingress.md").read_text(encoding="utf-8")
    # A sequence diagram, after its front matter (layout config).
    assert re.search(r"```mermaid\n(---\n.*?\n---\n)?sequenceDiagram\n", ingress, re.DOTALL)
    assert "wrote 9 page(s)" in capsys.readouterr().err


def test_render_of_a_bad_model_writes_nothing(
    tmp_path: Path, bad_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["render", str(bad_model), "-o", str(out), "--no-check"]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "network.yaml:" in err and "error NA011" in err and "did you mean 'service_cidr'" in err


def test_render_runs_the_network_checks_and_writes_nothing_on_an_error(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "network.yaml"
    text = demo_model_path.read_text(encoding="utf-8")
    model.write_text(
        text.replace("service_cidr: 10.96.0.0/16", "service_cidr: 10.244.128.0/20", 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["render", str(model), "-o", str(out), "--no-check"]) == 1
    assert not out.exists()
    assert "error NA101" in capsys.readouterr().err


def test_render_missing_model_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "out")]) == 2
    assert "no such model file" in capsys.readouterr().err


def test_check_clean_model_exits_zero(
    demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(demo_model_path)]) == 0
    assert "0 problem(s)" in capsys.readouterr().err


def test_check_human_format_shows_the_line_and_a_caret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.md"
    page.write_text(BAD_FENCE, encoding="utf-8")
    assert main(["check", str(page)]) == 1
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith(f"{page.as_posix()}:8:") and ": error MERMAID: " in first
    assert "    B --> (" in out and "^" in out


def test_check_github_format_emits_workflow_commands(
    tmp_path: Path, bad_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.md"
    page.write_text(BAD_FENCE, encoding="utf-8")
    assert main(["check", str(bad_model), str(page), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith("::error file=") and ",line=8," in line and "title=MERMAID::" in line
        for line in lines
    )
    assert any("title=NA011::" in line and "servce_cidr" in line for line in lines)


def test_check_json_format_is_machine_readable(
    bad_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(bad_model), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    unknown = [p for p in problems if p["code"] == "NA011"]
    assert (
        unknown
        and unknown[0]["severity"] == "error"
        and unknown[0]["line"] > 0
        and unknown[0]["column"] > 0
    )
    assert unknown[0]["path"] == "cluster.servce_cidr"


def test_check_defaults_to_the_mkdocs_yml_here(
    tmp_path: Path,
    repo_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copy(repo_root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(repo_root / "docs", tmp_path / "docs")
    (tmp_path / "docs" / "broken.md").write_text(BAD_FENCE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "docs/broken.md:8:" in captured.out
    assert "1 model(s)" in captured.err


def test_check_unknown_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "missing.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_check_with_a_missing_mermaid_js_says_what_to_do(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["check", str(demo_model_path), "--mermaid-js", str(tmp_path / "mermaid.min.js")]) == 2
    )
    assert "leave it out to use the copy of mermaid 12.3.0 shipped" in capsys.readouterr().err


@pytest.mark.browser
def test_check_render_catches_what_only_rendering_finds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "gantt.md"
    page.write_text(
        "# Plan\n\n```mermaid\ngantt\n    dateFormat YYYY-MM-DD\n    section A\n    Task :a1, 2024-13-45, 3d\n```\n",
        encoding="utf-8",
    )
    assert main(["check", str(page), "--render"]) == 1
    out = capsys.readouterr().out
    assert f"{page.as_posix()}:" in out and "MERMAID" in out


def test_check_severity_option_changes_a_rule(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "network.yaml"
    text = demo_model_path.read_text(encoding="utf-8")
    model.write_text(text.replace("peer_asn: 65001", "peer_asn: 64500", 1), encoding="utf-8")
    assert main(["check", str(model), "--format", "json"]) == 1
    assert [p["code"] for p in json.loads(capsys.readouterr().out)] == ["NA130"]
    assert main(["check", str(model), "--severity", "NA130=off"]) == 0
    assert main(["check", str(model), "--severity", "NA130=loud"]) == 2


@pytest.mark.parametrize(
    ("diagrams", "env", "workers"),
    [(15, None, 1), (200, None, None), (15, "2", None)],
)
def test_check_starts_a_second_isolate_only_when_it_pays_off(
    monkeypatch: pytest.MonkeyPatch, diagrams: int, env: str | None, workers: int | None
) -> None:
    made: list[int | None] = []

    class Recorder:
        def __init__(
            self,
            mermaid_js: Path | None,
            *,
            workers: int | None = None,
            cache_dir: Path | None = None,
        ) -> None:
            made.append(workers)

    monkeypatch.setattr(cli, "MermaidValidator", Recorder)
    if env is None:
        monkeypatch.delenv("NETARCH_MERMAID_WORKERS", raising=False)
    else:
        monkeypatch.setenv("NETARCH_MERMAID_WORKERS", env)
    cli._validator(None, diagrams)
    assert made == [workers]


def test_render_mode_still_draws_a_diagram_that_only_has_a_warning() -> None:
    from netarch.validate.engine import MermaidProblem

    warning = MermaidProblem(4, 0, "drawn differently", "MERMAID_MISDRAWN")
    error = MermaidProblem(2, 1, "Parse error", "MERMAID")
    drawn: list[str] = []

    class Parser:
        def __init__(self, problems: list[MermaidProblem]) -> None:
            self.problems = problems

        def check(self, text: str) -> list[MermaidProblem]:
            return self.problems

    class Browser:
        def render(self, text: str) -> list[MermaidProblem]:
            drawn.append(text)
            return []

    assert cli._ParseThenRender(Parser([warning]), Browser()).check("a") == [warning]
    assert cli._ParseThenRender(Parser([error]), Browser()).check("b") == [error]
    assert drawn == ["a"]  # a parse error is not drawn again; a warning is


def test_check_keeps_verdicts_for_the_next_run(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.md"
    page.write_text(BAD_FENCE, encoding="utf-8")
    cache = default_cache_dir()
    assert main(["check", str(demo_model_path), str(page), "--format", "json"]) == 1
    first = capsys.readouterr().out
    [stored] = cache.glob("mermaid-verdicts-*.json")
    kept = json.loads(stored.read_text(encoding="utf-8"))
    assert len(kept) >= 15  # the model's diagrams and the fence
    # The next run answers from the file: the same report, to the column.
    assert main(["check", str(demo_model_path), str(page), "--format", "json"]) == 1
    assert capsys.readouterr().out == first
    assert main(["check", str(demo_model_path), str(page)]) == 1
    assert f"Mermaid parsed 0 diagram(s), {len(kept)} verdict(s) kept" in capsys.readouterr().err


def test_check_no_cache_neither_reads_nor_writes_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.md"
    page.write_text(BAD_FENCE, encoding="utf-8")
    cache = default_cache_dir()
    cache.mkdir(parents=True)
    assert main(["check", str(page), "--no-cache"]) == 1
    assert "B --> (" in capsys.readouterr().out
    assert list(cache.iterdir()) == []


def test_check_with_a_file_that_is_not_mermaid_is_an_environment_error(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "mermaid.min.js"
    fake.write_text("var notMermaid = 1;\n", encoding="utf-8")
    assert main(["check", str(demo_model_path), "--mermaid-js", str(fake)]) == 2
    assert "did not define a global `mermaid`" in capsys.readouterr().err
