"""What in a site's configuration keeps its diagrams from rendering as they were checked.

Each finding is a sentence saying what to change; the plugin logs them as warnings, so
``mkdocs build --strict`` fails on them, and ``netarch check`` of a mkdocs.yml reports them as
warnings too. A build that passes while every diagram shows as code, or is drawn by another
Mermaid than the one that checked it, is what netarch exists to prevent.

Both read the same few settings (:class:`SiteSettings`): the plugin from MkDocs' validated
config, ``netarch check`` from the YAML alone, since validating a pull request's config would
import the plugins and extensions it names.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from netarch.safety import UnreadableFile, inspect_path, read_regular_file, resolve_path
from netarch.validate.engine import MERMAID_VERSION

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

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
# mkdocs-material draws ```mermaid blocks (superfences' `pre.mermaid`) itself from 8.2.0 on:
# the bundle of 8.1.11 and earlier has no Mermaid integration (measured on the wheels of
# 8.0.0, 8.1.11, 8.2.0 and 8.2.1). Before that, a Mermaid on the page parses each block's
# HTML, copy button included, and draws "Syntax error in text".
MATERIAL_DRAWS_MERMAID_FROM = (8, 2)
_RELEASE = re.compile(r"\d+(?:\.\d+)*")


def installed_material() -> str | None:
    """The installed mkdocs-material's version, or None."""
    try:
        return version("mkdocs-material")
    except PackageNotFoundError:
        return None


def theme_draws_diagrams(theme: str | None, material_version: str | None) -> bool:
    """Whether the theme draws ```mermaid blocks with a global ``mermaid`` by itself: only
    mkdocs-material, from 8.2 on. Every other theme gets netarch's drawing script."""
    if theme != "material":
        return False
    if material_version is None:  # MkDocs could not load the theme without the package
        return True
    match = _RELEASE.match(material_version)
    release = tuple(int(part) for part in match.group().split(".")) if match else ()
    return release >= MATERIAL_DRAWS_MERMAID_FROM


@dataclass(frozen=True)
class SiteSettings:
    """The settings of a site that decide whether and by which Mermaid its diagrams render."""

    docs_dir: Path
    custom_dir: Path | None = None  # the theme's, when it is a folder
    theme: str | None = None  # the theme's name, e.g. "material"
    material_version: str | None = None  # the installed mkdocs-material's, for that theme
    extra_javascript: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()  # as named in mkdocs.yml, e.g. "search", "material/blog"
    markdown_extensions: tuple[str, ...] = ()
    superfences: Mapping[str, Any] = field(default_factory=dict)  # its options, if enabled

    @classmethod
    def from_mkdocs(cls, config: MkDocsConfig) -> SiteSettings:
        """From the config MkDocs validated (the plugin's case)."""
        custom = config.theme.custom_dir
        return cls(
            docs_dir=Path(config.docs_dir),
            custom_dir=Path(custom) if custom and Path(custom).is_dir() else None,
            theme=config.theme.name,
            material_version=installed_material() if config.theme.name == "material" else None,
            extra_javascript=tuple(str(entry) for entry in config.extra_javascript),
            plugins=tuple(config.plugins),
            markdown_extensions=tuple(config.markdown_extensions),
            superfences=config.mdx_configs.get("pymdownx.superfences") or {},
        )

    @classmethod
    def from_yaml(cls, raw: Mapping[str, Any], config_dir: Path) -> SiteSettings:
        """From mkdocs.yml as loaded, unvalidated, in any form MkDocs accepts for these keys;
        a value of another shape counts as absent."""
        docs_dir = config_dir / str(raw.get("docs_dir") or "docs")
        theme = raw.get("theme")
        custom = theme.get("custom_dir") if isinstance(theme, Mapping) else None
        custom_dir = config_dir / custom if isinstance(custom, str) else None
        name = theme.get("name") if isinstance(theme, Mapping) else theme
        scripts = []
        for entry in _as_list(raw.get("extra_javascript")):
            # A name, or (MkDocs >= 1.5) a mapping with `path:` and attributes like `type:`.
            script = entry.get("path") if isinstance(entry, Mapping) else entry
            if isinstance(script, str):
                scripts.append(script)
        extensions = _names_and_options(raw.get("markdown_extensions"))
        return cls(
            docs_dir=docs_dir,
            custom_dir=custom_dir if custom_dir and inspect_path(custom_dir).is_folder else None,
            theme=name if isinstance(name, str) else "mkdocs",
            material_version=installed_material() if name == "material" else None,
            extra_javascript=tuple(scripts),
            plugins=tuple(_names_and_options(raw.get("plugins"))),
            markdown_extensions=tuple(extensions),
            superfences=extensions.get("pymdownx.superfences") or {},
        )

    @property
    def theme_draws_diagrams(self) -> bool:
        """Whether the theme draws ```mermaid blocks itself (else netarch's script does)."""
        return theme_draws_diagrams(self.theme, self.material_version)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _names_and_options(value: Any) -> dict[str, Mapping[str, Any]]:
    """``plugins`` or ``markdown_extensions``: a list of names or one-key mappings, or a
    mapping of names to options."""
    items = list(value.items()) if isinstance(value, Mapping) else []
    for entry in _as_list(value):
        if isinstance(entry, str):
            items.append((entry, {}))
        elif isinstance(entry, Mapping):
            items += list(entry.items())
    return {str(name): options if isinstance(options, Mapping) else {} for name, options in items}


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


