"""mkdocs.yml as MkDocs reads it, for ``netarch check``: the same site, the same plugin options.

The PR gate must fail where ``mkdocs build`` fails, so this reads the file as MkDocs does
(``INHERIT`` merged key by key, every form MkDocs accepts for ``plugins``) and validates the
netarch options with the plugin's own config schema. It differs on purpose where a pull
request's mkdocs.yml could otherwise make the gate run code or show what it must not:

- tags that make MkDocs import Python (``!!python/name:...``) are read as nothing;
- ``!ENV`` is never resolved by itself: a value the check needs that names an environment
  variable is refused, with its place, unless the command line allows that variable
  (``--allow-env NAME``), so no variable's value (a CI secret) can reach any output;
- ``INHERIT`` is confined like a model's includes: a ``.yml``/``.yaml`` regular file inside the
  site's folder (symbolic links followed), of bounded size, under the model loader's YAML
  limits; so are ``docs_dir``, ``mermaid_js`` and ``custom_templates``;
- every shape MkDocs would reject (or crash on) is an error naming file:line:col.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from netarch.assets import OWN_URIS
from netarch.diagnostics import Diagnostic, Location, Severity, display_path
from netarch.model.source import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_TEXT, format_path
from netarch.safety import (
    UnreadableFile,
    excerpt,
    inspect_path,
    os_problem,
    read_regular_file,
    resolve_path,
)
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
    try:  # never blocks on a FIFO or a device, whatever a theme override is
        text = read_regular_file(path, MAX_FILE_BYTES)[:_MAX_LOCATED_BYTES].decode(
            "utf-8", errors="replace"
        )
    except (OSError, UnreadableFile):
        return Location(shown)
    offset = text.find(about) if about else -1
    if offset < 0:
        return Location(shown, 1, 1)
    line = text.count("\n", 0, offset) + 1
    return Location(shown, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


# Where a value is written: (file as shown, 1-based line, 1-based column).
Position = tuple[str, int, int]
PathTuple = tuple[str | int, ...]
# A chain of INHERITs longer than this is a mistake (MkDocs' own sites use one).
_MAX_INHERITS = 10
_CONFIG_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True, eq=False)
class EnvReference:
    """An ``!ENV`` value as written, unresolved: the variables it names and its default.

    Its text forms show the tag, never a value, so printing one by mistake leaks nothing.
    """

    names: tuple[str, ...]
    default: Any
    where: Position

    def __repr__(self) -> str:
        return f"!ENV [{', '.join(self.names)}]"

    __str__ = __repr__


@dataclass(frozen=True)
class EnvPolicy:
    """Which environment variables a mkdocs.yml may name with ``!ENV`` in the check."""

    allowed: frozenset[str] = frozenset()

    def resolve(self, reference: EnvReference, what: str) -> Any:
        """The value MkDocs would give ``reference``, if every variable it names is allowed;
        else a located SiteConfigError naming the variables (never their values)."""
        refused = [name for name in reference.names if name not in self.allowed]
        if refused:
            names = ", ".join(excerpt(name, 60) for name in refused)
            first = excerpt(refused[0], 60)
            raise SiteConfigError(
                f"{_at(reference.where)}: {what} is {excerpt(repr(reference), 120)}: netarch"
                f" check does not read environment variables named in mkdocs.yml ({names}), since"
                " a pull request could name a secret and have it printed; write the value"
                f" itself, or run `netarch check --allow-env {first}` if that variable holds no"
                " secret"
            )
        for name in reference.names:
            if name in os.environ:
                return _implicitly_typed(os.environ[name])
        return reference.default


def _implicitly_typed(value: str) -> Any:
    """An environment value read as yaml_env_tag reads it: a plain YAML scalar."""
    loader = yaml.SafeLoader("")
    try:
        tag = loader.resolve(yaml.ScalarNode, value, (True, False))
        return loader.construct_object(yaml.ScalarNode(tag, value))
    finally:
        loader.dispose()


class _ConfigLoader(yaml.SafeLoader):
    """SafeLoader that reads ``!ENV`` as an :class:`EnvReference` and ``!!python/...`` (and
    other unknown ``!`` tags, such as MkDocs' ``!relative``) as null."""

    display = ""


def _construct_env(loader: _ConfigLoader, node: yaml.Node) -> EnvReference:
    where = (loader.display, node.start_mark.line + 1, node.start_mark.column + 1)
    default = None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
        if len(children) > 1:  # as yaml_env_tag: the last item is the default
            default = loader.construct_object(children[-1], deep=True)
            children = children[:-1]
        names = [loader.construct_scalar(child) for child in children]
    else:
        raise yaml.constructor.ConstructorError(
            None, None, "!ENV takes a variable name or a list of them", node.start_mark
        )
    return EnvReference(tuple(str(name) for name in names), default, where)


_ConfigLoader.add_constructor("!ENV", _construct_env)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
_ConfigLoader.add_multi_constructor("!", lambda *_: None)  # exact tags (!ENV) come first


@dataclass
class _Config:
    """mkdocs.yml with its INHERITs merged, and where each value was written."""

    data: dict[str, Any]
    positions: dict[PathTuple, Position]
    env: EnvPolicy
    project: Path  # the folder of mkdocs.yml, resolved: every file read is inside it

    def at(self, path: PathTuple) -> str:
        """``file:line:col`` of the value at ``path`` (or of its nearest known parent)."""
        while path not in self.positions and path:
            path = path[:-1]
        where = self.positions.get(path)
        return _at(where) if where else ""

    def use(self, value: Any, path: PathTuple) -> Any:
        """``value`` (found at ``path``) with every ``!ENV`` in it resolved under the policy,
        or refused."""
        if isinstance(value, EnvReference):
            return self.use(self.env.resolve(value, format_path(path)), path)
        if isinstance(value, dict):
            return {
                self.top(key, path): self.use(item, (*path, str(key)))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.use(item, (*path, index)) for index, item in enumerate(value)]
        return value

    def top(self, value: Any, path: PathTuple) -> Any:
        """``value`` itself resolved, not what it holds."""
        if isinstance(value, EnvReference):
            return self.top(self.env.resolve(value, format_path(path) or "a key"), path)
        return value


def _at(where: Position) -> str:
    return f"{where[0]}:{where[1]}:{where[2]}"


def _config_of(config_file: Path, env: EnvPolicy | None) -> tuple[_Config, Path]:
    """mkdocs.yml read as data (INHERIT confined and merged, ``!ENV`` unresolved), and the
    resolved folder of the site."""
    shown = config_file.as_posix()
    info = inspect_path(config_file)
    if info.kind == "missing":
        raise SiteConfigError(
            f"{excerpt(shown, 200)}: not found; name models or Markdown files to check, or run"
            " in a site folder"
        )
    if not info.is_file:
        raise SiteConfigError(f"{excerpt(shown, 200)}: {info.problem or 'not a regular file'}")
    config_dir = resolve_path(config_file.parent)
    if config_dir is None:
        raise SiteConfigError(f"{excerpt(shown, 200)}: its folder cannot be resolved")
    return _read_config(config_file, shown, config_dir, env or EnvPolicy()), config_dir


def read_config(config_file: Path, env: EnvPolicy | None = None) -> dict[str, Any]:
    """The whole of mkdocs.yml as data, for the checks that read it whole (a Zensical site's):
    read as :func:`load_site` reads it, each ``!ENV`` the policy allows resolved and every other
    one read as nothing, so no variable's value can reach a message."""
    config, _ = _config_of(config_file, env)
    return _without_env(config.data, config.env)


def _without_env(value: Any, env: EnvPolicy) -> Any:
    if isinstance(value, EnvReference):
        allowed = all(name in env.allowed for name in value.names)
        return _without_env(env.resolve(value, ""), env) if allowed else None
    if isinstance(value, dict):
        return {
            key: _without_env(item, env)
            for key, item in value.items()
            if not isinstance(key, EnvReference)
        }
    if isinstance(value, list):
        return [_without_env(item, env) for item in value]
    return value


def load_site(config_file: Path, env: EnvPolicy | None = None) -> Site:
    """The site ``config_file`` describes; SiteConfigError says what is wrong with it."""
    shown = config_file.as_posix()
    config, config_dir = _config_of(config_file, env)
    raw = config.data
    docs_dir = config.top(raw.get("docs_dir", "docs"), ("docs_dir",))
    where = config.at(("docs_dir",)) or shown
    if not isinstance(docs_dir, str):
        raise SiteConfigError(f"{where}: docs_dir must be a folder name, got {_kind(docs_dir)}")
    docs_path = _inside(config_dir, docs_dir, where, "docs_dir")
    if not inspect_path(docs_path).is_folder:  # MkDocs refuses the config then, so do we
        raise SiteConfigError(f"{where}: docs_dir {excerpt(docs_dir, 120)} is not a folder")
    options, options_path = _plugin_options(config, shown)
    validated = None
    if options is not None:
        validated = _validate(options, options_path, config, config_file, config_dir)
    settings = SiteSettings.from_yaml(_settings_view(config, docs_dir), config_dir)
    return Site(config_file, config_dir, config_dir / docs_dir, validated, settings)


def _read_config(config_file: Path, shown: str, project: Path, env: EnvPolicy) -> _Config:
    top = resolve_path(config_file) or config_file
    data, positions = _read_file(config_file, shown, project, env, [top], None)
    return _Config(data, positions, env, project)


def _read_file(
    path: Path,
    shown: str,
    project: Path,
    env: EnvPolicy,
    chain: list[Path],
    brought_by: str | None,
) -> tuple[dict[str, Any], dict[PathTuple, Position]]:
    """One config file with the files it INHERITs merged under it (MkDocs' order: the
    inheriting file's keys win, mappings merge key by key)."""
    place = brought_by or shown
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except UnreadableFile as error:
        reason = str(error)
        if "larger" in reason:
            reason = f"larger than {MAX_FILE_BYTES // 1_000_000} MB, not a configuration"
        raise SiteConfigError(f"{place}: cannot read {excerpt(shown, 200)}: {reason}") from None
    except OSError as error:
        raise SiteConfigError(
            f"{place}: cannot read {excerpt(shown, 200)}: {os_problem(error)}"
        ) from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise SiteConfigError(
            f"{shown}:{line}:{column}: not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the"
            " file as UTF-8"
        ) from None
    data, node = _parse(text, shown)
    positions: dict[PathTuple, Position] = {}
    if node is not None:
        _record_positions(node, shown, (), positions)
    if "INHERIT" not in data:
        return data, positions
    config = _Config(data, positions, env, project)
    parent_name = config.top(data.pop("INHERIT"), ("INHERIT",))
    where = config.at(("INHERIT",)) or shown
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise SiteConfigError(
            f"{where}: INHERIT must name a configuration file, got {_kind(parent_name)}"
        )
    if len(chain) > _MAX_INHERITS:
        raise SiteConfigError(f"{where}: more than {_MAX_INHERITS} levels of INHERIT")
    # MkDocs joins the name to the folder of the file as it was opened, lexically.
    folder = os.path.abspath(os.path.dirname(path))
    lexical = Path(os.path.normpath(os.path.join(folder, parent_name)))
    parent = _inside(project, lexical, where, "INHERIT")
    if parent.suffix.lower() not in _CONFIG_SUFFIXES:
        raise SiteConfigError(
            f"{where}: INHERIT {excerpt(parent_name, 120)} is not a YAML file (.yml or .yaml)"
        )
    info = inspect_path(parent)
    if not info.is_file:
        problem = info.problem if info.kind != "folder" else "it is a folder, not a file"
        raise SiteConfigError(f"{where}: INHERIT {excerpt(parent_name, 120)}: {problem}")
    if parent in chain:
        raise SiteConfigError(
            f"{where}: INHERIT {excerpt(parent_name, 120)} leads back to a file that inherits"
            " from it"
        )
    parent_data, parent_positions = _read_file(
        parent, display_path(parent), project, env, [*chain, parent], where
    )
    return _merge(parent_data, data), {**parent_positions, **positions}


def _inside(project: Path, name: str | Path, where: str, what: str) -> Path:
    """``name`` (relative to the project folder) resolved, if it stays inside the project."""
    shown = excerpt(str(name), 120)
    info = inspect_path(project / name)
    if info.kind == "unusable":
        raise SiteConfigError(f"{where}: {what} {shown}: {info.problem}")
    resolved = resolve_path(project / name)
    if resolved is None:
        raise SiteConfigError(f"{where}: {what} {shown} cannot be resolved")
    if not resolved.is_relative_to(project):
        raise SiteConfigError(
            f"{where}: {what} {shown} is outside the site's folder; netarch check reads only"
            " files inside it (symbolic links that lead out count as outside)"
        )
    return resolved


def _parse(text: str, shown: str) -> tuple[dict[str, Any], yaml.Node | None]:
    """The mapping a config file holds, after the model loader's limits on what it expands to."""
    loader = _ConfigLoader(text)
    loader.display = shown
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, None
        _check_limits(node, shown)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        problem = excerpt(str(error.problem or error.context or "invalid YAML"), 200)
        raise SiteConfigError(f"{where}: cannot parse the configuration: {problem}") from None
    except yaml.YAMLError as error:
        problem = excerpt(str(error))
        raise SiteConfigError(f"{shown}: cannot parse the configuration: {problem}") from None
    except RecursionError:
        raise SiteConfigError(
            f"{shown}: nested too deeply to read (at most {MAX_DEPTH} levels)"
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SiteConfigError(
            f"{_mark(shown, node)}: the configuration must be a mapping of settings, got"
            f" {_kind(data)}"
        )
    return data, node


def _mark(shown: str, node: yaml.Node) -> str:
    return f"{shown}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _check_limits(root: yaml.Node, shown: str) -> None:
    """The model loader's limits (values, text, nesting, aliases included), on the composed
    nodes before anything is built from them: an alias bomb in mkdocs.yml costs nothing."""
    sizes: dict[int, tuple[int, int]] = {}  # node id -> (values, characters), expanded
    active: set[int] = set()

    def walk(node: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise SiteConfigError(
                f"{_mark(shown, node)}: values are nested more than {MAX_DEPTH} levels deep"
            )
        known = sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.ScalarNode):
            return 1, len(node.value)
        if id(node) in active:
            raise SiteConfigError(
                f"{_mark(shown, node)}: recursive alias: a value refers to a node that contains it"
            )
        active.add(id(node))
        values, characters = 1, 0
        children = node.value if isinstance(node, yaml.SequenceNode) else []
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        for child in children:
            more, text = walk(child, depth + 1)
            values, characters = values + more, characters + text
            if values > MAX_NODES:
                raise SiteConfigError(
                    f"{_mark(shown, child)}: the configuration expands to more than"
                    f" {MAX_NODES} values (aliases included)"
                )
            if characters > MAX_TEXT:
                raise SiteConfigError(
                    f"{_mark(shown, child)}: the configuration expands to more than"
                    f" {MAX_TEXT // 1_000_000} million characters (aliases included)"
                )
        active.discard(id(node))
        sizes[id(node)] = (values, characters)
        return values, characters

    walk(root, 1)


def _record_positions(
    node: yaml.Node, shown: str, path: PathTuple, positions: dict[PathTuple, Position]
) -> None:
    positions[path] = (shown, node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_positions(item, shown, (*path, index), positions)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                _record_positions(value, shown, (*path, str(key.value)), positions)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``mergedeep.merge(parent, child)`` as MkDocs calls it: mappings merge recursively,
    anything else the child gives replaces the parent's."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _entries(config: _Config, key: str) -> list[tuple[str, Any, PathTuple]]:
    """``plugins`` or ``markdown_extensions`` in any form MkDocs accepts, as (name, options,
    where the options are); names resolved, options left as written."""
    value = config.top(config.data.get(key), (key,))
    if value is None:
        return []
    entries: list[tuple[str, Any, PathTuple]] = []
    if isinstance(value, dict):
        for name, options in value.items():
            entries.append((config.top(name, (key,)), options, (key, str(name))))
        return _named(config, key, entries)
    if not isinstance(value, list):
        raise SiteConfigError(
            f"{config.at((key,))}: {key} must be a list or a mapping of"
            f" {'plugins' if key == 'plugins' else 'extensions'}, got {_kind(value)}"
        )
    for index, item in enumerate(value):
        item = config.top(item, (key, index))
        if isinstance(item, str):
            entries.append((item, {}, (key, index)))
        elif isinstance(item, dict) and len(item) == 1:
            [(name, options)] = item.items()
            entries.append((config.top(name, (key, index)), options, (key, index, str(name))))
        else:
            raise SiteConfigError(
                f"{config.at((key, index))}: {key}: each entry is a name or 'name: {{options}}',"
                f" got {_kind(item)}"
            )
    return _named(config, key, entries)


def _named(
    config: _Config, key: str, entries: list[tuple[Any, Any, PathTuple]]
) -> list[tuple[str, Any, PathTuple]]:
    for name, _, path in entries:
        if not isinstance(name, str):
            raise SiteConfigError(
                f"{config.at(path)}: {key}: a name must be text, got {_kind(name)}"
            )
    return entries


def _plugin_options(config: _Config, shown: str) -> tuple[dict[str, Any] | None, PathTuple]:
    """The netarch entry of ``plugins`` (its options resolved), or None if absent."""
    for name, options, path in _entries(config, "plugins"):
        if name != PLUGIN_NAME:
            continue
        options = config.use(options, path)
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise SiteConfigError(
                f"{config.at(path) or shown}: the options of the netarch plugin must be a"
                f" mapping, got {_kind(options)}"
            )
        if options.get("enabled", True) is False:
            return None, path
        return options, path
    return None, ()


def _settings_view(config: _Config, docs_dir: str) -> dict[str, Any]:
    """The keys :class:`SiteSettings` reads, resolved; other keys (``site_url``, ``extra``,
    other plugins' options) are not used, so an ``!ENV`` in them is never looked at."""
    raw = config.data
    theme = config.top(raw.get("theme"), ("theme",))
    if isinstance(theme, dict) and "custom_dir" in theme:
        custom = config.top(theme["custom_dir"], ("theme", "custom_dir"))
        if isinstance(custom, str):
            _inside(config.project, custom, config.at(("theme", "custom_dir")), "custom_dir")
        theme = {**theme, "custom_dir": custom}
    if isinstance(theme, dict) and "name" in theme:  # which theme's templates render the pages
        theme = {**theme, "name": config.top(theme["name"], ("theme", "name"))}
    view: dict[str, Any] = {
        "docs_dir": docs_dir,
        "theme": theme,
        "extra_javascript": config.use(raw.get("extra_javascript"), ("extra_javascript",)),
    }
    for key in ("plugins", "markdown_extensions"):
        names: dict[str, Any] = {}
        for name, options, path in _entries(config, key):
            wanted = name == "pymdownx.superfences" and key == "markdown_extensions"
            names.setdefault(name, config.use(options, path) if wanted else {})
        view[key] = names
    return view


def _validate(
    options: dict[str, Any],
    options_path: PathTuple,
    config: _Config,
    config_file: Path,
    config_dir: Path,
) -> Any:
    from netarch.mkdocs_plugin import NetarchConfig  # MkDocs' config machinery, only here

    where = config.at(options_path) or config_file.as_posix()
    # The gate reads only the site's own files (a mermaid_js of /proc/self/environ would be
    # quoted back by the JavaScript engine's error): checked before MkDocs' own validation,
    # which would look at the path first.
    for key in ("model", "mermaid_js", "custom_templates"):
        value = options.get(key)
        if isinstance(value, str) and value:
            place = config.at((*options_path, key)) or where
            _inside(config_dir, value, place, f"plugins: netarch: '{key}':")
    validator = NetarchConfig(config_file_path=str(config_file))
    validator.load_dict(options)
    errors, _warnings = validator.validate()
    if errors:
        key, _ = errors[0]
        place = config.at((*options_path, key)) or where
        problems = "; ".join(f"'{name}': {excerpt(str(problem), 200)}" for name, problem in errors)
        raise SiteConfigError(f"{place}: plugins: netarch: {problems}")
    if not validator.enabled:
        return None
    return validator


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}
    names.update({int: "a number", float: "a number"})
    if value is None:
        return "nothing"
    return names.get(type(value), f"a {type(value).__name__}")
