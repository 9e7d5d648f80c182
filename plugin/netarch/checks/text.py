"""The model's prose: every text a reader sees on a page or in a diagram, with its source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netarch.model.network import Model, ModelPath

# Keys whose string values (or lists of strings) are shown to readers: page text, table
# cells and diagram labels. Ids, addresses, URLs, versions and settings are data, not prose.
PROSE_KEYS = frozenset(
    {
        "aspect",
        "caption",
        "description",
        "description_chaining",
        "detail",
        "exceptions",
        "facts",
        "features",
        "left",
        "name",
        "platform",
        "purpose",
        "replaces",
        "right",
        "role",
        "steps",
        "summary",
        "text",
        "title",
    }
)
# Subtrees that hold configuration, not prose.
SKIP_KEYS = frozenset({"content", "settings", "silence", "labels"})
SOURCE_KEYS = ("source", "parameters_source")


@dataclass(frozen=True)
class Text:
    path: ModelPath
    text: str
    # The element (or an enclosing claim, note, aspect, property or section) names a source.
    sourced: bool
    # "prose" for shown text, "id" for element ids (which appear in diagram labels).
    kind: str = "prose"


def model_texts(model: Model, *, ids: bool = False) -> Iterator[Text]:
    texts = model.memo.get("texts")
    if texts is None:  # several rules read all texts: collect them once per model
        texts = model.memo["texts"] = tuple(_collect(model.data))
    return iter(texts) if ids else (text for text in texts if text.kind == "prose")


def _collect(data: Any) -> list[Text]:
    """Every prose text and element id, in document order (an explicit stack: this runs on
    every live-preview rebuild, and nested generators cost several times more)."""
    found: list[Text] = []
    # (value, path, sourced, key) still to visit, the next one last.
    stack: list[tuple[Any, ModelPath, bool, str | None]] = [(data, (), False, None)]
    while stack:
        value, path, sourced, key = stack.pop()
        if isinstance(value, dict):
            here = sourced or (bool(path) and any(value.get(k) for k in SOURCE_KEYS))
            stack.extend(
                (child, (*path, child_key), here, child_key)
                for child_key, child in reversed(value.items())
                if child_key not in SKIP_KEYS and child_key not in SOURCE_KEYS
            )
        elif isinstance(value, list):
            stack.extend(
                (item, (*path, index), sourced, key)
                for index, item in reversed(list(enumerate(value)))
            )
        elif isinstance(value, str) and key is not None:
            if key in PROSE_KEYS:
                found.append(Text(path, value, sourced))
            elif key == "id":
                found.append(Text(path, value, sourced, "id"))
    return found


_BACKTICKS = re.compile(r"`+")
_URL = re.compile(r"https?://\S+")


def without_code(text: str) -> str:
    """The text with code spans and URLs blanked out (same length, so offsets still fit)."""
    if "`" in text:
        text = _blank_code_spans(text)
    return _URL.sub(lambda m: " " * len(m.group(0)), text)


def _blank_code_spans(text: str) -> str:
    """Each run of backticks and the next run of the same length, with what lies between,
    blanked. One pass over the runs (a backreferencing regex took minutes on long runs)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    partner: list[int | None] = [None] * len(runs)
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        partner[index] = last_of_length.get(length)
        last_of_length[length] = index
    pieces: list[str] = []
    position = index = 0
    while index < len(runs):
        close = partner[index]
        if close is None:
            index += 1
            continue
        start, end = runs[index][0], runs[close][1]
        pieces += [text[position:start], " " * (end - start)]
        position, index = end, close + 1
    pieces.append(text[position:])
    return "".join(pieces)
