"""Hostile text and keys: each must parse with the real Mermaid and come out literally."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from mermaid_expect import displayed, expected_display

from netarch.mermaid import EdgeStyle, Flowchart, SequenceDiagram, Shape
from netarch.mermaid.builder import LABEL_LINE_WIDTH
from netarch.mermaid.escape import (
    RESERVED_IDS,
    assign_ids,
    escape_flowchart_text,
    escape_sequence_text,
    is_safe_id,
    safe_href,
    sanitize_id,
    wrap_at_spaces,
)

Check = Callable[[Any], dict[str, Any]]

# 10,000 characters; escaped, about 17,000.
LONG = ('Pod A\'s "ip": 10.244.0.10 → <b>#1</b>; %% direction LR end ' * 200)[:10_000]

HOSTILE = [
    'say "hi"',
    "A'",
    "ALLOW → Pod A'",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "a & b",
    "&amp; &lt; &#35; &quot;",
    "#",
    "#35;",
    "#quot;",
    "C# and F#",
    "a;b",
    ";",
    "`code`",
    "`**markdown**`",
    "%%",
    "%% not a comment",
    '%%{init: {"theme": "dark"}}%%',
    "a|b",
    "|",
    "[x]",
    "(x)",
    "{x}",
    "{{x}}",
    "((x))",
    "[(x)]",
    ">x]",
    "x]; B[y",
    '"]; B["y',
    ":",
    "aa:bb:cc:dd:ee:ff",
    "10.244.0.10:8080",
    "x:#y",
    "style: #35; and :#",
    "classDef x fill:#f00;",
    "→ ↔ — •",
    "end",
    "END",
    "subgraph",
    "graph TD",
    "direction LR",
    "x direction TB y",
    "Direction RL",
    'click A href "javascript:alert(1)"',
    "-->",
    "-->>",
    "---",
    "==>",
    "-.->",
    "--x",
    "o--o",
    "A --> B",
    "line1\nline2",
    "a<br>b",
    "a<br/>b",
    "a<br />b",
    "a<BR>b",
    "a<br  / >b",
    "\n",
    "trailing\n",
    "\r\n",
    "a\u2028b\u2029c\x85d\x0be\x0cf",
    "",
    " ",
    "   ",
    "\t",
    "tab\there",
    "ﬂ°lt¶ß",
    "ﬂ°°60¶ß",
    "ﬂ°",
    "¶ß",
    "\\",
    '\\"',
    "\\n",
    "wrap: x",
    "nowrap:x",
    ":wrap: x",
    ":nowrap:x",
    "WRAP: y",
    "1. first",
    "- item",
    "* star",
    "# heading",
    "> quote",
    "e.g. 10.x.x.20",
    "Hash(labels) → Identity: 12345",
    "(12345, 67890, TCP, 80) → DENY",
    "😀 emoji",
    "東京",
    "über",
    "zero\u200bwidth",
    "RTL \u202e text",
    "nul\x00 bell\x07 esc\x1b del\x7f c1\x80\x9f",
    "lone \ud800 surrogate",
    "\ufeffbom",
    "note over A: x",
    "participant X as Y",
    "A->>B: x",
    "---\ntitle: x\n---",
    "accTitle: x",
    "e1@-->",
    "A@{ shape: rect }",
    "&nbsp;",
    "#lt;br#gt;",
]


# Chunks keep each diagram small: mermaid's sequence parser slows down super-linearly (400
# messages take seconds), and a failure then points at fewer texts.
CHUNK = 20
CHUNKS = [HOSTILE[start : start + CHUNK] for start in range(0, len(HOSTILE), CHUNK)]


def mismatches(texts: list[str], got: list[str], want: list[str]) -> list[tuple[str, str, str]]:
    return [(text, g, w) for text, g, w in zip(texts, got, want, strict=True) if g != w]


@pytest.mark.parametrize("texts", CHUNKS, ids=[f"chunk{n}" for n in range(len(CHUNKS))])
def test_hostile_text_in_flowchart(check: Check, texts: list[str]) -> None:
    # Every text in every position of one diagram: any text that leaked into the structure
    # would also break its neighbours.
    fc = Flowchart()
    for n, text in enumerate(texts):
        fc.node(f"a{n}", text, list(Shape)[n % len(Shape)])
        with fc.subgraph(f"s{n}", text) as sub:
            sub.node(f"c{n}", text)
        fc.edge(f"a{n}", f"s{n}", text, list(EdgeStyle)[n % len(EdgeStyle)])
    rendered = fc.render()
    # One statement per line, after the front matter that keeps Mermaid from wrapping.
    statements = rendered.text.split("---\n")[-1]
    assert len(statements.splitlines()) == 1 + 5 * len(texts)
    parsed = check(rendered)
    # Long labels are broken at spaces by the builder; the rest reads back as given.
    want = [expected_display(wrap_at_spaces(text, LABEL_LINE_WIDTH)) for text in texts]
    vertices = parsed["vertices"]
    assert len(vertices) == 3 * len(texts)  # a, c and (as an edge endpoint) s
    for prefix in ("a", "c"):
        got = [displayed(vertices[f"{prefix}{n}"]["text"]) for n in range(len(texts))]
        assert mismatches(texts, got, want) == []
    subgraphs = {s["id"]: s for s in parsed["subgraphs"]}
    assert [subgraphs[f"s{n}"]["nodes"] for n in range(len(texts))] == [
        [f"c{n}"] for n in range(len(texts))
    ]
    got = [displayed(subgraphs[f"s{n}"]["title"]) for n in range(len(texts))]
    assert mismatches(texts, got, want) == []
    edges = parsed["edges"]
    assert [(e["start"], e["end"]) for e in edges] == [
        (f"a{n}", f"s{n}") for n in range(len(texts))
    ]
    assert mismatches(texts, [displayed(e["text"]) for e in edges], want) == []


@pytest.mark.parametrize("texts", CHUNKS, ids=[f"chunk{n}" for n in range(len(CHUNKS))])
def test_hostile_text_in_sequence(check: Check, texts: list[str]) -> None:
    sd = SequenceDiagram(title="".join(texts))
    sd.participant("b", "B", actor=True)
    for n, text in enumerate(texts):
        sd.participant(f"a{n}", text)
        sd.message(f"a{n}", "b", text)
        sd.message("b", f"a{n}", text, reply=True)
        sd.note([f"a{n}", "b"], text)
        sd.note(f"a{n}", text, position="left of")
    rendered = sd.render()
    assert len(rendered.text.splitlines()) == 5 + 5 * len(texts)
    parsed = check(rendered)
    want = [expected_display(text, sequence=True) for text in texts]
    actors = parsed["actors"]
    got = [displayed(actors[f"a{n}"]["description"]) for n in range(len(texts))]
    # An empty name is shown as a no-break space.
    assert mismatches(texts, got, [w or "\u00a0" for w in want]) == []
    messages = parsed["messages"]
    assert [(m["from"], m["to"], m["type"], m["placement"]) for m in messages] == [
        step
        for n in range(len(texts))
        for step in (
            (f"a{n}", "b", 0, None),
            ("b", f"a{n}", 1, None),
            (f"a{n}", "b", 2, 2),
            (f"a{n}", f"a{n}", 2, 0),
        )
    ]
    for kind in range(4):
        got = [displayed(m["message"]) for m in messages[kind::4]]
        assert mismatches(texts, got, want) == [], kind


def test_very_long_labels(check: Check) -> None:
    fc = Flowchart(line_width=None)
    fc.node("a", LONG, Shape.DECISION)
    fc.node("b", "x" * 10_000)
    fc.edge("a", "b", "y" * 10_000)
    sd = SequenceDiagram()
    sd.participant("a", "A")
    sd.message("a", "a", LONG)
    sd.note("a", LONG)
    for rendered in (fc.render(), sd.render()):
        assert 30_000 < len(rendered.text) < 50_000  # long, yet under maxTextSize
    parsed = check(fc.render())
    assert displayed(parsed["vertices"]["a"]["text"]) == LONG
    assert displayed(parsed["edges"][0]["text"]) == "y" * 10_000
    parsed = check(sd.render())
    assert [displayed(m["message"]) for m in parsed["messages"]] == [LONG.strip()] * 2


# --- exact escapes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Pod A'", "Pod A'"),
        ('say "hi"', "say #quot;hi#quot;"),
        ("<b>&</b>", "#lt;b#gt;#amp;#lt;/b#gt;"),
        ("C# 100%; `x`", "C#35; 100#37;#59; #96;x#96;"),
        ("one\ntwo<br>three<BR />four\r\nfive", "one<br/>two<br/>three<br/>four<br/>five"),
        ("→ ↔ — • (x) [y] {z} a|b", "→ ↔ — • (x) [y] {z} a|b"),
        ("Pods: 10.244.0.10", "Pods: 10.244.0.10"),
        ("port:#1", "port#58;#35;1"),  # colon before an entity: see escape.py
        ("direction LR", "#100;irection LR"),
        ("Direction", "#68;irection"),
        ("ﬂ°x¶ß", "ﬂ#8288;°x¶#8288;ß"),
        ("a\x00b\tc", "ab#9;c"),
        ("", " "),
        ("   ", "   "),
    ],
)
def test_flowchart_escape_exact(text: str, escaped: str) -> None:
    assert escape_flowchart_text(text) == escaped


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("  ARP reply: aa:bb  ", "ARP reply: aa:bb"),
        ("x;y#z", "x#59;y#35;z"),
        ("wrap: x", "#119;rap: x"),
        (":nowrap:x", "#58;nowrap:x"),
        ("   ", ""),
        ("a -->> b", "a --#gt;#gt; b"),
    ],
)
def test_sequence_escape_exact(text: str, escaped: str) -> None:
    assert escape_sequence_text(text) == escaped


# --- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "mermaid_id"),
    [
        ("tenant-a", "tenant_a"),
        ("CIL", "CIL"),
        ("end", "end_"),
        ("END", "END_"),
        ("graph", "graph_"),
        ("A'", "A"),
        ("1st", "n1st"),
        ("10.244.0.0/16", "n10_244_0_0_16"),
        ("café", "cafe"),
        ("東京", "n"),
        ("", "n"),
        ("__x__", "x"),
        ("a  b--c", "a_b_c"),
        ("o", "o"),
        ("x", "x"),
    ],
)
def test_sanitize_id(key: str, mermaid_id: str) -> None:
    assert sanitize_id(key) == mermaid_id
    assert is_safe_id(mermaid_id)


def test_collisions_get_a_stable_hash_suffix() -> None:
    ids = assign_ids(["tenant-a", "tenant_a", "tenant a", "b"])
    assert ids["tenant_a"] == "tenant_a"  # already exactly the id: keeps it
    assert ids["b"] == "b"
    assert ids["tenant-a"].startswith("tenant_a_") and len(ids["tenant-a"]) == len("tenant_a_") + 6
    assert len(set(ids.values())) == 4
    assert assign_ids(["b", "tenant a", "tenant_a", "tenant-a"]) == ids  # order-independent
    # Same key, same id, in another diagram with the same collision.
    assert assign_ids(["tenant a", "tenant-a"])["tenant-a"] == ids["tenant-a"]


def test_hash_suffix_that_collides_with_a_real_key_is_lengthened() -> None:
    first = assign_ids(["a-b", "a b"])
    squatter = first["a-b"]  # a key that is literally the hashed id of another
    ids = assign_ids(["a-b", "a b", squatter])
    assert ids[squatter] == squatter
    assert len(set(ids.values())) == 3
    assert all(is_safe_id(value) for value in ids.values())


def test_reserved_words_are_never_ids() -> None:
    for word in RESERVED_IDS:
        for variant in (word, word.upper(), word.title()):
            assert is_safe_id(sanitize_id(variant)), variant


RISKY_KEYS = [
    *sorted(RESERVED_IDS),
    "END",
    "Graph",
    "o",
    "x",
    "ox",
    "xo",
    "oB",
    "xB",
    "v",
    "TB",
    "LR",
    "BGP",
    "L2",
    "TC",
    "NOTE",
    "1st",
    "A'",
    "tenant-a",
    "tenant_a",
    "東京",
    "",
]


@pytest.mark.parametrize("style", list(EdgeStyle))
def test_risky_keys_in_every_position(check: Check, style: EdgeStyle) -> None:
    fc = Flowchart()
    hub = fc.node("hub", "hub")
    with fc.subgraph("group", "group") as group:
        for key in RISKY_KEYS:
            group.node(key, key)
    for key in RISKY_KEYS:
        fc.edge(hub, key, None, style)
        fc.edge(key, hub, "label", style)
    fc.chain(RISKY_KEYS, style=style)
    ids = fc.ids()
    assert all(is_safe_id(value) for value in ids.values())
    parsed = check(fc.render())
    assert set(parsed["vertices"]) == set(ids.values()) - {"group"}
    for key in RISKY_KEYS:
        assert displayed(parsed["vertices"][ids[key]]["text"]) == key
    pairs = [(e["start"], e["end"]) for e in parsed["edges"]]
    expected = [p for key in RISKY_KEYS for p in ((ids["hub"], ids[key]), (ids[key], ids["hub"]))]
    expected += [(ids[a], ids[b]) for a, b in itertools.pairwise(RISKY_KEYS)]
    assert pairs == expected
    assert {(e["type"], e["stroke"]) for e in parsed["edges"]} == {
        {
            EdgeStyle.SOLID: ("arrow_point", "normal"),
            EdgeStyle.DOTTED: ("arrow_point", "dotted"),
            EdgeStyle.THICK: ("arrow_point", "thick"),
            EdgeStyle.OPEN: ("arrow_open", "normal"),
        }[style]
    }


def test_risky_keys_as_subgraphs(check: Check) -> None:
    fc = Flowchart()
    for key in RISKY_KEYS:
        with fc.subgraph(key, key) as sub:
            sub.node(f"in {key}", "x")
    fc.chain(RISKY_KEYS)
    ids = fc.ids()
    parsed = check(fc.render())
    assert {s["id"]: s["nodes"] for s in parsed["subgraphs"]} == {
        ids[key]: [ids[f"in {key}"]] for key in RISKY_KEYS
    }


def test_risky_keys_as_participants(check: Check) -> None:
    sd = SequenceDiagram()
    for key in RISKY_KEYS:
        sd.participant(key, key)
    for a, b in itertools.pairwise(RISKY_KEYS):
        sd.message(a, b, "m")
        sd.message(b, a, "r", reply=True)
    sd.note(RISKY_KEYS[:2], "n")
    ids = sd.ids()
    parsed = check(sd.render())
    assert set(parsed["actors"]) == set(ids.values())
    assert [(m["from"], m["to"]) for m in parsed["messages"]][:2] == [
        (ids[RISKY_KEYS[0]], ids[RISKY_KEYS[1]]),
        (ids[RISKY_KEYS[1]], ids[RISKY_KEYS[0]]),
    ]


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("http://x/?q=1&r=2#f", "http://x/?q=1&r=2#f"),
        ("../net/ipam.md#pools", "../net/ipam.md#pools"),
        ("mailto:noc@example.com", "mailto:noc@example.com"),
        ('x"y', "x%22y"),
        ("100%25 and 100%", "100%25%20and%20100%25"),
        ("%%{init}%%", "%25%25%7Binit%7D%25%25"),
        ("a#b;", "a#b%3B"),
        ("über", "%C3%BCber"),
    ],
)
def test_safe_href(url: str, href: str) -> None:
    assert safe_href(url) == href


@pytest.mark.parametrize("url", ["javascript:alert(1)", "vbscript:x", "data:,x", "file:///etc"])
def test_safe_href_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        safe_href(url)
