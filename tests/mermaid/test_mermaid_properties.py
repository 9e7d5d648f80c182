"""Random diagrams from hostile keys and text: the real Mermaid must accept every one, and read
back exactly the structure and text that went in."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mermaid_expect import displayed, expected_display

from netarch.mermaid import EdgeStyle, Flowchart, SequenceDiagram, Shape
from netarch.mermaid.builder import LABEL_LINE_WIDTH
from netarch.mermaid.escape import RESERVED_IDS, is_safe_id, wrap_at_spaces

Check = Callable[[Any], dict[str, Any]]

FRAGMENTS = [
    '"',
    "'",
    "<",
    ">",
    "&",
    "#",
    ";",
    ":",
    "%%",
    "%%{init: {}}%%",
    "`",
    "|",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "end",
    "subgraph",
    "direction LR",
    "style",
    "classDef",
    "#35;",
    "#quot;",
    "&lt;",
    "<br>",
    "<br/>",
    "\n",
    "\r\n",
    "\t",
    " ",
    "-->",
    "-->>",
    "---",
    "==>",
    "-.->",
    "o",
    "x",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:",
    "wrap:",
    "→",
    "↔",
    "—",
    "•",
    "A'",
    "東京",
    "😀",
    "ﬂ°",
    "¶ß",
    "\u2028",
    "\x00",
    "\u00a0",
    "\ufeff",
    "1.",
]

TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(FRAGMENTS), max_size=10).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=15).map("".join),
    st.sampled_from(FRAGMENTS).map(lambda fragment: fragment * 300),  # long labels
)
KEY = st.one_of(
    st.text(max_size=10),
    st.sampled_from(sorted(RESERVED_IDS | {"END", "Graph", "o", "x", "1st", "tenant-a"})),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map("".join),
)
EDGE_TYPES = {
    EdgeStyle.SOLID: ("arrow_point", "normal"),
    EdgeStyle.DOTTED: ("arrow_point", "dotted"),
    EdgeStyle.THICK: ("arrow_point", "thick"),
    EdgeStyle.OPEN: ("arrow_open", "normal"),
}
SHAPE_TYPES = {
    Shape.BOX: "square",
    Shape.ROUND: "round",
    Shape.STADIUM: "stadium",
    Shape.DECISION: "diamond",
    Shape.CIRCLE: "circle",
    Shape.DATABASE: "cylinder",
    Shape.SUBROUTINE: "subroutine",
    Shape.HEXAGON: "hexagon",
}
SETTINGS = settings(
    max_examples=100,  # per diagram kind: 200 random diagrams, each parsed twice
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def flowcharts(draw: st.DrawFn) -> tuple[Flowchart, dict[str, Any]]:
    """A random flowchart, and what Mermaid must make of it."""
    fc = Flowchart(draw(st.sampled_from(["TD", "TB", "BT", "LR", "RL"])))
    keys = draw(st.lists(KEY, min_size=1, max_size=10, unique=True))
    containers: dict[str | None, Any] = {None: fc}
    members: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    shapes: dict[str, Shape] = {}
    dirs: dict[str, str | None] = {}
    for key in keys:
        parent = draw(st.sampled_from(list(containers)))
        text = draw(TEXT)
        if draw(st.booleans()) and len(containers) < 5:
            direction = draw(st.none() | st.sampled_from(["LR", "TB", "RL", "BT"]))
            containers[key] = containers[parent].subgraph(key, text, direction=direction)
            members[key], dirs[key] = [], direction
        else:
            shapes[key] = draw(st.sampled_from(list(Shape)))
            containers[parent].node(key, text, shapes[key])
        labels[key] = text
        if parent is not None:
            members[parent].append(key)
    edges: list[tuple[str, str, str | None, EdgeStyle]] = []
    for _ in range(draw(st.integers(0, 8))):
        src, dst = draw(st.sampled_from(keys)), draw(st.sampled_from(keys))
        label = draw(st.none() | TEXT)
        style = draw(st.sampled_from(list(EdgeStyle)))
        if draw(st.integers(0, 4)) == 0:
            chain = draw(st.lists(st.sampled_from(keys), min_size=2, max_size=4))
            fc.chain(chain, style=style)
            edges += [(a, b, None, style) for a, b in itertools.pairwise(chain)]
        else:
            fc.edge(src, dst, label, style)
            edges.append((src, dst, label, style))
    return fc, {
        "labels": labels,
        "shapes": shapes,
        "members": members,
        "dirs": dirs,
        "edges": edges,
    }


@SETTINGS
@given(flowcharts())
def test_random_flowcharts_parse_and_read_back(
    check: Check, case: tuple[Flowchart, dict[str, Any]]
) -> None:
    fc, want = case
    ids = fc.ids()
    assert all(is_safe_id(value) for value in ids.values())
    assert len(set(ids.values())) == len(ids)
    rendered = fc.render()
    assume(len(rendered.text) <= 50_000)  # several long labels together exceed maxTextSize
    parsed = check(rendered)
    vertices = parsed["vertices"]
    for key, shape in want["shapes"].items():
        assert displayed(vertices[ids[key]]["text"]) == expected_display(
            wrap_at_spaces(want["labels"][key], LABEL_LINE_WIDTH)
        )
        assert vertices[ids[key]]["type"] == SHAPE_TYPES[shape]
    assert set(vertices) <= set(ids.values())
    subgraphs = {s["id"]: s for s in parsed["subgraphs"]}
    assert set(subgraphs) == {ids[key] for key in want["members"]}
    for key, keys in want["members"].items():
        sub = subgraphs[ids[key]]
        assert sub["nodes"] == [ids[k] for k in keys]
        assert sub["dir"] == want["dirs"][key]
        assert displayed(sub["title"]) == expected_display(
            wrap_at_spaces(want["labels"][key], LABEL_LINE_WIDTH)
        )
    got = [
        (e["start"], e["end"], displayed(e["text"]), (e["type"], e["stroke"]))
        for e in parsed["edges"]
    ]
    assert got == [
        (
            ids[a],
            ids[b],
            "" if label is None else expected_display(wrap_at_spaces(label, LABEL_LINE_WIDTH)),
            EDGE_TYPES[style],
        )
        for a, b, label, style in want["edges"]
    ]


@st.composite
def sequences(draw: st.DrawFn) -> tuple[SequenceDiagram, dict[str, Any]]:
    sd = SequenceDiagram(title=draw(st.none() | TEXT), autonumber=draw(st.booleans()))
    keys = draw(st.lists(KEY, min_size=1, max_size=6, unique=True))
    names = {}
    for key in keys:
        names[key] = draw(TEXT)
        sd.participant(key, names[key], actor=draw(st.booleans()))
    steps: list[tuple[str, str, int, int | None, str]] = []
    for _ in range(draw(st.integers(0, 8))):
        text = draw(TEXT)
        if draw(st.booleans()):
            src, dst, reply = (
                draw(st.sampled_from(keys)),
                draw(st.sampled_from(keys)),
                draw(st.booleans()),
            )
            sd.message(src, dst, text, reply=reply)
            steps.append((src, dst, 1 if reply else 0, None, text))
        else:
            position = draw(st.sampled_from(["over", "left of", "right of"]))
            over = draw(
                st.lists(st.sampled_from(keys), min_size=1, max_size=2 if position == "over" else 1)
            )
            sd.note(over, text, position=position)
            placement = {"left of": 0, "right of": 1, "over": 2}[position]
            steps.append((over[0], over[-1], 2, placement, text))
    return sd, {"names": names, "steps": steps}


@SETTINGS
@given(sequences())
def test_random_sequences_parse_and_read_back(
    check: Check, case: tuple[SequenceDiagram, dict[str, Any]]
) -> None:
    sd, want = case
    ids = sd.ids()
    assert all(is_safe_id(value) for value in ids.values())
    rendered = sd.render()
    assume(len(rendered.text) <= 50_000)
    parsed = check(rendered)
    actors = parsed["actors"]
    assert set(actors) == set(ids.values())
    for key, name in want["names"].items():
        shown = expected_display(name, sequence=True) or "\u00a0"
        assert displayed(actors[ids[key]]["description"]) == shown
    steps = [m for m in parsed["messages"] if m["type"] != 26]  # 26: autonumber marker
    assert [
        (m["from"], m["to"], m["type"], m["placement"], displayed(m["message"])) for m in steps
    ] == [
        (ids[a], ids[b], kind, placement, expected_display(text, sequence=True))
        for a, b, kind, placement, text in want["steps"]
    ]
