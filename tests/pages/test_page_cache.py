"""The rules page does not use the model: it is rendered again only when a template changes."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from netarch.model.network import load_model
from netarch.pages.render import PageRenderer, TemplateProblem
from netarch.views import build_views


def _rules_page(renderer: PageRenderer, demo_model_path: Path) -> str:
    model = load_model(demo_model_path).model
    assert model is not None
    pages = renderer.render(model, build_views(model), "", "network.yaml")
    (rules,) = [page for page in pages if page.src_uri == "rules.md"]
    return rules.markdown


def test_reused_while_the_templates_do_not_change(
    demo_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renderer = PageRenderer()
    first = _rules_page(renderer, demo_model_path)
    rendered: list[str] = []
    real = renderer.environment.get_template

    def spy(name: str, *args: object, **kwargs: object) -> jinja2.Template:
        rendered.append(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(renderer.environment, "get_template", spy)
    assert _rules_page(renderer, demo_model_path) == first
    assert "rules.md.jinja" not in rendered  # reused
    assert "overview.md.jinja" in rendered  # model pages are always rendered


def test_a_changed_template_is_rendered_again(tmp_path: Path, demo_model_path: Path) -> None:
    override = tmp_path / "rules.md.jinja"
    override.write_text(
        '{% extends "_base/rules.md.jinja" %}{% block intro %}First intro.{% endblock %}\n'
    )
    renderer = PageRenderer(tmp_path)
    assert "First intro." in _rules_page(renderer, demo_model_path)
    override.write_text(
        '{% extends "_base/rules.md.jinja" %}{% block intro %}Second intro.{% endblock %}\n'
    )
    stat = override.stat()  # a save within the same clock tick still counts (size differs)
    os.utime(override, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert "Second intro." in _rules_page(renderer, demo_model_path)


def test_the_rules_template_cannot_reach_the_model(tmp_path: Path, demo_model_path: Path) -> None:
    (tmp_path / "rules.md.jinja").write_text("{{ model.site.title }}\n")
    with pytest.raises(TemplateProblem, match="UndefinedError: 'model' is undefined") as raised:
        _rules_page(PageRenderer(tmp_path), demo_model_path)
    location = raised.value.diagnostic.location
    assert (location.file, location.line) == (str(tmp_path / "rules.md.jinja"), 1)
