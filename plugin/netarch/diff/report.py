"""A ``DiffResult`` as Markdown (a pull request comment), JSON (for tools) or text (a terminal).

Model text is untrusted here: every value is shortened and escaped before it reaches Markdown
or HTML, and long lists are cut with a count of what was left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from netarch.diagnostics import Diagnostic, Location
from netarch.diff import DiffResult, ItemChange, Side
from netarch.diff.compare import GROUPS, MISSING, Change, FieldChange, show_value
from netarch.diff.diagram import LEGEND, MAX_NODES, change_diagram
from netarch.diff.reachability import PairChange, PolicyRef, ReachabilityDiff
from netarch.model.reachability import Subject

JSON_VERSION = 1
# Marks the pull request comment, so that a workflow finds and updates it.
COMMENT_MARKER = "<!-- netarch-diff -->"
_VALUE_CHARS = 120
_FIELDS_SHOWN = 12
_ITEMS_SHOWN = 200
# More rows than this go into a collapsed <details> block.
_OPEN_ROWS = 10


def _short(value: Any) -> str:
    text = " ".join(show_value(value).split())
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def _where(location: Location | None) -> str:
    return f"{location.file}:{location.line}" if location and location.line else ""


# ---------------------------------------------------------------------------------------- JSON


def to_json(result: DiffResult) -> str:
    """The stable form documented in docs/guide/diff.md (``version`` 1)."""
    return json.dumps(
        {
            "version": JSON_VERSION,
            "has_changes": result.has_changes,
            "base": _side_json(result.base),
            "head": _side_json(result.head),
            "summary": {
                "changes": len(result.changes),
                "impact": len(result.impact),
                "findings_introduced": len(result.findings_introduced),
                "findings_fixed": len(result.findings_fixed),
                "pages": len(result.pages),
                "views": len(result.views),
                "reachability": len(result.reachability.changes),
            },
            "changes": [_change_json(change) for change in result.changes],
            "findings": {
                "introduced": [d.to_json() for d in result.findings_introduced],
                "fixed": [d.to_json() for d in result.findings_fixed],
            },
            "pages": [{"page": item.name, "change": item.change} for item in result.pages],
            "views": [
                {"view": item.name, "type": item.type, "change": item.change}
                for item in result.views
            ],
            "diagram": change_diagram(result),
            "reachability": _reachability_json(result.reachability),
        },
        indent=2,
        ensure_ascii=False,
    )


def _side_json(side: Side) -> dict[str, Any]:
    return {
        "label": side.label,
        "loaded": side.loaded,
        "errors": [d.to_json() for d in side.errors],
    }


def _location_json(location: Location | None) -> dict[str, Any]:
    return {"file": location.file if location else None, "line": location.line if location else 0}


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "change": change.change,
        "kind": change.kind,
        "id": change.id,
        "old_id": change.old_id,
        "group": change.group,
        "impact": change.impact,
        **_location_json(change.location),
        "base": _location_json(change.base_location),
        "fields": [
            {
                "field": item.name,
                "old": None if item.old is MISSING else item.old,
                "new": None if item.new is MISSING else item.new,
                "old_present": item.old is not MISSING,
                "new_present": item.new is not MISSING,
                **_location_json(item.location),
            }
            for item in change.fields
        ],
    }


def _reachability_json(reachability: ReachabilityDiff) -> dict[str, Any]:
    return {
        "evaluated": reachability.evaluated,
        "changes": [
            {
                "change": change.change,
                "certain": change.certain,
                "from": _subject_json(reachability, change.source),
                "to": _subject_json(reachability, change.target),
                "traffic": change.traffic.to_json(),
                "traffic_text": change.traffic.describe(),
                "policies": [
                    {"id": ref.id, "side": ref.side, **_location_json(ref.location)}
                    for ref in change.policies
                ],
                "may_because": list(change.reasons),
            }
            for change in reachability.changes
        ],
        "notes": reachability.notes,
    }


def _subject_json(reachability: ReachabilityDiff, subject: Subject) -> dict[str, str]:
    return {"subject": subject.key, "kind": subject.kind, "label": reachability.describe(subject)}


# -------------------------------------------------------------------------------------- Markdown


# Characters that Markdown would read as markup (a cell's end, emphasis, a code span, a link,
# attr_list's "{: onclick=...}" on a site page), written as HTML entities: model text is
# shown, never interpreted.
_MARKUP = str.maketrans({char: f"&#{ord(char)};" for char in "|`*_[]\\~<>&\"'!#{"})


def md_text(text: str) -> str:
    return " ".join(text.split()).translate(_MARKUP)


def _code(value: Any) -> str:
    """A value in a table cell, escaped so no model text can end the cell or add markup."""
    text = _short(value)
    return text if text == "—" else f"<code>{md_text(text)}</code>"


def _details(
    summary: str, lines: Sequence[str], *, open_rows: int = _OPEN_ROWS, fold: bool = True
) -> list[str]:
    # Python-Markdown leaves the inside of an HTML block as it is: a site page does not fold.
    if not fold or len(lines) <= open_rows:
        return list(lines)
    return [f"<details><summary>{summary}</summary>", "", *lines, "", "</details>"]


def _field_summary(fields: Sequence[FieldChange]) -> str:
    shown = [
        f"{md_text(item.name)}: {_code(item.old)} → {_code(item.new)}"
        for item in fields[:_FIELDS_SHOWN]
    ]
    if len(fields) > _FIELDS_SHOWN:
        shown.append(f"and {len(fields) - _FIELDS_SHOWN} more")
    return "<br>".join(shown)


def _change_row(change: Change) -> str:
    if change.change == "renamed":
        what = f"{md_text(change.kind)} {_code(change.old_id)} → {_code(change.id)}"
    elif change.kind == "settings":
        what = f"settings of {_code(change.id)}"
    else:
        what = f"{md_text(change.kind)} {_code(change.id)}"
    where = _where(change.location)
    if change.change == "removed":
        where = f"{where} (base)" if where else ""
    fields = "" if change.change in ("added", "removed") else _field_summary(change.fields)
    return f"| {change.change} | {what} | {fields} | {md_text(where)} |"


def change_rows(changes: Sequence[Change]) -> list[str]:
    """Rows of a table with the columns of ``_TABLE_HEAD``."""
    return [_change_row(change) for change in changes]


_TABLE_HEAD = ["| Change | Element | Old → new | Where |", "|---|---|---|---|"]


def to_markdown(
    result: DiffResult, *, diagram: bool = True, fold: bool = True, marker: bool = True
) -> str:
    """The pull request comment; ``fold=False, marker=False`` for a page of a site, where
    long lists stay open and no workflow looks for the comment's marker."""
    base, head = result.base, result.head
    lines = [
        *([COMMENT_MARKER] if marker else []),
        f"## Network changes: {md_text(base.label)} → {md_text(head.label)}",
        "",
    ]
    for side, name in ((base, "Base"), (head, "Head")):
        if not side.loaded:
            lines += _load_errors_md(side, name, fold)
    if not result.has_changes:
        return "\n".join([*lines, "No change to the network, its findings or its pages.", ""])
    lines += [_summary(result), ""]
    lines += _reachability_md(result.reachability)
    if result.impact:
        lines += ["### ⚠️ Reachability and address space", ""]
        rows = [
            f"| {md_text(change.impact)} | {_change_row(change).removeprefix('| ')}"
            for change in result.impact
        ]
        lines += _details(
            f"{len(rows)} changes",
            ["| Why | Change | Element | Old → new | Where |", "|---|---|---|---|---|", *rows],
            open_rows=_OPEN_ROWS + 2,
            fold=fold,
        )
        lines.append("")
    for group, title in GROUPS.items():
        changes = [c for c in result.changes if c.group == group and not c.impact]
        if not changes:
            continue
        lines += [f"### {title}", ""]
        rows = change_rows(changes[:_ITEMS_SHOWN])
        if len(changes) > _ITEMS_SHOWN:
            rows.append(f"| … | {len(changes) - _ITEMS_SHOWN} more | | |")
        lines += _details(
            f"{len(changes)} changes", [*_TABLE_HEAD, *rows], open_rows=_OPEN_ROWS + 2, fold=fold
        )
        lines.append("")
    if result.findings_introduced or result.findings_fixed:
        lines += ["### Rule findings", ""]
        for title, findings in (
            ("Introduced", result.findings_introduced),
            ("Fixed", result.findings_fixed),
        ):
            if findings:
                items = [finding_item(d) for d in findings[:_ITEMS_SHOWN]]
                lines += [f"**{title}** ({len(findings)})", ""]
                lines += _details(f"{len(findings)} findings", items, fold=fold)
                lines.append("")
    if result.pages or result.views:
        lines += ["### Generated pages and diagrams", ""]
        items = [_item_md(item) for item in (*result.pages, *result.views)]
        lines += _details(f"{len(items)} pages and views", items, fold=fold)
        lines.append("")
    drawn = change_diagram(result) if diagram else None
    if drawn:
        lines += ["### The change drawn", "", "```mermaid", drawn.rstrip(), "```", "", LEGEND]
        if len(result.changes) > MAX_NODES:
            lines.append(f"Only the first {MAX_NODES} of {len(result.changes)} changes are drawn.")
        lines.append("")
    return "\n".join(lines)


