"""mkdocs.yml as MkDocs reads it, for ``netarch check``: the same site, the same plugin options.

The PR gate must fail where ``mkdocs build`` fails, so this uses MkDocs' own YAML loading
(``INHERIT``, ``!ENV``), accepts every form MkDocs accepts for ``plugins`` (a list of names or
one-key mappings, or a mapping), and validates the netarch options with the plugin's own
config schema. It differs in one way on purpose: tags that make MkDocs import Python
(``!!python/name:...``) are read as nothing, so checking a pull request's mkdocs.yml runs no
code from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mkdocs.exceptions import ConfigurationError
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from netarch.assets import OWN_URIS
from netarch.diagnostics import Diagnostic, Location, Severity, display_path
from netarch.safety import excerpt
from netarch.site_setup import SiteMermaid, SiteSettings, render_problems, site_mermaids

PLUGIN_NAME = "netarch"
# The names a site's configuration goes by: MkDocs' and ProperDocs' (a fork of MkDocs that
# runs the same plugins). In a folder with several, the first is the site's.
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")
# mkdocs.yml or a theme override: longer than this, only the start is searched for a line.
_MAX_LOCATED_BYTES = 1_000_000


def site_config_in(folder: Path) -> Path | None:
    """The site configuration of ``folder`` (mkdocs.yml, properdocs.yml, ...), if it has one."""
    return next((folder / name for name in CONFIG_NAMES if (folder / name).is_file()), None)


def is_site_config(path: Path) -> bool:
    """Whether ``path`` is named as a site's configuration (never to be read as a model)."""
    return path.name in CONFIG_NAMES


class SiteConfigError(Exception):
    """mkdocs.yml is unusable, or the netarch options are invalid: a usage error (exit 2)."""


@dataclass(frozen=True)
class Site:
    config_file: Path
    config_dir: Path
    docs_dir: Path
    # The plugin's validated options (a NetarchConfig), or None when the plugin is not enabled.
    options: Any
    # What decides whether, and by which Mermaid, the site's diagrams render.
    settings: SiteSettings

    @property
    def model(self) -> Path | None:
        if self.options is None:
            return None
        return (self.config_dir / self.options.model).resolve()

    def mermaids(self) -> list[SiteMermaid]:
        """The Mermaid scripts the site loads itself, as the plugin finds them."""
        return site_mermaids(self.settings, OWN_URIS)

    def render_diagnostics(self, mermaids: list[SiteMermaid]) -> list[Diagnostic]:
        """The plugin's warnings about this site's setup, given the Mermaid scripts it loads
        (:meth:`mermaids`), each located where it can be fixed (a warning fails
        ``mkdocs build --strict``, so it fails ``netarch check`` too)."""
        found = []
        serve = self.options.serve_mermaid if self.options is not None else True
        for problem in render_problems(self.settings, mermaids, serve_mermaid=serve):
            where = Path(problem.template) if problem.template else self.config_file
            found.append(
                Diagnostic(
                    _locate(where, problem.about),
                    Severity.WARNING,
                    "SITE_CONFIG",
                    problem.message,
                )
            )
        return found


def _locate(path: Path, about: str) -> Location:
    """Where ``about`` first appears in ``path``, or the file alone."""
    shown = display_path(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            text = stream.read(_MAX_LOCATED_BYTES)
    except OSError:
        return Location(shown)
    offset = text.find(about) if about else -1
    if offset < 0:
        return Location(shown, 1, 1)
    line = text.count("\n", 0, offset) + 1
    return Location(shown, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


class _SafeConfigLoader(yaml.SafeLoader):
    """SafeLoader that reads ``!!python/...`` tags (and other unknown tags) as null."""


_SafeConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


def read_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (``INHERIT``, ``!ENV``), ``!!python`` tags as nothing."""
    shown = config_file.as_posix()
    if not config_file.is_file():
        raise SiteConfigError(
            f"{shown}: not found; name models or Markdown files to check, or run in a site folder"
        )
    loader = get_yaml_loader(loader=_SafeConfigLoader)
    loader.add_multi_constructor("!", _unknown_tag)  # exact tags (MkDocs' !ENV) come first
    try:
        with open(config_file, "rb") as stream:
            raw = yaml_load(stream, loader)
    except ConfigurationError as error:
        raise SiteConfigError(f"{shown}: {excerpt(str(error), 300)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SiteConfigError(f"{shown}: cannot read it: {excerpt(str(error), 200)}") from None
    if not isinstance(raw, dict):
        raise SiteConfigError(
            f"{shown}: the configuration must be a mapping of settings, got {_kind(raw)}"
        )
    return raw


def load_site(config_file: Path) -> Site:
    """The site ``config_file`` describes; SiteConfigError says what is wrong with it."""
    shown = config_file.as_posix()
    raw = read_config(config_file)
    config_dir = config_file.resolve().parent
    docs_dir = raw.get("docs_dir", "docs")
    if not isinstance(docs_dir, str):
        raise SiteConfigError(f"{shown}: docs_dir must be a folder name, got {_kind(docs_dir)}")
    if not (config_dir / docs_dir).is_dir():  # MkDocs refuses the config then, so do we
        raise SiteConfigError(f"{shown}: docs_dir {excerpt(docs_dir, 120)} is not a folder")
    options = _plugin_options(raw.get("plugins"), shown)
    validated = None if options is None else _validate(options, config_file, shown)
    settings = SiteSettings.from_yaml(raw, config_dir)
    return Site(config_file, config_dir, (config_dir / docs_dir), validated, settings)


def _plugin_options(plugins: Any, shown: str) -> dict[str, Any] | None:
    """The netarch entry of ``plugins`` in any form MkDocs accepts, or None if absent."""
    if plugins is None:
        return None
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    elif isinstance(plugins, list):
        entries = []
        for item in plugins:
            if isinstance(item, str):
                entries.append((item, {}))
            elif isinstance(item, dict) and len(item) == 1:
                entries.extend(item.items())
            else:
                raise SiteConfigError(
                    f"{shown}: plugins: each entry is a name or 'name: {{options}}', "
                    f"got {_kind(item)}"
                )
    else:
        raise SiteConfigError(
            f"{shown}: plugins must be a list or a mapping of plugins, got {_kind(plugins)}"
        )
    for name, options in entries:
        if name != PLUGIN_NAME:
            continue
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise SiteConfigError(
                f"{shown}: the options of the netarch plugin must be a mapping, "
                f"got {_kind(options)}"
            )
        if options.get("enabled", True) is False:
            return None
        return options
    return None


def _validate(options: dict[str, Any], config_file: Path, shown: str) -> Any:
    from netarch.mkdocs_plugin import NetarchConfig  # MkDocs' config machinery, only here

    config = NetarchConfig(config_file_path=str(config_file))
    config.load_dict(options)
    errors, _warnings = config.validate()
    if errors:
        problems = "; ".join(f"'{key}': {excerpt(str(error), 200)}" for key, error in errors)
        raise SiteConfigError(f"{shown}: plugins: netarch: {problems}")
    if not config.enabled:
        return None
    model = (config_file.resolve().parent / config.model).resolve()
    if not model.is_relative_to(config_file.resolve().parent):
        raise SiteConfigError(
            f"{shown}: plugins: netarch: 'model': {excerpt(config.model, 120)} is outside the"
            " site's folder; keep it next to mkdocs.yml"
        )
    return config


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}
    names.update({int: "a number", float: "a number"})
    if value is None:
        return "nothing"
    return names.get(type(value), f"a {type(value).__name__}")
