"""Sites that other generators build, for ``netarch check``: Zensical and Hugo.

Neither runs the MkDocs plugin, so what the plugin does and checks at build time happens
elsewhere -- ``netarch render`` writes the pages, the ``netarch.markdown`` extension makes the
blocks (Zensical) -- and this says, as warnings located in the site's configuration, what in
that configuration keeps the pages from being built as checked:

- **Zensical** reads ``mkdocs.yml`` or ``zensical.toml`` (everything under ``[project]``,
  Markdown extensions as a table keyed by name, a superfences ``format`` as a dotted-name
  string). It "silently ignores" MkDocs plugins it does not re-implement, netarch's among
  them; its theme loads Mermaid 12 from a CDN unless the site loads one itself; it publishes
  every file of ``docs_dir``.
- **Hugo** (``hugo.toml``/``.yaml``/``.json`` or ``config.*``, or ``config/_default/``) with
  Docsy loads ``mermaid@{params.mermaid.version | default "latest"}`` from a CDN, and drops the
  HTML of shortcodes such as Docsy's alert unless ``markup.goldmark.renderer.unsafe`` is set.

Nothing here imports or runs what a configuration names (a pull request brings it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netarch.diagnostics import Diagnostic, Location, Severity, display_path
from netarch.safety import excerpt
from netarch.site_setup import SiteSettings, render_problems, site_mermaids
from netarch.validate.engine import MERMAID_VERSION

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

EXTENSION = "netarch.markdown"
CODE = "SITE_CONFIG"
ZENSICAL_GUIDE = "docs/guide/zensical.md"
HUGO_GUIDE = "docs/guide/hugo.md"
HUGO_CONFIG_NAMES = tuple(
    f"{stem}.{suffix}" for stem in ("hugo", "config") for suffix in ("toml", "yaml", "yml", "json")
)
# What `netarch render` leaves in a folder it wrote: the pages' list.
MANIFEST = ".netarch-pages"
_MAX_CONFIG_BYTES = 2_000_000


class SiteError(Exception):
    """The configuration cannot be read: a usage error (exit 2), with what to change."""


def _warning(where: Path, about: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(_locate(where, about), Severity.WARNING, CODE, message, hint=hint)


def _note(where: Path, message: str) -> Diagnostic:
    return Diagnostic(Location(display_path(where), 1, 1), Severity.INFO, CODE, message)


def _locate(path: Path, about: str) -> Location:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:_MAX_CONFIG_BYTES]
    except OSError:
        return Location(shown)
    offset = text.find(about) if about else -1
    if offset < 0:
        return Location(shown, 1, 1)
    line = text.count("\n", 0, offset) + 1
    return Location(shown, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()[:_MAX_CONFIG_BYTES]
        return tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SiteError(f"{display_path(path)}: cannot read it: {excerpt(str(error))}") from None
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{display_path(path)}: not valid TOML: {excerpt(str(error))}") from None


def _read_data(path: Path) -> dict[str, Any]:
    """A Hugo configuration file of any of its formats, as a mapping."""
    if path.suffix == ".toml":
        return _read_toml(path)
    try:
        text = path.read_bytes()[:_MAX_CONFIG_BYTES].decode("utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as error:
        raise SiteError(f"{display_path(path)}: cannot read it: {excerpt(str(error))}") from None
    except (ValueError, yaml.YAMLError) as error:
        raise SiteError(f"{display_path(path)}: cannot parse it: {excerpt(str(error))}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError(f"{display_path(path)}: the configuration must be a mapping of settings")
    return data


# -- Zensical (and any site that runs netarch as the Python-Markdown extension) ---------------


@dataclass(frozen=True)
class ExtensionSite:
    """A site whose hand-written pages go through the ``netarch.markdown`` extension."""

    config_file: Path
    config_dir: Path
    docs_dir: Path
    generator: str  # "Zensical", or "Python-Markdown" for a mkdocs.yml of unknown builder
    model: Path | None
    checks: dict[str, str]
    mermaid_js: Path | None  # the extension's option, or the site's own local Mermaid
    mermaid_origin: str
    custom_templates: Path | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def zensical_extensions(value: Any) -> dict[str, Mapping[str, Any]]:
    """``markdown_extensions`` as Zensical reads it: a list as in mkdocs.yml, or a table keyed
    by name where TOML's dotted keys nest ``pymdownx.*`` and ``zensical.*`` a level down."""
    if isinstance(value, list):
        items: dict[str, Mapping[str, Any]] = {}
        for entry in value:
            if isinstance(entry, str):
                items[entry] = {}
            elif isinstance(entry, Mapping):
                for name, options in entry.items():
                    items[str(name)] = options if isinstance(options, Mapping) else {}
        return items
    if not isinstance(value, Mapping):
        return {}
    items = {}
    for name, options in value.items():
        options = options if isinstance(options, Mapping) else {}
        if name in ("pymdownx", "zensical"):
            for inner, inner_options in options.items():
                nested = inner_options if isinstance(inner_options, Mapping) else {}
                items[f"{name}.{inner}"] = nested
        else:
            items[str(name)] = options
    return items


