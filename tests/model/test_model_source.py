"""Loading YAML with positions: exact locations, safe_load-compatible data, includes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netarch.diagnostics import Location
from netarch.model import source
from netarch.model.source import format_path, load_document

SAMPLE = """\
cluster:
  name: demo
  dns:
    - 1.1.1.1
    - "8.8.8.8"
  flow: {a: 1, b: [x, y]}
empty:
text: |
  two
  lines
"""


def loc(line: int, column: int, file: str = "net.yaml") -> Location:
    return Location(file, line, column)


def load_text(text: str, display: str = "net.yaml") -> Any:
    doc, diagnostics = load_document(Path("/nonexistent") / display, display, text=text)
    assert diagnostics == []
    assert doc is not None
    return doc


def test_positions_of_keys_values_and_list_items() -> None:
    doc = load_text(SAMPLE)
    assert doc.key_location(("cluster",)) == loc(1, 1)
    assert doc.value_location(("cluster",)) == loc(2, 3)
    assert doc.key_location(("cluster", "name")) == loc(2, 3)
    assert doc.value_location(("cluster", "name")) == loc(2, 9)
    assert doc.value_location(("cluster", "dns")) == loc(4, 5)
    assert doc.value_location(("cluster", "dns", 0)) == loc(4, 7)
    assert doc.value_location(("cluster", "dns", 1)) == loc(5, 7)
    # A list item is its own key.
    assert doc.key_location(("cluster", "dns", 1)) == loc(5, 7)
    assert doc.value_location(("cluster", "flow")) == loc(6, 9)
    assert doc.key_location(("cluster", "flow", "b")) == loc(6, 16)
    assert doc.value_location(("cluster", "flow", "b", 1)) == loc(6, 23)
    assert doc.value_location(("empty",)) == loc(7, 7)
    assert doc.value_location(("text",)) == loc(8, 7)
    assert doc.value_location(()) == loc(1, 1)


def test_unknown_paths_fall_back_to_the_nearest_known_ancestor() -> None:
    doc = load_text(SAMPLE)
    assert doc.key_location(("cluster", "missing")) == loc(1, 1)
    assert doc.value_location(("cluster", "dns", 7, "x")) == loc(4, 5)
    assert doc.key_location(("nowhere",)) == loc(1, 1)


def test_data_is_what_safe_load_gives() -> None:
    text = SAMPLE + (
        "base: &base {mtu: 1500, vlan: 10}\n"
        "other: &other {qos: gold}\n"
        "merged:\n"
        "  <<: [*base, *other]\n"
        "  name: eth0\n"
        "  mtu: 9000\n"
        "copy: *base\n"
        "numbers: [1, -2, 0x10, 1.5, .inf, 1e3]\n"
        "flags: [yes, no, true, ~, null]\n"
        "folded: >\n  a\n  b\n"
        "'quoted key': \"esc\\taped\"\n"
    )
    assert load_text(text).data == yaml.safe_load(text)


def test_keys_stay_strings_and_timestamps_stay_text() -> None:
    doc = load_text("100: vlan\non: yes\n2024-01-01: x\nwhen: 2024-01-01\n")
    assert doc.data == {"100": "vlan", "on": True, "2024-01-01": "x", "when": "2024-01-01"}


def test_aliases_are_located_where_used_and_their_contents_where_written() -> None:
    text = "base: &b\n  mtu: 1500\nnode:\n  <<: *b\n  name: n1\nlink: *b\n"
    doc = load_text(text)
    assert doc.data["node"] == {"mtu": 1500, "name": "n1"}
    assert doc.value_location(("link",)) == loc(6, 7)
    assert doc.value_location(("link", "mtu")) == loc(2, 8)
    assert doc.key_location(("node", "mtu")) == loc(2, 3)
    assert doc.key_location(("node", "name")) == loc(5, 3)


def test_earlier_merged_mappings_win_as_the_merge_spec_says() -> None:
    # PyYAML 6.0.4 lets the later one win for some keys (it dedups by string identity).
    doc = load_text("a: &a {vlan: 10}\nb: &b {vlan: 20, qos: gold}\nc:\n  <<: [*a, *b]\n")
    assert doc.data["c"] == {"vlan": 10, "qos": "gold"}
    assert doc.value_location(("c", "vlan")) == loc(1, 14)


def test_explicit_keys_override_merged_ones_at_the_merged_position() -> None:
    doc = load_text("b: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert list(doc.data["c"].items()) == [("x", 1), ("y", 3)]
    assert doc.value_location(("c", "y")) == loc(4, 6)


def test_bom_and_crlf_do_not_shift_columns() -> None:
    doc = load_text("\ufeffa:\r\n  b: 1\r\n")
    assert doc.data == {"a": {"b": 1}}
    assert doc.key_location(("a",)) == loc(1, 1)
    assert doc.value_location(("a", "b")) == loc(2, 6)


def test_display_path_defaults_to_the_path_and_files_lists_it(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text("a: 1\n")
    doc, diagnostics = load_document(path)
    assert diagnostics == []
    assert doc is not None
    assert doc.value_location(("a",)) == Location(str(path), 1, 4)
    assert doc.files == [str(path)]


def test_text_replaces_the_file_contents(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text("a: 1\n")
    doc, _ = load_document(path, "net.yaml", text="a: 2\n")
    assert doc is not None
    assert doc.data == {"a": 2}


def test_includes_merge_deeply_and_keep_positions_per_file(write: Callable[..., Path]) -> None:
    tmp_path = write(
        {
            "net.yaml": "include: [parts/a.yaml]\nmetallb:\n  pools: [p1]\n  mode: l2\n",
            "parts/a.yaml": "include: [../b.yaml]\nmetallb:\n  pools:\n    - p2\nnodes: [n1]\n",
            "b.yaml": "metallb:\n  pools: [p3]\n  peers: [r1]\nnodes: [n2]\n",
        },
    )
    doc, diagnostics = load_document(tmp_path / "net.yaml", "net.yaml")
    assert diagnostics == []
    assert doc is not None
    assert doc.data == {
        "metallb": {"pools": ["p1", "p2", "p3"], "mode": "l2", "peers": ["r1"]},
        "nodes": ["n1", "n2"],
    }
    assert doc.value_location(("metallb", "pools", 0)) == loc(3, 11)
    assert doc.value_location(("metallb", "pools", 1)) == loc(4, 7, "parts/a.yaml")
    assert doc.value_location(("metallb", "pools", 2)) == loc(2, 11, "b.yaml")
    assert doc.key_location(("metallb", "peers")) == loc(3, 3, "b.yaml")
    assert doc.key_location(("nodes",)) == loc(5, 1, "parts/a.yaml")
    assert doc.files == [
        str(tmp_path / "net.yaml"),
        str(tmp_path / "parts/a.yaml"),
        str(tmp_path / "parts/../b.yaml"),
    ]
    assert doc.source_line(loc(4, 7, "parts/a.yaml")) == "    - p2"


def test_include_diagnostics_point_at_both_places(write: Callable[..., Path]) -> None:
    tmp_path = write(
        {
            "net.yaml": "include: [a.yaml]\nname: x\n",
            "a.yaml": "name: y\ninclude: [net.yaml]\n",
        },
    )
    doc, diagnostics = load_document(tmp_path / "net.yaml", "net.yaml")
    assert doc is not None
    assert doc.data == {"name": "x"}
    conflict, cycle = diagnostics
    assert conflict.code == "NA006"
    assert conflict.location == loc(1, 1, "a.yaml")
    assert conflict.related == (loc(2, 1),)
    assert conflict.source_line == "name: y"
    assert cycle.message == "include cycle: net.yaml -> a.yaml -> net.yaml"
    assert cycle.location == loc(2, 11, "a.yaml")
    assert cycle.related == (loc(1, 11),)


def test_duplicate_key_points_at_the_first_one() -> None:
    text = "a:\n  b: 1\n  b: 2\nc: 0\na: {x: 1}\n"
    doc, diagnostics = load_document(Path("x"), "net.yaml", text=text)
    assert doc is not None
    # Like yaml.safe_load: the last value wins, in the first one's place.
    assert list(doc.data.items()) == list(yaml.safe_load(text).items())
    duplicate, _ = diagnostics
    assert duplicate.location == loc(3, 3)
    assert duplicate.related == (loc(2, 3),)
    assert duplicate.hint == "remove one of them"
    assert duplicate.source_line == "  b: 2"


def test_unreadable_directory() -> None:
    doc, diagnostics = load_document(Path("/"), "root")
    assert doc is None
    assert [d.headline() for d in diagnostics] == [
        "root: error NA005: cannot read root: it is a directory"
    ]


def test_alias_bomb_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_NODES", 1000)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcde", "bcdef", strict=True)
    ]
    doc, diagnostics = load_document(Path("x"), "net.yaml", text="\n".join(lines))
    assert doc is None
    assert [d.code for d in diagnostics] == ["NA004"]


def test_deep_nesting_is_reported_not_raised() -> None:
    # Deep enough to exhaust Python's recursion in both the libyaml and the pure-Python path.
    doc, diagnostics = load_document(Path("x"), "net.yaml", text="a: " + "[" * 3000 + "]" * 3000)
    assert doc is None
    assert [d.code for d in diagnostics] == ["NA004"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("metallb", "pools", 0, "addresses", 1), "metallb.pools[0].addresses[1]"),
        ((0, 2), "[0][2]"),
        (("routes", "10.0.0.0/8", "via"), 'routes["10.0.0.0/8"].via'),
        (("node-1", "eth0"), "node-1.eth0"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


# --- properties --------------------------------------------------------------------------------

_keys = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@settings(max_examples=60, deadline=None)
# A top-level `include` is the loader's own key (it merges files), not data to round-trip.
@given(
    st.dictionaries(_keys.filter(lambda key: key != "include"), _values, min_size=1, max_size=5),
    st.booleans(),
)
def test_round_trip_matches_safe_load(data: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    doc = load_text(text)
    expected = yaml.safe_load(text)
    assert doc.data == expected
    line_count = len(text.splitlines())
    for path in _paths(doc.data):
        location = doc.value_location(path)
        assert 1 <= location.line <= max(line_count, 1)
        assert doc.key_location(path).line <= location.line


_yaml_soup = st.text(alphabet="-:{}[],'\"&*!|>#?%@`\\\n\t ab1<=~.", max_size=60)


@settings(max_examples=200, deadline=None)
@given(_yaml_soup)
def test_never_raises_on_arbitrary_text(text: str) -> None:
    doc, diagnostics = load_document(Path("x"), "net.yaml", text=text)
    assert doc is not None or diagnostics
    for diagnostic in diagnostics:
        assert diagnostic.location.file == "net.yaml"
        assert diagnostic.code in {"NA001", "NA002", "NA003", "NA004"}
