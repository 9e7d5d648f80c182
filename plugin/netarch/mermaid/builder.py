"""A small typed builder for Mermaid flowcharts and sequence diagrams.

Views describe a diagram with model keys and plain text; the builder owns every piece of
Mermaid syntax: ids (``escape.assign_ids``), quoting and escaping (``escape``), layout of the
text (one statement per line, 4-space indentation) and the map from each output line back to
the model element that produced it, so a Mermaid error can be reported at the YAML line.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType, TracebackType
from typing import Any

from netarch.mermaid.escape import (
    assign_ids,
    escape_sequence_text,
    escape_title,
    quoted,
    safe_href,
    wrap_at_spaces,
)

__all__ = [
    "EdgeStyle",
    "Flowchart",
    "RenderedDiagram",
    "SequenceDiagram",
    "Shape",
    "SourceRef",
    "Subgraph",
]

# Opaque to the builder: whatever model element produced a statement (e.g. a Location).
SourceRef = Any

DIRECTIONS = ("TD", "TB", "BT", "LR", "RL")
NOTE_POSITIONS = ("over", "left of", "right of")
_INDENT = "    "
_CLASS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_STYLE_PROPERTY = re.compile(r"[a-z][a-z-]*")
_STYLE_VALUE = re.compile(r"[#A-Za-z0-9 .%-]+")


# Mermaid 12 wraps a flowchart label (node, edge, subgraph title) wider than its
# `wrappingWidth`, 120 px, in the browser, which breaks it after any hyphen in it
# ("frontend-" / "abc123"). The builder breaks labels at spaces itself, into lines of at
# most LABEL_LINE_WIDTH characters (about 180 px of 16 px text), and moves Mermaid's wrapping
# out of their way (a line, or one long address, never reaches WRAPPING_WIDTH_PX) in any
# diagram with a line longer than SHORT_LINE characters (which all fit in 120 px).
LABEL_LINE_WIDTH = 24
WRAPPING_WIDTH_PX = 480
SHORT_LINE = 14

# Per-diagram Mermaid settings written to the front matter, e.g. {"sequence": {"wrap": True}}.
DiagramConfig = Mapping[str, Mapping[str, str | int | float | bool]]


class Shape(Enum):
    """Node shapes; the value is the pair of delimiters around the quoted label."""

    BOX = ("[", "]")
    ROUND = ("(", ")")
    STADIUM = ("([", "])")
    DECISION = ("{", "}")
    CIRCLE = ("((", "))")
    DATABASE = ("[(", ")]")
    SUBROUTINE = ("[[", "]]")
    HEXAGON = ("{{", "}}")


class EdgeStyle(Enum):
    SOLID = "-->"
    DOTTED = "-.->"
    THICK = "==>"
    OPEN = "---"


@dataclass(frozen=True)
class RenderedDiagram:
    """Mermaid text plus, for each 1-based line, the source of the statement on it."""

    kind: str  # "flowchart" or "sequence"
    text: str
    line_sources: Mapping[int, SourceRef] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # Read-only, so a diagram can be shared between pages without being changed.
        object.__setattr__(self, "line_sources", MappingProxyType(dict(self.line_sources)))

    def source_for_line(self, line: int) -> SourceRef | None:
        """The source of the nearest statement with a source at or before ``line``."""
        lines = sorted(self.line_sources)
        index = bisect.bisect_right(lines, line)
        return self.line_sources[lines[index - 1]] if index else None

    def __str__(self) -> str:
        return self.text


class _Lines:
    """Output lines and the source recorded for each."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sources: dict[int, SourceRef] = {}

    def add(self, text: str, source: SourceRef = None, depth: int = 0) -> None:
        self.lines.append(_INDENT * depth + text)
        if source is not None:
            self.sources[len(self.lines)] = source

    def front_matter(self, title: str | None, source: SourceRef, config: DiagramConfig) -> None:
        if title is None and not config:
            return
        self.add("---", source)
        if title is not None:
            self.add(f"title: {escape_title(title)}", source)
        if config:
            # Layout settings chosen by the caller's code, never user text: JSON scalars are
            # valid YAML, so they need no escaping.
            self.add("config:", source)
            for section, settings in config.items():
                self.add(f"  {section}:", source)
                for key, value in settings.items():
                    self.add(f"    {key}: {json.dumps(value)}", source)
        self.add("---", source)

    def rendered(self, kind: str) -> RenderedDiagram:
        return RenderedDiagram(kind, "\n".join(self.lines) + "\n", self.sources)


def _direction(value: str) -> str:
    normalised = value.strip().upper() if isinstance(value, str) else value
    if normalised not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {value!r}")
    return normalised


# --- flowchart -----------------------------------------------------------------------------