def is_zensical_config(raw: Mapping[str, Any]) -> bool:
    """A mkdocs.yml written for Zensical: its theme names a variant (Zensical's own setting)
    or the site runs netarch as the extension rather than the plugin."""
    theme = raw.get("theme")
    if isinstance(theme, Mapping) and "variant" in theme:
        return True
    return EXTENSION in zensical_extensions(raw.get("markdown_extensions"))


def load_extension_site(
    config_file: Path, raw: Mapping[str, Any], *, zensical: bool
) -> ExtensionSite:
    """The site of ``config_file`` (mkdocs.yml, or zensical.toml's ``[project]``)."""
    config_dir = config_file.resolve().parent
    shown = display_path(config_file)
    docs_name = raw.get("docs_dir") or "docs"
    if not isinstance(docs_name, str) or not (config_dir / docs_name).is_dir():
        raise SiteError(f"{shown}: docs_dir {excerpt(str(docs_name), 120)} is not a folder")
    docs_dir = config_dir / docs_name
    extensions = zensical_extensions(raw.get("markdown_extensions"))
    plugins = _plugin_names(raw.get("plugins"))
    settings = SiteSettings(
        docs_dir=docs_dir,
        extra_javascript=tuple(_scripts(raw.get("extra_javascript"))),
        plugins=tuple(plugins),
        markdown_extensions=tuple(extensions),
        superfences=extensions.get("pymdownx.superfences") or {},
    )
    generator = "Zensical" if zensical else "Python-Markdown"
    found: list[Diagnostic] = []
    if zensical:
        found.append(
            _note(
                config_file,
                "a Zensical site: Zensical runs no MkDocs plugin, so netarch's pages come from"
                " `netarch render` and its blocks from the netarch.markdown extension"
                f" ({ZENSICAL_GUIDE}); checked here as that recipe builds them",
            )
        )
    if "netarch" in plugins and zensical:
        found.append(
            _warning(
                config_file,
                "netarch",
                "Zensical does not run the netarch plugin: it generates no page, leaves"
                " netarch-view blocks as code and publishes the model",
                hint=f"`netarch render MODEL -o {docs_name}/architecture` and the"
                f" netarch.markdown extension instead ({ZENSICAL_GUIDE})",
            )
        )
    nested = raw.get("markdown_extensions")
    if isinstance(nested, Mapping) and isinstance(nested.get("netarch"), Mapping):
        found.append(
            _warning(
                config_file,
                "netarch",
                "`netarch.markdown` unquoted is a TOML dotted key: Zensical reads it as an"
                ' extension named `netarch`; quote it: [project.markdown_extensions."netarch.markdown"]',
            )
        )
    options = extensions.get(EXTENSION)
    model = None
    checks: dict[str, str] = {}
    mermaid_js: Path | None = None
    origin = f"the netarch.markdown option mermaid_js in {shown}"
    templates = None
    if options is not None:
        base = config_dir / str(options.get("base_dir") or ".")
        model = _inside(base.resolve(), str(options.get("model") or "network.yaml"), shown)
        raw_checks = options.get("checks") or {}
        checks = (
            {str(k): str(v) for k, v in raw_checks.items()}
            if isinstance(raw_checks, Mapping)
            else {}
        )
        if options.get("mermaid_js"):
            mermaid_js = (base / str(options["mermaid_js"])).resolve()
        if options.get("custom_templates"):
            templates = _inside(base.resolve(), str(options["custom_templates"]), shown)
        if model.is_relative_to(docs_dir.resolve()):
            found.append(
                _warning(
                    config_file,
                    str(options.get("model") or EXTENSION),
                    f"the model {display_path(model, config_dir)} is inside docs_dir, and"
                    f" {generator} publishes every file there: internal addresses go public",
                    hint="move the model out of docs_dir (next to the configuration) and set"
                    " the extension's `model:` to it",
                )
            )
    mermaids = site_mermaids(settings, ())
    local = next((m for m in mermaids if m.local_file is not None), None)
    if mermaid_js is None and local is not None:
        mermaid_js, origin = local.local_file, f"the site's own {local.script}"
    for problem in render_problems(settings, mermaids):
        found.append(_warning(config_file, problem.about, problem.message))
    if zensical and not mermaids:
        found.append(
            _warning(
                config_file,
                "extra_javascript",
                f"the site loads no Mermaid of its own, so Zensical's theme loads mermaid@12 from a"
                f" CDN: not the {MERMAID_VERSION} the diagrams are checked with, and none renders"
                " offline",
                hint=f"`netarch mermaid --write {docs_name}/javascripts/mermaid.min.js` and list"
                " javascripts/mermaid.min.js under extra_javascript",
            )
        )
    return ExtensionSite(
        config_file,
        config_dir,
        docs_dir,
        generator,
        model,
        checks,
        mermaid_js,
        origin,
        templates,
        found,
    )


