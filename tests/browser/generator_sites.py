"""Sites of other generators, made as their users make them: a Hugo site with a minimal
Docsy-like layout, and a Zensical site following docs/guide/zensical.md. Both are built with
the real tool (from the PyPI wheels of the test extra) and visited in Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from audit import CHROMIUM_ARGS, open_browser
from playwright.async_api import Browser
from sites import BlockingProxy, from_the_site

# A shortcode Hugo would run (and fail on: there is none by that name), a quote and a closing
# mark that would end a shortcode parameter or the shortcode, a backslash, HTML, a code span.
HOSTILE = 'Odd "quoted" %}} {{< nope >}} {{% nope %}} \\ <b>bold</b> `{{< nope >}}` end'
HOSTILE_TITLE = f"Cluster {HOSTILE}"
BUILD_TIMEOUT_S = 300
WORD_JOINER = "\u2060"


def tool(name: str) -> Path | None:
    """A console script of the test extra (hugo, zensical), next to this Python."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    return Path(found) if found else None


def write_hostile_model(demo_model: Path, folder: Path) -> Path:
    model = yaml.safe_load(demo_model.read_text(encoding="utf-8"))
    model["pages"] = [{"id": "cluster", "title": HOSTILE_TITLE, "intro": HOSTILE}]
    model["cluster"]["notes"][0].update(title=HOSTILE, text=f"{HOSTILE} and more")
    model["examples"][0]["content"] = {"template": "{{< nope >}} {{% nope %}}"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "network.yaml"
    path.write_text(yaml.safe_dump(model, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NETARCH_MERMAID_JS"}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )


def netarch(*args: str | Path) -> list[str | Path]:
    return [sys.executable, "-m", "netarch.cli", *args]


# -- Hugo ----------------------------------------------------------------------------------

# What a Docsy site has, reduced to what netarch's pages meet: Docsy's own code-block render
# hook for mermaid (into pre.mermaid) and alert shortcode (title printed as raw HTML), a
# section list, the description as the lead (markdownified, as Docsy does), and raw HTML
# allowed in Markdown (Docsy's sites set `unsafe`). The pinned Mermaid is served from static/.
HUGO_CONFIG = """\
baseURL = "http://127.0.0.1/"
title = "Hugo netarch"
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
[markup.goldmark.renderer]
unsafe = true
[params.mermaid]
version = "{version}"
"""
HUGO_LAYOUTS = {
    "_markup/render-codeblock-mermaid.html": """\
{{ .Page.Store.Set "hasmermaid" true -}}
<pre class="mermaid">
  {{- .Inner }}
</pre>
""",
    "_shortcodes/alert.html": """\
{{ $color := .Get "color" | default "primary" -}}
<div class="alert alert-{{ $color }}" role="alert">
{{- with .Get "title" -}}
  <div class="h4 alert-heading" role="heading">
    {{- . | safeHTML -}}
  </div>
{{- end }}

{{ .Inner -}}
</div>
""",
    "baseof.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{{ .Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}</head>
<body>
<nav>{{ range .Site.Home.Sections }}{{ range .Sections }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}{{ end }}</nav>
<main><h1>{{ .Title }}</h1>
{{ with .Description }}<div class="lead">{{ . | markdownify }}</div>{{ end }}
{{ block "main" . }}{{ end }}</main>
{{ if .Store.Get "hasmermaid" }}<script src="{{ "js/mermaid.min.js" | relURL }}"></script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });</script>{{ end }}
</body></html>
""",
    "home.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
    "section.html": """\
{{ define "main" }}{{ .Content }}
<ul class="section-index">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ end }}
""",
    "page.html": '{{ define "main" }}{{ .Content }}{{ end }}\n',
}


def write_hugo_site(folder: Path, mermaid_version: str) -> Path:
    for name, text in HUGO_LAYOUTS.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "hugo.toml").write_text(HUGO_CONFIG.format(version=mermaid_version), "utf-8")
    docs = folder / "content" / "docs"
    docs.mkdir(parents=True)
    (folder / "content" / "_index.md").write_text("---\ntitle: Home\n---\nWelcome.\n", "utf-8")
    (docs / "_index.md").write_text("---\ntitle: Docs\nweight: 1\n---\nThe docs.\n", "utf-8")
    return folder


# -- the browser ---------------------------------------------------------------------------

# Each pre.mermaid / div.mermaid: drawn (an SVG with a size), or Mermaid's error diagram.
_DIAGRAMS = """() => [...document.querySelectorAll('.mermaid')].map((host) => {
  const svg = host.shadowRoot ? host.shadowRoot.querySelector('svg') : host.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : null;
  return {drawn: !!box && box.width > 0 && box.height > 0,
          text: (svg ? svg.textContent : host.textContent).slice(0, 200)};
})"""
# Mermaid's "bomb": the diagram it draws instead of one it cannot parse.
ERROR_TEXTS = ("Syntax error", "Parse error", "Maximum text size")


@dataclass
class PageSeen:
    url: str
    title: str = ""
    diagrams: int = 0
    drawn: int = 0
    text: str = ""
    problems: list[str] = field(default_factory=list)


def visit_pages(urls: list[str], expected: dict[str, int], proxy: BlockingProxy) -> list[PageSeen]:
    """Open each page in Chromium (everything but 127.0.0.1 refused) and say what it shows;
    ``expected``: the number of diagrams each page's HTML holds."""

    async def visit(browser: Browser) -> list[PageSeen]:
        context = await browser.new_context()
        page = await context.new_page()
        seen: list[PageSeen] = []
        current: list[PageSeen] = []
        page.on("pageerror", lambda error: current[-1].problems.append(f"page error {error}"))
        page.on(
            "console",
            lambda message: (
                current[-1].problems.append(f"console {message.text}")
                if message.type == "error"
                else None
            ),
        )
        for url in urls:
            found = PageSeen(url)
            current.append(found)
            refused = len(proxy.refused)
            await page.goto(url, wait_until="load")
            wanted = expected[url]
            if wanted:
                await page.wait_for_function(
                    f"() => ({_DIAGRAMS})().filter((d) => d.drawn).length >= {wanted}",
                    timeout=30_000,
                )
            diagrams = await page.evaluate(_DIAGRAMS)
            found.title = await page.title()
            found.diagrams = len(diagrams)
            found.drawn = sum(1 for d in diagrams if d["drawn"])
            found.text = await page.evaluate("() => document.body.innerText")
            found.problems += [
                f"shows {error!r}"
                for error in ERROR_TEXTS
                if error in found.text or any(error in d["text"] for d in diagrams)
            ]
            found.problems += [f"refused {r}" for r in from_the_site(proxy.refused[refused:])]
            seen.append(found)
        await context.close()
        return seen

    async def main() -> list[PageSeen]:
        async with open_browser([*CHROMIUM_ARGS, f"--proxy-server={proxy.url}"]) as browser:
            return await visit(browser)

    return asyncio.run(main())