def _reachability_md(reachability: ReachabilityDiff) -> list[str]:
    """Who can now reach whom, first: what a policy change means for the network."""
    if not reachability.inputs_differ:
        return []
    lines = ["### ⚠️ Who can reach whom", ""]
    groups = reachability.grouped()
    if groups:
        may = any(not change.certain for _, change in groups)
        head = "| From | Reachability | To | Traffic | Policy |" + (" Why “may” |" if may else "")
        rows = []
        for sources, change in groups[:_ITEMS_SHOWN]:
            senders = ", ".join(reachability.describe(s, _code) for s in sources)
            verb = f"**{change.verb}**" if change.certain else change.verb
            row = (
                f"| {senders} | {verb} | {reachability.describe(change.target, _code)}"
                f" | {md_text(change.traffic.describe())} | {_policies_md(change.policies)} |"
            )
            if may:
                row += f" {'<br>'.join(md_text(reason) for reason in change.reasons)} |"
            rows.append(row)
        if len(groups) > _ITEMS_SHOWN:
            rows.append(f"| … | {len(groups) - _ITEMS_SHOWN} more | | | |" + (" |" if may else ""))
        separator = "|---|---|---|---|---|" + ("---|" if may else "")
        lines += _details(f"{len(groups)} changes", [head, separator, *rows])
    elif reachability.evaluated:
        lines.append("No pair of subjects gains or loses reachability.")
    lines.append("")
    lines += [f"> {md_text(note)}" for note in reachability.notes]
    if reachability.notes:
        lines.append("")
    return lines