def block_problems(
    site_config: Path, pages: Mapping[str, str], has_extension: bool, generator: str, fix: str
) -> list[Diagnostic]:
    """A ``netarch-view`` or ``netarch-diff`` block on a site that cannot make it shows as
    code: one warning per page, at the block."""
    if has_extension:
        return []
    from netarch.validate.fences import find_fences

    found = []
    for display, text in pages.items():
        for language in ("netarch-view", "netarch-diff"):
            if language not in text:
                continue
            for fence in find_fences(text, display, language=language)[:1]:
                found.append(
                    Diagnostic(
                        Location(display, fence.start_line, fence.column),
                        Severity.WARNING,
                        CODE,
                        f"{generator} shows this {language} block as code: nothing on this"
                        f" site makes it ({display_path(site_config)})",
                        hint=fix,
                    )
                )
    return found


def _inside(base: Path, written: str, shown: str) -> Path:
    path = (base / written).resolve()
    if not path.is_relative_to(base):
        raise SiteError(
            f"{shown}: netarch.markdown: {excerpt(written, 120)} is outside the site's folder;"
            " keep it inside"
        )
    return path


def _plugin_names(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [str(name) for name in value]
    names = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, Mapping):
            names += [str(name) for name in entry]
    return names


def _scripts(value: Any) -> list[str]:
    found = []
    for entry in value if isinstance(value, list) else []:
        script = entry.get("path") if isinstance(entry, Mapping) else entry
        if isinstance(script, str):
            found.append(script)
    return found


def load_zensical_toml(config_file: Path) -> ExtensionSite:
    data = _read_toml(config_file)
    project = data.get("project", data)
    if not isinstance(project, Mapping):
        raise SiteError(f"{display_path(config_file)}: [project] must be a table of settings")
    return load_extension_site(config_file, project, zensical=True)


