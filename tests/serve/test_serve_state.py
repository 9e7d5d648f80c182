"""The live-preview core, without MkDocs: watches, stand-in pages, escaped error HTML."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.pages.render import RenderedPage
from netarch.pipeline import Generation
from netarch.serve_state import (
    PROBLEMS_CLASS,
    LivePreview,
    WatchList,
    WatchTarget,
    crash_diagnostic,
    problems_html,
    template_listing,
    view_problem_html,
    watch_targets,
)


class FakeServer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        self.calls.append((path, recursive))


def _error(
    text: str = "boom", file: str = "net.yaml", line: int = 3, column: int = 5
) -> Diagnostic:
    return Diagnostic(Location(file, line, column), Severity.ERROR, "NA001", text)


def test_watch_targets_resolve_names_and_watch_missing_files_through_their_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "net.yaml").write_text("x: 1\n")
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "a.yaml").write_text("y: 2\n")
    templates = tmp_path / "templates"
    templates.mkdir()
    targets = watch_targets(
        # relative (as the loader lists an unreadable root), absolute, missing, in a missing dir
        ["net.yaml", str(tmp_path / "parts" / "a.yaml"), "parts/typo.yaml", "gone/b.yaml"],
        tmp_path,
        [templates, tmp_path / "no-such-folder"],
    )
    assert targets == {
        WatchTarget(str(tmp_path / "net.yaml")),
        WatchTarget(str(tmp_path / "parts" / "a.yaml")),
        WatchTarget(str(tmp_path / "parts"), recursive=False),
        WatchTarget(str(templates)),
    }


def test_watch_list_waits_for_the_server_and_watches_each_path_once() -> None:
    watches = WatchList()
    first = {WatchTarget("/m/net.yaml"), WatchTarget("/t")}
    assert watches.add(first) == sorted(first)
    server = FakeServer()
    watches.attach(server)
    assert server.calls == [("/m/net.yaml", True), ("/t", True)]
    # A later rebuild reads a new include; a failed one reads fewer files (nothing unwatched).
    assert watches.add({WatchTarget("/m/net.yaml"), WatchTarget("/m/new.yaml")}) == [
        WatchTarget("/m/new.yaml")
    ]
    assert watches.add({WatchTarget("/m/net.yaml")}) == []
    assert server.calls[2:] == [("/m/new.yaml", True)]
    assert len(watches.targets) == 3


def test_preview_stands_in_for_the_last_good_pages_while_broken() -> None:
    preview = LivePreview()
    # Broken from the start: one stand-in at the section's index.
    preview.start()
    preview.record(Generation([_error()], ["net.yaml"]), "architecture", "Network")
    assert preview.broken
    assert preview.error_pages() == {"architecture/index.md": "Network"}
    assert [d.message for d in preview.problems] == ["boom"]

    good = Generation([], ["net.yaml"])
    good.pages = [_page("architecture/index.md", "Overview"), _page("architecture/x.md", "X")]
    preview.start()
    preview.record(good, "architecture", "Network")
    assert not preview.broken and preview.problems == [] and preview.error_pages() == {}
    assert preview.banner() == ""

    # Broken again: every page of the last good generation shows the problems.
    preview.start()
    preview.record(Generation([_error("again")], ["net.yaml"]), "architecture", "Network")
    assert preview.error_pages() == {"architecture/index.md": "Overview", "architecture/x.md": "X"}
    assert "not current" in preview.banner()
    assert "again" in preview.error_page_html()


def test_preview_keeps_errors_once_and_ignores_warnings() -> None:
    preview = LivePreview()
    warning = Diagnostic(Location("a.md", 1, 1), Severity.WARNING, "W", "just a warning")
    preview.add([_error(), _error(), warning])
    assert preview.problems == [_error()]
    assert "not current" not in preview.banner()  # the generated pages are fine


def test_problem_html_escapes_model_text_and_leads_with_the_location() -> None:
    problem = Diagnostic(
        Location("net.yaml", 12, 9),
        Severity.ERROR,
        "NA015",
        "'name' has the wrong format: \"<script>alert('x')</script>\"",
        source_line="  name: <script>alert('x')</script> & more",
    )
    out = problems_html([problem], "title <b>", "note & more")
    assert PROBLEMS_CLASS in out
    assert "<script>" not in out and "<b>" not in out
    assert "net.yaml:12:9: error NA015" in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in out
    assert "&lt;b&gt;" in view_problem_html("<b>") and "<b>" not in view_problem_html("<b>")


def test_problems_are_listed_in_file_order() -> None:
    out = problems_html([_error("second", line=9), _error("first", line=2)], "t", "n")
    assert out.index("first") < out.index("second")


def test_a_template_syntax_error_points_at_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "page.md.jinja").write_text("# ok\n\n{% if %}\n")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        environment.get_template("page.md.jinja")
    problem = crash_diagnostic(caught.value, Location("net.yaml"))
    assert problem.code == "TEMPLATE" and problem.is_error
    assert problem.location == Location(str(tmp_path / "page.md.jinja"), 3)


def test_a_template_runtime_error_points_at_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "page.md.jinja").write_text("# ok\n\n{{ model.missing }}\n")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(tmp_path)), undefined=jinja2.StrictUndefined
    )
    with pytest.raises(jinja2.UndefinedError) as caught:
        environment.get_template("page.md.jinja").render(model={})
    problem = crash_diagnostic(caught.value, Location("net.yaml"))
    assert (problem.code, problem.location.line) == ("TEMPLATE", 3)
    assert problem.location.file.endswith("page.md.jinja")
    assert "missing" in problem.message


def test_other_crashes_point_at_the_model() -> None:
    try:
        raise ValueError("unexpected")
    except ValueError as error:
        problem = crash_diagnostic(error, Location("net.yaml"))
    assert (problem.code, problem.location) == ("INTERNAL", Location("net.yaml"))
    assert "ValueError: unexpected" in problem.message


def test_template_listing_sees_files_come_and_go(tmp_path: Path) -> None:
    before = template_listing([tmp_path, tmp_path / "missing"])
    (tmp_path / "_base").mkdir()
    (tmp_path / "_base" / "page.md.jinja").write_text("x")
    after = template_listing([tmp_path])
    assert before == frozenset() and after == {str(tmp_path / "_base" / "page.md.jinja")}


def _page(src_uri: str, title: str) -> RenderedPage:
    return RenderedPage(src_uri, title, "", ())