def _policies_md(policies: Sequence[PolicyRef]) -> str:
    if not policies:
        return "no policy changed for this pair: its subjects or ranges did"
    return ", ".join(
        f"{_code(ref.id)} {md_text(_where(ref.location))}"
        + (" (base)" if ref.side == "base" else "")
        for ref in policies
    )


def _summary(result: DiffResult) -> str:
    parts = [f"**{len(result.changes)}** changed elements"]
    if result.impact:
        parts.append(f"**{len(result.impact)}** alter reachability or address space")
    if result.reachability.changes:
        parts.append(
            f"**{len(result.reachability.changes)}** pairs of subjects change reachability"
        )
    parts.append(f"{len(result.findings_introduced)} findings introduced")
    parts.append(f"{len(result.findings_fixed)} fixed")
    parts.append(f"{len(result.pages)} pages and {len(result.views)} views change")
    return ", ".join(parts) + "."


def _load_errors_md(side: Side, name: str, fold: bool = True) -> list[str]:
    items = [finding_item(d) for d in side.errors[:_ITEMS_SHOWN]]
    return [
        f"> **{name} ({md_text(side.label)}) does not load**: it counts as empty below.",
        "",
        *_details(f"{len(items)} errors", items, open_rows=5, fold=fold),
        "",
    ]


