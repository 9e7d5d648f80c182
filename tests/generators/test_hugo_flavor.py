"""`netarch render --flavor hugo`: a section Hugo builds as it is, with every model text
escaped for the context Hugo puts it in (front matter, shortcode parameters, page content)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netarch.cli import main
from netarch.pages.hugo import (
    WORD_JOINER,
    HugoSectionError,
    hugo_section,
    neutralize_shortcodes,
    shortcode_parameter,
    yaml_string,
)
from netarch.pages.render import RenderedPage
from netarch.safety import plain_title

# The shortcodes netarch writes itself; any other `{{<` or `{{%` would be run by Hugo.
OWN_SHORTCODE = re.compile(
    r'\{\{% alert title="[^"%{}\\]*" color="[a-z]+" %\}\}|\{\{% /alert %\}\}'
    r'|\{\{< relref "[a-z0-9_-]+\.md(?:#[A-Za-z0-9_-]*)?" >\}\}'
)
HOSTILE = 'Odd "quoted" %}} {{< nope >}} {{% nope %}} \\ <b>bold</b> `{{< nope >}}` end'


def _front_matter(text: str) -> tuple[dict[str, object], str]:
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def _rendered(tmp_path: Path, model: Path, *extra: str) -> dict[str, str]:
    out = tmp_path / "section"
    assert main(["render", str(model), "-o", str(out), "--flavor", "hugo", *extra]) == 0
    return {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.suffix == ".md"}


def test_demo_becomes_a_section_hugo_publishes_whole(tmp_path: Path, demo_model_path: Path) -> None:
    mkdocs = tmp_path / "mkdocs"
    assert main(["render", str(demo_model_path), "-o", str(mkdocs)]) == 0
    pages = _rendered(tmp_path, demo_model_path, "--weight", "40", "--section", "Our network")
    # _index.md: a section; an index.md would make a leaf bundle that hides the other eight.
    assert "_index.md" in pages and "index.md" not in pages and len(pages) == 9
    weights = []
    for name, text in pages.items():
        front, body = _front_matter(text)
        original = (mkdocs / ("index.md" if name == "_index.md" else name)).read_text()
        # The section's page bears the section's title, as the nav names the section by it.
        title = "Our network" if name == "_index.md" else original.split("\n")[0][2:]
        assert front["title"] == front["linkTitle"] == title
        weights.append((front["weight"], name))
        # The theme prints the title: no second H1, and no MkDocs admonition left.
        assert not re.search(r"^# ", body, re.MULTILINE), name
        assert "!!!" not in body
        assert body.count("{{% alert ") == original.count("!!! ") == body.count("{{% /alert %}}")
        assert body.count("```mermaid") == original.count("```mermaid")
        for shortcode in re.findall(r"\{\{[<%].*?[>%]\}\}", body):
            assert OWN_SHORTCODE.fullmatch(shortcode), shortcode
        for target in re.findall(r'relref "([^"#]+)', body):
            assert target in pages, f"{name} links to {target}, which is not in the section"
    assert sorted(weights)[0] == (40, "_index.md")
    assert [w for w, _ in sorted(weights)] == list(range(40, 49))
    overview = _front_matter(pages["_index.md"])
    assert overview[0]["no_list"] is True  # it lists the pages itself: Docsy need not
    assert "no_list" not in _front_matter(pages["cluster.md"])[0]
    # The opening paragraph is the description (Docsy prints it as the lead), not repeated.
    assert overview[0]["description"].startswith("Cozystack layers four networking components")
    assert not overview[1].lstrip().startswith("Cozystack layers")


def test_hostile_model_text_stays_text_in_every_hugo_context(
    tmp_path: Path, demo_model_path: Path
) -> None:
    model = yaml.safe_load(demo_model_path.read_text(encoding="utf-8"))
    model["pages"] = [{"id": "cluster", "title": f"Cluster {HOSTILE}", "intro": HOSTILE}]
    model["cluster"]["notes"][0].update(title=HOSTILE, text=f"{HOSTILE} and more")
    model["examples"][0]["content"] = {"template": "{{< nope >}} {{% nope %}}"}
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    pages = _rendered(tmp_path, path)
    front, body = _front_matter(pages["cluster.md"])
    # The title as the page plan gives it to every site generator (HTML's characters as their
    # look-alikes, see netarch.safety.plain_title), whatever else it holds (a word joiner,
    # invisible, breaks each `{{<`).
    assert str(front["title"]).replace(WORD_JOINER, "") == plain_title(f"Cluster {HOSTILE}")
    for text in pages.values():
        for shortcode in re.findall(r"\{\{[<%].*?[>%]\}\}", text, re.DOTALL):
            assert OWN_SHORTCODE.fullmatch(shortcode), shortcode
    assert f"{{{{{WORD_JOINER}< nope >}}}}" in pages["tenant-isolation.md"]  # the example
    alert = re.search(r'\{\{% alert title="([^"]*)"', body)
    assert alert is not None
    # Docsy prints the title as raw HTML: only character references, no markup.
    assert "<" not in alert.group(1) and "&lt;b&gt;" in alert.group(1)


def test_front_matter_strings_round_trip_through_yaml() -> None:
    odd = ["a\nb\tc\x00\x1b\x7f\x85", "line\u2028sep\ufeff", "\ufffe\uffff", '"\\', "ü 😀 ü", ""]
    for text in [HOSTILE, *odd]:
        assert yaml.safe_load(f"key: {yaml_string(text)}")["key"] == text
        assert "\n" not in yaml_string(text)


def test_a_shortcode_parameter_cannot_end_itself_or_the_shortcode() -> None:
    value = shortcode_parameter('Say "hi" %}} {{< x >}} \\ &amp; <i>')
    inner = value[1:-1]
    assert value[0] == value[-1] == '"'
    assert not set(inner) & set('"%{}\\<>')
    assert inner == (
        "Say &quot;hi&quot; &#37;&#125;&#125; &#123;&#123;&lt; x &gt;&#125;&#125; &#92; &amp; &lt;i&gt;"
    )


def test_every_shortcode_start_is_broken_but_reads_the_same() -> None:
    text = "{{< a >}} {{% b %}} {{ c }} {{{< d"
    neutral = neutralize_shortcodes(text)
    assert "{{<" not in neutral and "{{%" not in neutral
    assert neutral.replace(WORD_JOINER, "") == text
    assert "{{ c }}" in neutral  # not a shortcode: left alone


def test_a_page_named_index_is_refused() -> None:
    pages = [
        RenderedPage("index.md", "Overview", "# Overview\n", (), name="overview"),
        RenderedPage("index.md", "Index", "# Index\n", (), name="index"),
    ]
    with pytest.raises(HugoSectionError, match="leaf bundle"):
        hugo_section(pages)


def test_an_index_md_in_the_output_folder_is_refused(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "section"
    assert main(["render", str(demo_model_path), "-o", str(out)]) == 0  # MkDocs pages first
    capsys.readouterr()
    assert main(["render", str(demo_model_path), "-o", str(out), "--flavor", "hugo"]) == 2
    error = capsys.readouterr().err
    assert "index.md makes this folder a leaf bundle" in error
    assert not (out / "_index.md").exists()  # nothing written


def test_hugo_options_without_the_hugo_flavor_are_refused(
    tmp_path: Path, demo_model_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "section"
    assert main(["render", str(demo_model_path), "-o", str(out), "--weight", "3"]) == 2
    assert "--weight: only for --flavor hugo" in capsys.readouterr().err
    assert not out.exists()


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8")))
def test_any_text_survives_front_matter_and_parameters(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_string(text)}")["key"] == text
    parameter = shortcode_parameter(text)[1:-1]
    assert not set(parameter) & set('"%{}\\<>\n')
    neutral = neutralize_shortcodes(text)
    assert "{{<" not in neutral and "{{%" not in neutral
    assert neutral.replace(WORD_JOINER, "") == text.replace(WORD_JOINER, "")
