"""The fastest YAML composer at hand, shared by the model loader and the configuration reader.

Implicit tag resolution (is this plain scalar an int, a bool, null...?) runs a regex per
scalar in Python even under libyaml, and YAML repeats the same scalars (true, ids, ports); a
model is loaded again on every live-preview rebuild and a cluster dump holds thousands of alike
objects. Without path resolvers (the safe loaders have none) the answer depends only on these
arguments, so it is remembered.
"""

from __future__ import annotations

from typing import Any

import yaml

_RESOLVED: dict[tuple[type, str, tuple[bool, bool]], str] = {}
_RESOLVED_MAX = 200_000


def _memo_resolve(self: yaml.resolver.BaseResolver, kind: type, value: str, implicit: Any) -> str:
    key = (kind, value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        tag = yaml.resolver.Resolver.resolve(self, kind, value, implicit)
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = tag
    return tag


class FastComposeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (the pure-Python one where libyaml is missing), memoised."""

    resolve = _memo_resolve  # type: ignore[assignment]
