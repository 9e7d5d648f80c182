"""What the reader keeps of a cluster's configuration: objects with the place of each field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from netarch.diagnostics import Diagnostic, Location

FieldPath = tuple[str | int, ...]

# Kinds that are not Kubernetes objects but files a distribution reads; the reader names them.
TALOS_CONFIG = "TalosMachineConfig"
K3S_CONFIG = "K3sConfig"


@dataclass(frozen=True)
class Wanted:
    """One kind a reader needs: which objects of it, and which of their fields.

    ``names`` limits the objects to those (``namespace/name`` or ``name``), e.g. the one
    ConfigMap ``kube-system/kube-proxy``; ``keep`` limits the fields to those subtrees (paths
    of at most two keys, e.g. ``("status", "addresses")``), so a 5,000-node dump does not cost
    the memory of every node's image list. Empty means all.
    """

    kind: str
    api_groups: frozenset[str] = frozenset()  # "" for the core group; empty = any
    names: frozenset[str] = frozenset()
    keep: tuple[FieldPath, ...] = ()

    def takes_group(self, api_version: str) -> bool:
        if not self.api_groups:
            return True
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        return group in self.api_groups

    def takes_name(self, namespace: str, name: str) -> bool:
        return not self.names or name in self.names or f"{namespace}/{name}" in self.names


@dataclass
class ConfigObject:
    """One object (or distribution file) as the configuration holds it."""

    kind: str
    api_version: str
    namespace: str
    name: str
    data: dict[str, Any]
    file: str
    line: int
    # (line, column) of each value, by field path; only for what was kept.
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    # Finds a position not in ``positions`` when it is first asked for (JSON objects, whose
    # text is searched only for the few fields a reader names).
    locate: Callable[[FieldPath], tuple[int, int] | None] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def title(self) -> str:
        """``ConfigMap kube-system/kube-proxy``: how a message names the object."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}" if where else self.kind

    def get(self, *path: str | int, default: Any = None) -> Any:
        value: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or not -len(value) <= part < len(value):
                    return default
            elif not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return value

    def location(self, *path: str | int) -> Location:
        """Where the value at ``path`` is written (the nearest written ancestor otherwise)."""
        probe: FieldPath = tuple(path)
        while probe:
            where = self.positions.get(probe)
            if where is None and self.locate is not None:
                where = self.positions[probe] = self.locate(probe) or (0, 0)
            if where and where[0]:
                return Location(self.file, where[0], where[1])
            probe = probe[:-1]
        return Location(self.file, self.line, 1)


@dataclass
class Configuration:
    """Everything read from a set of files: the objects kept, what was passed over, problems."""

    objects: list[ConfigObject] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Objects read past, by kind: the kinds no reader needs, and those not asked for by name.
    passed_over: Counter[str] = field(default_factory=Counter)
    secrets_skipped: int = 0

    def of_kind(self, *kinds: str) -> Iterator[ConfigObject]:
        return (item for item in self.objects if item.kind in kinds)

    def matching(self, wanted: Sequence[Wanted]) -> Configuration:
        """The objects that one reader asked for (several readers share one reading)."""
        by_kind = merge_wanted(wanted)
        kept = [
            item
            for item in self.objects
            if any(
                w.takes_group(item.api_version) and w.takes_name(item.namespace, item.name)
                for w in by_kind.get(item.kind, ())
            )
        ]
        return Configuration(kept, files=self.files)

    def find(self, kind: str, name: str, namespace: str | None = None) -> ConfigObject | None:
        for item in self.of_kind(kind):
            if item.name == name and (namespace is None or item.namespace == namespace):
                return item
        return None


def merge_wanted(requests: Iterable[Wanted]) -> dict[str, list[Wanted]]:
    by_kind: dict[str, list[Wanted]] = {}
    for request in requests:
        by_kind.setdefault(request.kind, []).append(request)
    return by_kind


def kept_paths(requests: Sequence[Wanted]) -> tuple[FieldPath, ...]:
    """The union of what the requests for one kind keep; () when any of them keeps all."""
    if any(not request.keep for request in requests):
        return ()
    return tuple(path for request in requests for path in request.keep)
