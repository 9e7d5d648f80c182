"""The builder's exact output, its API contract, and what the real Mermaid makes of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from mermaid_expect import displayed

from netarch.mermaid import (
    EdgeStyle,
    Flowchart,
    RenderedDiagram,
    SequenceDiagram,
    Shape,
)

Check = Callable[[Any], dict[str, Any]]

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
EDGE_TYPES = {
    EdgeStyle.SOLID: ("arrow_point", "normal"),
    EdgeStyle.DOTTED: ("arrow_point", "dotted"),
    EdgeStyle.THICK: ("arrow_point", "thick"),
    EdgeStyle.OPEN: ("arrow_open", "normal"),
}


def ingress_flowchart() -> Flowchart:
    # Labels exactly as written: the line breaking is tested on its own below.
    fc = Flowchart("LR", source="view", line_width=None)
    fc.node("client", "Client", source="client@1")
    with fc.subgraph("cluster", "Kubernetes Cluster", direction="tb", source="cluster@3") as c:
        c.node("speaker-1", "Node 1\nMetalLB Speaker", Shape.STADIUM, source="speaker@4")
        with c.subgraph("kernel", "Kernel", source="kernel@5") as k:
            k.node("maps", "eBPF Maps", Shape.DATABASE, source="maps@6")
    fc.edge("client", "speaker-1", "L2 (ARP) or BGP", source="edge@8")
    fc.edge("speaker-1", "kernel", style=EdgeStyle.DOTTED)
    fc.chain(["client", "cluster", "maps"], style=EdgeStyle.THICK, source="chain@9")
    return fc


INGRESS_TEXT = """\
flowchart LR
    client["Client"]
    subgraph cluster ["Kubernetes Cluster"]
        direction TB
        speaker_1(["Node 1<br/>MetalLB Speaker"])
        subgraph kernel ["Kernel"]
            maps[("eBPF Maps")]
        end
    end
    client -->|"L2 (ARP) or BGP"| speaker_1
    speaker_1 -.-> kernel
    client ==> cluster ==> maps
