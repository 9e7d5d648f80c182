"""The model guide (docs/guide/model.md) is true: after each of its steps the model it has
built passes every check and renders, and the findings it promises do appear."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from netarch.checks import run_checks
from netarch.pipeline import Generation, generate

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "model.md"


def _steps() -> list[dict[str, Any]]:
    blocks = re.findall(r"^```yaml\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.M | re.S)
    return [yaml.safe_load(block) for block in blocks]


def _generate(tmp_path: Path, data: dict[str, Any]) -> Generation:
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return generate(path, display_path="network.yaml", model_checks=[run_checks])


def _built(upto: int) -> dict[str, Any]:
    model: dict[str, Any] = {}
    for step in _steps()[: upto + 1]:
        model.update(step)  # a block replaces the top-level sections it names
    return model


@pytest.mark.parametrize("step", range(len(_steps())))
def test_each_step_passes_every_check(tmp_path: Path, step: int) -> None:
    result = _generate(tmp_path, _built(step))
    assert [d.headline() for d in result.diagnostics] == []
    assert result.pages


def test_the_last_step_has_the_pages_the_guide_names(tmp_path: Path) -> None:
    result = _generate(tmp_path, _built(len(_steps()) - 1))
    titles = [page.title for page in result.pages]
    assert titles[:3] == ["Overview", "How the edge is reached", "The edge at a glance"]
    assert "Components" in titles and titles[-1] == "Model checks"


def test_the_findings_the_guide_promises(tmp_path: Path) -> None:
    model = _built(len(_steps()) - 1)
    model["load_balancing"]["services"][1]["port"] = 443
    assert {d.code for d in _generate(tmp_path, model).diagnostics} == {"NA381"}
    model = _built(len(_steps()) - 1)
    model["policies"]["enforced_by"] = "flannel"
    assert {d.code for d in _generate(tmp_path, model).diagnostics} == {"NA371"}
    model = _built(len(_steps()) - 1)
    model["cluster"]["overlay"]["udp_port"] = 4789
    assert {d.code for d in _generate(tmp_path, model).diagnostics} == {"NA153"}
