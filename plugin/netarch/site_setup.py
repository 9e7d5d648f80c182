"""What in a site's configuration keeps its diagrams from rendering as they were checked.

Each finding is a sentence saying what to change; the plugin logs them as warnings, so
``mkdocs build --strict`` fails on them. A build that passes while every diagram shows as
code, or is drawn by another Mermaid than the one that checked it, is what netarch exists to
prevent.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig

from netarch.validate.engine import MERMAID_VERSION

FENCE_CONFIG = (
    "markdown_extensions: [{pymdownx.superfences: {custom_fences: [{name: mermaid, class:"
    " mermaid, format: !!python/name:pymdownx.superfences.fence_code_format}]}}]"
)
# A script named as Mermaid's builds are: mermaid.min.js, mermaid@11/dist/mermaid.esm.min.mjs
# (not mermaid-init.js and the like, which configure a Mermaid loaded elsewhere).
_MERMAID_FILE = re.compile(r"(?:^|/)mermaid(?:\.esm)?(?:\.min)?\.m?js$", re.IGNORECASE)
# Quoted URLs or paths in a theme override that load such a script.
_QUOTED_SCRIPT = re.compile(
    r"""["']([^"'\s<>]*mermaid[^"'\s<>]*\.m?js)(?:\?[^"'\s<>]*)?["']""", re.I
)
_TEMPLATE_PREFIX = re.compile(r"^\{\{[^}]*\}\}/?")  # {{ base_url }}/js/mermaid.min.js
_MAX_TEMPLATE_BYTES = 1_000_000


@dataclass(frozen=True)
class SiteMermaid:
    """A Mermaid the site loads by itself, and the file behind it when it is local."""

    script: str  # as written in mkdocs.yml or the template
    where: str  # "extra_javascript" or the template's path
    local_file: Path | None  # None: loaded from the network, or not found

    @property
    def is_remote(self) -> bool:
        parts = urlsplit(self.script)
        return bool(parts.scheme or parts.netloc)


def site_mermaids(config: MkDocsConfig, own_uris: tuple[str, ...]) -> list[SiteMermaid]:
    """The Mermaid scripts the site loads itself (netarch's own, ``own_uris``, left out)."""
    docs_dir = Path(config.docs_dir)
    custom_dir = _custom_dir(config)
    found: list[SiteMermaid] = []
    for entry in config.extra_javascript:
        script = str(entry)
        if script in own_uris or not _MERMAID_FILE.search(script.split("?")[0]):
            continue
        found.append(SiteMermaid(script, "extra_javascript", _local(script, docs_dir, custom_dir)))
    if custom_dir is not None:
        for template in sorted(custom_dir.rglob("*.html")):
            try:
                if template.stat().st_size > _MAX_TEMPLATE_BYTES:
                    continue
                text = template.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for match in _QUOTED_SCRIPT.finditer(text):
                script = _TEMPLATE_PREFIX.sub("", match.group(1))
                if not _MERMAID_FILE.search(script):
                    continue
                local = _local(script, docs_dir, custom_dir)
                found.append(SiteMermaid(script, str(template), local))
    return found


def render_problems(config: MkDocsConfig, mermaids: list[SiteMermaid]) -> list[str]:
    """What to change so that every diagram renders, drawn by the Mermaid that checked it."""
    problems = []
    if not _has_mermaid_fence(config):
        problems.append(
            "the site has no ```mermaid fence configured, so every diagram shows as code: add "
            + FENCE_CONFIG
        )
    if any(posixpath.basename(name) == "mermaid2" for name in config.plugins):
        problems.append(
            "the mermaid2 plugin loads a Mermaid of its own (another version than the checked"
            f" {MERMAID_VERSION}, and with netarch's the two race on some themes): remove"
            " `mermaid2` from plugins; netarch serves and starts the checked Mermaid itself"
        )
    for mermaid in mermaids:
        if mermaid.is_remote:
            problems.append(
                f"{mermaid.where} loads {mermaid.script} from the network: readers get that"
                f" Mermaid, not the {MERMAID_VERSION} the diagrams were checked with, and no"
                " diagram renders offline; remove it (netarch serves the checked Mermaid)"
            )
        elif mermaid.local_file is None:
            problems.append(
                f"{mermaid.where} loads {mermaid.script}, which netarch cannot find in docs_dir"
                " or the theme's custom_dir to check the diagrams with; remove it, or set the"
                " netarch option `mermaid_js` to that file"
            )
    return problems


def _has_mermaid_fence(config: MkDocsConfig) -> bool:
    if "pymdownx.superfences" not in config.markdown_extensions:
        return False
    options = config.mdx_configs.get("pymdownx.superfences") or {}
    for fence in options.get("custom_fences") or []:
        if not isinstance(fence, dict):
            continue
        classes = str(fence.get("class", "")).split()
        if fence.get("name") in ("mermaid", "*") and "mermaid" in classes:
            return True
    return False


def _custom_dir(config: MkDocsConfig) -> Path | None:
    custom = config.theme.custom_dir
    return Path(custom) if custom and Path(custom).is_dir() else None


def _local(script: str, docs_dir: Path, custom_dir: Path | None) -> Path | None:
    parts = urlsplit(script)
    if parts.scheme or parts.netloc:
        return None
    relative = parts.path.lstrip("/")
    for base in (docs_dir, custom_dir):
        if base is None:
            continue
        candidate = (base / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(base.resolve()):
            return candidate
    return None
