"""Problems found anywhere in the pipeline, and how they are printed.

Every stage (YAML loading, schema, references, network checks, Mermaid validation) reports
``Diagnostic`` objects instead of raising, so that one run shows *all* problems, each pointing
at a file, line and column the user can open.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from netarch.safety import EXCERPT_CHARS, excerpt

# A message or hint may quote model text (a name, a phrase, a value): it stays one line of
# bounded length whatever the text, so a hostile or huge file cannot flood a CI log.
MESSAGE_CHARS = 500


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file; ``line`` and ``column`` are 1-based (0 = unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where, how bad, a stable code, what is wrong and what to do."""

    location: Location
    severity: Severity
    code: str
    message: str
    hint: str = ""
    # Where the model element sits in the document, e.g. "metallb.pools[0].addresses[1]".
    path: str = ""
    # Further places involved (the other end of an overlap, a duplicate's first definition).
    related: tuple[Location, ...] = field(default_factory=tuple)
    # The offending source line, shown under the message in human output.
    source_line: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", excerpt(self.message, MESSAGE_CHARS))
        object.__setattr__(self, "hint", excerpt(self.hint, MESSAGE_CHARS))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line, self.location.column, self.code)

    def headline(self) -> str:
        """``file:line:col: severity CODE: message`` -- the form editors and CI understand."""
        text = f"{self.location}: {self.severity.value} {self.code}: {self.message}"
        if self.path:
            text += f" (at {self.path})"
        return text

    def format_human(self) -> str:
        lines = [self.headline()]
        if self.source_line:
            shown, caret = _source_window(self.source_line.rstrip(), self.location.column)
            lines.append(f"    {shown}")
            if caret:
                lines.append("    " + " " * (caret - 1) + "^")
        lines.extend(f"  see also {other}" for other in self.related)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def format_github(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the pull request diff."""
        command = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(
            self.severity, "notice"
        )
        props = [f"file={_escape_property(self.location.file)}"]
        if self.location.line:
            props.append(f"line={self.location.line}")
        if self.location.column:
            props.append(f"col={self.location.column}")
        props.append(f"title={_escape_property(self.code)}")
        message = self.message
        if self.path:
            message += f" (at {self.path})"
        if self.hint:
            message += f"\nhint: {self.hint}"
        return f"::{command} {','.join(props)}::{_escape_data(message)}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "path": self.path,
            "related": [str(other) for other in self.related],
        }


def _source_window(line: str, column: int) -> tuple[str, int]:
    """At most EXCERPT_CHARS of ``line`` around ``column``, and the caret's column in it."""
    line = line.replace("\t", " ")
    start = 0
    if len(line) > EXCERPT_CHARS and column > EXCERPT_CHARS // 2:
        start = min(column - 1 - EXCERPT_CHARS // 2, len(line) - EXCERPT_CHARS)
    shown = excerpt(line[start:], EXCERPT_CHARS)
    if start:
        shown = "…" + shown[1:]
    caret = column - start if column and column - start <= EXCERPT_CHARS else 0
    return shown, caret


def _escape_data(text: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path, base_dir: Path | None = None) -> str:
    """How a file is named in messages: relative to ``base_dir`` (default: the current folder)."""
    try:
        return path.resolve().relative_to((base_dir or Path.cwd()).resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside, or a link loop: as it was given
        return path.as_posix()


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def format_report(diagnostics: Sequence[Diagnostic], output_format: str = "human") -> str:
    """All diagnostics in one of the CLI's formats: ``human``, ``github`` or ``json``."""
    ordered = sorted_diagnostics(diagnostics)
    if output_format == "json":
        return json.dumps([d.to_json() for d in ordered], indent=2)
    if output_format == "github":
        return "\n".join(d.format_github() for d in ordered)
    return "\n".join(d.format_human() for d in ordered)


class DiagnosticsError(Exception):
    """Raised by the high-level API when a stage found errors; carries all of them."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = sorted_diagnostics(diagnostics)
        errors = sum(1 for d in self.diagnostics if d.is_error)
        super().__init__(f"{errors} error(s):\n" + format_report(self.diagnostics))
