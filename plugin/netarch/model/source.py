"""Load the YAML model with a source position for every key and value.

``load_document`` never raises: every problem becomes a :class:`~netarch.diagnostics.Diagnostic`
so that one run reports all of them. The result is a :class:`Document` whose ``data`` is plain,
JSON-shaped Python (what ``yaml.safe_load`` gives, with two deliberate differences listed below)
plus position tables keyed by *path tuples* such as ``("metallb", "pools", 0, "addresses", 1)``.

Differences from ``yaml.safe_load``, both so the data validates predictably against a JSON Schema:

* mapping keys are always strings, taken from the source text: ``100:`` is the key ``"100"`` and
  ``on:`` is ``"on"`` (YAML 1.1 would make them ``100`` and ``True``);
* timestamps stay strings: ``2024-01-01`` is ``"2024-01-01"``, not a ``datetime.date``.

Includes: a top-level ``include: [relative/path.yaml, ...]`` (or a single path) loads those files,
relative to the including file, and merges them into the document after the including file's
own keys: mappings merge key by key (recursively), lists concatenate, anything else defined twice
is an error. Every value keeps the position in the file that defined it.

Codes: NA001 YAML syntax, NA002 duplicate key, NA003 top level not a mapping / empty file,
NA004 unsupported YAML (custom tags, sets, binary, complex keys, recursive aliases),
NA005 unreadable file, NA006 include problems.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.safety import (
    UnreadableFile,
    excerpt,
    inspect_path,
    os_problem,
    read_regular_file,
    resolve_path,
)
from netarch.yaml_loading import FastComposeLoader

PathTuple = tuple[str | int, ...]
# Where a key or value is written: (file as shown, 1-based line, 1-based column).
Position = tuple[str, int, int]

_YAML_TAG = "tag:yaml.org,2002:"
# Scalar tags that map onto JSON-shaped values; anything else is NA004.
_SCALAR_TAGS = {f"{_YAML_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_TIMESTAMP_TAG = f"{_YAML_TAG}timestamp"
_STR_TAG = f"{_YAML_TAG}str"
_MERGE_TAG = f"{_YAML_TAG}merge"
_SEQ_TAG = f"{_YAML_TAG}seq"
_MAP_TAG = f"{_YAML_TAG}map"
# Guards against "billion laughs" alias bombs: real models have a few thousand nodes.
MAX_NODES = 100_000
# Characters of text a file may expand to, aliases included (the demo model has ~60 000); one
# 100 KB string aliased 20 000 times made 2 GB of values to check and render.
MAX_TEXT = 8_000_000
# Nesting levels (the demo model has 12): deeper values overflow the recursion of the checks
# and renderers that walk them.
MAX_DEPTH = 64
_SIMPLE_KEY = re.compile(r"^[\w-]+$")


def format_path(path: Sequence[str | int]) -> str:
    """``("metallb", "pools", 0)`` -> ``metallb.pools[0]``; odd keys are quoted: ``a["1.2/3"]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _SIMPLE_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


