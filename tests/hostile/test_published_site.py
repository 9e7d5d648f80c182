"""The published site: every theme's real templates print model text inert, wherever it lands.

Each case runs netarch (or `mkdocs build`) in a child process under the time and memory bounds
of ``bounded.py``. The sites are `netarch init` sites in each supported theme with a hostile
model (``tests/browser/hostile.py``): titles that end ``<title>``, links behind Unicode spaces,
prose written as Mermaid fences and other blocks, a hand-written page embedding views, a
change report, and blocks shown inside longer fences.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from bounded import Run, assert_bounded_output, run_mkdocs, run_netarch
from hostile import (
    BLOCKS,
    FENCE_MARKER,
    TITLE,
    UNICODE_SPACE_LINKS,
    write_hostile_theme_site,
)
from html_audit import EXTENSIONS, browser_safe, live_markup

from netarch.safety import inline_only, is_safe_url, literal, prose, safe_links
from netarch.scaffold import THEMES, init_site

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTER_MODEL = REPO_ROOT / "plugin" / "netarch" / "starter" / "docs" / "network.yaml"
# Every character Python-Markdown strips from a link target (str.strip), and C0 controls.
UNICODE_SPACES = sorted(
    {chr(c) for c in range(0x110000) if chr(c).isspace()} | set(map(chr, range(0x21)))
)


def build(config: Path, site_dir: Path) -> Run:
    """`mkdocs build --strict` of ``config``, bounded like every hostile case."""
    return run_mkdocs(
        "build", "--strict", "-f", config, "-d", site_dir, cwd=config.parent, timeout_s=240
    )


# --- the built site, in every theme -------------------------------------------------------------


_JS_STRINGS = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")


class _PageAudit(HTMLParser):
    """What in a whole theme page would run script or came from the model as markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.titles: list[str] = []
        self.mermaid_blocks: list[str] = []
        self._in: list[str] = []
        self._mermaid_at: int | None = None  # depth of the open Mermaid block

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("img", "svg", "iframe", "object", "embed") and (
            values.get("src") == "x" or any(n.startswith("on") for n in values)
        ):
            self.problems.append(f"<{tag} {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            link = name in ("href", "src", "action", "formaction", "xlink:href")
            if link and not browser_safe(value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in ("pre", "div") and "mermaid" in (values.get("class") or "").split():
            self.mermaid_blocks.append("")
            self._mermaid_at = len(self._in)
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self._in and self._in.pop() != tag:
            pass
        if self._mermaid_at is not None and len(self._in) <= self._mermaid_at:
            self._mermaid_at = None

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "title":
            self.titles.append(data)
        elif where == "script" and "alert(" in _JS_STRINGS.sub('""', data):
            # Outside a string literal (readthedocs puts the title into one, as JSON).
            self.problems.append(f"<script>{data[:60]}")
        if self._mermaid_at is not None:
            self.mermaid_blocks[-1] += data


@pytest.fixture(scope="module", params=THEMES)
def hostile_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    theme = request.param
    project = tmp_path_factory.mktemp(f"hostile-{theme}")
    config = write_hostile_theme_site(project / "site", theme)
    site_dir = project / "built"
    run = build(config, site_dir)
    assert run.returncode == 0, run.output[-3000:]
    return theme, site_dir


def test_no_page_of_any_theme_runs_model_text(hostile_site: tuple[str, Path]) -> None:
    theme, site_dir = hostile_site
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) >= 9, "every generated page, the model's own page and the embedding page"
    found: dict[str, list[str]] = {}
    titles = []
    for page in pages:
        audit = _PageAudit()
        audit.feed(page.read_text(encoding="utf-8"))
        found[page.relative_to(site_dir).as_posix()] = audit.problems
        titles += audit.titles
        # No diagram from model prose: every Mermaid block is one netarch built and checked
        # (where the prose may be a label, never a statement of its own).
        from_prose = re.compile(rf"^\s*{FENCE_MARKER}2? --> [xy]\s*$", re.M)
        assert not [b for b in audit.mermaid_blocks if from_prose.search(b)], page
    assert not any(found.values()), {page: items for page, items in found.items() if items}
    # The hostile titles are there, shown with look-alikes: <title> holds only text.
    shown = TITLE.replace("<", "\uff1c").replace(">", "\uff1e")
    assert any(shown in title for title in titles), theme
    assert not any("<" in title or ">" in title for title in titles)


def test_the_search_index_holds_titles_as_text(hostile_site: tuple[str, Path]) -> None:
    _, site_dir = hostile_site
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = [doc.get("title") or "" for doc in index["docs"]]
    assert any("alert(1)" in title for title in titles), "the hostile titles are indexed"
    # Material's search shows a title as HTML, MkDocs' escapes it: as text, it is inert in both.
    live = [t for t in titles if re.search(r"<\s*/?\s*(?:script|title|svg|img)", t, re.I)]
    assert not live, live


def test_model_prose_shows_blocks_as_text(hostile_site: tuple[str, Path]) -> None:
    _, site_dir = hostile_site
    home = (site_dir / "architecture" / "index.html").read_text(encoding="utf-8")
    assert FENCE_MARKER in home, "the fence written in the introduction is shown"
    assert 'class="admonition danger"' not in home and "<details" not in home


def test_blocks_inside_longer_fences_are_shown_not_expanded(hostile_site: tuple[str, Path]) -> None:
    _, site_dir = hostile_site
    page = (site_dir / "guide" / "embedded" / "index.html").read_text(encoding="utf-8")
    # Both examples are shown as code (their unknown ids would otherwise fail the build) ...
    assert "no-such-view" in page and "no-such-view-either" in page
    assert page.count("```netarch-view") == 2
    # ... and the real block is expanded: the components table, then the change report.
    assert "<table>" in page and "netarch-diff" not in page.replace("no-such", "")


# --- links: one definition of safe, on every path netarch output takes -------------------------


@pytest.mark.parametrize("space", UNICODE_SPACES, ids=lambda c: f"U+{ord(c):04X}")
def test_a_link_behind_any_space_python_markdown_skips_is_defused(space: str) -> None:
    for text in (
        f"[x]({space}javascript:alert(1))",
        f"[x]({space} {space}javascript:alert(1))",
        f"[x](<{space}javascript:alert(1)>)",
        f"![x]({space}javascript:alert(1))",
        f"[a][r]\n\n[r]: {space}javascript:alert(1)",
    ):
        assert not is_safe_url(f"{space}javascript:alert(1)")
        # Decided by the parser the site uses: what Python-Markdown writes, read as a browser.
        assert live_markup(prose(text)) == [], text
        assert live_markup(safe_links(text)) == [], text


def test_render_output_keeps_only_safe_links(tmp_path: Path) -> None:
    model = yaml.safe_load(STARTER_MODEL.read_text(encoding="utf-8"))
    model["site"]["summary"] = UNICODE_SPACE_LINKS
    model["components"][0]["description"] = UNICODE_SPACE_LINKS
    model["pages"] = [{"id": "cluster", "intro": UNICODE_SPACE_LINKS}]
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(model, allow_unicode=True), encoding="utf-8")
    run = run_netarch("render", path, "-o", tmp_path / "out", "--no-cache", cwd=tmp_path)
    assert run.returncode == 0, run.output
    pages = sorted((tmp_path / "out").rglob("*.md"))
    assert pages
    found = {p.name: live_markup(p.read_text(encoding="utf-8")) for p in pages}
    assert not any(found.values()), found
    shown = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "[nbsp](#" in shown or "[nbsp](\u00a0#" in shown or "[nbsp](#\u00a0" in shown