@dataclass
class _Node:
    key: str
    label: str
    shape: Shape
    source: SourceRef
    link: str | None


@dataclass
class _Group:
    key: str
    title: str
    direction: str | None
    source: SourceRef
    children: list[_Node | _Group] = field(default_factory=list)


@dataclass(frozen=True)
class _Edge:
    keys: tuple[str, ...]  # two for an edge, more for a chain
    label: str | None
    style: EdgeStyle
    source: SourceRef


class Subgraph:
    """A subgraph of a ``Flowchart``; also a context manager, for readable nesting."""

    def __init__(self, chart: Flowchart, group: _Group) -> None:
        self._chart = chart
        self._group = group

    @property
    def key(self) -> str:
        return self._group.key

    def node(
        self,
        key: str,
        label: str,
        shape: Shape = Shape.BOX,
        *,
        source: SourceRef = None,
        link: str | None = None,
    ) -> str:
        """Add a node inside this subgraph; see ``Flowchart.node``."""
        return self._chart._add_node(self._group.children, key, label, shape, source, link)

    def subgraph(
        self, key: str, title: str, *, direction: str | None = None, source: SourceRef = None
    ) -> Subgraph:
        """Add a nested subgraph; see ``Flowchart.subgraph``."""
        return self._chart._add_group(self._group.children, key, title, direction, source)

    def edge(
        self,
        src_key: str,
        dst_key: str,
        label: str | None = None,
        style: EdgeStyle = EdgeStyle.SOLID,
        *,
        source: SourceRef = None,
    ) -> None:
        """Same as ``Flowchart.edge`` (edges are always emitted at the top level)."""
        self._chart.edge(src_key, dst_key, label, style, source=source)

    def chain(
        self, keys: Sequence[str], *, style: EdgeStyle = EdgeStyle.SOLID, source: SourceRef = None
    ) -> None:
        """Same as ``Flowchart.chain``."""
        self._chart.chain(keys, style=style, source=source)

    def __enter__(self) -> Subgraph:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class Flowchart:
    """``flowchart`` diagram. Keys are model ids (any text); labels are plain text."""

    def __init__(
        self,
        direction: str = "TD",
        title: str | None = None,
        *,
        source: SourceRef = None,
        config: DiagramConfig | None = None,
        line_width: int | None = LABEL_LINE_WIDTH,
    ) -> None:
        """``line_width``: labels are broken at spaces into lines of at most this many
        characters (``wrap_at_spaces``); ``None`` leaves them as given."""
        self.direction = _direction(direction)
        self.title = title
        self.source = source
        self.config: DiagramConfig = dict(config or {})
        self.line_width = line_width
        self._children: list[_Node | _Group] = []
        self._elements: dict[str, _Node | _Group] = {}
        self._edges: list[_Edge] = []
        # Node styles: class name -> "property:value,..."; class name -> keys it applies to.
        self._class_defs: dict[str, str] = {}
        self._classes: dict[str, list[str]] = {}

    # -- building ---------------------------------------------------------------------------
    def node(
        self,
        key: str,
        label: str,
        shape: Shape = Shape.BOX,
        *,
        source: SourceRef = None,
        link: str | None = None,
    ) -> str:
        """Add a node; returns ``key`` so calls can be nested in ``edge``/``chain``.

        ``link`` is only emitted by ``render(links=True)``; a URL with a scheme other than
        http(s)/mailto raises ``ValueError``.
        """
        return self._add_node(self._children, key, label, shape, source, link)

    def subgraph(
        self, key: str, title: str, *, direction: str | None = None, source: SourceRef = None
    ) -> Subgraph:
        """Add a subgraph; its key shares the node namespace and may be an edge endpoint."""
        return self._add_group(self._children, key, title, direction, source)

    def edge(
        self,
        src_key: str,
        dst_key: str,
        label: str | None = None,
        style: EdgeStyle = EdgeStyle.SOLID,
        *,
        source: SourceRef = None,
    ) -> None:
        """Connect two node or subgraph keys, optionally with a label."""
        self._require(src_key, dst_key)
        self._edges.append(_Edge((src_key, dst_key), label, EdgeStyle(style), source))

    def chain(
        self, keys: Sequence[str], *, style: EdgeStyle = EdgeStyle.SOLID, source: SourceRef = None
    ) -> None:
        """``A --> B --> C`` on one line."""
        keys = tuple(keys)
        if len(keys) < 2:
            raise ValueError(f"a chain needs at least two keys, got {list(keys)!r}")
        self._require(*keys)
        self._edges.append(_Edge(keys, None, EdgeStyle(style), source))

    def class_def(self, name: str, style: Mapping[str, str]) -> None:
        """Define a node style, e.g. ``class_def("added", {"fill": "#e6ffed"})``. Names and
        values come from code, not from the model; both are checked so that no text can end
        the statement."""
        if not _CLASS_NAME.fullmatch(name):
            raise ValueError(f"a class name is letters, digits and '_', got {name!r}")
        for prop, value in style.items():
            if not _STYLE_PROPERTY.fullmatch(prop) or not _STYLE_VALUE.fullmatch(value):
                raise ValueError(f"unsafe style {prop!r}: {value!r}")
        self._class_defs[name] = ",".join(f"{prop}:{value}" for prop, value in style.items())

    def add_class(self, name: str, *keys: str) -> None:
        """Style nodes or subgraphs with a class defined by ``class_def``."""
        if name not in self._class_defs:
            raise ValueError(f"unknown class {name!r} (define it with class_def first)")
        self._require(*keys)
        self._classes.setdefault(name, []).extend(keys)

    def _add_node(
        self,
        into: list[_Node | _Group],
        key: str,
        label: str,
        shape: Shape,
        source: SourceRef,
        link: str | None,
    ) -> str:
        self._claim(key)
        if link is not None:
            safe_href(link)  # refuse a dangerous link now, where the caller can see why
        node = _Node(key, label, Shape(shape), source, link)
        self._elements[key] = node
        into.append(node)
        return key

    def _add_group(
        self,
        into: list[_Node | _Group],
        key: str,
        title: str,
        direction: str | None,
        source: SourceRef,
    ) -> Subgraph:
        self._claim(key)
        group = _Group(key, title, None if direction is None else _direction(direction), source)
        self._elements[key] = group
        into.append(group)
        return Subgraph(self, group)

    def _claim(self, key: str) -> None:
        if not isinstance(key, str):
            raise TypeError(f"keys are strings, got {key!r}")
        if key in self._elements:
            raise ValueError(f"duplicate node or subgraph key {key!r}")

    def _require(self, *keys: str) -> None:
        for key in keys:
            if key not in self._elements:
                raise ValueError(f"unknown node or subgraph key {key!r} (add it before the edge)")

    # -- ids and output ---------------------------------------------------------------------
    def ids(self) -> dict[str, str]:
        """Mermaid id of every key added so far (see ``escape.assign_ids``)."""
        return assign_ids(self._elements)

    def mermaid_id(self, key: str) -> str:
        self._require(key)
        return self.ids()[key]

    def render(self, *, links: bool = False) -> RenderedDiagram:
        """The diagram text. ``links=True`` adds ``click`` lines for nodes with a ``link``;
        off by default because Material renders with securityLevel strict, which ignores them.
        """
        ids = self.ids()
        out = _Lines()
        config = dict(self.config)
        if self.line_width is not None and self._longest_line() > SHORT_LINE:
            config["flowchart"] = {
                "wrappingWidth": WRAPPING_WIDTH_PX,
                **config.get("flowchart", {}),
            }
        out.front_matter(self.title, self.source, config)
        out.add(f"flowchart {self.direction}", self.source)
        self._render_children(out, self._children, ids, depth=1)
        for edge in self._edges:
            out.add(self._edge_text(edge, ids, self.line_width), edge.source, depth=1)
        for name, style in self._class_defs.items():
            out.add(f"classDef {name} {style}", self.source, depth=1)
        for name, keys in self._classes.items():
            out.add(f"class {','.join(ids[key] for key in keys)} {name}", self.source, depth=1)
        if links:
            for node in self._walk(self._children):
                if node.link is not None:
                    out.add(f'click {ids[node.key]} href "{safe_href(node.link)}"', node.source, 1)
        return out.rendered("flowchart")

    def _longest_line(self) -> int:
        """Characters in the longest line of any label, as the builder breaks them."""
        texts = [edge.label for edge in self._edges if edge.label is not None]
        texts += [
            element.label if isinstance(element, _Node) else element.title
            for element in self._elements.values()
        ]
        lines = (wrap_at_spaces(text, self.line_width).splitlines() for text in texts)
        return max((len(line) for group in lines for line in group), default=0)

    def _render_children(
        self, out: _Lines, children: list[_Node | _Group], ids: dict[str, str], depth: int
    ) -> None:
        for child in children:
            if isinstance(child, _Node):
                start, end = child.shape.value
                label = quoted(wrap_at_spaces(child.label, self.line_width))
                out.add(f"{ids[child.key]}{start}{label}{end}", child.source, depth)
                continue
            title = quoted(wrap_at_spaces(child.title, self.line_width))
            out.add(f"subgraph {ids[child.key]} [{title}]", child.source, depth)
            if child.direction is not None:
                out.add(f"direction {child.direction}", child.source, depth + 1)
            self._render_children(out, child.children, ids, depth + 1)
            out.add("end", child.source, depth)

    @staticmethod
    def _edge_text(edge: _Edge, ids: dict[str, str], line_width: int | None) -> str:
        # Spaces around every arrow: "A---oB" would be read as a circle-ended edge to "B".
        arrow = edge.style.value
        if edge.label is not None:
            arrow += f"|{quoted(wrap_at_spaces(edge.label, line_width))}|"
        return f" {arrow} ".join(ids[key] for key in edge.keys)

    def _walk(self, children: list[_Node | _Group]) -> Iterator[_Node]:
        for child in children:
            if isinstance(child, _Node):
                yield child
            else:
                yield from self._walk(child.children)