def site_mermaids(site: SiteSettings, own_uris: tuple[str, ...]) -> list[SiteMermaid]:
    """The Mermaid scripts the site loads itself (netarch's own, ``own_uris``, left out)."""
    docs_dir = site.docs_dir
    custom_dir = site.custom_dir
    found: list[SiteMermaid] = []
    for script in site.extra_javascript:
        if script in own_uris or not _MERMAID_FILE.search(script.split("?")[0]):
            continue
        found.append(SiteMermaid(script, "extra_javascript", _local(script, docs_dir, custom_dir)))
    if custom_dir is not None:
        inside = resolve_path(custom_dir)
        for template in sorted(custom_dir.rglob("*.html")):
            resolved = resolve_path(template)
            if inside is None or resolved is None or not resolved.is_relative_to(inside):
                continue  # a link out of the theme folder is not part of the theme
            try:  # a FIFO or a device in its place must not block the read
                raw = read_regular_file(template, _MAX_TEMPLATE_BYTES)
            except (OSError, UnreadableFile):
                continue
            text = raw.decode("utf-8", errors="replace")
            for match in _QUOTED_SCRIPT.finditer(text):
                script = _TEMPLATE_PREFIX.sub("", match.group(1))
                if not _MERMAID_FILE.search(script):
                    continue
                local = _local(script, docs_dir, custom_dir)
                found.append(SiteMermaid(script, str(template), local))
    return found


@dataclass(frozen=True)
class SiteProblem:
    """A sentence saying what to change, and the text it is about: ``about`` in ``template``
    (a theme override) or, when that is None, in mkdocs.yml."""

    message: str
    about: str
    template: str | None = None

    def __str__(self) -> str:
        return self.message


def render_problems(
    site: SiteSettings, mermaids: list[SiteMermaid], *, serve_mermaid: bool = True
) -> list[SiteProblem]:
    """What to change so that every diagram renders, drawn by the Mermaid that checked it.
    ``serve_mermaid``: the plugin's option of that name."""
    problems = []
    if not serve_mermaid and not mermaids and not site.theme_draws_diagrams:
        problems.append(
            SiteProblem(
                "serve_mermaid is false and the site loads no Mermaid of its own: no diagram"
                f" renders with the {site.theme} theme{_theme_release(site)}; remove"
                " `serve_mermaid: false`",
                "serve_mermaid",
            )
        )
    if not _has_mermaid_fence(site):
        problems.append(
            SiteProblem(
                "the site has no ```mermaid fence configured, so every diagram shows as code:"
                " add " + FENCE_CONFIG,
                "markdown_extensions",
            )
        )
    for name in site.plugins:
        if posixpath.basename(name) == "mermaid2":
            problems.append(
                SiteProblem(
                    "the mermaid2 plugin loads a Mermaid of its own (another version than the"
                    f" checked {MERMAID_VERSION}, and with netarch's the two race on some"
                    " themes): remove `mermaid2` from plugins; netarch serves and starts the"
                    " checked Mermaid itself",
                    name,
                )
            )
    for mermaid in mermaids:
        template = None if mermaid.where == "extra_javascript" else mermaid.where
        if mermaid.is_remote:
            message = (
                f"{mermaid.where} loads {mermaid.script} from the network: readers get that"
                f" Mermaid, not the {MERMAID_VERSION} the diagrams were checked with, and no"
                " diagram renders offline; remove it (netarch serves the checked Mermaid)"
            )
        elif mermaid.local_file is None:
            message = (
                f"{mermaid.where} loads {mermaid.script}, which netarch cannot find in docs_dir"
                " or the theme's custom_dir to check the diagrams with; remove it, or set the"
                " netarch option `mermaid_js` to that file"
            )
        else:
            continue
        problems.append(SiteProblem(message, mermaid.script, template))
    return problems


def _theme_release(site: SiteSettings) -> str:
    return f" {site.material_version}" if site.theme == "material" and site.material_version else ""


def _has_mermaid_fence(site: SiteSettings) -> bool:
    if "pymdownx.superfences" not in site.markdown_extensions:
        return False
    for fence in _as_list(site.superfences.get("custom_fences")):
        if not isinstance(fence, Mapping):
            continue
        classes = str(fence.get("class", "")).split()
        if fence.get("name") in ("mermaid", "*") and "mermaid" in classes:
            return True
    return False


def _local(script: str, docs_dir: Path, custom_dir: Path | None) -> Path | None:
    parts = urlsplit(script)
    if parts.scheme or parts.netloc:
        return None
    relative = parts.path.lstrip("/")
    for base in (docs_dir, custom_dir):
        if base is None:
            continue
        candidate = resolve_path(base / relative)
        folder = resolve_path(base)
        if candidate is None or folder is None or not candidate.is_relative_to(folder):
            continue
        if inspect_path(candidate).is_file:
            return candidate
    return None
