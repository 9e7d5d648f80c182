"""The checked network model: the YAML data plus where every element came from.

``load_model`` runs the first stages of the pipeline (YAML -> schema -> references) and
returns a ``Model`` only when none of them found an error, so that views can trust the
structure the schema promises and never see a dangling id.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from netarch.diagnostics import Diagnostic, Location, has_errors
from netarch.model.references import IdIndex, check_references
from netarch.model.schema_check import check_schema, load_schema
from netarch.model.source import Document, load_document
from netarch.registry import KitLoadError

# The core's schema; each kit adds the sections of its product (kits/<kit>/schema.json).
CORE_SCHEMA_PATH = Path(__file__).with_name("core.schema.json")
# Core and built-in kits composed, for editors (yaml-language-server) and readers; kept equal
# to the composition by the tests (tests/model/test_schema_composition.py).
SCHEMA_PATH = Path(__file__).with_name("network.schema.json")

# Model path: keys and list indexes from the document root, e.g. ("metallb", "pools", 0).
ModelPath = tuple[str | int, ...]


@cache
def network_schema() -> dict[str, Any]:
    """The core's schema with the sections of every installed kit."""
    from netarch.registry import installed_kits

    # Shipped with netarch and checked against the meta-schema by its tests
    # (tests/model/test_model_real_schema.py): every run need not pay that again.
    core = load_schema(CORE_SCHEMA_PATH, check_meta_schema=False)
    fragments = [(kit.name, kit.schema) for kit in installed_kits() if kit.schema]
    return compose_schema(core, fragments)


class SchemaConflictError(KitLoadError):
    """Two kits (or a kit and the core) define the same model section: an installation error."""


def compose_schema(
    core: dict[str, Any], fragments: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """``core`` with each kit's ``properties`` (top-level sections) and ``$defs`` added, and
    ``x-`` keys allowed on every element: a team's own annotations, kept and never checked."""
    core = copy.deepcopy(core)
    schema = {**core, "properties": dict(core["properties"]), "$defs": dict(core["$defs"])}
    owners = {key: "the core" for key in (*schema["properties"], *schema["$defs"])}
    for kit_name, fragment in fragments:
        for part in ("properties", "$defs"):
            for key, value in fragment.get(part, {}).items():
                if key in owners:
                    raise SchemaConflictError(
                        f"the kit {kit_name!r} defines {key!r}, which {owners[key]} defines"
                    )
                owners[key] = f"the kit {kit_name!r}"
                schema[part][key] = copy.deepcopy(value)
    _allow_extension_keys(schema)
    return schema


EXTENSION_KEYS = "^x-"


def _allow_extension_keys(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            node.setdefault("patternProperties", {})[EXTENSION_KEYS] = {}
        for value in node.values():
            _allow_extension_keys(value)
    elif isinstance(node, list):
        for value in node:
            _allow_extension_keys(value)


@dataclass
class Model:
    """A network model that passed the schema and the reference checks."""

    document: Document
    ids: IdIndex
    path: Path = field(default=Path("network.yaml"))
    # Values derived from the (never mutated) data that several checks or views need, computed
    # once per load, e.g. every prose text for the claims lint.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data

    @property
    def files(self) -> list[str]:
        """Every file the model was read from (the model and its includes)."""
        return list(self.document.files)

    def section(self, name: str) -> dict[str, Any]:
        """A top-level section, or an empty mapping when the model leaves it out."""
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def items(self, name: str) -> list[dict[str, Any]]:
        """A top-level list (``components``, ``flows`` ...) or the ``items`` of a section."""
        value = self.data.get(name)
        if isinstance(value, dict):
            value = value.get("items")
        return value if isinstance(value, list) else []

    def location(self, path: ModelPath) -> Location:
        return self.document.value_location(path)

    def key_location(self, path: ModelPath) -> Location:
        return self.document.key_location(path)

    def element_path(self, kind: str, element_id: str) -> ModelPath:
        """Path of the mapping that defines ``element_id``, e.g. ("components", 2)."""
        return self.ids.element_path_of(kind, element_id)

    def element(self, kind: str, element_id: str) -> dict[str, Any]:
        """The mapping that defines ``element_id`` of ``kind`` (references are checked)."""
        node: Any = self.data
        for step in self.ids.element_path_of(kind, element_id):
            node = node[step]
        return node

    def element_location(self, kind: str, element_id: str) -> Location:
        """Where the element's id is written: the line a reader looks for."""
        return self.ids.location_of(kind, element_id)

    def participant(self, element_id: str) -> tuple[str, dict[str, Any]]:
        """Find a flow participant: a component, a node or a pod."""
        for kind in ("component", "node", "pod"):
            if self.ids.has(kind, element_id):
                return kind, self.element(kind, element_id)
        raise KeyError(element_id)

    def pods(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """Every (tenant, pod) pair."""
        for tenant in self.items("tenants"):
            for pod in tenant.get("pods", []):
                yield tenant, pod

    def tenant_of_pod(self, pod_id: str) -> dict[str, Any]:
        for tenant, pod in self.pods():
            if pod["id"] == pod_id:
                return tenant
        raise KeyError(pod_id)

    def namespace_of_pod(self, pod_id: str) -> str:
        """The namespace of a pod: its tenant's, or its own for a pod outside the tenants."""
        for tenant, pod in self.pods():
            if pod["id"] == pod_id:
                return str(tenant["namespace"])
        for pod in self.data.get("workloads") or []:
            if pod["id"] == pod_id:
                return str(pod["namespace"])
        raise KeyError(pod_id)

    def tenant_id_of_pod(self, pod_id: str) -> str | None:
        """The id of the pod's tenant; None for a pod outside the tenants."""
        for tenant, pod in self.pods():
            if pod["id"] == pod_id:
                return str(tenant["id"])
        return None


@dataclass
class LoadResult:
    model: Model | None
    diagnostics: list[Diagnostic]
    # Files read, even when loading failed, so that `mkdocs serve` can watch them.
    files: list[str]


def load_model(
    path: Path,
    display_path: str | None = None,
    text: str | None = None,
    *,
    project_dir: Path | None = None,
) -> LoadResult:
    """Read, schema-check and reference-check a model; never raises on bad input.

    Includes are read only inside ``project_dir`` (default: the model's folder)."""
    document, diagnostics = load_document(
        path, display_path=display_path, text=text, project_dir=project_dir
    )
    if document is None:
        return LoadResult(None, diagnostics, [display_path or str(path)])
    schema = network_schema()
    diagnostics += check_schema(document, schema)
    ids, reference_problems = check_references(document, schema)
    diagnostics += reference_problems
    files = list(document.files)
    if has_errors(diagnostics):
        return LoadResult(None, diagnostics, files)
    return LoadResult(Model(document, ids, path), diagnostics, files)
