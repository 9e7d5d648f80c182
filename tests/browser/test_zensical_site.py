"""docs/guide/zensical.md's recipe, followed as a user would: `netarch render` into the docs,
the `netarch.markdown` extension for the hand-written pages, the checked Mermaid as an extra
script; built by the real `zensical` (the PyPI wheel) from mkdocs.yml and from zensical.toml,
then every page opened in Chromium offline: every diagram drawn, no syntax-error bomb."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit import CHROMIUM
from generator_sites import netarch, run, tool, write_zensical_site
from sites import BlockingProxy, SiteServer
from themes import diagram_problems

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("config", ["mkdocs.yml", "zensical.toml"])
def test_the_zensical_recipe_builds_and_every_diagram_draws(
    config: str,
    tmp_path: Path,
    demo_model_path: Path,
    site_server: SiteServer,
    blocking_proxy: BlockingProxy,
) -> None:
    zensical = tool("zensical")
    if zensical is None:
        pytest.skip("the zensical wheel is not installed: pip install -e '.[test]'")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    project = write_zensical_site(tmp_path / "project", config, demo_model_path)
    for step in (
        netarch("render", "network.yaml", "-o", "docs/architecture"),
        netarch("mermaid", "--write", "docs/javascripts/mermaid.min.js"),
    ):
        done = run(step, project)
        assert done.returncode == 0, done.stderr
    site_dir = site_server.root / f"zensical-{config}"
    built = run([zensical, "build", "--clean", "--strict", "-f", config], project)
    assert built.returncode == 0, built.stdout + built.stderr
    (project / "site").rename(site_dir)

    pages = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    assert [p for p in pages if p.startswith("architecture")] == [
        "architecture",
        *(
            f"architecture/{name}"
            for name in (
                "cluster",
                "components",
                "ingress",
                "observability",
                "rules",
                "service-load-balancing",
                "tenant-isolation",
                "traffic-flows",
            )
        ),
    ]
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "netarch-view" not in home and "netarch-diff" not in home  # both blocks made
    assert "Clients outside" in home and home.count('<pre class="mermaid">') >= 2
    # The models stay out of the site, and so does render's list of the pages it wrote.
    assert not list(site_dir.rglob("*.yaml")) and not list(site_dir.rglob(".netarch-pages"))

    problems = diagram_problems(site_dir, f"{site_server.url}/zensical-{config}/", blocking_proxy)
    assert len(problems) >= 10, f"every page visited: {sorted(problems)}"
    failing = {page: found for page, found in problems.items() if found}
    assert not failing, "\n".join(f"{page}: {'; '.join(found)}" for page, found in failing.items())


def test_zensical_stops_on_a_block_the_model_cannot_make(
    tmp_path: Path, demo_model_path: Path
) -> None:
    zensical = tool("zensical")
    if zensical is None:
        pytest.skip("the zensical wheel is not installed: pip install -e '.[test]'")
    project = write_zensical_site(tmp_path / "project", "mkdocs.yml", demo_model_path)
    typo = "---\ntitle: Typo\n---\n\n# Typo\n\n```netarch-view\nflow-externl\n```\n"
    (project / "docs" / "typo.md").write_text(typo)
    built = run([zensical, "build", "--clean", "-f", "mkdocs.yml"], project)
    assert built.returncode != 0
    # At the block's line in the file, front matter counted.
    assert "docs/typo.md:7:1: error VIEW_UNKNOWN: unknown view 'flow-externl'" in built.stderr
