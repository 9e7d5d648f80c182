"""Turning model text into Mermaid tokens that cannot change a diagram's structure.

Every rule here was measured against the pinned Mermaid (12.3.0) parser; tests/mermaid checks
each one with the real parser. The facts behind them:

* Before lexing, Mermaid rewrites every ``#name;`` / ``#123;`` into a private placeholder
  (``encodeEntities``) and turns it back into ``&name;`` / ``&#123;`` when drawing. So a ``#``
  in user text must itself be escaped, and an entity code is the one escape that works inside
  every kind of text (quoted flowchart strings and unquoted sequence text alike).
* The same pre-pass drops the last ``;`` of any line matching ``style.*:\\S*#.*;`` (and the
  ``classDef`` variant), which would break an entity after a colon: such colons are escaped.
* ``%%{...}%%`` is read as a directive anywhere in the text and ``%%`` starts a comment, so
  ``%`` is always escaped.
* The flowchart lexer swallows the rest of a line containing ``direction LR`` (etc.), even
  inside a quoted label: the ``d`` of ``direction`` is escaped.
* A backtick right after the opening quote turns a label into Markdown: backticks are escaped.
* Sequence text ends at ``#``, ``;`` or a newline, is trimmed, and loses a leading
  ``wrap:``/``nowrap:`` (optionally after a colon): those are escaped.
* The placeholders are ``ﬂ°``/``ﬂ°°`` ... ``¶ß``, and the renderer decodes them more than once
  (label text, then the whole SVG), so user text containing ``ﬂ°`` or ``¶ß`` would turn into
  entities. An invisible word joiner (U+2060) is put between the two characters.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

__all__ = [
    "RESERVED_IDS",
    "assign_ids",
    "escape_flowchart_text",
    "escape_sequence_text",
    "escape_title",
    "is_safe_id",
    "quoted",
    "safe_href",
    "sanitize_id",
    "wrap_at_spaces",
]

# Words the flowchart or sequence lexers read as keywords where an id is expected (measured:
# the flowchart ones are case-sensitive, the sequence ones case-insensitive; we compare
# case-insensitively for both so that one rule covers every diagram type).
_FLOWCHART_KEYWORDS = (
    "end", "graph", "flowchart", "subgraph", "style", "default", "class", "classDef",
    "linkStyle", "interpolate", "click", "call", "href", "direction", "accTitle", "accDescr",
    "_self", "_blank", "_parent", "_top", "flowchart-elk", "swimlane-beta",
)  # fmt: skip
_SEQUENCE_KEYWORDS = (
    "sequenceDiagram", "participant", "actor", "create", "destroy", "as", "box", "loop", "alt",
    "else", "opt", "par", "par_over", "and", "rect", "critical", "option", "break", "note",
    "over", "left", "right", "of", "links", "link", "properties", "details", "activate",
    "deactivate", "autonumber", "off", "title",
)  # fmt: skip
RESERVED_IDS: frozenset[str] = frozenset(
    word.lower() for word in (*_FLOWCHART_KEYWORDS, *_SEQUENCE_KEYWORDS, "state", "classDiagram")
)

# Characters that end a line for Mermaid's preprocessing, JavaScript's `^`/`$` or Python's
# str.splitlines(); all of them become a Mermaid line break so the output keeps exactly one
# statement per line.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|<br\s*/?>", re.I)
_BR = "<br/>"

# Named codes where Mermaid's documentation uses them (readable); numeric codes otherwise.
_NAMED = {'"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;"}
# Escaped everywhere: the pre-pass / directive / markdown / placeholder characters above.
_ALWAYS = frozenset('"&<>#%`;')
_PLACEHOLDER = re.compile("(?<=\ufb02)(?=\u00b0)|(?<=\u00b6)(?=\u00df)")
_WORD_JOINER = "#8288;"
_DIRECTION = re.compile(r"direction", re.I)
# Whitespace to Python or to JavaScript's trim() (which alone counts U+FEFF): stripped from
# sequence text, which mermaid would trim anyway, so that "empty" means the same to both.
_SPACE = "".join(chr(point) for point in range(0x3001) if chr(point).isspace()) + "\ufeff"
_WRAP_PREFIX = re.compile(r":?(?:no)?wrap:", re.I)
_ID_CHARS = re.compile(r"[^A-Za-z0-9]+")
_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _code(char: str) -> str:
    return _NAMED.get(char) or f"#{ord(char)};"


# Pure and character by character: the same labels come back on every rebuild.
@functools.lru_cache(maxsize=8192)
def _escape_segment(text: str) -> str:
    out: list[str] = []
    for char in text:
        point = ord(char)
        if char in _ALWAYS:
            out.append(_code(char))
        elif 0xD800 <= point <= 0xDFFF:  # a lone surrogate cannot even be written as UTF-8
            out.append("#65533;")
        elif char == "\t":
            out.append("#9;")  # kept as whitespace, but not trimmed away or read as a separator
        elif unicodedata.category(char) == "Cc":
            continue  # invisible anyway, and C1 codes would be shown as cp1252 by HTML
        else:
            out.append(char)
    escaped = "".join(out)
    # Only "d" is escaped, so ``direction`` stays readable in the source.
    escaped = _DIRECTION.sub(lambda m: _code(m.group(0)[0]) + m.group(0)[1:], escaped)
    return _PLACEHOLDER.sub(_WORD_JOINER, escaped)


def _escape(text: str) -> str:
    escaped = _BR.join(_escape_segment(segment) for segment in _LINE_BREAK.split(text))
    if ":" in escaped and "#" in escaped[escaped.index(":") :]:
        # Otherwise a line that also contains "style" loses the ';' of an entity (see above).
        escaped = escaped.replace(":", "#58;")
    return escaped


def wrap_at_spaces(text: str, width: int | None) -> str:
    """``text`` with line breaks at spaces so that no line is longer than ``width`` characters.

    Only ASCII spaces are break points, so an address, CIDR, port or identifier always stays
    whole on one line (a word longer than ``width`` gets a line of its own). Lines the text
    already has are kept. Breaking here, before Mermaid sees the text, keeps Mermaid's own
    wrapping out of it: that one splits long words with an inserted hyphen
    ("192.168.100.-200"), and the browser's breaks a label after any hyphen it contains.
    """
    given = _LINE_BREAK.split(text)
    if width is None or all(len(line) <= width for line in given):
        return text
    lines: list[str] = []
    for line in given:
        current = ""
        for word in line.split(" "):
            if not word:
                continue
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return "\n".join(lines)


def escape_flowchart_text(text: str) -> str:
    """Escape ``text`` for a double-quoted flowchart string (node label, edge label, title).

    Newlines and literal ``<br>`` variants become ``<br/>``; control characters other than tab
    are dropped; everything else is shown as is. An empty label becomes a single space,
    because Mermaid rejects ``""``.
    """
    escaped = _escape(text)
    return escaped if escaped else " "


def escape_sequence_text(text: str) -> str:
    """Escape ``text`` for unquoted sequence-diagram text (messages, notes, participant names).

    Mermaid trims this text, so leading and trailing whitespace is dropped here already.
    """
    escaped = _escape(text.strip(_SPACE))
    if _WRAP_PREFIX.match(escaped):
        escaped = _code(escaped[0]) + escaped[1:]
    return escaped


def quoted(text: str) -> str:
    """A double-quoted flowchart string holding ``text`` literally."""
    return f'"{escape_flowchart_text(text)}"'


def escape_title(text: str) -> str:
    """A YAML scalar for the front-matter ``title``: JSON-style, ASCII-only, on one line.

    Front matter is read by Mermaid's YAML parser before entity codes apply, so the usual
    escapes would show literally; ``%`` is still escaped because the directive pattern scans
    the whole text.
    """
    out = ['"']
    for char in text:
        point = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= point < 0x7F and char != "%":
            out.append(char)
        elif 0xD800 <= point <= 0xDFFF:
            out.append("\\ufffd")
        elif point > 0xFFFF:
            # YAML's \U escape; JSON-style surrogate pairs are not decoded by every parser.
            out.append(f"\\U{point:08x}")
        else:
            out.append(f"\\u{point:04x}")
    out.append('"')
    return "".join(out)


# --- ids -----------------------------------------------------------------------------------


def sanitize_id(key: str) -> str:
    """The readable Mermaid id for ``key``, before collisions are resolved.

    ASCII letters and digits are kept (accents are stripped), every other run becomes ``_``;
    ids never start with a digit and never equal a reserved word.
    """
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii")
    base = _ID_CHARS.sub("_", ascii_key).strip("_")
    if not base:
        base = "n"
    elif base[0].isdigit():
        base = "n" + base
    if base.lower() in RESERVED_IDS:
        base += "_"
    return base


def _digest(key: str, length: int) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def assign_ids(keys: Iterable[str]) -> dict[str, str]:
    """Mermaid ids for all ``keys`` of one diagram: unique, stable, order-independent.

    A key keeps its sanitised id unless another key sanitises to the same id; then every key
    of that group except the one already equal to the id gets a short hash of itself appended.
    The result depends only on the set of keys, never on the order they were added in.
    """
    unique = sorted(set(keys))
    base = {key: sanitize_id(key) for key in unique}
    groups: dict[str, list[str]] = {}
    for key in unique:
        groups.setdefault(base[key], []).append(key)
    plain = {key for key in unique if len(groups[base[key]]) == 1 or base[key] == key}
    for length in (6, 10, 16, 64):
        ids = {
            key: base[key] if key in plain else f"{base[key]}_{_digest(key, length)}"
            for key in unique
        }
        if len(set(ids.values())) == len(ids):
            return ids
    raise ValueError(f"cannot assign distinct Mermaid ids to {unique!r}")  # pragma: no cover


def is_safe_id(value: str) -> bool:
    """Whether ``value`` is an id this module could have produced (ASCII, no keyword)."""
    return bool(_SAFE_ID.fullmatch(value)) and value.lower() not in RESERVED_IDS


# --- links ---------------------------------------------------------------------------------

_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def safe_href(url: str) -> str:
    """``url`` percent-encoded for a quoted ``click ... href`` string.

    Only http(s), mailto and relative URLs are accepted: anything else (``javascript:``,
    ``data:``...) raises ``ValueError``. The result contains no ``"``, whitespace, ``;`` or
    ``%%``, so it can neither end the string nor trip the entity or directive passes.
    """
    stripped = "".join(ch for ch in url if unicodedata.category(ch) != "Cc").strip()
    match = _SCHEME.match(stripped)
    if match and match.group(1).lower() not in _SAFE_SCHEMES:
        raise ValueError(f"refusing link with scheme {match.group(1)!r}: {url!r}")
    encoded = _LONE_PERCENT.sub("%25", stripped)
    return quote(encoded, safe="/:?&=#@!$'()*+,-._~[]%")