# -- Hugo ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HugoSite:
    config_file: Path
    config_dir: Path
    content_dir: Path
    mermaid_version: str | None  # params.mermaid.version as written, None when absent
    version_file: Path  # the file that sets it (or would)
    unsafe_html: bool
    # Folders `netarch render` wrote into (a .netarch-pages list in them).
    rendered: tuple[Path, ...] = ()


def _lower_keys(value: Any) -> Any:
    """Hugo's configuration keys are case-insensitive."""
    if isinstance(value, Mapping):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    return value


def _get(data: Mapping[str, Any], *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def load_hugo_site(config_file: Path) -> HugoSite:
    """The site of a Hugo configuration file, with its ``config/_default/`` files merged over
    it (``params.*`` files hold the params at their top level)."""
    config_dir = config_file.resolve().parent
    data = _lower_keys(_read_data(config_file))
    version_file = config_file
    version = _get(data, "params", "mermaid", "version")
    defaults = config_dir / "config" / "_default"
    for name in sorted(defaults.glob("*")) if defaults.is_dir() else []:
        if name.suffix not in (".toml", ".yaml", ".yml", ".json"):
            continue
        extra = _lower_keys(_read_data(name))
        if name.stem == "params":
            extra = {"params": extra}
        found = _get(extra, "params", "mermaid", "version")
        if found is not None:
            version, version_file = found, name
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
    content = config_dir / str(data.get("contentdir") or "content")
    if not content.is_dir():
        raise SiteError(f"{display_path(config_file)}: contentDir {content.name} is not a folder")
    unsafe = _get(data, "markup", "goldmark", "renderer", "unsafe") is True
    rendered = tuple(sorted(path.parent for path in content.rglob(MANIFEST)))
    return HugoSite(
        config_file,
        config_dir,
        content,
        None if version is None else str(version),
        version_file,
        unsafe,
        rendered,
    )


def hugo_problems(site: HugoSite, checked_version: str | None) -> list[Diagnostic]:
    """What keeps the site's diagrams from being drawn by the Mermaid that checked them."""
    checked = checked_version or MERMAID_VERSION
    found = [
        _note(
            site.config_file,
            "a Hugo site: Hugo runs no MkDocs plugin, so netarch's pages come from `netarch"
            f" render --flavor hugo` ({HUGO_GUIDE}); its Markdown is checked here",
        )
    ]
    version = site.mermaid_version
    fix = f'set params.mermaid.version = "{checked}" (Docsy reads it)'
    if version is None:
        found.append(
            _warning(
                site.version_file,
                "[params",
                "the site sets no params.mermaid.version, so Docsy loads Mermaid `latest` from a"
                f" CDN: whatever version is newest, not the {checked} the diagrams are checked with",
                hint=fix,
            )
        )
    elif version.strip().lower() == "latest":
        found.append(
            _warning(
                site.version_file,
                version,
                f"params.mermaid.version is `latest`: readers get whatever Mermaid is newest,"
                f" not the {checked} the diagrams are checked with",
                hint=fix,
            )
        )
    elif version.strip().lstrip("v") != checked:
        found.append(
            _warning(
                site.version_file,
                version,
                f"params.mermaid.version is {excerpt(version, 40)}, but the diagrams are checked"
                f" with Mermaid {checked}: readers may see a diagram drawn otherwise, or an error",
                hint=f"{fix}, or check with that version (--mermaid-js)",
            )
        )
    if site.rendered and not site.unsafe_html:
        found.append(
            _warning(
                site.config_file,
                "markup",
                "netarch's pages use Docsy's alert shortcode, whose HTML Hugo leaves out unless"
                " markup.goldmark.renderer.unsafe = true (Docsy's sites set it)",
                hint="set [markup.goldmark.renderer] unsafe = true",
            )
        )
    return found