# --- sequence diagram ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Participant:
    key: str
    label: str
    actor: bool
    source: SourceRef


@dataclass(frozen=True)
class _Message:
    src: str
    dst: str
    text: str
    reply: bool
    source: SourceRef


@dataclass(frozen=True)
class _Note:
    over: tuple[str, ...]
    text: str
    position: str
    source: SourceRef


class SequenceDiagram:
    """``sequenceDiagram``: participants first, then messages and notes in call order."""

    def __init__(
        self,
        title: str | None = None,
        autonumber: bool = False,
        *,
        source: SourceRef = None,
        config: DiagramConfig | None = None,
        line_width: int | None = None,
    ) -> None:
        """``line_width``: messages, notes and participant names are broken at spaces into
        lines of at most this many characters (``wrap_at_spaces``), instead of leaving
        long text to Mermaid's ``wrap``, which hyphenates inside words."""
        self.title = title
        self.line_width = line_width
        self.autonumber = autonumber
        self.source = source
        self.config: DiagramConfig = dict(config or {})
        self._participants: dict[str, _Participant] = {}
        self._steps: list[_Message | _Note] = []

    def participant(
        self, key: str, label: str, *, actor: bool = False, source: SourceRef = None
    ) -> str:
        """Declare a participant (``actor=True`` draws a stick figure); returns ``key``."""
        if not isinstance(key, str):
            raise TypeError(f"keys are strings, got {key!r}")
        if key in self._participants:
            raise ValueError(f"duplicate participant key {key!r}")
        self._participants[key] = _Participant(key, label, actor, source)
        return key

    def message(
        self, src: str, dst: str, text: str, *, reply: bool = False, source: SourceRef = None
    ) -> None:
        """A solid arrow ``->>``, or a dashed ``-->>`` when ``reply``."""
        self._require(src, dst)
        self._steps.append(_Message(src, dst, text, reply, source))

    def note(
        self,
        over: Sequence[str] | str,
        text: str,
        *,
        position: str = "over",
        source: SourceRef = None,
    ) -> None:
        """A note over one or two participants, or left/right of one."""
        keys = (over,) if isinstance(over, str) else tuple(over)
        if position not in NOTE_POSITIONS:
            raise ValueError(f"note position must be one of {NOTE_POSITIONS}, not {position!r}")
        allowed = (1, 2) if position == "over" else (1,)
        if len(keys) not in allowed:
            raise ValueError(f"a note {position} takes {' or '.join(map(str, allowed))} keys")
        self._require(*keys)
        self._steps.append(_Note(keys, text, position, source))

    def _require(self, *keys: str) -> None:
        for key in keys:
            if key not in self._participants:
                raise ValueError(f"unknown participant key {key!r} (declare it first)")

    def ids(self) -> dict[str, str]:
        return assign_ids(self._participants)

    def mermaid_id(self, key: str) -> str:
        self._require(key)
        return self.ids()[key]

    def render(self) -> RenderedDiagram:
        ids = self.ids()
        out = _Lines()
        out.front_matter(self.title, self.source, self.config)
        out.add("sequenceDiagram", self.source)
        if self.autonumber:
            out.add("autonumber", self.source, 1)
        for part in self._participants.values():
            # An empty name would leave "as" dangling: a no-break space keeps the box empty.
            label = escape_sequence_text(wrap_at_spaces(part.label, self.line_width)) or "#160;"
            kind = "actor" if part.actor else "participant"
            out.add(f"{kind} {ids[part.key]} as {label}", part.source, 1)
        for step in self._steps:
            if isinstance(step, _Message):
                arrow = "-->>" if step.reply else "->>"
                head = f"{ids[step.src]}{arrow}{ids[step.dst]}:"
            else:
                head = f"Note {step.position} {','.join(ids[key] for key in step.over)}:"
            text = escape_sequence_text(wrap_at_spaces(step.text, self.line_width))
            out.add(f"{head} {text}" if text else head, step.source, 1)
        return out.rendered("sequence")
