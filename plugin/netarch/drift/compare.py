"""A verdict for every statement of the model and of the configuration, and the rules that read
the configuration's own facts.

Verdicts, per subject: each configuration object that speaks of it **agrees** or
**contradicts** (its values against all the model says of that subject); a subject only the
model speaks of is **not in the configuration**; one only the configuration speaks of is **not
documented**.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from netarch.checks.pod_allocation import HINT, message, overlapping_allocations
from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.drift.statements import Statement, Subject
from netarch.facts import Origin


class Verdict(str, Enum):
    AGREES = "agrees"
    CONTRADICTS = "contradicts"
    NOT_IN_CONFIGURATION = "not in the configuration"
    NOT_DOCUMENTED = "not documented"


@dataclass(frozen=True)
class Finding:
    """One verdict: the subject, both sides' values and places (either side may be absent)."""

    verdict: Verdict
    subject: Subject
    label: str
    model: tuple[Statement, ...]
    config: tuple[Statement, ...]

    @property
    def model_value(self) -> str:
        return _joined(self.model)

    @property
    def config_value(self) -> str:
        return _joined(self.config)


def _joined(statements: Sequence[Statement]) -> str:
    seen = dict.fromkeys(s.shown for s in statements)
    return ", ".join(seen)


def _value_of(statements: Iterable[Statement]) -> object:
    values = [s.value for s in statements]
    if values and all(isinstance(v, frozenset) for v in values):
        return frozenset().union(*values)  # type: ignore[arg-type]
    distinct = list(dict.fromkeys(repr(v) for v in values))
    return values[0] if len(distinct) == 1 else frozenset(distinct)


def _object_key(origin: Origin) -> tuple[str, str, str, str]:
    return (origin.file, origin.kind, origin.namespace, origin.name)


def compare(model: Sequence[Statement], config: Sequence[Statement]) -> list[Finding]:
    by_subject_model: dict[Subject, list[Statement]] = {}
    for statement in model:
        by_subject_model.setdefault(statement.subject, []).append(statement)
    # Per subject, per configuration object: what that object says.
    by_subject_config: dict[Subject, dict[tuple[str, str, str, str], list[Statement]]] = {}
    for statement in config:
        by_object = by_subject_config.setdefault(statement.subject, {})
        by_object.setdefault(_object_key(statement.origin), []).append(statement)
    findings: list[Finding] = []
    for subject, stated in by_subject_model.items():
        objects = by_subject_config.get(subject)
        if not objects:
            findings.append(
                Finding(Verdict.NOT_IN_CONFIGURATION, subject, stated[0].label, tuple(stated), ())
            )
            continue
        expected = _value_of(stated)
        for said in objects.values():
            verdict = Verdict.AGREES if _value_of(said) == expected else Verdict.CONTRADICTS
            findings.append(Finding(verdict, subject, stated[0].label, tuple(stated), tuple(said)))
    for subject, objects in by_subject_config.items():
        if subject in by_subject_model:
            continue
        for said in objects.values():
            findings.append(
                Finding(Verdict.NOT_DOCUMENTED, subject, said[0].label, (), tuple(said))
            )
    return findings


def counts(findings: Iterable[Finding]) -> dict[Verdict, int]:
    totals = dict.fromkeys(Verdict, 0)
    for finding in findings:
        totals[finding.verdict] += 1
    return totals


# --- the rules that read the configuration's facts --------------------------------------------


def configuration_problems(
    found: Iterable[Any], allocator: Callable[[Any], str]
) -> list[Diagnostic]:
    """The core rules that have their facts in the configuration, located there."""
    problems = []
    for node_range, pool, user in overlapping_allocations(found, allocator):
        problems.append(
            Diagnostic(
                _location(node_range.origin),
                Severity.ERROR,
                "NA154",
                f"in the configuration: {message(node_range, pool, user)}",
                hint=HINT,
                related=(_location(pool.origin), _location(user.origin)),
            )
        )
    return problems


def _location(origin: Origin) -> Location:
    return Location(origin.file, origin.line, origin.column)
