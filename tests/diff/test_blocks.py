"""```netarch-diff blocks: read where they are written, confined to the site, escaped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from diff_sites import EDGE_MODEL, SITE_CONFIG

from netarch.cli import main
from netarch.diagnostics import Diagnostic
from netarch.diff.blocks import (
    diagram_problems,
    expand_blocks,
    read_blocks,
    run_block,
    run_page_blocks,
)
from netarch.validate.engine import MermaidProblem, MermaidValidator, find_mermaid_js


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder: docs/network.yaml (the site's model) and docs/old.yaml (its base)."""
    docs = tmp_path / "site" / "docs"
    docs.mkdir(parents=True)
    (docs / "network.yaml").write_text(EDGE_MODEL, encoding="utf-8")
    (docs / "old.yaml").write_text(EDGE_MODEL.replace("0.25.1", "0.24.0"), encoding="utf-8")
    return tmp_path / "site"


def _read(site: Path, page: str) -> tuple[list[str], list[Diagnostic]]:
    blocks, problems = read_blocks(page, "docs/page.md", site, site / "docs" / "network.yaml")
    return [f"{b.base_label} -> {b.head_label}" for b in blocks], [p for _, p in problems]


def test_a_block_names_two_models_and_head_defaults_to_the_site_model(site: Path) -> None:
    page = (
        "# Changes\n\n```netarch-diff\n# compared when the site is built\n"
        "base: 'docs/old.yaml'\n\nhead: docs/network.yaml\n```\n\n"
        "~~~~ netarch-diff\nbase: docs/old.yaml\n~~~~\n"
    )
    blocks, problems = _read(site, page)
    assert problems == []
    assert blocks == ["docs/old.yaml -> docs/network.yaml"] * 2


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("base: docs/old.yaml\nhaed: docs/network.yaml", "5:1", "unknown key 'haed'"),
        ("base: docs/old.yaml\nbase: docs/old.yaml", "5:1", "'base' is given twice"),
        ("head: docs/network.yaml", "3:1", "no `base:` model file"),
        ("base:", "4:6", "'base' names no model file"),
        ("just text", "4:1", "expected `key: value`"),
        ("  base: docs/missing.yaml", "4:9", "'docs/missing.yaml': no such model file"),
        ("base: ../outside.yaml", "4:7", "is outside the site's folder"),
        ("base: /etc/hosts.yaml", "4:7", "is not relative to the site's folder"),
        ("base: docs/page.md", "4:7", "is not a model file (.yaml or .yml)"),
    ],
)
def test_a_bad_block_is_a_warning_at_its_line_and_column(
    site: Path, body: str, where: str, message: str
) -> None:
    (site.parent / "outside.yaml").write_text(EDGE_MODEL, encoding="utf-8")
    page = f"# Changes\n\n```netarch-diff\n{body}\n```\n"
    blocks, [problem] = _read(site, page)
    assert blocks == []
    assert problem.code == "DIFF_BLOCK" and problem.severity.value == "warning"
    assert problem.format_human().startswith(f"docs/page.md:{where}: warning DIFF_BLOCK:")
    assert message in problem.message


def test_an_unterminated_block_and_a_symbolic_link_out_of_the_site(site: Path) -> None:
    (site.parent / "secret.yaml").write_text(EDGE_MODEL, encoding="utf-8")
    os.symlink(site.parent / "secret.yaml", site / "docs" / "link.yaml")
    _, [problem] = _read(site, "text\n```netarch-diff\nbase: docs/old.yaml\n")
    assert str(problem.location) == "docs/page.md:2:1" and "never closed" in problem.message
    _, [problem] = _read(site, "```netarch-diff\nbase: docs/link.yaml\n```\n")
    assert "outside the site's folder" in problem.message


def test_a_block_shown_inside_a_longer_fence_is_an_example_not_a_block(site: Path) -> None:
    page = "````markdown\n```netarch-diff\nbase: nothing\n```\n````\n"
    assert _read(site, page) == ([], [])
    assert expand_blocks(page, lambda fence: pytest.fail("not a block")) == page


def test_blocks_are_replaced_in_place_keeping_their_indentation() -> None:
    page = "# A\n\n!!! note\n    ```netarch-diff\n    base: docs/a.yaml\n    ```\n\nafter\n"
    expanded = expand_blocks(page, lambda fence: f"## {fence.text}\n\n| a |\n|---|")
    assert (
        expanded == "# A\n\n!!! note\n    ## base: docs/a.yaml\n\n    | a |\n    |---|\n\nafter\n"
    )


