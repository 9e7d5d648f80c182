"""Read a cluster's configuration from files, keeping only what the readers asked for.

A ``kubectl get -o yaml`` dump of a large cluster is one YAML document of 100 MB, most of it
Pods and fields no reader uses; a YAML parser spends minutes building all of it. The reader
instead streams each file line by line, cuts it into objects (documents, and the items of a
``List``) by indentation, tells each object's kind from its text, and parses only the objects
a reader wants, with only the subtrees that reader keeps (the other lines are blanked, so every
line number stays the file's). Whatever the cutting cannot be sure of is parsed whole.

Untrusted input: a Secret is never parsed (its kind is read from its text; a Secret whose kind
only a parser can see, in flow style or JSON, is dropped as soon as its kind is known, and no
field of it is looked at). Problems are located diagnostics that never quote the file's text,
so no value can reach a log. Files are read only if they are regular files under the size
bound, links out of a given folder are not followed, and nothing is ever written.

Codes: NA060 a path that cannot be read, NA061 a file that is not valid YAML or JSON, NA062 an
object over a bound, NA063 a file passed over (link out of the folder, too many files).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from netarch.cluster.objects import (
    K3S_CONFIG,
    TALOS_CONFIG,
    ConfigObject,
    Configuration,
    FieldPath,
    Wanted,
    kept_paths,
    merge_wanted,
)
from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.yaml_loading import FastComposeLoader

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FILES = 20_000
# One object's text: a large ConfigMap is a few hundred KB.
MAX_OBJECT_CHARS = 16 * 1024 * 1024
# Values in one object, aliases counted at each use (a billion-laughs bomb stops here).
MAX_OBJECT_VALUES = 1_000_000
MAX_DEPTH = 64
SUFFIXES = (".yaml", ".yml", ".json")

# The keys of a k3s/RKE2 config.yaml (its command-line flags) that tell one from other YAML.
_K3S_KEYS = frozenset(
    {
        "cluster-cidr",
        "service-cidr",
        "cluster-dns",
        "cluster-domain",
        "flannel-backend",
        "disable-kube-proxy",
        "disable-network-policy",
        "node-ip",
        "node-external-ip",
        "tls-san",
        "cni",
        "egress-selector-mode",
    }
)
_TALOS_KEYS = frozenset({"machine", "cluster"})

_PLAIN_VALUE = re.compile(r"""^(["']?)([\w./:-]+)\1$""")


def _scalar_text(value: str | None) -> str | None:
    """``Secret``, ``"Secret"`` or ``'Secret'`` as written after a key; None for anything else."""
    if not value:
        return None
    match = _PLAIN_VALUE.match(value.strip())
    return match.group(2) if match else None


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count:,} bytes"


@dataclass
class _Unit:
    """The text of one object, and the file's line number of its first line."""

    first_line: int
    text: str


