"""``netarch init``: a working MkDocs site with netarch in an empty (or new) folder.

It writes mkdocs.yml (the plugin and the Markdown extensions its pages need), a starter model
with the editor modeline, an index page, and a copy of the JSON Schema the modeline points to.
Nothing that exists is overwritten, and nothing is left half-written.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

STARTER = Path(__file__).resolve().parent / "starter"
SCHEMA = Path(__file__).resolve().parent / "model" / "network.schema.json"
THEMES = ("material", "mkdocs", "readthedocs")

_MKDOCS_YML = """\
# Built with `mkdocs build` (or previewed with `mkdocs serve`); netarch generates the
# "Network architecture" section from docs/network.yaml.
site_name: Our network

theme:
{theme}
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  # Diagrams: netarch's pages and your own ```mermaid fences.
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format

plugins:
  - search
  - netarch:
      model: docs/network.yaml
"""

_THEME = {
    # No Google Fonts: the site renders offline (network docs are read in air-gapped places).
    "material": (
        "  name: material\n"
        "  font: false\n"
        "  # Light and dark, following the reader's system until they pick one with the toggle.\n"
        "  palette:\n"
        '    - media: "(prefers-color-scheme: light)"\n'
        "      scheme: default\n"
        "      toggle:\n"
        "        icon: material/brightness-7\n"
        "        name: Switch to dark mode\n"
        '    - media: "(prefers-color-scheme: dark)"\n'
        "      scheme: slate\n"
        "      toggle:\n"
        "        icon: material/brightness-4\n"
        "        name: Switch to light mode\n"
    ),
    # Their highlight.js comes from a CDN: off, for the same reason.
    "mkdocs": "  name: mkdocs\n  highlightjs: false\n",
    "readthedocs": "  name: readthedocs\n  highlightjs: false\n",
}


class ScaffoldError(Exception):
    """The site cannot be written there; the message says why."""


def default_theme() -> str:
    """material when it is installed (pip install mkdocs-material), else MkDocs' own theme."""
    return "material" if importlib.util.find_spec("material") else "mkdocs"


def starter_files(theme: str) -> dict[str, bytes]:
    """Relative path -> content of every file ``init`` writes."""
    if theme not in _THEME:
        raise ScaffoldError(f"unknown theme {theme!r}; choose one of {', '.join(THEMES)}")
    return {
        "mkdocs.yml": _MKDOCS_YML.format(theme=_THEME[theme]).encode(),
        "docs/index.md": (STARTER / "docs" / "index.md").read_bytes(),
        "docs/network.yaml": (STARTER / "docs" / "network.yaml").read_bytes(),
        # The model's modeline points here: editors complete and check the model from it.
        "network.schema.json": SCHEMA.read_bytes(),
    }


def init_site(target: Path, theme: str) -> list[Path]:
    """Write the starter site into ``target``; return the files written."""
    files = starter_files(theme)
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder")
    existing = [name for name in files if (target / name).exists()]
    if existing:
        raise ScaffoldError(
            f"{target} already has {', '.join(existing)}; netarch init writes a new site into"
            " an empty or new folder and overwrites nothing"
        )
    written: list[Path] = []
    try:
        for name, content in files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            # "x": fails if the file appeared meanwhile, so nobody's file is ever replaced.
            with path.open("xb") as stream:
                written.append(path)
                stream.write(content)
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
