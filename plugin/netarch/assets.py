"""Serve the pinned Mermaid with the site, so diagrams render offline and as checked.

mkdocs-material loads ``mermaid@11`` from a CDN unless a global ``mermaid`` already exists.
Shipping the very ``mermaid.min.js`` the checker parsed with, as a plain script, makes the
reader's browser draw with the validated version and makes the site work without Internet
access (air-gapped clusters are where network docs are read).
"""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from netarch.validate.engine import MermaidNotFound, find_mermaid_js

log = get_plugin_logger(__name__)

# Under the theme's own assets folder, in a netarch folder so it never collides with them.
MERMAID_URI = "assets/javascripts/netarch/mermaid.min.js"
DEFAULTS_URI = "assets/javascripts/netarch/mermaid-defaults.js"

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


def register_mermaid(config: MkDocsConfig, mermaid_js: str | None) -> Path | None:
    """``on_config``: the file to serve (None when the site loads a Mermaid of its own).

    The same file the checker uses: the plugin's ``mermaid_js`` option, else the pinned one.
    """
    if not add_mermaid_scripts(config):
        log.info("extra_javascript already loads a Mermaid: netarch does not serve its own")
        return None
    try:
        return Path(mermaid_js) if mermaid_js else find_mermaid_js()
    except MermaidNotFound as error:
        # Without it material would silently fetch another Mermaid from a CDN at view time.
        raise PluginError(
            f"netarch: {error} (or set `serve_mermaid: false` to let the theme load Mermaid)"
        ) from None


def add_mermaid_scripts(config: MkDocsConfig) -> bool:
    """Load the served Mermaid on every page; return False when the site loads its own.

    Plain scripts (neither async nor deferred): they run before DOMContentLoaded, which is
    when material mounts its diagram component and looks for a global ``mermaid``.
    """
    scripts = [str(script) for script in config.extra_javascript]
    if MERMAID_URI in scripts:  # `mkdocs serve` may hand us an already-updated config
        return True
    # A site that loads a Mermaid of its own keeps it: that is an explicit choice.
    if any(posixpath.basename(script.split("?")[0]).startswith("mermaid") for script in scripts):
        return False
    config.extra_javascript.extend([MERMAID_URI, DEFAULTS_URI])  # type: ignore[list-item]
    return True


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
    defaults = Path(site_dir) / DEFAULTS_URI
    if not defaults.is_file() or defaults.read_text(encoding="utf-8") != MERMAID_DEFAULTS_JS:
        defaults.write_text(MERMAID_DEFAULTS_JS, encoding="utf-8")