# -- Zensical ------------------------------------------------------------------------------

# docs/guide/zensical.md's recipe, in both of the configuration files Zensical reads.
ZENSICAL_MKDOCS_YML = """\
site_name: Zensical and netarch
theme:
  name: material
  font: false
extra_javascript:
  - javascripts/mermaid.min.js
markdown_extensions:
  - admonition
  - tables
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - netarch.markdown:
      model: network.yaml
"""
ZENSICAL_TOML = """\
[project]
site_name = "Zensical and netarch"
extra_javascript = ["javascripts/mermaid.min.js"]

[project.theme]
font = false

[project.markdown_extensions.admonition]
[project.markdown_extensions.tables]
[project.markdown_extensions.pymdownx.superfences]
custom_fences = [
  { name = "mermaid", class = "mermaid", format = "pymdownx.superfences.fence_code_format" },
]
[project.markdown_extensions."netarch.markdown"]
model = "network.yaml"
"""
ZENSICAL_CONFIGS = {"mkdocs.yml": ZENSICAL_MKDOCS_YML, "zensical.toml": ZENSICAL_TOML}
# A hand-written page with a view block and a change report, as the recipe shows.
ZENSICAL_HOME = """\
# Our network

How traffic reaches a Service from outside:

```netarch-view
flow-external-access
```

## Since the last release

```netarch-diff
base: network-previous.yaml
```
"""


def write_zensical_site(folder: Path, config_name: str, demo_model: Path) -> Path:
    (folder / "docs").mkdir(parents=True)
    (folder / config_name).write_text(ZENSICAL_CONFIGS[config_name], encoding="utf-8")
    model = folder / "network.yaml"
    shutil.copy(demo_model, model)
    previous = model.read_text(encoding="utf-8").replace(
        "name: External clients", "name: Clients outside", 1
    )
    (folder / "network-previous.yaml").write_text(previous, encoding="utf-8")
    (folder / "docs" / "index.md").write_text(ZENSICAL_HOME, encoding="utf-8")
    return folder
