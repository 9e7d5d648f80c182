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
    yield from _walk(model.data, (), False, None, ids)


def _walk(data: Any, path: ModelPath, sourced: bool, key: str | None, ids: bool) -> Iterator[Text]:
    if isinstance(data, dict):
        here = sourced or (bool(path) and any(data.get(k) for k in SOURCE_KEYS))
        for child_key, value in data.items():
            if child_key in SKIP_KEYS or child_key in SOURCE_KEYS:
                continue
            yield from _walk(value, (*path, child_key), here, child_key, ids)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index), sourced, key, ids)
    elif isinstance(data, str) and key is not None:
        if key in PROSE_KEYS:
            yield Text(path, data, sourced)
        elif ids and key == "id":
            yield Text(path, data, sourced, "id")


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_URL = re.compile(r"https?://\S+")


def without_code(text: str) -> str:
    """The text with code spans and URLs blanked out (same length, so offsets still fit)."""
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
    return _URL.sub(lambda m: " " * len(m.group(0)), text)
