"""Map positions in the text mermaid parsed back to the diagram text as the user wrote it.

Before parsing, mermaid 12.3.0 (``preprocessDiagram`` + ``Diagram.fromText``) transforms the text:

1. ``\\r\\n`` and lone ``\\r`` become ``\\n``;
2. YAML front matter is cut off, together with the blank lines right after it;
3. ``%%{...}%%`` directives are removed (the newline after them stays, a multi-line
   directive collapses to one line);
4. whole-line ``%% ...`` comments are removed together with their newline and any blank
   lines before them (the regex's ``^\\s*`` spans lines), then leading whitespace is trimmed.
   The flowchart database declares ``preserveCommentsWhenParsing``, but in 12.3.0 both
   ``mermaid.parse`` and ``mermaid.render`` hand ``Diagram.fromText`` a plain string, so
   flowcharts get the comment-stripped text too (measured: comment lines before a flowchart
   error do not count in its reported line);
5. ``encodeEntities``: ``#name;`` entities are lengthened, trailing ``;`` of ``style`` /
   ``classDef`` lines dropped (columns only);
6. a ``\\n`` is appended.

Parse errors count lines and columns in the result. Rather than guess offsets, this module
replays the same transformations while remembering, for every character, where it came from.
The regular expressions are transcriptions of the ones in ``mermaid.min.js`` 12.3.0; the tests
in ``tests/validate/test_linemap.py`` check the mapping against what mermaid reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# mermaid's directive regex, ``iO`` in mermaid.min.js:
# /%{2}{\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2}).|\r?\n)*))?\s*(?:}%{2})?/gi
# JS ``\w`` is ASCII-only, hence the explicit class.
_W = "[A-Za-z0-9_]"
_DIRECTIVE = re.compile(
    rf"%{{2}}\{{\s*(?:({_W}+)\s*:|({_W}+))\s*(?:({_W}+)|((?:(?!\}}%{{2}}).|\r?\n)*))?\s*(?:\}}%{{2}})?",
    re.IGNORECASE,
)
# cleanupComments: /^\s*%%(?!{)[^\n]+\n?/gm -- note that \s also eats preceding blank lines.
_COMMENT = re.compile(r"^\s*%%(?!\{)[^\n]+\n?", re.MULTILINE)
_STYLE_SEMI = re.compile(r"style.*:\S*#.*;")
_CLASSDEF_SEMI = re.compile(r"classDef.*:\S*#.*;")
_ENTITY = re.compile(rf"#{_W}+;")
_LINE_BREAK = re.compile(r"\r\n?")


class _Tracked:
    """A string plus, for each character, its offset in the original text."""

    def __init__(self, text: str, origin: list[int]) -> None:
        self.text = text
        self.origin = origin

    @classmethod
    def of(cls, text: str) -> _Tracked:
        return cls(text, list(range(len(text))))

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> _Tracked:
        """Like ``pattern.sub``; inserted characters inherit the origin of the match start."""
        parts: list[str] = []
        origin: list[int] = []
        last = 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            parts.append(self.text[last:start])
            origin.extend(self.origin[last:start])
            replacement = repl(match)
            parts.append(replacement)
            anchor = self.origin[start] if start < len(self.origin) else self._end_origin()
            origin.extend([anchor] * len(replacement))
            last = end
        parts.append(self.text[last:])
        origin.extend(self.origin[last:])
        return _Tracked("".join(parts), origin)

    def drop_prefix(self, length: int) -> _Tracked:
        return _Tracked(self.text[length:], self.origin[length:])

    def lstrip(self) -> _Tracked:
        stripped = self.text.lstrip()
        return self.drop_prefix(len(self.text) - len(stripped))

    def _end_origin(self) -> int:
        return self.origin[-1] + 1 if self.origin else 0


def _front_matter_length(text: str) -> int:
    """How many leading characters mermaid's ``matchFrontMatter`` consumes (0 = none)."""

    def is_break(ch: str) -> bool:
        return ch in "\n\r"

    def is_space(ch: str) -> bool:
        return ch.isspace()

    pos = 0
    while pos < len(text) and is_space(text[pos]) and not is_break(text[pos]):
        pos += 1
    indent = text[:pos]
    if not text.startswith("---", pos):
        return 0
    # The opening "---" must be followed by whitespace containing a line break.
    opening_breaks = []
    i = pos + 3
    while i < len(text) and is_space(text[i]):
        if is_break(text[i]):
            opening_breaks.append(i)
        i += 1
    if not opening_breaks:
        return 0
    fence = indent + "---"

    def closing_end(at: int) -> int:
        # A closing fence starts after the line break at ``at``; it must itself be followed by
        # whitespace containing a line break. Returns the last such break, or -1.
        if not (is_break(text[at]) and text.startswith(fence, at + 1)):
            return -1
        last = -1
        j = at + 1 + len(fence)
        while j < len(text) and is_space(text[j]):
            if is_break(text[j]):
                last = j
            j += 1
        return last

    last_closing = -1
    for at in range(opening_breaks[0] + 1, len(text)):
        if closing_end(at) != -1:
            last_closing = at
    if last_closing == -1:
        return 0
    body_start_break = opening_breaks[0]
    for brk in opening_breaks:
        if brk < last_closing:
            body_start_break = brk
    for at in range(body_start_break + 1, last_closing + 1):
        end = closing_end(at)
        if end != -1:
            return end + 1
    return 0


