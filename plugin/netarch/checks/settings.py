"""A product's settings in the model (Helm values, controller options) are checked against what
the product accepts: each kit describes the settings of its product (``Kit.settings``), one JSON
Schema per dotted key, and this rule applies them wherever a section names that product."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from netarch.checks.framework import Finding, rule
from netarch.model.network import Model, ModelPath, network_schema
from netarch.registry import kit_of_product, product_of

SECTION = "Product settings"
# Sections that hold one product's settings beside the component that runs it.
SETTINGS_SECTIONS = ("service_load_balancing", "pod_networking")


@cache
def _validator(schema_text: str) -> Draft202012Validator:
    # Keyed by the schema's text: kits' settings are plain data, and a validator is reused
    # for every model that has the setting.
    schema = {"$defs": network_schema()["$defs"], **json.loads(schema_text)}
    return Draft202012Validator(schema)


def _describe(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(_show(value) for value in schema["enum"])
    if "$ref" in schema:
        return "a " + schema["$ref"].rsplit("/", 1)[-1].replace("_", " ")
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = {"boolean": "true or false", "integer": "a whole number", "string": "text"}
    text = " or ".join(words.get(str(kind), str(kind)) for kind in kinds if kind)
    if "minimum" in schema or "maximum" in schema:
        text += f" from {schema.get('minimum', '…')} to {schema.get('maximum', '…')}"
    return text or "a valid value"


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@rule(
    "NA175",
    "error",
    "Product setting with a value the product does not accept",
    rationale="Settings copied into the model (Helm values, controller options) are only worth"
    " documenting when they are what the product would accept: a misspelt mode or a string"
    " where a number belongs is refused by the product's own validation, or silently read as"
    " its default, and the page then documents a configuration that does not run.",
    source="the product's documented settings, as its kit describes them",
    hint="use one of the values the message lists",
    section=SECTION,
)
def product_settings(model: Model) -> Iterator[Finding]:
    for section in SETTINGS_SECTIONS:
        data = model.section(section)
        settings = data.get("settings")
        kit = kit_of_product(model, product_of(model, data.get("component")))
        if kit is None or not kit.settings or not isinstance(settings, dict):
            continue
        for key, value in settings.items():
            schema = kit.settings.get(key)
            if schema is None:
                continue  # a setting the kit does not describe: documented as it is
            validator = _validator(json.dumps(schema, sort_keys=True))
            if not validator.is_valid(value):
                path: ModelPath = (section, "settings", key)
                yield Finding(
                    path,
                    f"{kit.title} setting {key}: {_show(value)!r} is not {_describe(schema)}",
                )
