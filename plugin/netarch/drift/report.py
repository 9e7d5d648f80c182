"""``netarch drift`` reports: human, github (workflow annotations), markdown, json.

Every verdict names both places: the model's file:line:col and the configuration's file:line
with the object's kind, namespace, name and field. Values shown are the facts' own values (an
address, a CIDR, a setting a reader uses), never anything else an object holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from netarch.diagnostics import format_report
from netarch.drift.compare import Finding, Verdict
from netarch.drift.run import DriftResult
from netarch.drift.statements import Statement
from netarch.safety import excerpt, literal

JSON_VERSION = 1
# What a markdown cell shows for a side that says nothing (an en dash).
_NOTHING = "\u2013"
_ORDER = (
    Verdict.CONTRADICTS,
    Verdict.NOT_DOCUMENTED,
    Verdict.NOT_IN_CONFIGURATION,
    Verdict.AGREES,
)


def _place(statement: Statement) -> str:
    origin = statement.origin
    where = f"{origin.file}:{origin.line}" + (f":{origin.column}" if origin.column else "")
    if origin.kind:
        name = "/".join(p for p in (origin.namespace, origin.name) if p)
        where += f" ({origin.kind}{' ' + name if name else ''}"
        where += f", {origin.field})" if origin.field else ")"
    return where


def _places(statements: Iterable[Statement]) -> str:
    return "; ".join(dict.fromkeys(_place(s) for s in statements))


def _ordered(result: DriftResult) -> list[Finding]:
    rank = {verdict: index for index, verdict in enumerate(_ORDER)}
    return sorted(result.findings, key=lambda f: (rank[f.verdict], f.label))


def summary(result: DriftResult) -> str:
    totals = result.counts
    return (
        f"{result.model_file} against {', '.join(result.sources)}: "
        f"{totals[Verdict.AGREES]} agree, {totals[Verdict.CONTRADICTS]} contradict, "
        f"{totals[Verdict.NOT_IN_CONFIGURATION]} not in the configuration, "
        f"{totals[Verdict.NOT_DOCUMENTED]} not documented "
        f"({result.objects_read} objects read from {result.files_read} files"
        + (f", {result.secrets_skipped} Secrets skipped unread" if result.secrets_skipped else "")
        + ")"
    )


def human(result: DriftResult) -> str:
    lines = [summary(result)]
    for finding in _ordered(result):
        lines.append(f"{finding.verdict.value}: {excerpt(finding.label)}")
        if finding.model:
            lines.append(
                f"    model:         {excerpt(finding.model_value)}  at {_places(finding.model)}"
            )
        if finding.config:
            lines.append(
                f"    configuration: {excerpt(finding.config_value)}  at {_places(finding.config)}"
            )
    lines += [f"note: {excerpt(note, 300)}" for note in result.notes]
    if result.diagnostics:
        lines += ["", format_report(result.diagnostics)]
    return "\n".join(lines)


def github(result: DriftResult) -> str:
    """A contradiction is an error on the model's line; a fact the model does not state, a
    notice on the configuration's line."""
    lines = []
    for finding in _ordered(result):
        if finding.verdict is Verdict.CONTRADICTS:
            origin = finding.model[0].origin
            message = (
                f"{finding.label}: the model says {finding.model_value}, the configuration "
                f"{finding.config_value} ({_places(finding.config)})"
            )
            lines.append(_command("error", origin.file, origin.line, origin.column, message))
        elif finding.verdict is Verdict.NOT_DOCUMENTED:
            origin = finding.config[0].origin
            message = f"{finding.label} is {finding.config_value} here, and the model does not say"
            lines.append(_command("notice", origin.file, origin.line, origin.column, message))
    if result.diagnostics:
        lines.append(format_report(result.diagnostics, "github"))
    lines.append(_command("notice", result.model_file, 0, 0, summary(result)))
    return "\n".join(line for line in lines if line)


def _command(level: str, file: str, line: int, column: int, message: str) -> str:
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    props = [f"file={escape(file).replace(':', '%3A').replace(',', '%2C')}"]
    if line:
        props.append(f"line={line}")
    if column:
        props.append(f"col={column}")
    props.append("title=netarch drift")
    return f"::{level} {','.join(props)}::{escape(excerpt(message, 1000))}"


def markdown(result: DriftResult) -> str:
    totals = result.counts
    lines = [
        "## The model against the configuration",
        "",
        f"**{totals[Verdict.AGREES]}** agree, **{totals[Verdict.CONTRADICTS]}** contradict, "
        f"**{totals[Verdict.NOT_IN_CONFIGURATION]}** not in the configuration, "
        f"**{totals[Verdict.NOT_DOCUMENTED]}** not documented.",
        "",
        "| verdict | fact | model | configuration |",
        "|---|---|---|---|",
    ]

    def cell(text: str) -> str:
        return literal(excerpt(text, 300)).replace("|", "&#124;")

    for finding in _ordered(result):
        # A side that says nothing is an en dash, not a cell of text (which would escape it).
        model = (
            cell(f"{finding.model_value} ({_places(finding.model)})") if finding.model else _NOTHING
        )
        config = (
            cell(f"{finding.config_value} ({_places(finding.config)})")
            if finding.config
            else _NOTHING
        )
        lines.append(f"| {finding.verdict.value} | {cell(finding.label)} | {model} | {config} |")
    if result.notes:
        lines += ["", "### Not evaluated", ""]
        lines += [f"- {cell(note)}" for note in result.notes]
    if result.diagnostics:
        lines += ["", "### Problems", ""]
        lines += [f"- {cell(d.headline())}" for d in result.diagnostics]
    return "\n".join(lines) + "\n"


def _side(statements: tuple[Statement, ...]) -> dict[str, object] | None:
    if not statements:
        return None
    return {
        "value": ", ".join(dict.fromkeys(s.shown for s in statements)),
        "locations": [
            {
                "file": s.origin.file,
                "line": s.origin.line,
                "column": s.origin.column,
                **(
                    {
                        "kind": s.origin.kind,
                        "namespace": s.origin.namespace,
                        "name": s.origin.name,
                        "field": s.origin.field,
                    }
                    if s.origin.kind
                    else {}
                ),
            }
            for s in statements
        ],
    }


def as_json(result: DriftResult) -> str:
    """Documented in docs/guide/drift.md; ``version`` changes only when a key changes meaning."""
    return json.dumps(
        {
            "version": JSON_VERSION,
            "model": result.model_file,
            "sources": result.sources,
            "counts": {verdict.value: count for verdict, count in result.counts.items()},
            "facts": [
                {
                    "fact": finding.label,
                    "subject": [str(part) for part in finding.subject],
                    "verdict": finding.verdict.value,
                    "model": _side(finding.model),
                    "config": _side(finding.config),
                }
                for finding in _ordered(result)
            ],
            "read": {
                "files": result.files_read,
                "objects": result.objects_read,
                "passed_over": dict(sorted(result.passed_over.items())),
                "secrets_skipped": result.secrets_skipped,
                "policy_objects": result.policy_objects,
                "policy_pairs": result.policy_pairs,
            },
            "notes": result.notes,
            "diagnostics": [d.to_json() for d in result.diagnostics],
        },
        indent=2,
    )


FORMATS: dict[str, Callable[[DriftResult], str]] = {
    "human": human,
    "github": github,
    "markdown": markdown,
    "json": as_json,
}