# --- model prose never opens a block ------------------------------------------------------------

# Every block extension installed here, so that none can be opened from model prose.
BLOCK_EXTENSIONS = [
    *EXTENSIONS,
    "def_list",
    "footnotes",
    "abbr",
    "md_in_html",
    "pymdownx.tabbed",
    "pymdownx.blocks.admonition",
    "pymdownx.blocks.details",
    "pymdownx.arithmatex",
]


@pytest.mark.parametrize(
    "text",
    [
        "~~~mermaid\nflowchart LR\n  a --> b\n~~~",
        "```mermaid\nflowchart LR\n  a --> b\n```",
        "````\n```mermaid\nflowchart LR\n```\n````",
        "   ~~~~ {.mermaid}\n   flowchart LR\n   ~~~~",
        "```netarch-view\nnodes\n```",
        '!!! danger "x"\n    text',
        "???+ note\n    text",
        "/// admonition | x\ntext\n///",
        '=== "Tab"\n    text',
        "- a\n- b",
        "* a\n+ b",
        "1. a\n2) b",
        "# heading\n## another",
        "text\n===",
        "text\n---",
        "***",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "a | b\n--|--",
        "    indented code",
        "\u2003\u2003\u2003\u2003indented by Unicode spaces",
        "term\n: definition",
        "[^1]: a footnote",
        "*[HTML]: an abbreviation",
        "$$\nx^2\n$$",
        '--8<-- "secret.txt"',
        "<div>\nraw\n</div>",
        "> a quote",
    ],
)
def test_model_prose_is_paragraphs_only(text: str) -> None:
    for rendered in (prose(text), literal(text), prose(f"intro\n\n{text}\n\nafter")):
        html_out = markdown.markdown(rendered, extensions=BLOCK_EXTENSIONS)
        top = re.findall(r"^<(\w+)", html_out, re.M)
        assert set(top) <= {"p"}, (text, html_out)
        assert "<pre" not in html_out and 'class="mermaid"' not in html_out


