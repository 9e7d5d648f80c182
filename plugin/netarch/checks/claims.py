"""Claims lint (NA2xx): numbers and absolutes need sources, placeholders need real names.

Runs over every text a reader sees: claims, descriptions, notes, steps, facts, table cells and
diagram labels (see :mod:`netarch.checks.text`). Code spans and URLs are ignored, and so are
addresses, prefixes, ports and versions, so configuration values are never taken for claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from netarch.checks.framework import Finding, rule
from netarch.checks.text import Text, model_texts, without_code
from netarch.model.network import Model

SECTION = "Claims"
REVIEW = "technical review of a hand-written network page"
REFERENCE = "cozystack-network.md §3.3 (claims of the hand-written page)"

# Data that looks numeric but is not a claim: IPv4 addresses/prefixes/ports, IPv6 and MAC
# addresses, versions. Blanked out before looking for quantities.
_NOT_QUANTITIES = (
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,3})?(?::\d+)?"),
    re.compile(r"\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,}(?:/\d{1,3})?"),
    re.compile(r"\bv\d+(?:\.\d+)*\b"),
    re.compile(r"\b\d+\.\d+\.[\dx]+(?:\.\d+)*\b"),
)
# A number not glued to an identifier, address or fraction ("genev_sys_6081", "/32", "1/3").
_NUMBER = r"(?<![\w.,/:])[~≈]?\d+(?:[.,]\d+)?(?:\s?[-\u2013]\s?\d+(?:[.,]\d+)?)?"
_SYMBOL_UNITS = (
    r"ns|µs|μs|us|ms|s|h|"
    r"[KMGTP]i?B|kB|[KMGT]b|B|"
    r"[kKMGT]?bps|[kKMGT]bit(?:/s)?|[kKMGT]?B/s|[kKMG]?pps"
)
_WORD_UNITS = (
    r"(?:nano|micro|milli)?seconds?|secs?|minutes?|mins?|hours?|"
    r"(?:kilo|mega|giga|tera)?(?:bytes?|bits?)|"
    r"(?:packets|requests|connections|operations|flows|queries)\s+per\s+second|"
    r"req/s|ops/s|rps|qps|cps"
)
_QUANTITIES = (
    re.compile(rf"{_NUMBER}\s?-?\s?(?:{_SYMBOL_UNITS})(?![\w/])"),
    re.compile(rf"{_NUMBER}\s?-?\s?(?:{_WORD_UNITS})\b", re.IGNORECASE),
    re.compile(
        rf"{_NUMBER}\s?(?:x|\u00d7|times)\s+(?:faster|slower|quicker|more|less|fewer|lower|higher|"
        r"better|cheaper|smaller|larger|bigger)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_NUMBER}\s?%\s+(?:faster|slower|less|more|fewer|lower|higher|better|cheaper|"
        r"reduction|improvement|overhead|(?:of\s+(?:the\s+)?)?(?:cpu|latency|throughput|bandwidth))\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:up\s+to|reduces?(?:\s+\w+)?\s+by|improves?(?:\s+\w+)?\s+by|cuts?(?:\s+\w+)?\s+by)\s+"
        r"\d+(?:\.\d+)?\s?%",
        re.IGNORECASE,
    ),
    # Big-O complexity: O(1), O(n), O(log n).
    re.compile(r"\b[OΘΩ]\(\s*[\w^ ²]{1,12}\)"),
)


def quantities(text: str) -> list[str]:
    """Quantitative claims in ``text`` (numbers with time, rate or size units, speed-ups, O(.))."""
    masked = without_code(text)
    for pattern in _NOT_QUANTITIES:
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
    found = [m for pattern in _QUANTITIES for m in pattern.finditer(masked)]
    found.sort(key=lambda m: m.start())
    return [text[m.start() : m.end()].strip() for m in found]


@rule(
    "NA201",
    "warning",
    "Quantitative claim without a source",
    rationale="A number with a unit of time, rate or size, a speed-up or a complexity class is a"
    ' measurable statement; without a source it cannot be checked, and precise figures ("~100 ns")'
    " depend on hardware, kernel and configuration.",
    source=REVIEW + " (the unsourced 'approximately 100 nanoseconds' should be qualified or cited)",
    reference=REFERENCE,
    hint="add a `source` (benchmark, documentation page, RFC) to the element or its claim/note,"
    " qualify the figure, or put configuration values in backticks",
    section=SECTION,
)
def unsourced_quantities(model: Model) -> Iterator[Finding]:
    for item in model_texts(model):
        if item.sourced:
            continue
        found = _quantities(item.text)
        if found:
            listed = ", ".join(f"'{q}'" for q in dict.fromkeys(found))
            noun = "claim" if len(found) == 1 else "claims"
            yield Finding(item.path, f"quantitative {noun} {listed} without a source")


# Absolute wording, each with a way to qualify it.
_ABSOLUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), hint)
    for pattern, hint in (
        (
            r"\bcan(?:not|'t|\s+not)\s+(?:be\s+)?(?:bypass(?:ed)?|circumvent(?:ed)?|evaded?)\b",
            "say what it applies to and when, e.g. 'pod traffic passes the eBPF hooks while the policy is loaded'",
        ),
        (
            r"\bmust\s+(?:go|pass)\s+through\b",
            "say which traffic takes this path (e.g. pod endpoints) and what does not (host network)",
        ),
        (
            r"\bno\s+race\s+conditions?\b|\brace[- ]free\b",
            "say what is atomic, e.g. 'each map entry is replaced in one update'",
        ),
        (r"\balways\b", "say when it holds, e.g. 'by default' or 'in L2 mode'"),
        (r"\bnever\b", "say when it holds, e.g. 'by default' or 'unless ...'"),
        (r"\bguarantee[sd]?\b", "say what provides it and under which conditions"),
        (
            r"\bconstant[- ]time\b|\bconstant\s+performance\b",
            "say 'largely independent of the number of Services' and cite a measurement",
        ),
        (r"\bimpossible\b", "say what prevents it and under which conditions"),
        (
            r"\b100\s?%\s*(?:secure|safe|isolated|reliable)\b",
            "describe the protection and its limits",
        ),
        (
            r"\b(?:completely|fully|totally|perfectly|absolutely)\s+(?:secure|safe|isolated)\b",
            "describe the protection and its limits",
        ),
        (
            r"\b(?:unbreakable|bulletproof|unhackable|tamper[- ]proof)\b",
            "describe the protection and its limits",
        ),
        (
            r"\bno\s+(?:crashes|infinite\s+loops)\b",
            "say what the mechanism checks, e.g. 'the verifier ensures programs terminate'",
        ),
        (r"\bzero\s+(?:overhead|latency|downtime)\b", "quantify it with a source, or say 'low'"),
    )
)


@rule(
    "NA202",
    "warning",
    "Absolute security or performance wording without a source",
    rationale='Absolutes ("cannot be bypassed", "no race conditions", "always", "constant'
    ' performance", "MUST go through") are rarely true without conditions: enforcement commonly'
    " leaves out host-network pods or one address family, and the page that says so comes"
    " later.",
    source=REVIEW
    + " ('no userspace bypass', 'no race conditions', 'cannot be bypassed' read as unconditional guarantees)",
    reference=REFERENCE,
    hint="qualify the statement with its conditions, or cite the source that backs it",
    section=SECTION,
)
def absolute_wording(model: Model) -> Iterator[Finding]:
    for item in model_texts(model):
        if item.sourced:
            continue
        hits = _absolutes(item.text)
        if not hits:
            continue
        words = ", ".join(dict.fromkeys(f"'{word}'" for word, _ in hits))
        yield Finding(
            item.path,
            f"absolute wording {words} without a source",
            hint=hits[0][1],
        )


# The lint runs on every `mkdocs serve` rebuild, and nearly all texts are unchanged between
# two saves: remember each text's verdict (pure functions of the text).
@lru_cache(maxsize=8192)
def _quantities(text: str) -> tuple[str, ...]:
    return tuple(quantities(text))


@lru_cache(maxsize=8192)
def _absolutes(text: str) -> tuple[tuple[str, str], ...]:
    """(matched words, hint) of each absolute phrase, in the order they appear."""
    masked = without_code(text)
    hits = [(m, hint) for pattern, hint in _ABSOLUTES for m in pattern.finditer(masked)]
    hits.sort(key=lambda hit: hit[0].start())
    return tuple((m.group(0), hint) for m, hint in hits)


_PLACEHOLDERS = (
    # A prime (apostrophe, right quote or U+2032) on a one-letter name: "Pod A'", "X'".
    (re.compile(r"(?<![\w'\u2019])[A-Za-z]\d?['\u2019\u2032](?![\w'\u2019])"), "a primed name"),
    (re.compile(r"\w\u2032"), "a primed name"),
    (
        re.compile(
            r"\b(?:foo|foobar|baz|qux|tbd|tba|todo|fixme|changeme|lorem\s+ipsum)\b", re.IGNORECASE
        ),
        "placeholder text",
    ),
    (re.compile(r"\bXXX\b"), "placeholder text"),
    (re.compile(r"\?{2,}"), "placeholder text"),
    # Addresses with letters for octets: x.x.x.x, 10.x.x.20, a.b.c.d.
    (
        re.compile(
            r"(?<![\w.])(?=[\d.]*[xXnN])(?:\d{1,3}|[xXnN]{1,3})(?:\.(?:\d{1,3}|[xXnN]{1,3})){3}(?![\w.])"
        ),
        "a placeholder address",
    ),
    (re.compile(r"(?<![\w.])a\.b\.c\.d(?![\w.])"), "a placeholder address"),
)
_ID_PLACEHOLDER = re.compile(
    r"^(?:foo|foobar|bar|baz|qux|tbd|todo|fixme|xxx|changeme)$", re.IGNORECASE
)


def placeholders(item: Text) -> list[tuple[str, str]]:
    """(matched text, what it is) for every placeholder in a text or id."""
    return list(_placeholders(item.kind, item.text))


@lru_cache(maxsize=8192)
def _placeholders(kind: str, text: str) -> tuple[tuple[str, str], ...]:
    if kind == "id":
        parts = re.split(r"[-_.]", text)
        return ((text, "placeholder text"),) if any(_ID_PLACEHOLDER.match(p) for p in parts) else ()
    masked = without_code(text)
    found = [
        (m.start(), m.group(0), what)
        for pattern, what in _PLACEHOLDERS
        for m in pattern.finditer(masked)
    ]
    # Two patterns may match the same spot (a U+2032 prime); report it once.
    return tuple(dict.fromkeys((match, what) for _, match, what in sorted(found)))


@rule(
    "NA203",
    "warning",
    "Placeholder or ambiguous label",
    rationale='A primed name ("Pod A\'") or a placeholder ("foo", "TBD", "???", 10.x.x.20) in'
    " a diagram or text leaves the reader guessing what is meant.",
    source=REVIEW + " ('ALLOW → Pod A'' is ambiguous)",
    reference=REFERENCE,
    hint="name the element concretely (e.g. 'another pod of tenant a'); for example addresses use"
    " 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) or 2001:db8::/32 (RFC 3849)",
    section=SECTION,
)
def placeholder_labels(model: Model) -> Iterator[Finding]:
    for item in model_texts(model, ids=True):
        found = placeholders(item)
        if found:
            if item.kind == "id":
                yield Finding(item.path, f"placeholder id {item.text!r}")
                continue
            listed = ", ".join(dict.fromkeys(f"{what} '{text}'" for text, what in found))
            yield Finding(item.path, f"{listed} in text {_excerpt(item.text)!r}")


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
