"""Serve the pinned Mermaid with the site, so diagrams render offline and as checked.

mkdocs-material loads ``mermaid@11`` from a CDN unless a global ``mermaid`` already exists.
Shipping the very ``mermaid.min.js`` the checker parsed with, as a plain script, makes the
reader's browser draw with the validated version and makes the site work without Internet
access (air-gapped clusters are where network docs are read).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from netarch.site_setup import installed_material, theme_draws_diagrams

# Under the theme's own assets folder, in a netarch folder so it never collides with them.
MERMAID_URI = "assets/javascripts/netarch/mermaid.min.js"
DEFAULTS_URI = "assets/javascripts/netarch/mermaid-defaults.js"
DRAW_URI = "assets/javascripts/netarch/mermaid-draw.js"
# Every theme: diagrams kept legible (a minimum width, scrolling past the column), their
# colours in both of material's schemes, and a viewer to open any diagram large with pan and
# zoom (mouse, touch and keyboard), all served with the site like Mermaid itself.
DIAGRAMS_JS_URI = "assets/javascripts/netarch/diagrams.js"
DIAGRAMS_CSS_URI = "assets/stylesheets/netarch/diagrams.css"
OWN_URIS = (MERMAID_URI, DEFAULTS_URI, DIAGRAMS_JS_URI, DRAW_URI)
_SITE_ASSETS = Path(__file__).resolve().parent / "site_assets"

# Runs right after mermaid.min.js, before the theme initialises Mermaid.
#
# Mermaid 12 draws most diagram types in its "neo" look with a fixed light palette (the
# per-type `theme: "redux-color"`: inline fills on sequence actors, yellow notes). That
# palette ignores the page: in material's dark scheme, light text on light boxes. Material
# colours the classic look through CSS variables in both schemes, so classic is the default
# here; whatever the caller (or a diagram's own config) sets still wins.
MERMAID_DEFAULTS_JS = """\
/* netarch: Mermaid defaults that follow the site's colour scheme (see netarch/assets.py). */
(function () {
  "use strict";
  if (typeof mermaid === "undefined" || !mermaid.mermaidAPI || mermaid.netarchDefaults) return;
  var neoTypes = [];
  var built = mermaid.mermaidAPI.getSiteConfig();
  Object.keys(built).forEach(function (type) {
    if (built[type] && built[type].look === "neo") neoTypes.push(type);
  });
  var initialize = mermaid.initialize;
  mermaid.netarchDefaults = true;
  mermaid.initialize = function (config) {
    var merged = Object.assign({ look: "classic" }, config);
    neoTypes.forEach(function (type) {
      var own = { look: merged.look, theme: merged.theme || "default" };
      merged[type] = Object.assign(own, merged[type]);
    });
    return initialize.call(this, merged);
  };
})();
"""


# For every theme but material (8.2 and later), which draws ```mermaid blocks itself. Left to
# itself, Mermaid renders each `.mermaid` element from its innerHTML on page load: superfences' blocks are
# `<pre class="mermaid"><code>...</code></pre>`, so it parses the `<code>` markup and draws a
# "Syntax error in text" bomb. This draws each block from its text instead, in place, as
# material does; a block that fails stays as code (it was checked, so none should).
MERMAID_DRAW_JS = """\
/* netarch: draws ```mermaid blocks in themes that do not (see netarch/assets.py). */
(function () {
  "use strict";
  if (typeof mermaid === "undefined" || mermaid.netarchDraws) return;
  mermaid.netarchDraws = true;
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  async function draw() {
    var blocks = document.querySelectorAll("pre.mermaid, div.mermaid:not([data-processed])");
    for (var index = 0; index < blocks.length; index++) {
      var block = blocks[index];
      try {
        var drawn = await mermaid.render("netarch-mermaid-" + index, block.textContent);
        var host = document.createElement("div");
        host.className = "mermaid";
        host.setAttribute("data-processed", "true");
        host.innerHTML = drawn.svg;
        block.replaceWith(host);
        if (drawn.bindFunctions) drawn.bindFunctions(host);
        // As material does with its shadow root: diagrams.js makes the diagram legible and
        // openable from here.
        if (typeof drawn.fn === "function") drawn.fn(host);
      } catch (error) {
        console.error("netarch: a Mermaid diagram failed to render", error);
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
"""


def draws_diagrams_itself(config: MkDocsConfig) -> bool:
    """True for themes that render ```mermaid blocks with a global ``mermaid``: material from
    8.2 on (7.x and 8.0-8.1 leave the blocks to the page's Mermaid, which draws them wrong)."""
    name = config.theme.name
    return theme_draws_diagrams(name, installed_material() if name == "material" else None)


def add_mermaid_scripts(config: MkDocsConfig, *, serve: bool) -> bool:
    """Load the served Mermaid (``serve``) and, where the theme needs it, the drawing script.

    Plain scripts (neither async nor deferred), after the site's own: they run before
    DOMContentLoaded, which is when material mounts its diagram component and looks for a
    global ``mermaid``. Returns True when netarch's Mermaid is among them.
    """
    wanted = [MERMAID_URI, DEFAULTS_URI] if serve else []
    # After Mermaid (it wraps its `render`), before the drawing script and before material
    # mounts its diagrams (DOMContentLoaded).
    wanted.append(DIAGRAMS_JS_URI)
    if not draws_diagrams_itself(config):
        wanted.append(DRAW_URI)
    scripts = {str(script) for script in config.extra_javascript}
    # `mkdocs serve` may hand us an already-updated config.
    config.extra_javascript.extend([uri for uri in wanted if uri not in scripts])  # type: ignore[misc]
    if DIAGRAMS_CSS_URI not in {str(sheet) for sheet in config.extra_css}:
        config.extra_css.append(DIAGRAMS_CSS_URI)
    return serve


def copy_diagram_assets(config: MkDocsConfig) -> None:
    """``on_post_build``, for every theme: the legibility, colour and viewer script and CSS
    (when ``add_mermaid_scripts`` added them: not when the plugin is switched off)."""
    if DIAGRAMS_JS_URI not in {str(script) for script in config.extra_javascript}:
        return
    for uri, name in ((DIAGRAMS_JS_URI, "diagrams.js"), (DIAGRAMS_CSS_URI, "diagrams.css")):
        text = (_SITE_ASSETS / name).read_text(encoding="utf-8")
        _write_if_changed(Path(config.site_dir) / uri, text)


def copy_drawing_script(site_dir: str | Path) -> None:
    """``on_post_build`` for themes that do not draw diagrams themselves."""
    _write_if_changed(Path(site_dir) / DRAW_URI, MERMAID_DRAW_JS)


def copy_mermaid(source: Path, site_dir: str | Path) -> None:
    """``on_post_build``: put both scripts in the built site (no-ops when already there)."""
    target = Path(site_dir) / MERMAID_URI
    stat = source.stat()
    current = target.stat() if target.is_file() else None
    if current is None or (current.st_size, current.st_mtime_ns) != (
        stat.st_size,
        stat.st_mtime_ns,
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)  # copy2 keeps the mtime that the check above compares
    _write_if_changed(Path(site_dir) / DEFAULTS_URI, MERMAID_DEFAULTS_JS)


def _write_if_changed(target: Path, text: str) -> None:
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
