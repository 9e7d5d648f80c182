"""The configuration reader: objects and the place of each field, Secrets never read, bad files
located and the others still read."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from netarch.cluster import reader
from netarch.cluster.objects import K3S_CONFIG, TALOS_CONFIG, Wanted
from netarch.cluster.reader import read_configuration

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from cluster_dump import SECRET_CANARY, write_dump, write_json_dump

NODES = Wanted("Node", keep=(("spec",), ("status", "addresses")))
KUBE_PROXY = Wanted("ConfigMap", names=frozenset({"kube-system/kube-proxy"}))
SERVICES = Wanted("Service")

KUBECTL_LIST = """\
apiVersion: v1
items:
- apiVersion: v1
  kind: Node
  metadata:
    labels:
      kubernetes.io/hostname: node-1
    name: node-1
  spec:
    podCIDR: 10.244.0.0/24
    podCIDRs:
    - 10.244.0.0/24
  status:
    addresses:
    - address: 192.168.1.10
      type: InternalIP
    images:
    - names:
      - registry.example/app:v1
      sizeBytes: 1
- apiVersion: v1
  data:
    token: {canary}
  kind: Secret
  metadata:
    name: canary
    namespace: default
- apiVersion: v1
  kind: Pod
  metadata:
    name: shop-1
    namespace: default
kind: List
metadata:
  resourceVersion: ""
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def read(*paths: Path, wanted: tuple[Wanted, ...] = (NODES, KUBE_PROXY, SERVICES)):
    return read_configuration(list(paths), wanted, base_dir=paths[0].parent)


def everything_printed(result) -> str:
    """Whatever a report could show of a reading: objects, counts and problems."""
    return (
        repr(result.objects)
        + repr(result.passed_over)
        + "".join(
            d.format_human() + d.format_github() + json.dumps(d.to_json())
            for d in result.diagnostics
        )
    )


def test_kubectl_list_items_with_the_line_and_column_of_each_field(tmp_path: Path) -> None:
    result = read(write(tmp_path, "dump.yaml", KUBECTL_LIST.format(canary=SECRET_CANARY)))
    (node,) = result.objects
    assert (node.kind, node.name, node.line) == ("Node", "node-1", 3)
    assert node.get("spec", "podCIDRs") == ["10.244.0.0/24"]
    assert node.get("status", "addresses", 0, "address") == "192.168.1.10"
    assert str(node.location("status", "addresses", 0, "address")) == "dump.yaml:15:16"
    assert str(node.location("spec", "podCIDR")) == "dump.yaml:10:14"
    # Fields no reader keeps are not kept.
    assert node.get("status", "images") is None
    assert result.passed_over == {"Pod": 1}
    assert result.secrets_skipped == 1
    assert result.diagnostics == []


def test_a_secret_is_never_kept_nor_shown_in_any_form(tmp_path: Path) -> None:
    flow = write(tmp_path, "flow.yaml", f"{{kind: Secret, data: {{token: {SECRET_CANARY}}}}}\n")
    as_json = write(
        tmp_path,
        "secret.json",
        json.dumps({"apiVersion": "v1", "kind": "Secret", "data": {"token": SECRET_CANARY}}),
    )
    listed = write(tmp_path, "dump.yaml", KUBECTL_LIST.format(canary=SECRET_CANARY))
    # A broken Secret is skipped by its kind before anything parses it: no syntax error quotes it.
    broken = write(
        tmp_path,
        "broken-secret.yaml",
        f"apiVersion: v1\nkind: Secret\ndata:\n  token: [{SECRET_CANARY}\n",
    )
    wanted = (NODES, Wanted("Secret"), Wanted("ConfigMap"))
    result = read(flow, as_json, listed, broken, wanted=wanted)
    assert result.secrets_skipped == 4
    assert SECRET_CANARY not in everything_printed(result)
    assert all(item.kind != "Secret" for item in result.objects)


def test_helm_template_output_and_the_name_filter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rendered.yaml",
        """\
        ---
        # Source: kube-proxy/templates/configmap.yaml
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: kube-proxy
          namespace: kube-system
        data:
          config.conf: |
            mode: ipvs
        ---
        # Source: other/templates/configmap.yaml
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: unrelated
          namespace: kube-system
        data:
          value: not for any reader
        """,
    )
    result = read(path)
    (config_map,) = result.objects
    assert config_map.title == "ConfigMap kube-system/kube-proxy"
    assert config_map.get("data", "config.conf") == "mode: ipvs\n"
    assert config_map.line == 3
    assert str(config_map.location("data", "config.conf")) == "rendered.yaml:9:16"
    assert result.passed_over == {"ConfigMap": 1}
    assert "not for any reader" not in everything_printed(result)


def test_json_lists_arrays_and_single_objects(tmp_path: Path) -> None:
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "spec": {"podCIDRs": ["10.244.0.0/24"]},
    }
    listed = write(
        tmp_path,
        "list.json",
        json.dumps(
            {"apiVersion": "v1", "items": [node, {"kind": "Pod"}], "kind": "List"}, indent=4
        ),
    )
    array = write(tmp_path, "array.json", json.dumps([node]))
    single = write(tmp_path, "single.json", json.dumps(node, indent=2))
    result = read(listed, array, single)
    assert [(o.file, o.name) for o in result.objects] == [
        ("list.json", "node-1"),
        ("array.json", "node-1"),
        ("single.json", "node-1"),
    ]
    assert result.objects[0].line == 4
    assert result.objects[0].location("spec", "podCIDRs", 0).line == 12
    assert result.passed_over == {"Pod": 1}