def finding_item(finding: Diagnostic) -> str:
    where = _where(finding.location)
    return (
        f"- {finding.severity.value} <code>{md_text(finding.code)}</code>: "
        f"{md_text(finding.message)}" + (f" ({md_text(where)})" if where else "")
    )


def _item_md(item: ItemChange) -> str:
    return f"- {item.type} <code>{md_text(item.name)}</code>: {item.change}"


# ----------------------------------------------------------------------------------- Human text


def to_human(result: DiffResult) -> str:
    lines = [f"netarch diff: {result.base.label} -> {result.head.label}"]
    for side, name in ((result.base, "base"), (result.head, "head")):
        if not side.loaded:
            lines.append(f"{name} ({side.label}) does not load; it counts as empty:")
            lines += [f"  {d.headline()}" for d in side.errors[:_ITEMS_SHOWN]]
    if not result.has_changes:
        lines.append("no change to the network, its findings or its pages")
        return "\n".join(lines)
    lines += _reachability_text(result.reachability)
    if result.impact:
        lines.append("")
        lines.append("Reachability and address space:")
        lines += [_change_text(change, why=change.impact) for change in result.impact]
    for group, title in GROUPS.items():
        changes = [c for c in result.changes if c.group == group and not c.impact]
        if changes:
            lines += ["", f"{title}:"]
            lines += [_change_text(change) for change in changes[:_ITEMS_SHOWN]]
    for title, findings in (
        ("Findings introduced", result.findings_introduced),
        ("Findings fixed", result.findings_fixed),
    ):
        if findings:
            lines += ["", f"{title}:"]
            lines += [f"  {d.headline()}" for d in findings[:_ITEMS_SHOWN]]
    if result.pages or result.views:
        lines += ["", "Generated pages and views:"]
        lines += [f"  {item.type} {item.name}: {item.change}" for item in _all(result)]
    return "\n".join(lines)


def _reachability_text(reachability: ReachabilityDiff) -> list[str]:
    if not reachability.inputs_differ:
        return []
    lines = ["", "Who can reach whom (from the policies):"]
    groups = reachability.grouped()
    for sources, change in groups[:_ITEMS_SHOWN]:
        lines.append(f"  {_pair_text(reachability, sources, change)}")
        if change.reasons:
            lines.append(f"      may, because {'; '.join(change.reasons)}")
    if len(groups) > _ITEMS_SHOWN:
        lines.append(f"  and {len(groups) - _ITEMS_SHOWN} more")
    if not groups and reachability.evaluated:
        lines.append("  no pair of subjects gains or loses reachability")
    lines += [f"  note: {note}" for note in reachability.notes]
    return lines


def _pair_text(reachability: ReachabilityDiff, sources: list[Subject], change: PairChange) -> str:
    sentence = reachability.sentence(sources, change)
    if not change.policies:
        return f"{sentence} (no policy changed for this pair: its subjects or ranges did)"
    first = change.policies[0]
    where = _where(first.location)
    where = f"{where}{' (base)' if first.side == 'base' else ''}: " if where else ""
    names = ", ".join(ref.id + (" (base)" if ref.side == "base" else "") for ref in change.policies)
    noun = "policy" if len(change.policies) == 1 else "policies"
    return f"{where}{sentence} ({noun} {names})"


def _all(result: DiffResult) -> Iterable[ItemChange]:
    yield from result.pages
    yield from result.views


def _change_text(change: Change, why: str = "") -> str:
    where = _where(change.location)
    where = f"{where}{' (base)' if change.change == 'removed' else ''}: " if where else ""
    lines = [f"  {where}{change.change} {change.label}" + (f" ({why})" if why else "")]
    if change.change in ("changed", "renamed") or change.kind == "settings":
        for item in change.fields[:_FIELDS_SHOWN]:
            lines.append(f"      {item.name}: {_short(item.old)} -> {_short(item.new)}")
        if len(change.fields) > _FIELDS_SHOWN:
            lines.append(f"      and {len(change.fields) - _FIELDS_SHOWN} more")
    return "\n".join(lines)


FORMATS = {"human": to_human, "json": to_json, "markdown": to_markdown}
