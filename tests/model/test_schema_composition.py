"""The schema is the core's plus each kit's sections; network.schema.json is that composition.

The composed file is what editors read (the model's yaml-language-server modeline). After a
change to core.schema.json or a kit's schema.json, regenerate it with
``NETARCH_UPDATE_SCHEMA=1 pytest tests/model/test_schema_composition.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from netarch.kits import installed_kits
from netarch.model.network import (
    CORE_SCHEMA_PATH,
    SCHEMA_PATH,
    SchemaConflictError,
    compose_schema,
    network_schema,
)
from netarch.model.schema_check import load_schema

BUILT_IN = Path(__import__("netarch.kits").kits.__file__).parent


def _built_in_composition() -> dict:
    core = load_schema(CORE_SCHEMA_PATH)  # and checked against the meta-schema
    kits = [k for k in installed_kits() if k.folder and k.folder.parent == BUILT_IN]
    return compose_schema(core, [(kit.name, kit.schema) for kit in kits if kit.schema])


def test_the_shipped_schema_is_the_composition_of_core_and_built_in_kits() -> None:
    composed = _built_in_composition()
    text = json.dumps(composed, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("NETARCH_UPDATE_SCHEMA"):
        SCHEMA_PATH.write_text(text, encoding="utf-8")
    assert SCHEMA_PATH.read_text(encoding="utf-8") == text, (
        "network.schema.json is stale: regenerate it (see this module's docstring)"
    )
    assert network_schema()["properties"].keys() >= composed["properties"].keys()


def test_each_product_section_belongs_to_its_kit() -> None:
    owners = {
        section: kit.name
        for kit in installed_kits()
        for section in kit.schema.get("properties", {})
    }
    assert owners == {
        "calico": "calico",
        "metallb": "metallb",
        "vpcs": "kube_ovn",
        "identities": "cilium",
        "kube_proxy": "kube_proxy",
        "kube_vip": "kube_vip",
        "node_local_dns": "node_local_dns",
    }
    core = json.loads(CORE_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert not set(owners) & set(core["properties"])
    # A kit that reads a section declares it, so NA171 can say which product it needs.
    for kit in installed_kits():
        assert set(kit.schema.get("properties", {})) <= set(kit.sections), kit.name


def test_two_kits_cannot_define_one_section() -> None:
    core = {"properties": {"cluster": {}}, "$defs": {}}
    fragment = {"properties": {"pools": {"type": "array"}}}
    with pytest.raises(SchemaConflictError, match="the kit 'b' defines 'pools'"):
        compose_schema(core, [("a", fragment), ("b", fragment)])
    with pytest.raises(SchemaConflictError, match="which the core defines"):
        compose_schema(core, [("a", {"properties": {"cluster": {}}})])
