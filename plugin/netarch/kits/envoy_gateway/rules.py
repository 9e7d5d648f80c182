"""The Envoy Gateway kit's rules: Gateway API's classes, listeners and routes are the core's;
this kit knows which classes Envoy Gateway takes."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.checks.framework import Finding, kit_rule
from netarch.model.network import Model
from netarch.registry import product_of

rule = kit_rule("envoy_gateway")
SECTION = "Envoy Gateway"
# Envoy Gateway's default controllerName (its EnvoyGateway configuration, gateway.controllerName).
CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"


@rule(
    "NA355",
    "error",
    "GatewayClass of Envoy Gateway with another controller name",
    rationale="Envoy Gateway takes only the GatewayClasses whose spec.controllerName is its own,"
    " gateway.envoyproxy.io/gatewayclass-controller unless its configuration says otherwise; a"
    " class with another name is left to no controller, and its Gateways never get an address.",
    source="Envoy Gateway docs (quickstart GatewayClass; EnvoyGateway gateway.controllerName)",
    hint=f"set the class's controller to {CONTROLLER}",
    section=SECTION,
)
def controller_name(model: Model) -> Iterator[Finding]:
    for index, item in enumerate(model.section("gateway_api").get("classes", [])):
        if product_of(model, item.get("component")) != "envoy-gateway":
            continue
        if item["controller"] != CONTROLLER:
            yield Finding(
                ("gateway_api", "classes", index, "controller"),
                f"GatewayClass {item['id']} belongs to Envoy Gateway ({item['component']}), but its"
                f" controller is {item['controller']}, not {CONTROLLER}",
            )