"""


def test_flowchart_golden_text_and_structure(check: Check) -> None:
    rendered = ingress_flowchart().render()
    assert rendered.kind == "flowchart"
    assert rendered.text == INGRESS_TEXT
    parsed = check(rendered)
    assert parsed["direction"] == "LR"
    assert parsed["vertices"]["speaker_1"]["type"] == "stadium"
    assert displayed(parsed["vertices"]["speaker_1"]["text"]) == "Node 1\nMetalLB Speaker"
    subgraphs = {s["id"]: s for s in parsed["subgraphs"]}
    assert subgraphs["cluster"]["nodes"] == ["speaker_1", "kernel"]
    assert subgraphs["cluster"]["dir"] == "TB"
    assert subgraphs["kernel"]["nodes"] == ["maps"]
    edges = [(e["start"], e["end"], e["stroke"], e["text"]) for e in parsed["edges"]]
    assert edges == [
        ("client", "speaker_1", "normal", "L2 (ARP) or BGP"),
        ("speaker_1", "kernel", "dotted", ""),
        ("client", "cluster", "thick", ""),
        ("cluster", "maps", "thick", ""),
    ]


def test_line_sources_point_at_each_statement() -> None:
    rendered = ingress_flowchart().render()
    assert dict(rendered.line_sources) == {
        1: "view",
        2: "client@1",
        3: "cluster@3",
        4: "cluster@3",  # direction
        5: "speaker@4",
        6: "kernel@5",
        7: "maps@6",
        8: "kernel@5",  # end of kernel
        9: "cluster@3",  # end of cluster
        10: "edge@8",
        12: "chain@9",
    }
    assert rendered.source_for_line(11) == "edge@8"  # edge without a source: nearest before
    assert rendered.source_for_line(12) == "chain@9"
    assert rendered.source_for_line(99) == "chain@9"
    assert rendered.source_for_line(0) is None
    assert len(rendered.text.splitlines()) == 12


def test_line_sources_without_any_source() -> None:
    fc = Flowchart()
    fc.node("a", "A")
    rendered = fc.render()
    assert dict(rendered.line_sources) == {}
    assert rendered.source_for_line(2) is None


def test_rendered_diagram_is_read_only() -> None:
    rendered = ingress_flowchart().render()
    with pytest.raises(TypeError):
        rendered.line_sources[1] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        rendered.text = ""  # type: ignore[misc]
    assert str(rendered) == rendered.text
    assert hash(rendered) == hash(ingress_flowchart().render())
    assert rendered == ingress_flowchart().render()


def test_subgraph_as_object_or_context_manager_is_the_same() -> None:
    fc = Flowchart()
    outer = fc.subgraph("outer", "Outer")
    inner = outer.subgraph("inner", "Inner", direction="LR")
    inner.node("a", "A")
    outer.node("b", "B")
    outer.edge("a", "b")
    outer.chain(["a", "b", "outer"])
    fc2 = Flowchart()
    with fc2.subgraph("outer", "Outer") as o:
        with o.subgraph("inner", "Inner", direction="LR") as i:
            i.node("a", "A")
        o.node("b", "B")
    fc2.edge("a", "b")
    fc2.chain(["a", "b", "outer"])
    assert fc.render() == fc2.render()
    assert outer.key == "outer"


def test_title_goes_to_front_matter_and_shifts_lines(check: Check) -> None:
    title = 'Ingress: "10.x.x.20" %%{init}%% #35; é 😀 <b>'
    fc = Flowchart("TD", title=title, source="diagram")
    fc.node("a", "A", source="node")
    rendered = fc.render()
    lines = rendered.text.splitlines()
    assert lines[0] == lines[2] == "---"
    assert "%" not in rendered.text and lines[1].isascii()
    assert yaml.safe_load(lines[1])["title"] == title
    assert lines[3] == "flowchart TD"
    assert rendered.line_sources[4] == "diagram" and rendered.line_sources[5] == "node"
    check(rendered)


def test_every_shape(check: Check) -> None:
    fc = Flowchart()
    for shape in Shape:
        fc.node(f"n-{shape.name}", f"{shape.name} label", shape)
    text = fc.render().text
    assert 'n_DECISION{"DECISION label"}' in text
    assert 'n_DATABASE[("DATABASE label")]' in text
    assert 'n_HEXAGON{{"HEXAGON label"}}' in text
    vertices = check(text)["vertices"]
    for shape, mermaid_type in SHAPE_TYPES.items():
        assert vertices[f"n_{shape.name}"]["type"] == mermaid_type


@pytest.mark.parametrize("style", list(EdgeStyle))
@pytest.mark.parametrize("label", [None, "plain", "two<br/>lines", "new\nline"])
def test_every_edge_style_with_and_without_label(
    check: Check, style: EdgeStyle, label: str | None
) -> None:
    fc = Flowchart()
    fc.node("a", "A")
    fc.node("b", "B")
    fc.edge("a", "b", label, style)
    last = fc.render().text.splitlines()[-1]
    expected_label = "" if label is None else f'|"{label.replace(chr(10), "<br/>")}"|'
    assert last == f"    a {style.value}{expected_label} b"
    (edge,) = check(fc.render())["edges"]
    assert (edge["type"], edge["stroke"]) == EDGE_TYPES[style]
    assert displayed(edge["text"]) == ("" if label is None else label.replace("<br/>", "\n"))


def test_edges_to_and_between_subgraphs(check: Check) -> None:
    fc = Flowchart()
    fc.node("ext", "External Traffic")
    with fc.subgraph("vlans", "Additional VLANs<br/>(Client, DMZ, Public, etc.)") as v:
        v.node("v1", "VLAN A")
    with fc.subgraph("lb", "MetalLB") as lb:
        lb.node("l2", "L2 Mode → Service → Pod")
    fc.edge("ext", "vlans")
    fc.edge("vlans", "lb", "all traffic")
    fc.edge("lb", "v1", style=EdgeStyle.OPEN)
    parsed = check(fc.render())
    assert [(e["start"], e["end"], e["text"]) for e in parsed["edges"]] == [
        ("ext", "vlans", ""),
        ("vlans", "lb", "all traffic"),
        ("lb", "v1", ""),
    ]
    titles = {s["id"]: displayed(s["title"]) for s in parsed["subgraphs"]}
    # The builder breaks a title longer than LABEL_LINE_WIDTH at a space.
    assert titles == {"vlans": "Additional VLANs\n(Client, DMZ, Public,\netc.)", "lb": "MetalLB"}


def test_chain_is_one_statement(check: Check) -> None:
    fc = Flowchart()
    keys = [fc.node(k, k.upper()) for k in ("pkt", "step-1", "step-2", "drop")]
    fc.chain(keys, source="chain")
    rendered = fc.render()
    assert rendered.text.splitlines()[-1] == "    pkt --> step_1 --> step_2 --> drop"
    assert rendered.line_sources[6] == "chain"
    edges = check(rendered)["edges"]
    assert [(e["start"], e["end"]) for e in edges] == [
        ("pkt", "step_1"),
        ("step_1", "step_2"),
        ("step_2", "drop"),
    ]


def test_node_returns_key_for_nesting() -> None:
    fc = Flowchart()
    fc.edge(fc.node("a", "A"), fc.node("b-1", "B"))
    assert fc.render().text.splitlines()[-1] == "    a --> b_1"
    assert fc.mermaid_id("b-1") == "b_1"


def test_empty_diagrams_parse(check: Check) -> None:
    assert Flowchart().render().text == "flowchart TD\n"
    assert SequenceDiagram().render().text == "sequenceDiagram\n"
    check(Flowchart().render())
    check(SequenceDiagram().render())
    fc = Flowchart()
    fc.subgraph("empty", "Empty")
    check(fc.render())


# --- caller errors -------------------------------------------------------------------------


def test_unknown_edge_endpoint_names_the_key() -> None:
    fc = Flowchart()
    fc.node("a", "A")
    with pytest.raises(ValueError, match="'missing-node'"):
        fc.edge("a", "missing-node")
    with pytest.raises(ValueError, match="'nope'"):
        fc.chain(["a", "nope"])
    with pytest.raises(ValueError, match="'ghost'"):
        fc.mermaid_id("ghost")


def test_caller_errors() -> None:
    fc = Flowchart()
    fc.node("a", "A")
    with pytest.raises(ValueError, match="duplicate"):
        fc.node("a", "again")
    with pytest.raises(ValueError, match="duplicate"):
        fc.subgraph("a", "clash")
    with pytest.raises(ValueError, match="at least two"):
        fc.chain(["a"])
    with pytest.raises(ValueError, match="direction"):
        Flowchart("sideways")
    with pytest.raises(ValueError, match="direction"):
        fc.subgraph("s", "S", direction="UP")
    with pytest.raises(TypeError):
        fc.node(1, "one")  # type: ignore[arg-type]
    sd = SequenceDiagram()
    sd.participant("a", "A")
    with pytest.raises(ValueError, match="duplicate"):
        sd.participant("a", "A")
    with pytest.raises(ValueError, match="'b'"):
        sd.message("a", "b", "hi")
    with pytest.raises(ValueError, match="position"):
        sd.note("a", "x", position="under")
    sd.participant("b", "B")
    with pytest.raises(ValueError, match="takes 1 keys"):
        sd.note(["a", "b"], "x", position="left of")
    with pytest.raises(ValueError, match="takes 1 or 2"):
        sd.note([], "x")


@pytest.mark.parametrize("direction", ["TD", "TB", "BT", "LR", "RL", "lr"])
def test_directions(check: Check, direction: str) -> None:
    fc = Flowchart(direction)
    with fc.subgraph("s", "S", direction=direction) as s:
        s.node("a", "A")
    rendered = fc.render()
    assert rendered.text.startswith(f"flowchart {direction.upper()}\n")
    parsed = check(rendered)
    assert parsed["subgraphs"][0]["dir"] == direction.upper()


# --- determinism ---------------------------------------------------------------------------


def test_output_is_deterministic_and_ids_ignore_insertion_order() -> None:
    first = Flowchart()
    for key in ("tenant-a", "tenant_a", "end", "b"):
        first.node(key, key)
    second = Flowchart()
    for key in ("b", "end", "tenant_a", "tenant-a"):
        second.node(key, key)
    assert first.ids() == second.ids()
    assert ingress_flowchart().render().text == ingress_flowchart().render().text


# --- links ---------------------------------------------------------------------------------


def test_links_are_off_by_default_and_escaped_when_on(check: Check) -> None:
    fc = Flowchart()
    fc.node("a", "A", link='https://example.com/a b"c;%%{x}#frag', source="a")
    fc.node("b", "B", link="../pages/b.md#sec;x")
    fc.node("m", "M", link="mailto:noc@example.com")
    assert "click" not in fc.render().text
    rendered = fc.render(links=True)
    assert rendered.text.splitlines()[-3:] == [
        '    click a href "https://example.com/a%20b%22c%3B%25%25%7Bx%7D#frag"',
        '    click b href "../pages/b.md#sec%3Bx"',
        '    click m href "mailto:noc@example.com"',
    ]
    assert rendered.line_sources[5] == "a"
    links = {key: v["link"] for key, v in check(rendered)["vertices"].items()}
    # mermaid's URL sanitiser decodes some escapes again (after all its text passes, so
    # harmlessly); the link still goes where it was meant to.
    assert links == {
        "a": "https://example.com/a%20b%22c;%%%7Bx%7D#frag",
        "b": "../pages/b.md#sec;x",
        "m": "mailto:noc@example.com",
    }


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x", "data:text/html,x"]
)
def test_dangerous_links_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="refusing"):
        Flowchart().node("a", "A", link=url)


# --- sequence diagrams ---------------------------------------------------------------------


def l2_sequence() -> SequenceDiagram:
    sd = SequenceDiagram(autonumber=True, source="seq")
    sd.participant("c", "Client", actor=True, source="c")
    sd.participant("leader", "Node (MetalLB Leader)", source="leader")
    sd.message("c", "leader", "ARP who-has 10.x.x.20?", source="m1")
    sd.message("leader", "c", "ARP reply: aa:bb:cc:dd:ee:ff", reply=True, source="m2")
    sd.note("leader", "ECMP; 3 next hops", position="right of", source="n1")
    sd.note(["c", "leader"], "", source="n2")
    return sd


L2_TEXT = """\
sequenceDiagram
    autonumber
    actor c as Client
    participant leader as Node (MetalLB Leader)
    c->>leader: ARP who-has 10.x.x.20?
    leader-->>c: ARP reply: aa:bb:cc:dd:ee:ff
    Note right of leader: ECMP#59; 3 next hops
    Note over c,leader:
