"""Untrusted text on its way out.

A model, a Markdown page or a template value may come from a pull request, and the site is read
by people who trust it; error output lands in CI logs. Everything that turns such text into
Markdown, a link or a message goes through here:

- ``SafeMarkdown`` marks text netarch built itself (views, escaped prose); anything else that a
  template prints is escaped by the page renderer's ``finalize`` hook, so a template cannot
  print a raw model string by mistake.
- ``prose`` keeps the Markdown a writer means (emphasis, code spans, safe links) but never live
  HTML, and never a block (a fence, a diagram, an admonition, a list, a heading): model text is
  paragraphs of inline Markdown. ``literal`` keeps nothing.
- ``plain_title`` is a page title that reads the same as text and as HTML, escaped or not, so
  that every theme prints it inert (``<title>``, nav, search index, attributes).
- ``safe_links`` makes every link target that is not http, https, mailto or relative inert,
  judged by parsing the target (``urllib``), not by matching it.
- ``excerpt`` bounds what a message quotes from a file.
"""

from __future__ import annotations

import errno
import html
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

# What an error message may quote from a file: one short line, control characters escaped.
EXCERPT_CHARS = 200


class SafeMarkdown(str):
    """Markdown that netarch built and vouches for; printed by templates as it is."""

    __slots__ = ()


def is_safe_url(target: str) -> bool:
    """True for http, https and mailto addresses and for relative targets.

    The target is read the way Python-Markdown and then a browser read an ``href``: HTML
    entities and Markdown backslash escapes decoded, tabs and line breaks dropped, and every
    leading character that either of them skips stripped (Python-Markdown strips any Unicode
    space, U+2003 or U+3000 as well as U+0020; a browser strips C0 controls); then ``urllib``
    says which scheme is left.
    """
    decoded = html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", target))
    decoded = decoded.replace("\t", "").replace("\n", "").replace("\r", "")
    decoded = _SKIPPED_BEFORE_SCHEME.sub("", decoded)
    try:
        scheme = urlsplit(decoded).scheme
    except ValueError:  # e.g. an unbalanced IPv6 bracket: not a target we can vouch for
        return False
    return scheme == "" or scheme.lower() in ALLOWED_SCHEMES


# Unicode whitespace (what ``str.strip`` and so Python-Markdown strip from a link target) and
# C0 controls (what a browser's URL parser strips).
_SKIPPED_BEFORE_SCHEME = re.compile(r"^[\s\x00-\x20]+")