def _encode_entities(tracked: _Tracked) -> _Tracked:
    def entity(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        if re.fullmatch(r"\+?\d+", inner):
            return "\ufb02\xb0\xb0" + inner + "\xb6\xdf"
        return "\ufb02\xb0" + inner + "\xb6\xdf"

    tracked = tracked.sub(_STYLE_SEMI, lambda m: m.group(0)[:-1])
    tracked = tracked.sub(_CLASSDEF_SEMI, lambda m: m.group(0)[:-1])
    return tracked.sub(_ENTITY, entity)


@dataclass(frozen=True)
class LineMap:
    """Translates (line, column) of mermaid's parser input into the original diagram text."""

    original: str
    parsed: str
    origin: tuple[int, ...]

    @classmethod
    def build(cls, text: str) -> LineMap:
        tracked = _Tracked.of(text).sub(_LINE_BREAK, lambda _m: "\n")
        tracked = tracked.drop_prefix(_front_matter_length(tracked.text))
        tracked = tracked.sub(_DIRECTIVE, lambda _m: "")
        tracked = tracked.sub(_COMMENT, lambda _m: "").lstrip()
        tracked = _encode_entities(tracked)
        return cls(text, tracked.text + "\n", (*tracked.origin, len(text)))

    def to_original(self, line: int, column: int = 0) -> tuple[int, int]:
        """Map a 1-based ``line`` (and 1-based ``column``, 0 = unknown) of the parsed text.

        Positions past the end, and lines that are blank in the original (the typical
        "got EOF" report), move back to the last non-blank original line before them:
        that is where the user has to look. Returns ``(0, 0)`` if ``line`` is 0.
        """
        if line <= 0:
            return 0, 0
        starts = [0] + [i + 1 for i, ch in enumerate(self.parsed) if ch == "\n"]
        index = starts[min(line, len(starts)) - 1]
        if line <= len(starts) and column > 0:
            line_end = self.parsed.find("\n", index)
            index = min(index + column - 1, line_end if line_end != -1 else len(self.parsed))
        offset = self.origin[min(index, len(self.origin) - 1)]
        orig_line, orig_col = offset_to_line_col(self.original, offset)
        lines = split_lines(self.original)
        if orig_line > len(lines) or not lines[orig_line - 1].strip():
            candidate = min(orig_line, len(lines))
            while candidate > 1 and not lines[candidate - 1].strip():
                candidate -= 1
            return candidate, 0
        return orig_line, orig_col if column > 0 else 0


_ANY_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as mermaid sees them (``\\r\\n``, ``\\r`` and ``\\n`` all end a line)."""
    return _ANY_BREAK.split(text)


def offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character ``offset`` in ``text``."""
    line = 1
    line_start = 0
    for match in _ANY_BREAK.finditer(text, 0, max(0, offset)):
        if match.end() > offset:
            break
        line += 1
        line_start = match.end()
    return line, offset - line_start + 1


def map_line(text: str, line: int, column: int = 0) -> tuple[int, int]:
    """Shortcut: build a :class:`LineMap` for ``text`` and map one position."""
    return LineMap.build(text).to_original(line, column)