def test_the_report_of_a_block_with_a_side_that_does_not_load(site: Path) -> None:
    (site / "docs" / "old.yaml").write_text("netarch: 1\ncluster: {name: [\n", encoding="utf-8")
    [block], _ = read_blocks(
        "x\n```netarch-diff\nhead: docs/network.yaml\nbase: docs/old.yaml\n```\n",
        "docs/page.md",
        site,
        None,
    )
    report = run_block(block, project_dir=site)
    [warning] = report.diagnostics
    assert str(warning.location) == "docs/page.md:4:7"
    assert "the base model docs/old.yaml does not load (1 error(s))" in warning.message
    assert "> **Base (docs/old.yaml) does not load**" in report.markdown
    assert "<!-- netarch-diff -->" not in report.markdown  # a page, not a comment
    assert str(site / "docs" / "network.yaml") in report.files


def test_model_text_in_a_report_stays_text_on_the_page(site: Path) -> None:
    hostile = "<img src=x onerror=alert(1)> *x* {: onclick=alert(2) }"
    head = EDGE_MODEL.replace("name: Flannel", f"name: '{hostile}'").replace(
        "0.25.1", f"'{hostile}'"
    )
    (site / "docs" / "network.yaml").write_text(head, encoding="utf-8")
    page = "# Changes\n\n```netarch-diff\nbase: docs/old.yaml\n```\n"
    found = run_page_blocks(
        page, "docs/page.md", site_dir=site, default_model=site / "docs" / "network.yaml"
    )
    expanded = expand_blocks(page, lambda fence: found.reports[fence.text])
    assert "version" in expanded and "&#123;: onclick" in expanded
    rendered = markdown.markdown(
        expanded, extensions=["tables", "attr_list", "admonition", "pymdownx.superfences"]
    )
    elements = _Elements()
    elements.feed(rendered)
    assert {"table", "code"} <= elements.tags
    assert not elements.tags & {"img", "em"} and elements.attributes <= {"class", "align"}
    assert "&#60;img src=x onerror=alert(1)&#62;" in rendered  # shown as text


class _Elements(HTMLParser):
    """The tags and attribute names of an HTML text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


@pytest.fixture(scope="module")
def mermaid() -> Iterator[MermaidValidator]:
    with MermaidValidator(find_mermaid_js(), workers=1) as validator:
        yield validator


def test_the_change_diagram_is_checked_by_mermaid_and_a_rejection_is_at_the_block(
    site: Path, mermaid: MermaidValidator
) -> None:
    page = "# Changes\n\n  ```netarch-diff\n  base: docs/old.yaml\n  ```\n"
    [block], _ = read_blocks(page, "docs/page.md", site, site / "docs" / "network.yaml")
    report = run_block(block, project_dir=site)
    checked: list[str] = []

    def real(text: str) -> list[MermaidProblem]:
        checked.append(text)
        return mermaid.check(text)

    assert diagram_problems(block.fence, report.markdown, real) == []
    # After the front matter that keeps Mermaid's own wrapping out of the labels.
    assert len(checked) == 1 and "\nflowchart LR\n" in checked[0]
    assert f"```mermaid\n{checked[0].rstrip()}\n```" in report.markdown

    def rejecting(text: str) -> list[MermaidProblem]:
        return [MermaidProblem(2, 5, "Parse error", code="MERMAID")]

    [problem] = diagram_problems(block.fence, report.markdown, rejecting)
    assert str(problem.location) == "docs/page.md:3:3" and problem.is_error
    second = checked[0].splitlines()[1].strip()
    assert f"Mermaid rejects line 2 `{second}` of the change diagram: Parse error" in (
        problem.message
    )


@pytest.mark.parametrize(
    ("base", "code", "reported", "parsed"),
    [
        # The model of the site draws no diagram: the one parsed is the report's.
        ("docs/old.yaml", 0, "", 1),
        ("docs/gone.yaml", 1, "docs/page.md:4:7: warning DIFF_BLOCK: netarch-diff block:", 0),
    ],
)
def test_netarch_check_makes_the_blocks_as_the_build_does(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    base: str,
    code: int,
    reported: str,
    parsed: int,
) -> None:
    (site / "mkdocs.yml").write_text(SITE_CONFIG, encoding="utf-8")
    page = f"# Changes\n\n```netarch-diff\nbase: {base}\n```\n"
    (site / "docs" / "page.md").write_text(page, encoding="utf-8")
    monkeypatch.chdir(site)
    assert main(["check", "--no-cache"]) == code
    out, err = capsys.readouterr()
    assert reported in out and f"Mermaid parsed {parsed} diagram(s)" in err
    if code:
        assert "'docs/gone.yaml': no such model file" in out
