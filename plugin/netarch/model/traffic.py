"""Sets of traffic: port ranges per protocol, and the protocols that have no ports.

A policy's ``ports`` and what one subject may send another are both such a set; the
reachability evaluator unions, intersects and subtracts them, so the work is linear in the
number of ranges, never in the number of ports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PROTOCOLS = ("tcp", "udp", "sctp")
FIRST_PORT, LAST_PORT = 1, 65535

PortRange = tuple[int, int]
Ranges = tuple[PortRange, ...]
_ALL_PORTS: Ranges = ((FIRST_PORT, LAST_PORT),)


def _merged(ranges: Iterable[PortRange]) -> Ranges:
    """Sorted, disjoint, with touching ranges joined: one spelling per set of ports."""
    merged: list[list[int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def _intersection(left: Ranges, right: Ranges) -> Ranges:
    result = []
    i = j = 0
    while i < len(left) and j < len(right):
        low = max(left[i][0], right[j][0])
        high = min(left[i][1], right[j][1])
        if low <= high:
            result.append((low, high))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return tuple(result)


def _complement(ranges: Ranges) -> Ranges:
    gaps = []
    start = FIRST_PORT
    for low, high in ranges:
        if low > start:
            gaps.append((start, low - 1))
        start = high + 1
    if start <= LAST_PORT:
        gaps.append((start, LAST_PORT))
    return tuple(gaps)


@dataclass(frozen=True)
class Traffic:
    """Ports per protocol (in ``PROTOCOLS`` order) and ``other``: the protocols without ports
    (ICMP ...), which only a rule without ``ports`` covers."""

    ports: tuple[Ranges, ...] = ((), (), ())
    other: bool = False

    @classmethod
    def everything(cls) -> Traffic:
        return _EVERYTHING

    @classmethod
    def nothing(cls) -> Traffic:
        return _NOTHING

    @classmethod
    def of_policy(cls, entries: list[dict[str, Any]] | None) -> Traffic:
        """A policy's ``ports``: all traffic when left out; ``{protocol: tcp}`` is every TCP
        port. A range written backwards or outside 1-65535 keeps only its valid part."""
        if not entries:
            return _EVERYTHING
        per_protocol: dict[str, list[PortRange]] = {name: [] for name in PROTOCOLS}
        for entry in entries:
            port = entry.get("port")
            if port is None:
                low, high = FIRST_PORT, LAST_PORT
            elif isinstance(port, int):
                low = high = port
            else:
                first, _, last = str(port).partition("-")
                low, high = int(first), int(last)
            low, high = max(low, FIRST_PORT), min(high, LAST_PORT)
            if low <= high:
                per_protocol[entry["protocol"]].append((low, high))
        return cls(tuple(_merged(per_protocol[name]) for name in PROTOCOLS))

    def __bool__(self) -> bool:
        return self.other or any(self.ports)

    # The shortcuts matter: most sets an evaluation meets are everything or nothing.
    def __or__(self, other: Traffic) -> Traffic:
        if not other or self is _EVERYTHING:
            return self
        if not self or other is _EVERYTHING:
            return other
        return Traffic(
            tuple(_merged(a + b) for a, b in zip(self.ports, other.ports, strict=True)),
            self.other or other.other,
        )

    def __and__(self, other: Traffic) -> Traffic:
        if not self or other is _EVERYTHING:
            return self
        if not other or self is _EVERYTHING:
            return other
        return Traffic(
            tuple(_intersection(a, b) for a, b in zip(self.ports, other.ports, strict=True)),
            self.other and other.other,
        )

    def __sub__(self, other: Traffic) -> Traffic:
        if not self or not other:
            return self
        if other is _EVERYTHING:
            return _NOTHING
        return Traffic(
            tuple(
                _intersection(a, _complement(b))
                for a, b in zip(self.ports, other.ports, strict=True)
            ),
            self.other and not other.other,
        )

    def covers(self, other: Traffic) -> bool:
        return not (other - self)

    def describe(self) -> str:
        """ "any port and protocol", "TCP 443", "TCP 1-442, 444-65535; UDP; SCTP; other
        protocols (ICMP ...)"."""
        if self == _EVERYTHING:
            return "any port and protocol"
        parts = []
        for name, ranges in zip(PROTOCOLS, self.ports, strict=True):
            if ranges == _ALL_PORTS:
                parts.append(f"{name.upper()} (any port)")
            elif ranges:
                shown = ", ".join(
                    str(low) if low == high else f"{low}-{high}" for low, high in ranges
                )
                parts.append(f"{name.upper()} {shown}")
        if self.other:
            parts.append("other protocols (ICMP ...)")
        return "; ".join(parts) or "no traffic"

    def to_json(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {"protocol": name, "first": low, "last": high}
            for name, ranges in zip(PROTOCOLS, self.ports, strict=True)
            for low, high in ranges
        ]
        if self.other:
            items.append({"protocol": "other", "first": None, "last": None})
        return items


_EVERYTHING = Traffic((_ALL_PORTS,) * len(PROTOCOLS), True)
_NOTHING = Traffic()