def is_web_address(text: str) -> bool:
    """An absolute http(s) address that can stand as a Markdown link target as it is."""
    if not text or any(c.isspace() or c in "()<>\"'`\\" for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

# An inline link or image target starts after "](", possibly after any whitespace (Unicode
# spaces too: Python-Markdown strips them), C0 controls (a browser strips them), line breaks
# and "<". Only its start matters: a scheme is the first thing in a target.
_INLINE_TARGET = re.compile(r"\]\([\s\x00-\x20<]*")
# A reference definition "[label]: target" (anywhere: it may sit in an admonition or a quote,
# and its target may start on the next line).
_REFERENCE_TARGET = re.compile(r"\]:[^\S\n]*\n?[\s\x00-\x09\x0b-\x20>]*<?")
# Tabs and entities stay in: a browser drops tabs from a URL, so "java<TAB>script:" counts.
_TARGET_HEAD = re.compile(r"[^ \n)>]{0,256}")


def safe_links(markdown: str) -> str:
    """Every link target in ``markdown`` that is not safe made into a harmless fragment.

    ``javascript:alert((1))`` becomes ``#javascript:alert((1))``: a fragment, with the rest of
    the link (nested parentheses, a title) exactly as it was, so nothing else changes meaning.
    Code blocks are not skipped: telling a fence from text exactly as Python-Markdown does is
    what an attacker would probe, and a "#" in shown code costs nothing.
    """
    if "]" not in markdown:
        return markdown
    return _defuse_targets(markdown)


def _defuse_targets(text: str) -> str:
    inserts: list[int] = []
    for pattern in (_INLINE_TARGET, _REFERENCE_TARGET):
        for match in pattern.finditer(text):
            head = _TARGET_HEAD.match(text, match.end())
            target = head.group(0) if head else ""
            if target and not is_safe_url(target):
                inserts.append(match.end())
    if not inserts:
        return text
    pieces: list[str] = []
    position = 0
    for at in sorted(set(inserts)):
        pieces += [text[position:at], "#"]
        position = at
    pieces.append(text[position:])
    return "".join(pieces)


# A link-bearing attribute as Python-Markdown writes it (double-quoted, entities escaped).
_HTML_LINK = re.compile(r'(?<=\s)(href|src|xlink:href|action|formaction)="([^"]*)"', re.IGNORECASE)


def defuse_html_links(html_text: str) -> str:
    """``href``/``src`` values in rendered HTML whose scheme is not safe replaced by ``#``."""

    def defuse(match: re.Match[str]) -> str:
        return match.group(0) if is_safe_url(match.group(2)) else f'{match.group(1)}="#"'

    return _HTML_LINK.sub(defuse, html_text)


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_text(text: str) -> str:
    # "{" too: attr_list reads "{: onclick=... }" after a heading, paragraph or link as
    # attributes to set on the HTML element.
    return escape_html(text).replace("{", "&#123;")


def literal(value: object) -> SafeMarkdown:
    """Any value as Markdown that shows exactly its text: no HTML, no code span, no link, no
    block."""
    lines = []
    for line in str(value).splitlines(keepends=True):
        prefix, rest = inline_only(line)
        lines.append(prefix + _escape_text(rest).replace("`", "&#96;"))
    return SafeMarkdown(_LINK_OPEN.sub(r"\\\g<0>", "".join(lines)))


_LINK_OPEN = re.compile(r"[\[\]]")


def code_span(value: object) -> SafeMarkdown:
    """A value as a Markdown code span, or as literal text when it could end the span early
    (a backtick) or split it (a line break): Markdown escapes HTML only inside a real span."""
    text = str(value)
    if "`" in text or "\n" in text or "\r" in text or not text.strip():
        return literal(text)
    return SafeMarkdown(f"`{text}`")


def prose(text: str) -> SafeMarkdown:
    """Model prose as Markdown: emphasis, code spans and safe links kept, HTML shown as text,
    and no line can open a block (see ``inline_only``).

    Code spans are kept only where Python-Markdown is sure to read the same span: two runs of
    exactly the same number of backticks on one line (a paragraph break or a table cell could
    otherwise end a span that this function thought was code, and let HTML in it out). Every
    other backtick becomes an entity, every ``<`` and ``&`` outside a span is escaped. Linear
    in the length of the text.
    """
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        prefix, rest = inline_only(line)
        out.append(prefix + _prose_line(rest))
    return SafeMarkdown(safe_links("".join(out)))


_BACKTICKS = re.compile(r"`+")


def _prose_line(line: str) -> str:
    if "`" not in line:
        return _escape_text(line)
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    # The next run of the same length after each run, found right to left in one pass.
    partner: list[int | None] = [None] * len(runs)
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        partner[index] = last_of_length.get(length)
        last_of_length[length] = index
    out: list[str] = []
    position = 0
    index = 0
    while index < len(runs):
        start, end = runs[index]
        close = partner[index]
        out.append(_escape_text(line[position:start]))
        if close is None:
            out.append("&#96;" * (end - start))
            position = end
            index += 1
            continue
        if out[-1].endswith("\\"):  # "\`" is an escaped backtick, not an opening
            out[-1] = out[-1][:-1] + "&#92;"
        close_end = runs[close][1]
        out.append(line[start:close_end])
        position = close_end
        index = close + 1
    out.append(_escape_text(line[position:]))
    return "".join(out)


# What opens a block at the start of a line, in Python-Markdown or an extension a site may use:
# fences (superfences, fenced_code), headings, tables, pymdownx.details (???),
# pymdownx.blocks (///), definition lists and tabbed (:, ===), lists, setext underlines,
# rules, snippets (--8<--), admonitions (!!!), abbreviations (*[), footnotes ([^), arithmatex.
# Each is made inert by writing its first character (a fence: its whole run; an ordered
# list: the dot) as an entity, which no block parser reads as markup and every reader sees
# as the character. Quotes and raw HTML need nothing here: "<" and ">" are always escaped.
_BLOCK_OPENER = re.compile(
    r"""(?P<run>`{3,}|~{3,})
      | (?P<digits>\d+)[.)](?=\s|$)
      | [\#|?/:=+\-]
      | !!
      | [*_][\s*_-]*$
      | \*(?:\s|\[)
      | \$\$ | \\\[ | \\begin
      | \[\^""",
    re.VERBOSE,
)
_LEADING_SPACE = re.compile(r"[^\S\n\r]+")


def inline_only(line: str) -> tuple[str, str]:
    """``line`` split into an inert prefix and the rest, so that the line cannot open a block.

    Leading whitespace becomes one space (four would open a code block; the value may be
    printed in the middle of a line, where one space still parts two words), and a block
    opener at the start becomes entities.
    """
    space = _LEADING_SPACE.match(line)
    lead = ""
    if space:
        line, lead = line[space.end() :], " "
    opener = _BLOCK_OPENER.match(line)
    if opener is None:
        return lead, line
    if opener["run"]:
        return lead + _entities(opener["run"]), line[opener.end("run") :]
    if opener["digits"]:
        end = opener.end("digits")
        return lead + opener["digits"] + _entities(line[end]), line[end + 1 :]
    return lead + _entities(line[0]), line[1:]


def _entities(text: str) -> str:
    return "".join(f"&#{ord(char)};" for char in text)


def opens_block(text: str) -> str | None:
    """The first line of ``text`` that a writer meant as a block (a fence, an admonition, a
    heading, a list...), which ``prose`` shows as text instead; None if there is none."""
    for line in text.splitlines():
        if _MEANT_AS_BLOCK.match(line.lstrip()):
            return line
    return None


# The block openers of _BLOCK_OPENER as a writer would type them (with the space or the
# rest that makes them blocks), so that "--flag" or "=> x" in a sentence is not reported.
_MEANT_AS_BLOCK = re.compile(
    r"""`{3,} | ~{3,}
      | \#{1,6}(?:\s|$) | [!?]{3}\+?\s | /{3} | ={3}\s | -+8<-+
      | [-*+]\s | \d+[.)]\s | :\s | \|.*\|
      | [-=*_](?:\s*[-=*_]){2,}\s*$
      | \$\$ | \\\[ | \\begin\{ | \[\^[^\]]+\]:""",
    re.VERBOSE,
)


# Characters that HTML reads as markup, as their look-alikes. A title with none of them (and no
# "&" that could start a character reference) is the same text however many times a theme
# escapes or unescapes it: Material prints ``page.title | striptags``, and Jinja's striptags
# unescapes entities after removing tags, so an escaped "&lt;script&gt;" would come back live.
_TITLE_LOOKALIKES = str.maketrans({"<": "\uff1c", ">": "\uff1e", '"': "\uff02", "'": "\u2019"})
_REFERENCE_AMPERSAND = re.compile(r"&(?=[#0-9A-Za-z])")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def plain_title(text: str) -> str:
    """A page title in the one form every theme prints inert: one line, no ``<``, ``>``,
    quotes or ``&`` that starts a character reference (each replaced by its look-alike)."""
    title = " ".join(_INVISIBLE.sub("", text).split())
    return _REFERENCE_AMPERSAND.sub("\uff06", title.translate(_TITLE_LOOKALIKES))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text`` for a message: one line, controls escaped."""
    head = text[: limit + 1]
    cleaned = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", head.replace("\n", "\\n"))
    cleaned = cleaned.replace("\r", "\\r").replace("\t", " ")
    if len(cleaned) > limit or len(text) > len(head):
        return cleaned[: limit - 1] + "…"
    return cleaned


class UnreadableFile(Exception):
    """A path that is not a regular file, or is larger than the caller will read."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    A FIFO, a device (a link to /dev/zero) or a huge file is refused before it can block the
    read, fill the memory or act on being opened (some devices do): the path is looked at
    before it is opened, opened without waiting for a writer, and checked again before
    anything is read.
    """
    info = inspect_path(path)
    if info.kind == "other":
        raise UnreadableFile(info.problem)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    with open(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnreadableFile("not a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"larger than {limit:,} bytes")
    return data


# --- paths -------------------------------------------------------------------------------------

_OS_PROBLEMS = {
    errno.ENAMETOOLONG: "the name is too long for the file system (at most 255 bytes a name)",
    errno.ELOOP: "too many levels of symbolic links (a link that leads back to itself?)",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENOENT: "no such file or folder",
}


def os_problem(error: OSError) -> str:
    """What went wrong with a path, in words (no file name: the caller names the file)."""
    if error.errno in _OS_PROBLEMS:
        return _OS_PROBLEMS[error.errno]
    return excerpt(error.strerror or str(error), 120)


@dataclass(frozen=True)
class PathInfo:
    """What a path names, found without opening it.

    ``kind`` is ``file`` (a regular file, symbolic links followed), ``folder``, ``missing``
    (nothing there, or a link to nothing), ``other`` (a FIFO, a device, a socket) or
    ``unusable`` (the name cannot be looked up: too long, a link loop, no permission).
    ``problem`` says, for the last three, what is wrong, in words.
    """

    kind: Literal["file", "folder", "missing", "other", "unusable"]
    problem: str = ""

    @property
    def is_file(self) -> bool:
        return self.kind == "file"

    @property
    def is_folder(self) -> bool:
        return self.kind == "folder"


_FILE_TYPES = (
    (stat.S_ISFIFO, "a FIFO (named pipe), not a regular file"),
    (stat.S_ISCHR, "a character device (like /dev/zero), not a regular file"),
    (stat.S_ISBLK, "a block device, not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
)


def inspect_path(path: Path | str) -> PathInfo:
    """What ``path`` is; never raises, whatever the name (too long, NUL bytes, link loops)."""
    try:
        mode = os.stat(path).st_mode
    except ValueError:  # a NUL byte in the name: no file has it
        return PathInfo("unusable", "the name holds a NUL character")
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            return PathInfo("unusable", os_problem(error))
        try:
            os.lstat(path)
        except OSError:
            return PathInfo("missing", os_problem(error))
        return PathInfo("missing", "a symbolic link to nothing")
    if stat.S_ISREG(mode):
        return PathInfo("file")
    if stat.S_ISDIR(mode):
        return PathInfo("folder")
    for test, problem in _FILE_TYPES:
        if test(mode):
            return PathInfo("other", problem)
    return PathInfo("other", "not a regular file")


def resolve_path(path: Path) -> Path | None:
    """``path`` with symbolic links followed, or None when that cannot be done (a link loop,
    a name too long to resolve): callers treat that as a path they may not use."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
