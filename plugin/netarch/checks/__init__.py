"""Network-aware checks (NA1xx) and the claims lint (NA2xx) over a loaded model.

Every rule belongs to the core or to one product kit (``netarch.kits``); a kit's rules run
only when the model uses the kit's product. ``run_checks(model)`` returns located
``Diagnostic`` objects for the rules that apply to the model (``rules_for``), after the
model's ``silence`` entries and the caller's severity overrides (by rule code or by kit);
``check_claims`` runs the claims lint alone. ``rules_for_docs(model)`` feeds the rules page.
"""

from __future__ import annotations

from collections.abc import Mapping

# Importing the rule modules registers their rules; loading the kits registers theirs.
from netarch.checks import (  # noqa: F401
    address_plan,
    claims,
    gateway_api,
    load_balancing,
    markup,
    mtu,
    placement,
    pod_allocation,
    routing,
    service_proxy,
    settings,
)
from netarch.checks.framework import (
    CORE,
    UNUSED_SILENCE,
    Finding,
    Rule,
    check_severity_overrides,
    registered_rules,
    run_rules,
)
from netarch.diagnostics import Diagnostic
from netarch.model.network import Model
from netarch.registry import active_kits


def __getattr__(name: str) -> tuple[Rule, ...]:
    # RULES and CLAIM_RULES hold the kits' rules too, so they are computed on first use, once
    # the kits can be loaded (a kit's own modules import this package).
    if name == "RULES":
        return tuple(registered_rules())
    if name == "CLAIM_RULES":
        return tuple(r for r in registered_rules() if r.code.startswith("NA2"))
    raise AttributeError(name)


def rules_for(model: Model | None) -> tuple[Rule, ...]:
    """The rules of the core and of the kits the model uses (every rule without a model)."""
    # The core's rules first, then each kit's: the rules page groups them that way.
    rules = sorted(registered_rules(), key=lambda r: (r.kit != CORE, r.kit, r.code))
    # Each section's rules together (the rules page has one heading per section), sections in
    # the order of their first code: a rule moved from a kit to the core keeps its code.
    first = {}
    for position, current in enumerate(rules):
        first.setdefault((current.kit, current.section), position)
    rules.sort(key=lambda r: (first[(r.kit, r.section)], r.code))
    if model is None:
        return tuple(rules)
    active = {kit.name for kit in active_kits(model)} | {CORE}
    return tuple(r for r in rules if r.kit in active and active.issuperset(r.requires))


def run_checks(
    model: Model, severity_overrides: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """Every network rule and the claims lint. ``severity_overrides`` maps a code to
    ``error``/``warning``/``info``/``off``; an invalid mapping raises ``ValueError``
    (validate it first with ``check_severity_overrides``)."""
    return run_rules(model, rules_for(model), severity_overrides)


def check_claims(
    model: Model, severity_overrides: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """The claims lint (NA2xx) alone; silences of network rules are left to ``run_checks``."""
    rules = [r for r in registered_rules() if r.code.startswith("NA2") or r.code == UNUSED_SILENCE]
    return run_rules(model, rules, severity_overrides, report_unknown_silences=False)


def rules_for_docs(model: Model | None = None) -> list[dict[str, str]]:
    """One dict per rule that applies to ``model`` (code, severity, title, rationale, source,
    hint, section, kit), by code; every installed rule without a model."""
    return [r.as_dict() for r in rules_for(model)]


__all__ = [
    "CLAIM_RULES",
    "RULES",
    "Finding",
    "Rule",
    "check_claims",
    "check_severity_overrides",
    "rules_for",
    "rules_for_docs",
    "run_checks",
]