def test_a_list_with_indented_items_is_read_whole(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "indented.yaml",
        """\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Node
            metadata:
              name: node-2
          - {apiVersion: v1, kind: Secret, data: {token: x}}
        """,
    )
    result = read(path)
    assert [o.name for o in result.objects] == ["node-2"]
    assert result.objects[0].line == 4
    assert result.secrets_skipped == 1


def test_distribution_files_without_a_kind(tmp_path: Path) -> None:
    talos = write(
        tmp_path,
        "controlplane.yaml",
        """\
        version: v1alpha1
        machine:
          type: controlplane
        cluster:
          network:
            podSubnets: [10.244.0.0/16]
        """,
    )
    patch = write(tmp_path, "patch.yaml", "cluster:\n  proxy:\n    disabled: true\n")
    k3s = write(tmp_path, "config.yaml", "cluster-cidr: 10.42.0.0/16\nflannel-backend: vxlan\n")
    other = write(tmp_path, "values.yaml", "replicas: 3\n")
    wanted = (Wanted(TALOS_CONFIG), Wanted(K3S_CONFIG))
    result = read(talos, patch, k3s, other, wanted=wanted)
    assert [(o.kind, o.file) for o in result.objects] == [
        (TALOS_CONFIG, "controlplane.yaml"),
        (TALOS_CONFIG, "patch.yaml"),
        (K3S_CONFIG, "config.yaml"),
    ]
    assert result.objects[0].get("cluster", "network", "podSubnets") == ["10.244.0.0/16"]
    assert result.passed_over == {"(no kind)": 1}


def test_a_malformed_file_is_located_and_the_others_still_read(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec: [unclosed\n",
    )
    good = write(tmp_path, "good.yaml", KUBECTL_LIST.format(canary="x"))
    bad_json = write(tmp_path, "bad.json", '{"kind": "Node", "metadata": {')
    result = read(bad, good, bad_json)
    assert [o.name for o in result.objects] == ["node-1"]
    found = sorted(d.headline() for d in result.diagnostics)
    assert found[0].startswith("bad.json:1:")
    assert "error NA061: not valid JSON" in found[0]
    assert found[1].startswith("bad.yaml:6:1: error NA061: not valid YAML")


def test_files_that_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "folder").mkdir()
    outside = write(tmp_path, "outside.yaml", KUBECTL_LIST.format(canary="x"))
    (tmp_path / "folder" / "link.yaml").symlink_to(outside)
    write(tmp_path / "folder", "big.yaml", KUBECTL_LIST.format(canary="x"))
    (tmp_path / "folder" / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: Node\nname: \xe9\n")
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 200)
    result = read(tmp_path / "folder", tmp_path / "missing")
    messages = sorted(d.headline() for d in result.diagnostics)
    assert messages == [
        "folder/big.yaml: error NA060: not read: folder/big.yaml is larger than 200 bytes",
        "folder/latin1.yaml:3: error NA061: not UTF-8 text: the file is not read further",
        "folder/link.yaml: warning NA063: not read: a link to a file outside the folder given",
        "missing: error NA060: cannot read missing: No such file or directory",
    ]
    assert result.objects == []


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "dump.yaml"
    os.mkfifo(fifo)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(read(fifo)), daemon=True)
    worker.start()
    worker.join(10)
    assert done, "reading a FIFO blocked"
    (problem,) = done[0].diagnostics  # type: ignore[attr-defined]
    assert problem.headline() == "dump.yaml: error NA060: not read: dump.yaml is not a regular file"


def test_an_alias_bomb_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_OBJECT_VALUES", 10_000)
    lines = ["apiVersion: v1", "kind: Service", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    result = read(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))
    (problem,) = result.diagnostics
    assert problem.code == "NA062"
    assert "more than 10,000 values" in problem.message
    assert result.objects == []


def test_a_generated_dump_as_yaml_and_as_json(tmp_path: Path) -> None:
    dump = tmp_path / "dump.yaml"
    write_dump(dump, nodes=20, pods=200)
    json_dump = tmp_path / "dump.json"
    write_json_dump(dump, json_dump)
    wanted = (NODES, SERVICES, Wanted("EndpointSlice"))
    from_yaml, from_json = read(dump, wanted=wanted), read(json_dump, wanted=wanted)
    for result in (from_yaml, from_json):
        assert [o.kind for o in result.objects].count("Node") == 20
        assert [o.kind for o in result.objects].count("Service") == 20
        assert [o.kind for o in result.objects].count("EndpointSlice") == 20
        assert result.passed_over == {"Pod": 200}
        assert result.secrets_skipped == 20
        assert SECRET_CANARY not in everything_printed(result)
    yaml_nodes = [o for o in from_yaml.objects if o.kind == "Node"]
    json_nodes = [o for o in from_json.objects if o.kind == "Node"]
    assert [n.get("spec", "podCIDRs") for n in yaml_nodes] == [
        n.get("spec", "podCIDRs") for n in json_nodes
    ]
    # Every kept node's name is on the line the reader says.
    text = dump.read_text().splitlines()
    for node in yaml_nodes:
        where = node.location("metadata", "name")
        assert text[where.line - 1].strip() == f"name: {node.name}"