def test_block_openers_stay_readable() -> None:
    # An entity for the first character: the reader sees what was written.
    assert inline_only("~~~mermaid\n") == ("&#126;&#126;&#126;", "mermaid\n")
    assert inline_only("12. twelve") == ("12&#46;", " twelve")
    assert prose("*emphasis* and **bold**") == "*emphasis* and **bold**"
    html_out = markdown.markdown(prose(BLOCKS), extensions=EXTENSIONS)
    assert "~~~mermaid" in html_out.replace("&#126;", "~") or "~~~mermaid" in html_out


# --- what `netarch check` says -----------------------------------------------------------------


def test_check_reports_titles_and_blocks_it_changed(tmp_path: Path) -> None:
    model = yaml.safe_load(STARTER_MODEL.read_text(encoding="utf-8"))
    model["pages"] = [{"id": "cluster", "title": TITLE, "intro": "~~~mermaid\nflowchart LR\n~~~"}]
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    run = run_netarch("check", path, "--no-cache", cwd=tmp_path)
    assert run.returncode == 1, run.output
    assert "warning NA176: page title '</title><script>alert(1)</script>' is shown as" in run.output
    assert "warning NA177: the line '~~~mermaid' would open a Markdown block" in run.output
    assert_bounded_output(run)


def _site(tmp_path: Path, page: str) -> Path:
    init_site(tmp_path / "site", "mkdocs")
    (tmp_path / "site" / "docs" / "page.md").write_text(page, encoding="utf-8")
    return tmp_path / "site"


def test_a_megabyte_view_id_is_echoed_bounded(tmp_path: Path) -> None:
    site = _site(tmp_path, "# Page\n\n```netarch-view\n" + "v" * 1_000_000 + "\n```\n")
    run = run_netarch("check", "--no-cache", cwd=site)
    assert run.returncode == 1 and "VIEW_UNKNOWN" in run.output, run.output[-2000:]
    assert_bounded_output(run)
    built = build(site / "mkdocs.yml", tmp_path / "built")
    assert built.returncode == 1 and "unknown view" in built.output
    assert_bounded_output(built, line_chars=4000)  # the message names the known views
    assert "v" * 200 not in built.output


@pytest.mark.parametrize(
    "diagram",
    [
        '%%{init: {"themeCSS": "@import url(https://evil.example/x.css);"}}%%\nflowchart LR\n  a --> b',
        "%%{init: {'themeCSS': '.node rect { fill: url(//evil.example/p) }'}}%%\nflowchart LR\n"
        "  a --> b",
        "---\nconfig:\n  themeCSS: '.node{background:u\\72l(//evil.example/a)}'\n---\nflowchart LR\n"
        "  a --> b",
    ],
    ids=["init @import", "init url()", "front matter CSS escape"],
)
def test_a_diagram_that_loads_outside_css_is_refused(tmp_path: Path, diagram: str) -> None:
    site = _site(tmp_path, f"# Page\n\nText.\n\n```mermaid\n{diagram}\n```\n")
    run = run_netarch("check", "--no-cache", cwd=site)
    assert run.returncode == 1, run.output
    key_line = next(n for n, line in enumerate(diagram.splitlines(), 6) if "themeCSS" in line)
    assert f"docs/page.md:{key_line}:" in run.output and "MERMAID_CSS" in run.output, run.output
    assert_bounded_output(run)
    built = build(site / "mkdocs.yml", tmp_path / "built")
    assert built.returncode == 1 and "MERMAID_CSS" in built.output
    assert not (tmp_path / "built" / "page" / "index.html").exists()


def test_a_diagram_with_its_own_harmless_css_is_kept(tmp_path: Path) -> None:
    diagram = "%%{init: {'themeCSS': '.node rect { fill: #fee }'}}%%\nflowchart LR\n  a --> b"
    site = _site(tmp_path, f"# Page\n\n```mermaid\n{diagram}\n```\n")
    run = run_netarch("check", "--no-cache", cwd=site)
    assert run.returncode == 0, run.output
