"""Cilium's settings as network facts: the kube-proxy replacement its Helm values switch on."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.facts import Fact, ServiceProxy
from netarch.facts.core import origin
from netarch.model.network import Model, ModelPath

KIT = "cilium"
SETTINGS: ModelPath = ("service_load_balancing", "settings")


def _true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "strict"))


def _cilium_component(model: Model) -> str:
    section = model.section("service_load_balancing")
    component = section.get("component")
    if isinstance(component, str):
        return component
    for item in model.items("components"):
        if item.get("product") == "cilium":
            return str(item["id"])
    return "cilium"


def facts(model: Model) -> Iterator[Fact]:
    settings = model.section("service_load_balancing").get("settings")
    if isinstance(settings, dict) and _true(settings.get("kubeProxyReplacement")):
        yield ServiceProxy(
            "replacement",
            origin(model, (*SETTINGS, "kubeProxyReplacement"), KIT),
            component=_cilium_component(model),
        )
