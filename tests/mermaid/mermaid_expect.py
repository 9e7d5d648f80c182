"""What a reader sees for a label, and what the builder promises they see.

A plain module (not conftest) so tests can import it; the name is unique because the test
directories are not packages.
"""

from __future__ import annotations

import html
import re

_PLACEHOLDERS = (("\ufb02\u00b0\u00b0", "&#"), ("\ufb02\u00b0", "&"), ("\u00b6\u00df", ";"))


def displayed(db_text: str) -> str:
    """The text a reader sees for a label Mermaid stored as ``db_text``: entity placeholders
    decoded as the renderer does, HTML entities resolved, ``<br/>`` as a newline."""
    lines = []
    for part in db_text.split("<br/>"):
        for placeholder, replacement in _PLACEHOLDERS:
            part = part.replace(placeholder, replacement)
        lines.append(html.unescape(part))
    return "\n".join(lines)


# Whitespace JavaScript's trim() removes and the builder does not turn into a line break or
# drop as a control character.
_JS_TRIMMED = (
    " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000\ufeff"
)
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|<br\s*/?>", re.I)


def expected_display(text: str, *, sequence: bool = False) -> str:
    """What the builder promises a reader sees for user ``text``."""
    if sequence:
        text = text.strip("".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff")
    lines = []
    for line in _LINE_BREAKS.split(text):
        kept = "".join(
            "\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch
            for ch in line
            if ch == "\t" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)
        )
        # The builder separates Mermaid's placeholder pairs with an invisible word joiner.
        kept = kept.replace("\ufb02\u00b0", "\ufb02\u2060\u00b0").replace(
            "\u00b6\u00df", "\u00b6\u2060\u00df"
        )
        lines.append(kept)
    # Mermaid trims the stored text; a <br/> (here "\n") at either end is not whitespace to it.
    return "\n".join(lines).strip(_JS_TRIMMED)
