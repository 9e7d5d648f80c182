"""One call: a model and configuration files in, every verdict and problem out; never raises on
bad input (the reading's and the model's problems come back as diagnostics)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netarch.cluster.reader import read_configuration
from netarch.diagnostics import Diagnostic, display_path, has_errors
from netarch.drift.compare import Finding, Verdict, compare, configuration_problems, counts
from netarch.drift.policies import policy_truth
from netarch.drift.readers import ConfigReader, all_readers, read_facts, wanted_kinds
from netarch.drift.statements import Statement, model_statements, statements_of
from netarch.facts import Origin
from netarch.model.network import load_model


@dataclass
class DriftResult:
    model_file: str
    sources: list[str]
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_read: int = 0
    objects_read: int = 0
    passed_over: Counter[str] = field(default_factory=Counter)
    secrets_skipped: int = 0
    # What could not be evaluated (policy rules netarch does not translate, "may" answers).
    notes: list[str] = field(default_factory=list)
    policy_objects: int = 0
    policy_pairs: int = 0

    @property
    def counts(self) -> dict[Verdict, int]:
        return counts(self.findings)

    @property
    def has_contradictions(self) -> bool:
        return self.counts[Verdict.CONTRADICTS] > 0 or has_errors(self.diagnostics)


def drift(
    model_path: Path,
    sources: Sequence[Path],
    *,
    readers: Sequence[ConfigReader] | None = None,
    base_dir: Path | None = None,
) -> DriftResult:
    readers = list(readers) if readers is not None else all_readers()
    shown_model = display_path(model_path, base_dir)
    result = DriftResult(shown_model, [display_path(p, base_dir) for p in sources])
    loaded = load_model(model_path, shown_model)
    result.diagnostics += loaded.diagnostics
    configuration = read_configuration(sources, wanted_kinds(readers), base_dir=base_dir)
    result.diagnostics += configuration.diagnostics
    result.files_read = len(configuration.files)
    result.objects_read = len(configuration.objects)
    result.passed_over = configuration.passed_over
    result.secrets_skipped = configuration.secrets_skipped
    found = read_facts(configuration, readers)
    result.diagnostics += configuration_problems(
        found, lambda fact: fact.origin.provider.replace("_", "-")
    )
    if loaded.model is None:
        return result
    result.findings = compare(model_statements(loaded.model), list(statements_of(found)))
    result.findings += _policy_findings(loaded.model, configuration, readers, result)
    return result


def _policy_findings(
    model: Any, configuration: Any, readers: Sequence[ConfigReader], result: DriftResult
) -> list[Finding]:
    """Each tenant ingress or egress the real policies treat otherwise than the model says."""
    truth = policy_truth(model, configuration, readers)
    result.notes += truth.notes
    result.policy_objects = truth.policy_objects
    result.policy_pairs = truth.pairs
    claim = model.location(("policies",)) if model.section("policies") else None
    where = (
        Origin("core", ("policies",), claim.file, claim.line, claim.column)
        if claim
        else Origin("core")
    )
    found = []
    for example in truth.counterexamples:
        subject = ("policy", example.sentence)
        said = "allowed" if not example.allowed else "not allowed"
        real = "allowed" if example.allowed else "not allowed"
        model_side = Statement(subject, example.sentence, not example.allowed, said, where)
        config_side = tuple(
            Statement(subject, example.sentence, example.allowed, real, origin)
            for origin in example.deciding
        ) or (Statement(subject, example.sentence, example.allowed, real, Origin("core")),)
        found.append(
            Finding(Verdict.CONTRADICTS, subject, example.sentence, (model_side,), config_side)
        )
    return found