class _Reading:
    def __init__(self, wanted: Iterable[Wanted], base_dir: Path | None) -> None:
        self.wanted = merge_wanted(wanted)
        self.base_dir = base_dir
        self.result = Configuration()
        self.file_count = 0

    def shown(self, path: Path) -> str:
        """How a file is named in messages: as given, relative to the base folder, links not
        followed (a link is named by its own name, not by its target's)."""
        base = Path(os.path.abspath(self.base_dir or Path.cwd()))
        absolute = Path(os.path.abspath(path))
        return absolute.relative_to(base).as_posix() if absolute.is_relative_to(base) else str(path)

    # --- problems ----------------------------------------------------------------------------

    def problem(
        self, code: str, file: str, line: int, column: int, message: str, hint: str = ""
    ) -> None:
        self.result.diagnostics.append(
            Diagnostic(Location(file, line, column), Severity.ERROR, code, message, hint=hint)
        )

    def note(self, code: str, file: str, message: str, hint: str = "") -> None:
        self.result.diagnostics.append(
            Diagnostic(Location(file), Severity.WARNING, code, message, hint=hint)
        )

    # --- files -------------------------------------------------------------------------------

    def read_path(self, path: Path) -> None:
        shown = self.shown(path)
        try:
            info = path.stat()
        except OSError as error:
            self.problem(
                "NA060",
                shown,
                0,
                0,
                f"cannot read {shown}: {error.strerror or error}",
                "name a file or folder of configuration that exists",
            )
            return
        if stat.S_ISDIR(info.st_mode):
            for file in self.files_under(path):
                self.read_file(file)
        else:
            self.read_file(path)

    def files_under(self, folder: Path) -> Iterator[Path]:
        root = folder.resolve()
        for current, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(name for name in dirs if not name.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or not name.endswith(SUFFIXES):
                    continue
                candidate = Path(current, name)
                if candidate.is_symlink():
                    target = candidate.resolve()
                    if not target.is_relative_to(root):
                        self.note(
                            "NA063",
                            self.shown(candidate),
                            "not read: a link to a file outside the folder given",
                            "copy the file into the folder, or name it in --from",
                        )
                        continue
                yield candidate

    def read_file(self, path: Path) -> None:
        shown = self.shown(path)
        self.file_count += 1
        if self.file_count > MAX_FILES:
            if self.file_count == MAX_FILES + 1:
                self.note(
                    "NA063",
                    shown,
                    f"more than {MAX_FILES:,} files: the rest are not read",
                    "name the folders that hold the configuration",
                )
            return
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            self.problem("NA060", shown, 0, 0, f"cannot read {shown}: {error.strerror or error}")
            return
        with open(descriptor, "rb") as stream:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                self.problem("NA060", shown, 0, 0, f"not read: {shown} is not a regular file")
                return
            if info.st_size > MAX_FILE_BYTES:
                self.problem(
                    "NA060",
                    shown,
                    0,
                    0,
                    f"not read: {shown} is larger than {_size(MAX_FILE_BYTES)}",
                    "split the dump (for example one file per kind)",
                )
                return
            self.result.files.append(str(path))
            head = stream.read(4096)
            stream.seek(0)
            # JSON is read as JSON (much faster); a YAML file in flow style falls back to YAML.
            is_json = path.suffix == ".json"
            if head.lstrip()[:1] in (b"{", b"[") and self.read_json(stream, shown, is_json):
                return
            stream.seek(0)
            self.read_yaml(stream, shown)

    # --- YAML --------------------------------------------------------------------------------

    def read_yaml(self, stream: Any, shown: str) -> None:
        try:
            for unit in _yaml_units(stream):
                self.take(unit, shown)
        except UnicodeDecodeError as error:
            line = getattr(error, "netarch_line", 0)
            self.problem(
                "NA061",
                shown,
                line,
                0,
                "not UTF-8 text: the file is not read further",
                "save the file as UTF-8",
            )

    def take(self, unit: _Unit, shown: str) -> None:
        base = _base_indent(unit.text)
        if base is None:
            return
        head = _head_fields(unit.text, base)
        kind = head.get("kind")
        if kind == "Secret":
            self.result.secrets_skipped += 1
            return
        # A List whose items the cutting could not see (indented, or in flow style) is parsed
        # whole, and its items taken one by one.
        is_list = kind is not None and kind.endswith("List")
        if kind is not None and kind not in self.wanted and not is_list:
            self.result.passed_over[kind] += 1
            return
        requests = self.wanted.get(kind, []) if kind else []
        if kind is not None and not is_list:
            requests = [
                r
                for r in requests
                if r.takes_group(head.get("apiVersion", ""))
                and ("name" not in head or r.takes_name(head.get("namespace", ""), head["name"]))
            ]
            if not requests:
                self.result.passed_over[kind] += 1
                return
        if len(unit.text) > MAX_OBJECT_CHARS:
            self.problem(
                "NA062",
                shown,
                unit.first_line,
                base + 1,
                f"not read: {kind or 'this document'} is larger than "
                f"{_size(MAX_OBJECT_CHARS)} of text",
            )
            return
        keep = kept_paths(requests) if requests else ()
        node, failure = _compose(_prune(unit.text, base, keep) if keep else unit.text)
        if failure is not None and keep:
            node, failure = _compose(unit.text)  # the cut was wrong somewhere: read it whole
        if failure is not None:
            line, column, message = failure
            self.problem(
                "NA061",
                shown,
                unit.first_line + line,
                column,
                f"not valid YAML: {message}",
                "fix the syntax; the other objects are still read",
            )
            return
        if node is None:
            return
        self.keep_node(node, unit.first_line, shown)

    def keep_node(self, node: yaml.Node, first_line: int, shown: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.result.passed_over["(not an object)"] += 1
            return
        kind = _mapping_scalar(node, "kind")
        if kind == "Secret":  # a kind only the parser could see: drop it before building
            self.result.secrets_skipped += 1
            return
        items = _mapping_value(node, "items")
        if kind and kind.endswith("List") and isinstance(items, yaml.SequenceNode):
            for item in items.value:
                self.keep_node(item, first_line, shown)
            return
        builder = _Builder(first_line)
        try:
            data = builder.build(node, ())
        except _TooLarge as error:
            self.problem("NA062", shown, error.line, error.column, f"not read: {error}")
            return
        self.keep(data, builder.positions, shown, first_line + node.start_mark.line)

    def keep(
        self,
        data: dict[str, Any],
        positions: dict[FieldPath, tuple[int, int]],
        shown: str,
        line: int,
    ) -> ConfigObject | None:
        kind = data.get("kind")
        if not isinstance(kind, str):
            kind = _distribution_kind(data)
            if kind is None:
                self.result.passed_over["(no kind)"] += 1
                return None
        if kind == "Secret":
            self.result.secrets_skipped += 1
            return None
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        name = metadata.get("name") if isinstance(metadata.get("name"), str) else ""
        namespace = metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else ""
        api_version = data.get("apiVersion") if isinstance(data.get("apiVersion"), str) else ""
        requests = [
            r
            for r in self.wanted.get(kind, [])
            if r.takes_group(api_version) and r.takes_name(namespace, name)
        ]
        if not requests:
            self.result.passed_over[kind] += 1
            return None
        kept = ConfigObject(kind, api_version, namespace, name, data, shown, line, positions)
        self.result.objects.append(kept)
        return kept

    # --- JSON --------------------------------------------------------------------------------

    def read_json(self, stream: Any, shown: str, report: bool) -> bool:
        """Reads a JSON file; False (with nothing kept) if it is not JSON and not ``report``."""
        raw = stream.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            self.problem("NA061", shown, line, 0, "not UTF-8 text", "save the file as UTF-8")
            return True
        del raw
        lines = _LineCounter(text)
        # Only the objects a reader wants are kept while walking (with their text, for the
        # positions); the counts are added only once the whole file has been read as JSON.
        taken: list[tuple[dict[str, Any], str, int]] = []
        passed_over: Counter[str] = Counter()
        secrets = 0
        try:
            for value, start, end in _json_values(text):
                kind = value.get("kind") if isinstance(value, dict) else None
                if kind == "Secret":
                    secrets += 1
                elif not isinstance(value, dict):
                    passed_over["(not an object)"] += 1
                elif isinstance(kind, str) and kind not in self.wanted:
                    passed_over[kind] += 1
                else:
                    taken.append((value, text[start:end], lines.line_of(start)))
                del value
        except json.JSONDecodeError as error:
            if not report:
                return False
            self.problem(
                "NA061",
                shown,
                error.lineno,
                error.colno,
                f"not valid JSON: {error.msg}",
                "fix the syntax; the other files are still read",
            )
            return True
        self.result.passed_over.update(passed_over)
        self.result.secrets_skipped += secrets
        for value, object_text, line in taken:
            self.take_json(value, object_text, line, shown)
        return True

    def take_json(self, value: dict[str, Any], text: str, line: int, shown: str) -> None:
        # Positions are looked up in the object's own text when a reader asks for one.
        kept = self.keep(value, {}, shown, line)
        if kept is not None:
            kept.locate = _JsonLocator(text, line)


# --- cutting YAML into objects ------------------------------------------------------------------


_CHUNK_BYTES = 8 * 1024 * 1024
# The lines that can start or end an object, all at column 0: "---" and "...", a list item
# ("- "), or a key. Everything else (indented, blank, comments) belongs to the object open.
_EVENT = re.compile(
    r"^(?:(?P<marker>(?:---|\.\.\.)(?=[ \t\r]|$))|(?P<dash>-(?=[ \t\r]|$))|(?P<key>[^\s#]))", re.M
)
# Where a chunk may be cut: just before a line that starts at column 0 with something.
_CUT = re.compile(r"\n(?=[^\s#])")


def _yaml_units(stream: Any) -> Iterator[_Unit]:
    """The objects of a YAML stream: each document, and each item of a top-level ``items:``
    list (or of a document that is a list). Read in chunks cut only between objects, so the
    memory held is one chunk and the object being cut."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    splitter = _Splitter()
    pending = ""
    lines_before = 0  # lines of the blocks read before this one
    while True:
        block = stream.read(_CHUNK_BYTES)
        try:
            text = pending + decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            where = lines_before + block.count(b"\n", 0, max(error.start, 0)) + 1
            error.netarch_line = where  # type: ignore[attr-defined]
            raise
        lines_before += block.count(b"\n")
        if not block:
            yield from splitter.feed(text)
            yield from splitter.close()
            return
        cut = _last_cut(text)
        if cut <= 0 or (len(text) - cut > MAX_OBJECT_CHARS and cut < len(text) // 2):
            pending = text  # no place to cut yet: one very long object
            if len(pending) > 4 * MAX_OBJECT_CHARS:
                yield from splitter.feed(pending)
                pending = ""
            continue
        yield from splitter.feed(text[:cut])
        pending = text[cut:]


def _last_cut(text: str) -> int:
    """The offset of the last line start at which the text may be cut (0: none)."""
    position = len(text)
    while True:
        position = text.rfind("\n", 0, position)
        if position < 0:
            return 0
        follower = text[position + 1 : position + 2]
        if follower and follower not in " \t\r\n#":
            return position + 1


class _Splitter:
    """Cuts text (given in pieces that each end at a line start) into objects."""

    def __init__(self) -> None:
        self.line = 1  # the file's line number of the next text fed
        self.document: list[str] = []
        self.document_line = 1
        self.is_list = False  # the document has a top-level "items:" list, or is a list
        self.has_keys = False
        self.top_key = ""
        self.item: list[str] | None = None
        self.item_line = 0

    def feed(self, text: str) -> Iterator[_Unit]:
        position = 0
        for match in _EVENT.finditer(text):
            start = match.start()
            if start > position:
                self.append(text[position:start])
            position = start
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end + 1
            line = text[start:line_end]
            if match.group("marker"):
                yield from self.close()
                self.line += 1
                self.document_line = self.line
                position = line_end
                continue
            if match.group("dash") and (self.top_key == "items" or not self.has_keys):
                yield from self.close_item()
                if not self.is_list:  # what came before is the List's own head: not an object
                    self.is_list, self.document = True, []
                self.item, self.item_line = [" " + line[1:]], self.line
                self.line += 1
                position = line_end
                continue
            if match.group("key"):
                yield from self.close_item()
                self.has_keys = True
                self.top_key = line.split(":", 1)[0].strip() if ":" in line else ""
            # The event's line belongs to the document.
        if position < len(text):
            self.append(text[position:])

    def append(self, text: str) -> None:
        if self.item is not None:
            self.item.append(text)
        elif not self.is_list:
            if not self.document:
                self.document_line = self.line
            self.document.append(text)
        self.line += text.count("\n")

    def close_item(self) -> Iterator[_Unit]:
        if self.item is not None:
            yield _Unit(self.item_line, "".join(self.item))
            self.item = None

    def close(self) -> Iterator[_Unit]:
        yield from self.close_item()
        if self.document and not self.is_list:
            yield _Unit(self.document_line, "".join(self.document))
        self.document = []
        self.is_list = self.has_keys = False
        self.top_key = ""


def _base_indent(text: str) -> int | None:
    """The indent of the first line with content: where the object's own keys are."""
    for line in text.split("\n", 64):
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#") and stripped != "\r":
            return len(line) - len(stripped)
    return None


_METADATA_FIELD = re.compile(
    r"^(?P<indent> +)(?P<key>name|namespace):[ \t]+(?P<value>[^#\r\n]*?)[ \t]*(?:#.*)?\r?$",
    re.M,
)
_VALUE = re.compile(r"[ \t]*(?P<value>[^#\r\n]*?)[ \t]*(?:#[^\n]*)?\r?(?:\n|$)")


_BLOCK_END: dict[int, re.Pattern[str]] = {}


def _own_key(text: str, indent: str, key: str) -> int:
    """The offset just past ``key:`` written at the object's own indent (-1: not there)."""
    probe = f"{indent}{key}:"
    if text.startswith(probe):
        return len(probe)
    at = text.find("\n" + probe)
    return -1 if at < 0 else at + 1 + len(probe)


def _head_fields(text: str, base: int) -> dict[str, str]:
    """``kind``, ``apiVersion`` and ``metadata`` name and namespace where plainly written."""
    indent = " " * base
    found: dict[str, str] = {}
    for key in ("kind", "apiVersion"):
        at = _own_key(text, indent, key)
        if at >= 0:
            match = _VALUE.match(text, at)
            value = _scalar_text(match.group("value")) if match else None
            if value is not None:
                found[key] = value
    at = _own_key(text, indent, "metadata")
    if at >= 0:
        end_pattern = _BLOCK_END.get(base)
        if end_pattern is None:
            # The next line with content indented no deeper than the object's own keys.
            end_pattern = _BLOCK_END[base] = re.compile(rf"\n {{0,{base}}}[^ \r\n#]")
        end_match = end_pattern.search(text, at)
        end = end_match.start() if end_match else len(text)
        block = text[at:end]
        child_indent = _base_indent(block.partition("\n")[2])
        for match in _METADATA_FIELD.finditer(block):
            if len(match.group("indent")) == child_indent and match.group("key") not in found:
                value = _scalar_text(match.group("value"))
                if value is not None:
                    found[match.group("key")] = value
    return found


def _prune(text: str, base: int, keep: Sequence[FieldPath]) -> str:
    """``text`` with every subtree the readers do not keep blanked (line numbers kept).

    ``apiVersion``, ``kind`` and metadata's name, namespace and labels always stay.
    """
    whole: set[str] = {"apiVersion", "kind"}
    partly: dict[str, set[str]] = {"metadata": {"name", "namespace", "labels"}}
    for path in keep:
        if len(path) == 1:
            whole.add(str(path[0]))
        else:
            partly.setdefault(str(path[0]), set()).add(str(path[1]))
    for key in whole:
        partly.pop(key, None)
    pieces: list[str] = []
    for key, block, has_value in _blocks(text, base):
        if key in whole:
            pieces.append(block)
        elif key in partly and not has_value:
            head, _, body = block.partition("\n")
            child = _base_indent(body)
            pieces.append(head + "\n")
            if child is not None and child > base:
                for inner_key, inner, _ in _blocks(body, child):
                    pieces.append(inner if inner_key in partly[key] else _blank(inner))
            else:
                pieces.append(_blank(body))
        else:
            pieces.append(_blank(block))
    return "".join(pieces)


_BLOCK_PATTERNS: dict[int, re.Pattern[str]] = {}


def _blocks(text: str, indent: int) -> Iterator[tuple[str | None, str, bool]]:
    """The text cut before each key at ``indent``: (key, its text, whether a value follows the
    colon on the key's line). A "- " at that indent continues the key before it (a list)."""
    pattern = _BLOCK_PATTERNS.get(indent)
    if pattern is None:
        pattern = _BLOCK_PATTERNS[indent] = re.compile(
            rf"^ {{{indent}}}(?P<key>[A-Za-z_][\w.-]*):(?P<rest>[^\n]*)", re.M
        )
    matches = list(pattern.finditer(text))
    if not matches or matches[0].start() > 0:
        yield None, text[: matches[0].start() if matches else len(text)], False
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        rest = match.group("rest").split("#", 1)[0].strip()
        yield match.group("key"), text[match.start() : end], bool(rest)


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


def _compose(text: str) -> tuple[Any, tuple[int, int, str] | None]:
    """The node tree of one object's text, or where and why it is not YAML."""
    loader = FastComposeLoader(text)
    try:
        return loader.get_single_node(), None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line if mark else 0
        column = mark.column + 1 if mark else 0
        # Only PyYAML's description of the problem: never the text around it.
        return None, (line, column, (error.problem or "syntax error").split("\n")[0][:120])
    except yaml.YAMLError:
        return None, (0, 0, "syntax error")
    finally:
        loader.dispose()


def _mapping_value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _mapping_scalar(node: yaml.MappingNode, key: str) -> str | None:
    value = _mapping_value(node, key)
    return value.value if isinstance(value, yaml.ScalarNode) else None


def _distribution_kind(data: dict[str, Any]) -> str | None:
    """Files without a ``kind``: a Talos machine configuration (or a patch of one), k3s's."""
    keys = set(data)
    if keys & _TALOS_KEYS and (
        "version" in keys or keys <= _TALOS_KEYS | {"debug", "persist", "version"}
    ):
        return TALOS_CONFIG
    if keys & _K3S_KEYS:
        return K3S_CONFIG
    return None


class _TooLarge(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


class _Builder:
    """Plain values from composed nodes, and the line and column of each value by path."""

    _constructor = yaml.SafeLoader("")

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.positions: dict[FieldPath, tuple[int, int]] = {}
        self.count = 0

    def build(self, node: yaml.Node, path: FieldPath, depth: int = 0) -> Any:
        self.count += 1
        where = (node.start_mark.line + self.first_line, node.start_mark.column + 1)
        if self.count > MAX_OBJECT_VALUES or depth > MAX_DEPTH:
            raise _TooLarge(
                f"more than {MAX_OBJECT_VALUES:,} values"
                if self.count > MAX_OBJECT_VALUES
                else f"values nested more than {MAX_DEPTH} levels deep",
                *where,
            )
        self.positions[path] = where
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:str":
                return node.value
            try:
                return self._constructor.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError):
                return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self._constructor.flatten_mapping(node)  # "<<: *x" merge keys, as yaml.safe_load
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
                result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        return None


# --- JSON ---------------------------------------------------------------------------------------

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
# One JSON object found in a file: its value and the offsets of its first and last character.
_JsonObject = tuple[Any, int, int]


def _skip_space(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()  # type: ignore[union-attr]


def _json_values(text: str) -> Iterator[_JsonObject]:
    """The objects of a JSON file: a top-level list's items, a ``List`` object's ``items``, or
    the objects themselves. Each item is decoded on its own, as the file is walked."""
    position = _skip_space(text, 0)
    while position < len(text):
        if text[position] == "[":
            position = yield from _json_array(text, position)
        elif text[position] == "{":
            position = yield from _json_object(text, position)
        else:
            raise json.JSONDecodeError("expected an object or a list", text, position)
        position = _skip_space(text, position)


def _json_array(text: str, start: int) -> Iterator[_JsonObject]:
    """Yields the items of the array at ``start``; returns the offset past it."""
    position = _skip_space(text, start + 1)
    if text.startswith("]", position):
        return position + 1
    while True:
        value, end = _DECODER.raw_decode(text, position)
        yield value, position, end
        position = _skip_space(text, end)
        if text.startswith("]", position):
            return position + 1
        if not text.startswith(",", position):
            raise json.JSONDecodeError("expected ',' or ']'", text, position)
        position = _skip_space(text, position + 1)


def _json_object(text: str, start: int) -> Iterator[_JsonObject]:
    """The items of ``{"apiVersion": ..., "items": [...], "kind": "List"}`` one at a time, or
    the object itself when it has no top-level ``items`` list; returns the offset past it."""
    header: dict[str, Any] = {}
    has_items = False
    position = _skip_space(text, start + 1)
    while not text.startswith("}", position):
        if not text.startswith('"', position):
            raise json.JSONDecodeError("expected a key", text, position)
        key, position = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
        position = _skip_space(text, position)
        if not text.startswith(":", position):
            raise json.JSONDecodeError("expected ':'", text, position)
        position = _skip_space(text, position + 1)
        if key == "items" and text.startswith("[", position):
            has_items = True
            position = yield from _json_array(text, position)
        else:
            header[key], position = _DECODER.raw_decode(text, position)
        position = _skip_space(text, position)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif not text.startswith("}", position):
            raise json.JSONDecodeError("expected ',' or '}'", text, position)
    if not has_items:
        yield header, start, position + 1
    return position + 1


class _JsonLocator:
    """The (line, column) of a field of one JSON object, found by walking its text: each level's
    keys are read and the values before the one wanted skipped by the C decoder."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text, self.first_line = text, first_line

    def __call__(self, path: FieldPath) -> tuple[int, int] | None:
        text = self.text
        position = _skip_space(text, 0)
        try:
            for step in path:
                position = self._child(position, step)
                if position is None:
                    return None
        except (json.JSONDecodeError, IndexError, ValueError):
            return None
        line = self.first_line + text.count("\n", 0, position)
        column = position - text.rfind("\n", 0, position)
        return line, column

    def _child(self, position: int, step: str | int) -> int | None:
        text = self.text
        if isinstance(step, int):
            if not text.startswith("[", position):
                return None
            position = _skip_space(text, position + 1)
            for _ in range(step):
                _, position = _DECODER.raw_decode(text, position)
                position = _skip_space(text, position)
                if not text.startswith(",", position):
                    return None
                position = _skip_space(text, position + 1)
            return None if text.startswith("]", position) else position
        if not text.startswith("{", position):
            return None
        position = _skip_space(text, position + 1)
        while text.startswith('"', position):
            key, position = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
            position = _skip_space(text, position)
            position = _skip_space(text, position + 1)  # past ':'
            if key == step:
                return position
            _, position = _DECODER.raw_decode(text, position)
            position = _skip_space(text, position)
            if text.startswith(",", position):
                position = _skip_space(text, position + 1)
        return None


class _LineCounter:
    """Line numbers of offsets that only grow, without counting a 100 MB text again each time."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def line_of(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


# --- the entry point ----------------------------------------------------------------------------


def read_configuration(
    paths: Sequence[Path], wanted: Iterable[Wanted], *, base_dir: Path | None = None
) -> Configuration:
    """Every object of the kinds ``wanted`` in ``paths`` (files or folders); never raises on
    bad input. Messages name files relative to ``base_dir`` (default: the current folder)."""
    reading = _Reading(wanted, base_dir)
    for path in paths:
        reading.read_path(path)
    return reading.result