@dataclass
class Document:
    """The loaded model: JSON-shaped ``data`` plus where each key and value was written."""

    data: Any
    # Positions as (file, line, column): a model has thousands, and a Location is only made
    # for the few that are looked up.
    value_locations: dict[PathTuple, Position] = field(default_factory=dict)
    key_locations: dict[PathTuple, Position] = field(default_factory=dict)
    # Every file read (as a filesystem path), including ones that failed: watch them all.
    files: list[str] = field(default_factory=list)
    # Source lines per display path, to show the offending line under a diagnostic.
    lines: dict[str, list[str]] = field(default_factory=dict)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def section_fingerprint(self, name: str) -> str:
        """The exact content of a top-level section as text (``repr`` tells 1, "1", 1.0 and
        true apart), so that stages can recognise a section they already checked."""
        fingerprint = self._fingerprints.get(name)
        if fingerprint is None:
            fingerprint = self._fingerprints[name] = repr(self.data[name])
        return fingerprint

    def value_location(self, path: Sequence[str | int]) -> Location:
        """Where the value at ``path`` starts; the nearest known ancestor for unknown paths."""
        return _lookup(self.value_locations, tuple(path), self.value_locations)

    def key_location(self, path: Sequence[str | int]) -> Location:
        """Where the key of the mapping entry at ``path`` is; a list item is its own key."""
        return _lookup(self.key_locations, tuple(path), self.value_locations)

    def source_line(self, location: Location) -> str:
        lines = self.lines.get(location.file, [])
        return lines[location.line - 1] if 0 < location.line <= len(lines) else ""

    def diagnostic(
        self,
        code: str,
        location: Location,
        message: str,
        *,
        hint: str = "",
        path: Sequence[str | int] | None = None,
        related: Iterable[Location] = (),
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        """A diagnostic with the source line filled in and ``path`` formatted for humans."""
        return Diagnostic(
            location=location,
            severity=severity,
            code=code,
            message=message,
            hint=hint,
            path=format_path(path) if path else "",
            related=tuple(related),
            source_line=self.source_line(location),
        )


def _lookup(
    table: dict[PathTuple, Position], path: PathTuple, fallback: dict[PathTuple, Position]
) -> Location:
    while True:
        if path in table:
            return Location(*table[path])
        if path in fallback:
            return Location(*fallback[path])
        if not path:
            return Location("")
        path = path[:-1]


# --- composing ---------------------------------------------------------------------------------


class _Alias:
    """What an alias (``*name``) composes to: the anchored node plus where the alias was written."""

    def __init__(self, node: yaml.Node, mark: yaml.Mark) -> None:
        self.node = node
        self.start_mark = mark


class _ComposeLoader(yaml.SafeLoader):
    # PyYAML hands back the anchored node itself for an alias; wrap it so the alias's own
    # position survives (a wrong value used through ``*name`` is reported where it is used).
    def compose_node(self, parent: yaml.Node | None, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            return _Alias(super().compose_node(parent, index), mark)
        return super().compose_node(parent, index)


def _compose_fast(text: str) -> tuple[Any, Any]:
    """Compose with libyaml when that cannot change the result: ~14x faster on a large model.

    Only without anchors (so no aliases, whose use positions the Python composer keeps) and
    only when it succeeds: any error is re-parsed by the Python loader, whose messages and
    positions the diagnostics are written for.
    """
    if not yaml.__with_libyaml__ or "&" in text:
        return None, None
    loader = FastComposeLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        return None, None


@dataclass
class _Value:
    """A value with its position, before includes are merged and position tables are built."""

    data: Any  # dict[str, _Entry] | list[_Value] | scalar
    location: Position


@dataclass
class _Entry:
    key_location: Position
    value: _Value


def _type_name(node: Any) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "a single value"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag


class _Limit(Exception):
    """A file expands beyond what a model may hold; stops reading it with a located error."""

    def __init__(self, message: str, where: Position, hint: str) -> None:
        super().__init__(message)
        self.message, self.where, self.hint = message, where, hint


class _TooManyNodes(_Limit):
    pass


class _Builder:
    """Turns composed nodes into ``_Value`` trees, reporting NA002 and NA004 as it goes."""

    def __init__(
        self, loader: _ComposeLoader, file: str, emit: _Emitter, first_line: int = 1
    ) -> None:
        self.loader = loader
        self.file = file
        self.emit = emit
        self.count = 0
        self.text = 0  # characters of scalar text built so far, each alias use counted
        self.depth = 0
        self.aliases = 0
        self.first_line = first_line  # the file's line number of the text's first line

    def loc(self, mark: yaml.Mark) -> Position:
        return (self.file, mark.line + self.first_line, mark.column + 1)

    def build(self, node: Any, active: frozenset[int] = frozenset()) -> _Value:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooManyNodes(
                f"{self.file} expands to more than {MAX_NODES} values through aliases"
                if self.aliases
                else f"{self.file} has more than {MAX_NODES} values",
                self.loc(node.start_mark),
                "use fewer nested aliases" if self.aliases else "split the model or trim it",
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Limit(
                    f"values are nested more than {MAX_DEPTH} levels deep here",
                    self.loc(node.start_mark),
                    "a network model needs a dozen levels; flatten this value",
                )
            return self.build_node(node, active)
        finally:
            self.depth -= 1

    def build_node(self, node: Any, active: frozenset[int]) -> _Value:
        if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            self.text += len(node.value)
            if self.text > MAX_TEXT:
                raise _Limit(
                    f"{self.file} expands to more than {MAX_TEXT // 1_000_000} million characters"
                    + (" through aliases" if self.aliases else ""),
                    self.loc(node.start_mark),
                    "a network model is prose and settings; keep long documents out of it",
                )
        if isinstance(node, _Alias):
            self.aliases += 1
            here = self.loc(node.start_mark)
            if id(node.node) in active:
                self.emit(
                    "NA004",
                    here,
                    "recursive alias: this alias refers to a node that contains it",
                    hint="an alias must not point at one of its own parents",
                )
                return _Value(None, here)
            value = self.build(node.node, active)
            return _Value(value.data, here)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        active = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.unsupported_tag(node)
            return _Value(
                [self.build(item, active) for item in node.value], self.loc(node.start_mark)
            )
        if node.tag != _MAP_TAG:
            self.unsupported_tag(node)
        return self.mapping(node, active)

    def unsupported_tag(self, node: yaml.Node) -> None:
        tag = _short_tag(node.tag)
        self.emit(
            "NA004",
            self.loc(node.start_mark),
            f"unsupported YAML tag {tag}",
            hint="the model uses plain mappings, lists, strings, numbers, booleans and null; "
            f"remove {tag}",
        )

    def scalar(self, node: yaml.ScalarNode) -> _Value:
        here = self.loc(node.start_mark)
        if node.tag == _STR_TAG:  # most values: what SafeConstructor would return, directly
            return _Value(node.value, here)
        if node.tag == _TIMESTAMP_TAG:
            return _Value(node.value, here)
        if node.tag not in _SCALAR_TAGS:
            self.unsupported_tag(node)
            return _Value(node.value, here)
        try:
            return _Value(self.loader.construct_object(node, deep=True), here)
        except (yaml.YAMLError, ValueError, TypeError):
            # Only reachable with an explicit tag such as ``!!int abc``.
            self.emit(
                "NA004",
                here,
                f"cannot read {json.dumps(node.value)} as {_short_tag(node.tag)}",
                hint=f"remove the {_short_tag(node.tag)} tag or fix the value",
            )
            return _Value(node.value, here)

    def key(self, node: Any) -> str | None:
        target = node.node if isinstance(node, _Alias) else node
        if not isinstance(target, yaml.ScalarNode):
            self.emit(
                "NA004",
                self.loc(node.start_mark),
                f"unsupported mapping key: {_type_name(target)} used as a key",
                hint="keys must be plain strings",
            )
            return None
        if target.tag not in _SCALAR_TAGS and target.tag != _TIMESTAMP_TAG:
            self.unsupported_tag(target)
        return str(target.value)

    def merged_entries(self, value_node: Any, active: frozenset[int]) -> list[tuple[str, _Entry]]:
        """The entries ``<<: *x`` / ``<<: [*x, *y]`` brings in; earlier mappings win.

        That is the merge-key spec (and classic PyYAML); PyYAML 6.0.4 deduplicates merged keys
        by string identity, so its winner can depend on interning.
        """
        target = value_node.node if isinstance(value_node, _Alias) else value_node
        sources = target.value if isinstance(target, yaml.SequenceNode) else [value_node]
        entries: list[tuple[str, _Entry]] = []
        seen: set[str] = set()
        for source in sources:
            source_node = source.node if isinstance(source, _Alias) else source
            if not isinstance(source_node, yaml.MappingNode):
                self.emit(
                    "NA004",
                    self.loc(source.start_mark),
                    f"merge key '<<' needs a mapping or a list of mappings, "
                    f"got {_type_name(source_node)}",
                    hint="merge an anchored mapping: '<<: *name'",
                )
                continue
            built = self.build(source, active)
            for key, entry in built.data.items():
                if key not in seen:
                    seen.add(key)
                    entries.append((key, entry))
        return entries

    def mapping(self, node: yaml.MappingNode, active: frozenset[int]) -> _Value:
        merged: list[tuple[str, _Entry]] = []
        explicit: dict[str, _Entry] = {}
        for key_node, value_node in node.value:
            key_target = key_node.node if isinstance(key_node, _Alias) else key_node
            if getattr(key_target, "tag", None) == _MERGE_TAG:
                merged.extend(self.merged_entries(value_node, active))
                continue
            key = self.key(key_node)
            if key is None:
                continue
            key_loc = self.loc(key_node.start_mark)
            first = explicit.get(key)
            if first is not None:
                self.emit(
                    "NA002",
                    key_loc,
                    f"duplicate key '{key}' (first defined at line {first.key_location[1]})",
                    hint="remove one of them",
                    related=(first.key_location,),
                )
            # Like yaml.safe_load: the last value wins, at the first one's place in the order.
            explicit[key] = _Entry(key_loc, self.build(value_node, active))
        data: dict[str, _Entry] = {}
        # Same order and precedence as yaml.safe_load: merged keys first, explicit keys win.
        for key, entry in merged:
            data.setdefault(key, entry)
        data.update(explicit)
        return _Value(data, self.loc(node.start_mark))


# --- syntax errors -----------------------------------------------------------------------------

_TOKEN_NAMES = {
    "<block end>": "the end of the block",
    "<block mapping start>": "a 'key: value' entry",
    "<block sequence start>": "a list",
    "<scalar>": "a value",
    "<stream end>": "the end of the file",
    "<document start>": "'---'",
    "<flow mapping start>": "'{'",
    "<flow sequence start>": "'['",
    "-": "a list item ('-')",
    "?": "a key",
}
# What PyYAML's "while parsing a ..." context is, in the user's words.
_CONSTRUCTS = {
    "flow mapping": "the {...} mapping",
    "flow sequence": "the [...] list",
    "block mapping": "the mapping",
    "block collection": "the block",
    "indentless sequence": "the list",
    "simple key": "the key",
}


def _readable_token(text: str) -> str:
    text = text.strip()
    unquoted = text[1:-1] if len(text) > 2 and text[0] == text[-1] == "'" else text
    return _TOKEN_NAMES.get(unquoted, f"'{unquoted}'")


def _construct(context: str) -> str:
    for name, words in _CONSTRUCTS.items():
        if name in context:
            return words
    return "the enclosing block"


def _tokens(text: str) -> list[yaml.Token]:
    """The tokens before a syntax error, to explain it better than the parser can."""
    tokens: list[yaml.Token] = []
    with contextlib.suppress(yaml.YAMLError):
        tokens.extend(yaml.scan(text, Loader=yaml.SafeLoader))
    return tokens


def _unclosed_bracket(tokens: list[yaml.Token]) -> yaml.Token | None:
    stack: list[yaml.Token] = []
    for token in tokens:
        if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
            stack.append(token)
        elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and stack:
            stack.pop()
    return stack[-1] if stack else None


def _runaway_quote(tokens: list[yaml.Token], mark: yaml.Mark) -> yaml.Token | None:
    """A quoted string spanning lines that ends on the error's line: a missing closing quote."""
    for token in reversed(tokens):
        if token.start_mark.index >= mark.index:
            continue
        if (
            isinstance(token, yaml.ScalarToken)
            and token.style in ("'", '"')
            and token.start_mark.line < token.end_mark.line == mark.line
        ):
            return token
        if token.end_mark.line < mark.line:
            return None
    return None


def _explain_syntax_error(
    error: yaml.MarkedYAMLError, text: str
) -> tuple[str, str, yaml.Mark | None]:
    """PyYAML's problem text as (message, hint, mark to report at)."""
    problem = error.problem or "invalid YAML"
    context = error.context or ""
    mark = error.problem_mark
    context_mark = error.context_mark
    opened = f"line {context_mark.line + 1}" if context_mark else "above"
    if isinstance(error, yaml.parser.ParserError) and mark is not None:
        tokens = _tokens(text)
        bracket = _unclosed_bracket(tokens)
        if bracket is not None and "<stream end>" in problem:
            what = (
                "[...] list"
                if isinstance(bracket, yaml.FlowSequenceStartToken)
                else "{...} mapping"
            )
            return (
                f"the {what} opened here is never closed",
                f"add the closing '{']' if what[0] == '[' else '}'}'",
                bracket.start_mark,
            )
        quote = _runaway_quote(tokens, mark)
        if quote is not None:
            return (
                f"the quoted string opened here runs on to line {mark.line + 1}: "
                "is its closing quote missing?",
                "close the quote on this line",
                quote.start_mark,
            )
    if "'\\t'" in problem:
        return "tab character: YAML indentation must use spaces", "replace it with spaces", mark
    if "quoted scalar" in context and "end of stream" in problem:
        # At the end of the file the problem mark is useless: point at the opening quote.
        return (
            "unterminated quoted string: the closing quote is missing",
            "close the quote, or remove it if the value needs none",
            context_mark,
        )
    if ("<stream end>" in problem or "end of stream" in problem) and context_mark:
        return (
            f"the file ends inside {_construct(context)} opened here",
            "close the bracket or quote",
            context_mark,
        )
    if problem == "mapping values are not allowed here":
        return (
            "unexpected ':' -- a 'key: value' entry cannot start here",
            "check the indentation of this line, or quote a value that contains ': '",
            mark,
        )
    if problem == "could not find expected ':'":
        return (
            f"the key on {opened} is missing its ':'",
            "write 'key: value', or indent a continuation line deeper than its key",
            context_mark or mark,
        )
    match = re.match(r"expected (.+?), but (?:found|got) (.+)$", problem)
    if match and "flow" in context:
        return (
            f"{_construct(context)} opened on {opened} is not closed properly: expected "
            f"{match.group(1)}, found {_readable_token(match.group(2))}",
            "close the bracket, separate items with ', ', or quote values containing ': '",
            mark,
        )
    if match:
        return (
            f"bad indentation: {_readable_token(match.group(2))} does not line up with "
            f"{_construct(context)} started on {opened}",
            "indent this line exactly like its siblings (spaces only); also look above for an "
            "unclosed quote",
            mark,
        )
    if problem.startswith("found unknown escape character"):
        char = problem.split("'")[1] if "'" in problem else "?"
        return (
            f"unknown escape sequence \\{char} in a double-quoted string",
            "write \\\\ for a backslash, or use single quotes, which have no escapes",
            mark,
        )
    if problem.startswith("found undefined alias"):
        name = problem.split("'")[1] if "'" in problem else ""
        return (
            f"alias *{name} refers to an anchor that is not defined before it",
            f"define '&{name}' on a value above this line",
            mark,
        )
    if context.startswith("found duplicate anchor"):
        name = context.split("'")[1] if "'" in context else ""
        return (
            f"anchor &{name} is defined twice (first on {opened})",
            "give each anchor a unique name",
            mark,
        )
    if context == "expected a single document in the stream":
        return (
            "more than one YAML document ('---') in the file",
            "keep one document per file; split the model with 'include:' instead",
            mark,
        )
    message = problem
    if context:
        message += f" ({context} on {opened})" if context_mark else f" ({context})"
    return message, "fix the YAML syntax here", mark


# --- loading ------------------------------------------------------------------------------------


# --- top-level blocks --------------------------------------------------------------------------
#
# Under `mkdocs serve` one save changes one line of one top-level section. A model file that is
# a plain block mapping -- every line at column 0 is `key:` (a plain key), a comment or blank --
# is the same mapping as its top-level blocks parsed one by one, each a document of its own:
# without anchors, directives or document markers nothing in one block can change the meaning
# of another. Each block is composed by libyaml and built once per (file, text, first line);
# the first block that is not exactly that (any error, duplicate key, tag problem, `include`,
# anything the splitter does not recognise) sends the whole file to the full parse, whose
# diagnostics are authoritative.

_TOP_LEVEL_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?=:(?:[ \t]|\r?$))")
# Anchors; tabs; characters where str.splitlines and YAML disagree on what a line is.
_NOT_SIMPLE = ("&", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
_BLOCKS: dict[tuple[str, str, int], _Entry] = {}
_BLOCKS_MAX = 1024


def _top_level_blocks(text: str) -> list[tuple[str, int, str]] | None:
    """(key, first line, text) per top-level block, or None when ``text`` is not that simple."""
    if not yaml.__with_libyaml__ or any(mark in text for mark in _NOT_SIMPLE):
        return None
    lines = text.splitlines(keepends=True)
    starts: list[tuple[int, str]] = []
    for number, line in enumerate(lines):
        first = line[:1]
        if first in (" ", "\n", "\r", "#"):
            if not starts and first == " " and line.strip() and not line.lstrip().startswith("#"):
                return None  # indented content before the first key
            continue
        key = _TOP_LEVEL_KEY.match(line)
        if key is None:
            return None  # '---', '%YAML', '- item', '"quoted": key', '? key', a flow mapping...
        starts.append((number, key.group(0)))
    keys = [key for _, key in starts]
    if not starts or len(set(keys)) != len(keys) or "include" in keys:
        return None
    bounds = [number for number, _ in starts] + [len(lines)]
    return [
        (key, number + 1, "".join(lines[number : bounds[index + 1]]))
        for index, (number, key) in enumerate(starts)
    ]


def _parse_by_blocks(text: str, display: str) -> _Value | None:
    blocks = _top_level_blocks(text)
    if blocks is None:
        return None
    entries: dict[str, _Entry] = {}
    for key, first_line, block in blocks:
        entry = _BLOCKS.get((display, block, first_line))
        if entry is None:
            entry = _parse_block(block, display, first_line)
            if entry is None:
                return None
            if len(_BLOCKS) >= _BLOCKS_MAX:
                _BLOCKS.clear()
            _BLOCKS[(display, block, first_line)] = entry
        entries[key] = entry
    # The root mapping starts where its first key does, as composing the whole file gives.
    return _Value(entries, (display, blocks[0][1], 1))


def _parse_block(block: str, display: str, first_line: int) -> _Entry | None:
    """The single ``key: value`` entry ``block`` holds, or None for anything unusual."""
    loader = FastComposeLoader(block)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode) or node.tag != _MAP_TAG or len(node.value) != 1:
            return None
        silent = _Emitter()
        root = _Builder(loader, display, silent, first_line).build(node)
        if silent.pending or len(root.data) != 1:
            return None
        return next(iter(root.data.values()))
    except (yaml.YAMLError, _Limit, RecursionError):
        return None
    finally:
        loader.dispose()


class _Emitter:
    """Collects diagnostics; source lines are attached once all files are known."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, Location, str, str, tuple[Location, ...]]] = []

    def __call__(
        self,
        code: str,
        location: Location | Position,
        message: str,
        hint: str = "",
        related: tuple[Location | Position, ...] = (),
    ) -> None:
        self.pending.append(
            (code, _location(location), message, hint, tuple(map(_location, related)))
        )


def _location(where: Location | Position) -> Location:
    return Location(*where) if isinstance(where, tuple) else where


@dataclass
class _Include:
    resolved: Path
    display: str
    at: Position | None  # the include entry that brought the file in (None for the root)


_OS_ERRORS: dict[type[OSError], tuple[str, str]] = {
    FileNotFoundError: ("file not found", "check the path"),
    IsADirectoryError: ("it is a directory", "name a YAML file"),
    PermissionError: ("permission denied", "make the file readable"),
}


# A model file (and each include) is read whole; anything larger is not a model.
MAX_FILE_BYTES = 8_000_000
_MODEL_SUFFIXES = (".yaml", ".yml")


class _Loader:
    def __init__(self, project: Path | None = None) -> None:
        # Includes resolve (symlinks followed) inside this folder only: a model from a pull
        # request must not read /proc/self/environ or ~/.ssh and echo it in an error.
        self.project = _resolve(project) if project is not None else None
        self.emit = _Emitter()
        self.files: list[str] = []
        self.lines: dict[str, list[str]] = {}
        self.loaded: dict[Path, Position | None] = {}

    def read(self, path: Path, display: str, at: Position | None) -> str | None:
        related = (at,) if at else ()
        try:
            raw = _read_regular(path)
        except _NotAModelFile as error:
            self.emit("NA005", Location(display), f"cannot read {display}: {error}", "", related)
            return None
        except OSError as error:
            reason, hint = _OS_ERRORS.get(type(error), (os_problem(error), ""))
            self.emit("NA005", Location(display), f"cannot read {display}: {reason}", hint, related)
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            before = raw[: error.start]
            line = before.count(b"\n") + 1
            column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
            self.emit(
                "NA005",
                Location(display, line, column),
                f"cannot read {display}: not valid UTF-8 "
                f"(byte 0x{raw[error.start]:02x} at line {line}, column {column})",
                "save the file as UTF-8",
                related,
            )
            return None

    def parse(self, text: str, display: str) -> _Value | None:
        text = text.removeprefix("\ufeff")  # a BOM would shift every column on line 1
        self.lines[display] = text.splitlines()
        by_blocks = _parse_by_blocks(text, display)
        if by_blocks is not None:
            return by_blocks
        loader: Any = None
        try:
            loader, node = _compose_fast(text)
            if loader is None:
                loader = _ComposeLoader(text)  # checks for forbidden characters right away
                node = loader.get_single_node()
            if node is None:
                self.emit(
                    "NA003",
                    Location(display, 1, 1),
                    f"{display} is empty",
                    "the model is a mapping of top-level keys, e.g. 'cluster: ...'",
                )
                return None
            if not isinstance(node, yaml.MappingNode) or node.tag != _MAP_TAG:
                target = node.node if isinstance(node, _Alias) else node
                what, got = "a mapping", _type_name(target)
                if isinstance(target, yaml.MappingNode):  # a mapping, but tagged (!!omap, !x)
                    what, got = "a plain mapping", f"a mapping tagged {_short_tag(target.tag)}"
                self.emit(
                    "NA003",
                    Location(display, node.start_mark.line + 1, node.start_mark.column + 1),
                    f"the top level of {display} must be {what} (key: value), got {got}",
                    "the model is a mapping of top-level keys, e.g. 'cluster: ...'",
                )
                return None
            return _Builder(loader, display, self.emit).build(node)
        except yaml.MarkedYAMLError as error:
            message, hint, mark = _explain_syntax_error(error, text)
            where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
            self.emit("NA001", where, message, hint)
        except yaml.reader.ReaderError as error:
            before = text[: error.position]
            line = before.count("\n") + 1
            column = error.position - (before.rfind("\n") + 1) + 1
            char = error.character if isinstance(error.character, int) else ord(error.character)
            self.emit(
                "NA001",
                Location(display, line, column),
                f"control character U+{char:04X} is not allowed in YAML",
                "remove it, or write it as an escape in a double-quoted string",
            )
        except yaml.YAMLError as error:
            self.emit("NA001", Location(display), f"invalid YAML: {error}")
        except _Limit as limit:
            self.emit("NA004", limit.where, limit.message, limit.hint)
        except RecursionError:
            self.emit(
                "NA004",
                Location(display, 1, 1),
                f"{display} is nested too deeply to read",
                f"a network model needs a dozen levels; keep values under {MAX_DEPTH}",
            )
        finally:
            if loader is not None:
                loader.dispose()
        return None

    def load(
        self, path: Path, display: str, text: str | None, chain: list[_Include], at: Position | None
    ) -> _Value | None:
        self.files.append(str(path))
        self.loaded[_resolve(path)] = at
        if text is None:
            text = self.read(path, display, at)
            if text is None:
                return None
        root = self.parse(text, display)
        if root is None:
            return None
        entry = root.data.pop("include", None)
        if entry is not None:
            here = _Include(_resolve(path), display, at)
            for item, item_at in self.include_items(entry):
                included = self.include(path, display, item, item_at, [*chain, here])
                if included is not None:
                    self.merge(root, included, ())
        return root

    def include_items(self, entry: _Entry) -> list[tuple[str, Position]]:
        value = entry.value
        items = value.data if isinstance(value.data, list) else [value]
        result = []
        for item in items:
            if isinstance(item.data, str) and item.data.strip():
                result.append((item.data, item.location))
            else:
                self.emit(
                    "NA006",
                    item.location,
                    "'include' takes a list of file paths relative to this file",
                    "write 'include: [part.yaml, other.yaml]'",
                )
        return result

    def include(
        self, parent: Path, parent_display: str, item: str, at: Position, chain: list[_Include]
    ) -> _Value | None:
        path = parent.parent / item
        display = posixpath.normpath(posixpath.join(posixpath.dirname(parent_display), item))
        found = inspect_path(path)
        if found.kind == "unusable":  # too long, a link loop, a NUL: nothing can be read
            self.emit(
                "NA006",
                at,
                f"include '{excerpt(item, 120)}' cannot be used: {found.problem}",
                "name a YAML file of the project by a short relative path",
            )
            return None
        resolved = _resolve(path)
        refusal = self.refuse(item, resolved)
        if refusal is not None:
            self.emit("NA006", at, refusal[0], refusal[1])
            return None
        for index, link in enumerate(chain):
            if link.resolved == resolved:
                cycle = [step.display for step in chain[index:]] + [display]
                self.emit(
                    "NA006",
                    at,
                    "include cycle: " + " -> ".join(cycle),
                    "remove one of these includes",
                    tuple(step.at for step in chain[index + 1 :] if step.at),
                )
                return None
        if resolved in self.loaded:
            first = self.loaded[resolved]
            self.emit(
                "NA006",
                at,
                f"{display} is included more than once",
                "include each file once; its keys would otherwise be defined twice",
                (first,) if first else (),
            )
            return None
        if not found.is_file:
            what = "included path is a folder" if found.is_folder else "included path is not a file"
            if found.kind == "other":  # say which kind: a FIFO, a device
                what = f"included path is {found.problem}"
            if found.kind == "missing":
                # Still a file of the model: live preview watches it, so creating it rebuilds.
                self.files.append(str(path))
                what = "included file not found"
            self.emit(
                "NA006",
                at,
                f"{what}: {display}",
                f"name a YAML file; paths are relative to {parent_display}",
            )
            return None
        return self.load(path, display, None, chain, at)

    def refuse(self, item: str, resolved: Path) -> tuple[str, str] | None:
        """Why ``item`` may not be included, or None: outside the project, or not YAML."""
        shown = excerpt(item, 120)
        if self.project is not None and not resolved.is_relative_to(self.project):
            return (
                f"include '{shown}' is outside the project folder; a model reads only files "
                "inside it",
                "keep every part of the model in the project (symlinks that lead out count "
                "as outside)",
            )
        if resolved.suffix.lower() not in _MODEL_SUFFIXES:
            return (
                f"include '{shown}' is not a YAML file (.yaml or .yml)",
                "include only parts of the model",
            )
        return None

    def merge(self, into: _Value, other: _Value, path: PathTuple) -> None:
        for key, entry in other.data.items():
            mine = into.data.get(key)
            if mine is None:
                into.data[key] = entry
                continue
            a, b = mine.value, entry.value
            if isinstance(a.data, dict) and isinstance(b.data, dict):
                self.merge(a, b, (*path, key))
            elif isinstance(a.data, list) and isinstance(b.data, list):
                a.data.extend(b.data)
            else:
                where = format_path((*path, key))
                self.emit(
                    "NA006",
                    entry.key_location,
                    f"'{where}' is also defined in {mine.key_location[0]} "
                    f"(line {mine.key_location[1]})",
                    "define it in one file only: across included files, mappings merge key by "
                    "key and lists concatenate, other values cannot be combined",
                    (mine.key_location,),
                )


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file of model size (``safety.read_regular_file``)."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except UnreadableFile as error:
        reason = str(error)
        if "larger" in reason:
            reason = f"larger than {MAX_FILE_BYTES // 1_000_000} MB, not a model"
        raise _NotAModelFile(reason) from None


class _NotAModelFile(Exception):
    pass


def _resolve(path: Path) -> Path:
    resolved = resolve_path(path)
    return resolved if resolved is not None else path.absolute()


def _flatten(value: _Value, path: PathTuple, document: Document) -> Any:
    document.value_locations[path] = value.location
    if isinstance(value.data, dict):
        result = {}
        for key, entry in value.data.items():
            document.key_locations[(*path, key)] = entry.key_location
            result[key] = _flatten(entry.value, (*path, key), document)
        return result
    if isinstance(value.data, list):
        items = []
        for index, item in enumerate(value.data):
            document.key_locations[(*path, index)] = item.location
            items.append(_flatten(item, (*path, index), document))
        return items
    return value.data


def load_document(
    path: Path,
    display_path: str | None = None,
    text: str | None = None,
    *,
    project_dir: Path | None = None,
) -> tuple[Document | None, list[Diagnostic]]:
    """Load ``path`` (or ``text`` in its place) and its includes; never raises.

    The document is ``None`` only when the top-level file itself is unusable; problems in
    included files are reported and the rest of the model is still returned. Includes are
    read only inside ``project_dir`` (default: the model's folder).
    """
    display = display_path if display_path is not None else str(path)
    loader = _Loader(project_dir if project_dir is not None else path.parent)
    root = loader.load(path, display, text, [], None)
    document = Document(data=None, files=loader.files, lines=loader.lines)
    if root is not None:
        document.key_locations[()] = root.location
        document.data = _flatten(root, (), document)
    diagnostics = [
        document.diagnostic(code, location, message, hint=hint, related=related)
        for code, location, message, hint, related in loader.emit.pending
    ]
    diagnostics.sort(key=lambda d: (*d.sort_key(), d.message))
    return (document if root is not None else None), diagnostics
