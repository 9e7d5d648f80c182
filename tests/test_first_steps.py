"""The model guide (docs/guide/model.md), followed as a newcomer follows it: on the site
`netarch init` writes, step by step, with `netarch check` and `mkdocs build --strict` after
each step, and what each step promises is on the built pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "model.md"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("NETARCH_MERMAID")} | {
    "NO_MKDOCS_2_WARNING": "1"
}


def _steps() -> list[tuple[str, dict[str, Any]]]:
    """(heading, the step's YAML block) of each numbered step."""
    text = GUIDE.read_text(encoding="utf-8")
    steps = []
    for section in re.split(r"^## (?=\d+\. )", text, flags=re.M)[1:]:
        heading = section.splitlines()[0]
        block = re.search(r"^```yaml\n(.*?)^```", section, re.M | re.S)
        assert block is not None, f"step {heading!r} has no yaml block"
        steps.append((heading, yaml.safe_load(block.group(1))))
    return steps


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _apply(model: Path, step: dict[str, Any], first: bool) -> None:
    """What the guide says: the first step replaces all below the modeline, the others
    replace (or add) the top-level sections they name."""
    modeline, _, rest = model.read_text(encoding="utf-8").partition("\n")
    assert modeline.startswith("# yaml-language-server: $schema=")
    data = {} if first else yaml.safe_load(rest)
    data.update(step)
    model.write_text(modeline + "\n" + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _nav_titles(site_dir: Path) -> list[str]:
    """The nav's titles, in order, from material's 404 page (no page is active there, so
    no page's table of contents is in the nav); the site's name first."""
    text = (site_dir / "404.html").read_text(encoding="utf-8")
    found = re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', text, re.S)
    return [title for title in (re.sub(r"\s+", " ", t) for t in found) if title]


def test_the_guide_step_by_step_on_the_site_netarch_init_writes(tmp_path: Path) -> None:
    init = _run("netarch.cli", "init", "mysite", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    site = tmp_path / "mysite"
    model = site / "docs" / "network.yaml"
    steps = _steps()
    assert len(steps) == 6
    for number, (heading, block) in enumerate(steps, start=1):
        _apply(model, block, first=number == 1)
        check = _run("netarch.cli", "check", cwd=site)
        assert check.returncode == 0, f"step {heading}:\n{check.stdout}{check.stderr}"
        assert "0 problem(s)" in check.stderr, f"step {heading}: {check.stderr}"
        built = _run("mkdocs", "build", "--strict", cwd=site)
        assert built.returncode == 0, f"step {heading}:\n{built.stderr}"
        section = site / "site" / "architecture"
        pages = sorted(p.parent.name for p in section.glob("*/index.html"))
        if number == 1:  # "three pages ... plus the reference of the checks"
            assert pages == ["cluster", "components", "rules"]
            home = (site / "site" / "index.html").read_text(encoding="utf-8")
            assert "<td>Flannel</td>" in home, "the starter page's netarch-view block"
        if number == 2:  # both families and a node table
            cluster = (section / "cluster" / "index.html").read_text(encoding="utf-8")
            assert "2001:db8:42::/56" in cluster and 'id="nodes"' in cluster
            assert "edge-2" in cluster
        if number == 4:
            assert "load-balancing" in pages
    # The last step: the model's own pages lead, and no page is left empty.
    titles = _nav_titles(site / "site")
    start = titles.index("Overview")
    expected = ["Overview", "How the edge is reached", "The edge at a glance"]
    assert titles[start : start + 3] == expected
    assert "Traffic flow summary" not in titles
    assert not (site / "site" / "architecture" / "traffic-flows").exists()
