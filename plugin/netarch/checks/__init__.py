"""Network-aware checks (NA1xx) and the claims lint (NA2xx) over a loaded model.

``run_checks(model)`` returns located ``Diagnostic`` objects for every rule in ``RULES``, after
applying the model's ``silence`` entries and the caller's severity overrides; ``check_claims``
runs the claims lint alone. ``rules_for_docs()`` feeds the generated rules reference page.
"""

from __future__ import annotations

from collections.abc import Mapping

# Importing the rule modules registers their rules.
from netarch.checks import address_plan, cilium, claims, metallb, mtu, tenancy  # noqa: F401
from netarch.checks.framework import (
    UNUSED_SILENCE,
    Finding,
    Rule,
    check_severity_overrides,
    registered_rules,
    run_rules,
)
from netarch.diagnostics import Diagnostic
from netarch.model.network import Model

RULES: tuple[Rule, ...] = tuple(registered_rules())
CLAIM_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.code.startswith("NA2"))


def run_checks(
    model: Model, severity_overrides: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """Every network rule and the claims lint. ``severity_overrides`` maps a code to
    ``error``/``warning``/``info``/``off``; an invalid mapping raises ``ValueError``
    (validate it first with ``check_severity_overrides``)."""
    return run_rules(model, RULES, severity_overrides)


def check_claims(
    model: Model, severity_overrides: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """The claims lint (NA2xx) alone; silences of network rules are left to ``run_checks``."""
    rules = (*CLAIM_RULES, *(r for r in RULES if r.code == UNUSED_SILENCE))
    return run_rules(model, rules, severity_overrides, report_unknown_silences=False)


def rules_for_docs() -> list[dict[str, str]]:
    """One dict per rule (code, severity, title, rationale, source, hint, section), by code."""
    return [r.as_dict() for r in RULES]


__all__ = [
    "CLAIM_RULES",
    "RULES",
    "Finding",
    "Rule",
    "check_claims",
    "check_severity_overrides",
    "rules_for_docs",
    "run_checks",
]
