"""Property: any model the schema accepts renders, whatever it leaves out or leaves empty.

Models are drawn from the JSON Schema itself (tests/property/schema_models.py), so a new
section or field is covered the day it is added. Rendering is the whole pipeline short of
Mermaid: the model is loaded, every view built and every page rendered, and a problem is a
diagnostic, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from schema_models import schema_models

from netarch.model.network import load_model
from netarch.pipeline import generate

# Bounded for CI (no shrinking: a failure prints the whole model it drew). Both properties
# together: 18 s of CPU, 69 s of wall time on two cores at load 21 (2026-12-08).
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# The model that stopped every build: a BGP speaker with no peer yet.
SPEAKER_WITHOUT_PEERS = {
    "netarch": 1,
    "cluster": {"pod_cidr": "10.42.0.0/16", "service_cidr": "10.43.0.0/16"},
    "components": [{"id": "calico", "name": "Calico", "kind": "platform", "product": "calico"}],
    "routing": {"speaker": "calico", "local_asn": 64512, "peers": []},
}


def _renders(folder: Path, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path = folder / "network.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_model(path, display_path="network.yaml")
    assume(loaded.model is not None)  # the property is about models the schema accepts
    result = generate(path, display_path="network.yaml")
    assert result.ok, [d.headline() for d in result.diagnostics]
    assert result.pages and all(page.markdown.startswith("# ") for page in result.pages)


@PROPERTY
@example(SPEAKER_WITHOUT_PEERS)
@given(schema_models())
def test_any_schema_valid_model_renders(tmp_path: Path, data: dict[str, Any] | None) -> None:
    assume(data is not None)
    _renders(tmp_path, data)


@settings(PROPERTY, max_examples=50)
@given(schema_models(empty_lists=True))
def test_a_model_with_every_optional_list_empty_renders(
    tmp_path: Path, data: dict[str, Any] | None
) -> None:
    assume(data is not None)
    _renders(tmp_path, data)


def test_the_drawn_models_are_mostly_valid(tmp_path: Path) -> None:
    """The generator is worth its name: most of what it draws loads (else the properties
    above would test little but `assume`)."""
    seen: list[bool] = []

    @settings(PROPERTY, max_examples=40, database=None)
    @given(schema_models())
    def draw(data: dict[str, Any] | None) -> None:
        path = tmp_path / "network.yaml"
        path.write_text(yaml.safe_dump(data or {}, sort_keys=False), encoding="utf-8")
        seen.append(data is not None and load_model(path).model is not None)

    draw()
    assert len(seen) >= 40 and sum(seen) >= 0.8 * len(seen), f"{sum(seen)} of {len(seen)} load"
