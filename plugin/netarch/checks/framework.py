"""The rule framework: a registry of rules, their findings, silences and severity overrides.

A rule is a stable code (``NA1xx`` network, ``NA2xx`` claims), a default severity, a title, the
rationale and source it rests on, a generic fix hint, and a function ``(Model) -> findings``.
Rules only say *what* is wrong and *where* (model paths); turning that into located
``Diagnostic`` objects, applying ``silence`` entries and severity overrides happens here, once,
so every rule behaves the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from netarch.diagnostics import Diagnostic, Severity, sorted_diagnostics
from netarch.model.network import Model, ModelPath
from netarch.model.source import format_path

# Reported for silences that match no finding or name no rule.
UNUSED_SILENCE = "NA190"
OFF = "off"
# The family of rules that apply to every model; a kit's rules carry the kit's name instead.
CORE = "core"


@dataclass(frozen=True)
class Finding:
    """One problem a rule found: where (a model path), what, and the other places involved."""

    path: ModelPath
    message: str
    hint: str = ""
    related: tuple[ModelPath, ...] = ()


RuleCheck = Callable[[Model], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    rationale: str
    source: str
    hint: str
    section: str
    check: RuleCheck = field(repr=False, compare=False)
    # Where the rule is specified for maintainers (network-domain-checks.md section and rule).
    reference: str = ""
    # ``core``, or the kit whose product the rule is about: it runs only when the kit is active.
    kit: str = CORE
    # Further kits the rule needs: it is about products used together (Cilium chained on
    # Kube-OVN) and runs only when all of them are active.
    requires: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title,
            "rationale": self.rationale,
            "source": self.source,
            "hint": self.hint,
            "section": self.section,
            "kit": self.kit,
        }


_REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    severity: str,
    title: str,
    *,
    rationale: str,
    source: str,
    hint: str,
    section: str,
    reference: str = "",
    kit: str = CORE,
    requires: tuple[str, ...] = (),
) -> Callable[[RuleCheck], RuleCheck]:
    """Register ``check`` under ``code``; codes are stable, so a duplicate is a programming error.

    A kit's rules module binds ``kit`` once with ``kit_rule``.
    """

    def register(check: RuleCheck) -> RuleCheck:
        if code in _REGISTRY:
            raise ValueError(f"rule {code} is registered twice")
        _REGISTRY[code] = Rule(
            code,
            Severity(severity),
            title,
            rationale,
            source,
            hint,
            section,
            check,
            reference,
            kit,
            requires,
        )
        return check

    return register


def kit_rule(kit: str) -> Callable[..., Callable[[RuleCheck], RuleCheck]]:
    """``rule`` for one kit's rules module: ``rule = kit_rule("metallb")``."""
    return functools.partial(rule, kit=kit)


def registered_rules() -> list[Rule]:
    """Every rule of the core and of the installed kits, by code."""
    from netarch.registry import installed_kits  # loading a kit registers its rules

    installed_kits()
    return sorted(_REGISTRY.values(), key=lambda r: r.code)


# --- silences ---------------------------------------------------------------------------------


@dataclass
class _Silence:
    rule: str
    reason: str
    # The element that carries the silence; findings at or inside it are silenced.
    element: ModelPath
    # The silence entry itself, for the "matches nothing" report.
    entry: ModelPath
    used: bool = False


