"""Model text cannot become live HTML or a script link on the site, whatever the template does.

Every page is rendered from a model with a hostile payload in every free-text field of the
schema (walked, not picked by hand), turned into HTML with the site's Markdown extensions and
searched for elements, event handlers and link targets that netarch does not write itself.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from hostile import hostile_everywhere
from html_audit import live_markup
from hypothesis import given, settings
from hypothesis import strategies as st

from netarch.model.network import SCHEMA_PATH
from netarch.pages.render import PageRenderer
from netarch.pipeline import generate
from netarch.safety import (
    code_span,
    defuse_html_links,
    excerpt,
    is_safe_url,
    literal,
    prose,
    safe_links,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _hostile_project(tmp_path: Path) -> tuple[Path, set[str]]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    model = yaml.safe_load((REPO_ROOT / "docs" / "network.yaml").read_text(encoding="utf-8"))
    model, fields = hostile_everywhere(model, schema)
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, fields


def test_every_page_of_a_model_hostile_in_every_text_field_is_inert(tmp_path: Path) -> None:
    path, fields = _hostile_project(tmp_path)
    assert len(fields) > 80, "the schema walk reaches every free-text field of the demo model"
    result = generate(path)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert {page.src_uri for page in result.pages} >= {"index.md", "cluster.md", "rules.md"}
    found = {page.src_uri: live_markup(page.markdown) for page in result.pages}
    assert not any(found.values()), found
    shown = "\n".join(page.markdown for page in result.pages)
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown  # shown as text, not dropped


def test_a_template_printing_raw_model_text_prints_it_escaped(tmp_path: Path) -> None:
    path, _ = _hostile_project(tmp_path)
    custom = tmp_path / "templates"
    custom.mkdir()
    # No `md`, no filter at all: what a careless custom template would write.
    (custom / "overview.md.jinja").write_text(
        "# {{ page.title }}\n\n{{ model.site.summary }}\n\n"
        "{% for c in model.components %}- {{ c.name }} {{ c.description }}\n{% endfor %}\n"
        "[docs]({{ model.observability.docs }})\n"
        "[raw](javascript:alert(1)) [nested](javascript:alert((1)))\n",
        encoding="utf-8",
    )
    model = yaml.safe_load(path.read_text(encoding="utf-8"))
    model["observability"]["docs"] = "javascript:alert(1)"
    model["site"]["summary"] = "<script>alert(1)</script> {: onclick=alert(1) }"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    result = generate(path, renderer=PageRenderer(custom))
    assert result.ok, [str(d) for d in result.diagnostics]
    overview = next(page for page in result.pages if page.src_uri == "index.md")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in overview.markdown
    assert live_markup(overview.markdown) == []


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](javascript:alert((1)))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( <javascript:alert(1)> )",
        "[x](\njavascript:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](javascript\\:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![i](javascript:alert(1))",
        "[a][r]\n\n[r]: javascript:alert(1)",
        "[a][r]\n\n[r]:\n    javascript:alert(1)",
        "[a]\n\n[a]: <javascript:alert(1)>",
        '[a][r]\n\n[r]: javascript:alert(1) "title"',
        "[x](file:///etc/passwd)",
        "[x](\u2003javascript:alert(1))",
        "[x](\u00a0\u3000 \u0085javascript:alert(1))",
        "[x](\x01 \x02javascript:alert(1))",
    ],
)
def test_unsafe_link_targets_are_defused(text: str) -> None:
    assert live_markup(prose(text)) == []
    assert live_markup(safe_links(text)) == []  # also when a template wrote the link


@pytest.mark.parametrize(
    "target",
    [
        "https://example.com/a(b)",
        "http://example.com",
        "mailto:ops@example.com",
        "../cluster.md#pods",
        "#top",
        "page.md",
        "//example.com/x",
    ],
)
def test_safe_link_targets_are_kept(target: str) -> None:
    assert is_safe_url(target)
    assert safe_links(f"[x]({target})") == f"[x]({target})"


@pytest.mark.parametrize(
    "text",
    [
        "```x```\n[x](javascript:alert(1))\n",  # not a fence: backticks in the info string
        "    ```\n[x](javascript:alert(1))\n",  # an indented code line, not a fence
        "```\n[x](javascript:alert(1))\n```\n",  # a real fence: "#" in shown code is harmless
    ],
)
def test_lines_that_look_like_fences_do_not_shield_links(text: str) -> None:
    assert "](#javascript:" in safe_links(text)
    assert live_markup(safe_links(text)) == []
    assert live_markup(prose(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "``a` <img src=x onerror=alert(1)> `x`",  # Python-Markdown backtracks to a 1-tick span
        "`a\n\n<img src=x onerror=alert(1)>\n\n`",  # a span across a paragraph break
        "\\`<img src=x onerror=alert(1)>`",  # an escaped backtick opens nothing
        "```\n<img src=x onerror=alert(1)>\n```",
        "x {: onclick=alert(1) }",
        "[x](https://a.b){: onclick=alert(1) }",
        "<!-- --><img src=x onerror=alert(1)>",
        "&lt;script&gt; <scr<script>ipt>alert(1)</script>",
    ],
)
def test_code_spans_and_attribute_lists_cannot_smuggle_html(text: str) -> None:
    assert live_markup(prose(text)) == []
    assert live_markup(f"## {prose(text)}") == []
    assert live_markup(f"| a |\n|---|\n| {prose(text)} |") == []


def test_code_spans_stay_code() -> None:
    assert prose("use `<b>` and ``a`b``") == "use `<b>` and ``a`b``"
    assert code_span("x`<img src=x onerror=alert(1)>") == literal("x`<img src=x onerror=alert(1)>")
    assert live_markup(code_span("x`<img src=x onerror=alert(1)>")) == []


def test_scanning_a_text_of_backticks_is_linear() -> None:
    # A backreferencing regex took 135 s on 24 KB of backticks.
    for text in ("`" * 24_000, "` " * 24_000, "`a" * 24_000, "a `` b ` " * 3000):
        started = time.perf_counter()
        prose(text)
        assert time.perf_counter() - started < 1.0


def test_excerpts_are_one_bounded_line() -> None:
    quoted = excerpt("SECRET=1\x00\x1b[31m\n" + "x" * 50_000_000)
    assert len(quoted) <= 200
    assert "\n" not in quoted and "\x1b" not in quoted and "\x00" not in quoted


_TOKENS = st.sampled_from(
    [
        "<img src=x onerror=alert(1)>",
        "<script>",
        "</script>",
        "<",
        ">",
        "&",
        "&#58;",
        "&#x6A;",
        "`",
        "``",
        "```",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "]:",
        "javascript:",
        "data:",
        "alert(1)",
        "{:",
        "{",
        "}",
        "onclick=alert(1)",
        " ",
        "\n",
        "\n\n",
        "\t",
        "    ",
        # Spaces Python-Markdown strips from a link target, and controls a browser strips.
        "\u2003",
        "\u00a0",
        "\u3000",
        "\u0085",
        "\x01",
        "~~~",
        "!!! note",
        "???",
        "|",
        "!",
        "*",
        "_",
        "#",
        "-",
        ":",
        "x",
    ]
)


@settings(max_examples=400, deadline=1000)
@given(st.lists(_TOKENS | st.text(max_size=5), max_size=40).map("".join))
def test_fuzzed_model_text_never_becomes_live_markup(text: str) -> None:
    rendered = prose(text)
    assert live_markup(rendered) == []
    title = prose(text.replace('"', "'"))
    indented = rendered.replace("\n", "\n    ")
    assert live_markup(f'!!! note "{title}"\n\n    {indented}\n') == []
    assert live_markup(literal(text)) == []


def test_the_html_of_a_generated_page_keeps_only_safe_links() -> None:
    html = (
        '<a href="javascript:alert(1)">x</a> <a href="java&#x09;script:alert(1)">t</a> '
        '<img alt="i" src="data:text/html,x" /> <a href="https://a.b/?x=1&amp;y=2">ok</a> '
        '<a href="../cluster.md#pods">rel</a> <a href="mailto:ops@example.com">mail</a>'
    )
    assert defuse_html_links(html) == (
        '<a href="#">x</a> <a href="#">t</a> <img alt="i" src="#" /> '
        '<a href="https://a.b/?x=1&amp;y=2">ok</a> <a href="../cluster.md#pods">rel</a> '
        '<a href="mailto:ops@example.com">mail</a>'
    )
