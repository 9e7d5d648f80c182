"""Envoy Gateway: implements Gateway API with Envoy proxies, one set per Gateway."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.envoy_gateway import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="envoy_gateway",
    title="Envoy Gateway",
    products=("envoy-gateway",),
    folder=Path(__file__).parent,
)