def _silences(data: Any, path: ModelPath = ()) -> list[_Silence]:
    found: list[_Silence] = []
    if isinstance(data, dict):
        for index, entry in enumerate(data.get("silence") or []):
            if isinstance(entry, dict) and isinstance(entry.get("rule"), str):
                found.append(
                    _Silence(
                        entry["rule"],
                        str(entry.get("reason", "")),
                        path,
                        (*path, "silence", index),
                    )
                )
        for key, value in data.items():
            if key != "silence":
                found += _silences(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _silences(value, (*path, index))
    return found


def _inside(path: ModelPath, element: ModelPath) -> bool:
    return path[: len(element)] == element


# --- running -------------------------------------------------------------------------------------


def check_severity_overrides(
    overrides: Mapping[str, str] | None, rules: Sequence[Rule] | None = None
) -> list[str]:
    """Problems with a ``{code or kit: severity}`` mapping, as sentences (empty when fine).

    A kit's name sets the severity of all its rules (``metallb: off``); a rule code wins over
    its kit's entry.
    """
    known_rules = rules if rules is not None else registered_rules()
    known = {r.code for r in known_rules} | {r.kit for r in known_rules if r.kit != CORE}
    known.add(UNUSED_SILENCE)
    allowed = {s.value for s in Severity} | {OFF}
    problems = []
    for code, severity in (overrides or {}).items():
        if code not in known:
            problems.append(f"severity override for unknown rule or kit {code!r}")
        if str(severity).lower() not in allowed:
            problems.append(
                f"severity override {code}: {severity!r} is not one of {', '.join(sorted(allowed))}"
            )
    return problems


def run_rules(
    model: Model,
    rules: Sequence[Rule],
    severity_overrides: Mapping[str, str] | None = None,
    *,
    report_unknown_silences: bool = True,
) -> list[Diagnostic]:
    """Run ``rules`` over ``model``: located diagnostics after silences and overrides."""
    problems = check_severity_overrides(severity_overrides)
    if problems:
        raise ValueError("; ".join(problems))
    overrides = {code: str(value).lower() for code, value in (severity_overrides or {}).items()}
    silences = _silences(model.data)
    by_code = {r.code: r for r in rules}
    all_codes = {r.code for r in registered_rules()}
    diagnostics: list[Diagnostic] = []
    for current in rules:
        severity = overrides.get(current.code, overrides.get(current.kit, current.severity.value))
        if severity == OFF:
            continue
        for finding in current.check(model):
            silence = _matching_silence(silences, current.code, finding)
            if silence is not None:
                silence.used = True
                continue
            diagnostics.append(_diagnostic(model, current, Severity(severity), finding))
    unused_severity = overrides.get(UNUSED_SILENCE, Severity.WARNING.value)
    if unused_severity != OFF:
        for silence in silences:
            message = _stale_silence_message(
                silence, by_code, all_codes, overrides, report_unknown_silences
            )
            if message:
                diagnostics.append(
                    model.document.diagnostic(
                        UNUSED_SILENCE,
                        model.location(silence.entry),
                        message,
                        hint="remove the silence entry (or fix the rule code)",
                        path=silence.entry,
                        severity=Severity(unused_severity),
                    )
                )
    return sorted_diagnostics(diagnostics)


def _matching_silence(silences: list[_Silence], code: str, finding: Finding) -> _Silence | None:
    # Either end of a finding may carry the silence (an overlap has two owners).
    for silence in silences:
        if silence.rule != code:
            continue
        if any(_inside(p, silence.element) for p in (finding.path, *finding.related)):
            return silence
    return None


def _stale_silence_message(
    silence: _Silence,
    by_code: Mapping[str, Rule],
    all_codes: set[str],
    overrides: Mapping[str, str],
    report_unknown: bool,
) -> str:
    where = format_path(silence.element) or "the model"
    if silence.rule not in all_codes:
        if report_unknown:
            return f"silence of {silence.rule} on {where}: there is no rule {silence.rule}"
        return ""
    # Rules outside this run, or switched off, cannot have used the silence.
    current = by_code.get(silence.rule)
    if current is None or silence.used:
        return ""
    if overrides.get(current.code, overrides.get(current.kit)) == OFF:
        return ""
    return (
        f"silence of {silence.rule} on {where} matches no finding: the problem is gone"
        " or the silence sits on the wrong element"
    )


def _diagnostic(model: Model, current: Rule, severity: Severity, finding: Finding) -> Diagnostic:
    return model.document.diagnostic(
        current.code,
        model.location(finding.path),
        finding.message,
        hint=finding.hint or current.hint,
        path=finding.path,
        related=[model.location(p) for p in finding.related],
        severity=severity,
    )


@rule(
    UNUSED_SILENCE,
    "warning",
    "Silence that matches no finding",
    rationale="A silence is a reviewed exception with a reason. Once the problem is fixed, or when"
    " the silence sits on the wrong element or names no rule, it only hides future findings and"
    " misleads readers, so stale silences are reported instead of piling up.",
    source="netarch silencing design",
    hint="remove the silence entry (or fix the rule code)",
    section="Silences",
)
def _unused_silences(model: Model) -> Iterable[Finding]:
    # Computed by run_rules after every other rule has run; nothing to do per model here.
    return ()