"""


def test_sequence_golden_text_and_structure(check: Check) -> None:
    rendered = l2_sequence().render()
    assert rendered.kind == "sequence"
    assert rendered.text == L2_TEXT
    assert dict(rendered.line_sources) == {
        1: "seq",
        2: "seq",
        3: "c",
        4: "leader",
        5: "m1",
        6: "m2",
        7: "n1",
        8: "n2",
    }
    parsed = check(rendered)
    assert parsed["actors"] == {
        "c": {"description": "Client", "type": "actor"},
        "leader": {"description": "Node (MetalLB Leader)", "type": "participant"},
    }
    steps = [m for m in parsed["messages"] if m["type"] != 26]  # 26: the autonumber marker
    solid, dotted, note = 0, 1, 2
    left_of, right_of, over = 0, 1, 2
    assert [(m["from"], m["to"], m["type"], m["placement"]) for m in steps] == [
        ("c", "leader", solid, None),
        ("leader", "c", dotted, None),
        ("leader", "leader", note, right_of),
        ("c", "leader", note, over),
    ]
    assert left_of == 0
    assert [displayed(m["message"]) for m in steps] == [
        "ARP who-has 10.x.x.20?",
        "ARP reply: aa:bb:cc:dd:ee:ff",
        "ECMP; 3 next hops",
        "",
    ]


def test_sequence_note_positions_and_title(check: Check) -> None:
    sd = SequenceDiagram(title="BGP: /32 via node #1")
    for key in ("r", "s1"):
        sd.participant(key, key.upper())
    sd.note("r", "left", position="left of")
    sd.note(["s1"], "over one")
    sd.message("s1", "s1", "self")
    rendered = sd.render()
    assert rendered.text.splitlines()[:4] == [
        "---",
        'title: "BGP: /32 via node #1"',
        "---",
        "sequenceDiagram",
    ]
    parsed = check(rendered)
    assert [(m["from"], m["placement"]) for m in parsed["messages"]] == [
        ("r", 0),
        ("s1", 2),
        ("s1", None),
    ]


def test_sequence_reserved_participant_keys(check: Check) -> None:
    sd = SequenceDiagram()
    for key in ("end", "Note", "loop", "alt", "else", "opt", "par", "and", "rect", "box", "as"):
        sd.participant(key, key)
    sd.message("end", "Note", "x")
    ids = sd.ids()
    assert ids["end"] == "end_" and ids["Note"] == "Note_"
    parsed = check(sd.render())
    assert {displayed(a["description"]) for a in parsed["actors"].values()} == set(ids)
    assert parsed["messages"][0]["from"] == "end_"


def test_rendered_diagram_source_for_line_with_gaps() -> None:
    rendered = RenderedDiagram("flowchart", "a\nb\nc\nd\n", {2: "two", 4: "four"})
    assert [rendered.source_for_line(n) for n in range(6)] == [
        None,
        None,
        "two",
        "two",
        "four",
        "four",
    ]


def test_long_text_is_broken_at_spaces_only_never_inside_an_address(check: Check) -> None:
    """Lines of at most ``line_width`` characters, broken where the text has a space: an
    address, CIDR, port or name longer than a line keeps a line of its own, whole."""
    note = "Elected MetalLB speaker (leader) for 192.168.100.200"
    message = "BGP UPDATE: fd4e:7a19:c5e5:10::200/128, next hop frontend-abc123:8443"
    sd = SequenceDiagram(line_width=16)
    sd.participant("a", "Pod frontend-abc123 (tenant-a)")
    sd.participant("b", "Router")
    sd.note("a", note)
    sd.message("a", "b", message)
    parsed = check(sd.render())
    assert "wrap" not in sd.render().text  # Mermaid's own wrapping hyphenates inside words
    [shown_note, shown_message] = [displayed(m["message"]) for m in parsed["messages"]]
    assert shown_note.split("\n") == [
        "Elected MetalLB",
        "speaker (leader)",
        "for",
        "192.168.100.200",
    ]
    assert shown_message.split("\n") == [
        "BGP UPDATE:",
        "fd4e:7a19:c5e5:10::200/128,",
        "next hop",
        "frontend-abc123:8443",
    ]
    assert displayed(parsed["actors"]["a"]["description"]).split("\n") == [
        "Pod",
        "frontend-abc123",
        "(tenant-a)",
    ]
    fc = Flowchart()  # LABEL_LINE_WIDTH (24) by default
    fc.node("pod", "Target pod frontend-abc123\n10.244.0.10 (pod CIDR)")
    fc.node("short", "Short label")
    fc.edge("pod", "short", "Traffic to external IP 192.168.100.200")
    parsed = check(fc.render())
    assert displayed(parsed["vertices"]["pod"]["text"]).split("\n") == [
        "Target pod",
        "frontend-abc123",
        "10.244.0.10 (pod CIDR)",
    ]
    assert 'short["Short label"]' in fc.render().text  # short text is left as written
    # Mermaid's own wrapping (at 120 px, in the browser, after hyphens) is moved out of the
    # way of lines longer than fit in 120 px; a diagram of short labels is left alone.
    assert fc.render().text.startswith("---\nconfig:\n  flowchart:\n    wrappingWidth: 480\n")
    short = Flowchart()
    short.node("a", "Node 1")
    assert short.render().text == 'flowchart TD\n    a["Node 1"]\n'
    assert displayed(parsed["edges"][0]["text"]).split("\n") == [
        "Traffic to external IP",
        "192.168.100.200",
    ]
