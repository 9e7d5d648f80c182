"""Validate the model against its JSON Schema and explain every violation in YAML terms.

All violations are reported in one run (``iter_errors``), each at the position of the offending
value -- or of the key, for unknown keys -- with the model path (``metallb.pools[0]``) attached.
For ``oneOf``/``anyOf`` the branch the user most likely meant is picked and its errors are
reported instead of "is not valid under any of the given schemas".

Codes: NA010 other violations, NA011 unknown key, NA012 wrong type, NA013 missing required key,
NA014 value not allowed (enum/const), NA015 pattern or format mismatch.

Hints come from the failing subschema: a custom ``"x-netarch-hint"`` keyword first, otherwise its
``description``.

Besides jsonschema's standard formats (``ipv4``, ``ipv6`` ...), ``FORMAT_CHECKER`` knows:
``ip`` (IPv4 or IPv6 address), ``cidr`` (an IPv4 or IPv6 prefix with no host bits set,
``10.244.0.0/16``) and ``ip-range`` (``192.168.1.10-192.168.1.20``, same family, ascending).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from netarch.diagnostics import Diagnostic
from netarch.model.source import Document, PathTuple

FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("ip", raises=ValueError)
def _is_ip(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.ip_address(value)
    return True


@FORMAT_CHECKER.checks("cidr", raises=ValueError)
def _is_cidr(value: object) -> bool:
    if isinstance(value, str):
        if "/" not in value:
            raise ValueError("the /prefix-length is missing")
        ipaddress.ip_network(value)  # strict: "10.0.0.1/8" has host bits set
    return True


@FORMAT_CHECKER.checks("ip-range", raises=ValueError)
def _is_ip_range(value: object) -> bool:
    if isinstance(value, str):
        first, sep, last = value.partition("-")
        if not sep:
            raise ValueError("expected two addresses joined by '-'")
        start, end = ipaddress.ip_address(first.strip()), ipaddress.ip_address(last.strip())
        if start.version != end.version:
            raise ValueError("both ends must be of the same IP version")
        if start > end:
            raise ValueError("the first address is greater than the last")
    return True


class SchemaFileError(ValueError):
    """The schema file is unreadable or not a valid Draft 2020-12 schema (a netarch bug)."""


def load_schema(path: Path, *, check_meta_schema: bool = True) -> dict[str, Any]:
    """Read a JSON Schema file and check it against the Draft 2020-12 meta-schema.

    That check costs ~0.9 s (jsonschema resolves the meta-schema's $dynamicRefs for every
    keyword); ``check_meta_schema=False`` skips it for a schema the test suite already checks.
    """
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaFileError(f"{path}: cannot read the schema: {error}") from error
    except json.JSONDecodeError as error:
        raise SchemaFileError(
            f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"
        ) from error
    if not isinstance(schema, dict):
        raise SchemaFileError(f"{path}: a schema must be a JSON object")
    try:
        if check_meta_schema:
            Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/" + "/".join(str(part) for part in error.absolute_path)
        raise SchemaFileError(f"{path}: invalid JSON Schema at {where}: {error.message}") from error
    return schema


# One validator per schema object: building it (and its $ref resolution) is half the schema
# check's time, and `mkdocs serve` checks the same schema on every save.
_VALIDATORS: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft202012Validator(schema, format_checker=FORMAT_CHECKER))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


T = TypeVar("T")


class SectionMemo(Generic[T]):
    """What a stage found in one top-level section under one schema, kept while the section's
    content (its fingerprint) stays the same. Under `mkdocs serve` an edit touches one
    section; the stages do not redo the others."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str], tuple[dict[str, Any], str, T]] = {}

    def get(self, schema: dict[str, Any], section: str, fingerprint: str) -> T | None:
        known = self._entries.get((id(schema), section))
        if known is not None and known[0] is schema and known[1] == fingerprint:
            return known[2]
        return None

    def put(self, schema: dict[str, Any], section: str, fingerprint: str, value: T) -> None:
        self._entries[(id(schema), section)] = (schema, fingerprint, value)

    def sections(self) -> set[str]:
        return {section for (_, section) in self._entries}

    def clear(self) -> None:
        self._entries.clear()


# Top-level sections that passed the schema.
_VALID_SECTIONS: SectionMemo[bool] = SectionMemo()


def check_schema(doc: Document, schema: dict[str, Any]) -> list[Diagnostic]:
    """Every schema violation in ``doc``, explained, deduplicated and sorted by position."""
    validator, fingerprints = _validator_skipping_valid_sections(doc, schema)
    explainer = _Explainer(doc, schema)
    diagnostics: dict[tuple[str, str, str, str], Diagnostic] = {}
    failed: set[Any] = set()
    for error in validator.iter_errors(doc.data):
        if error.absolute_path:
            failed.add(error.absolute_path[0])
        try:
            explained = explainer.explain(error)
        except Exception:  # an unforeseen error shape must not hide the problem itself
            path = tuple(error.absolute_path)
            explained = [explainer.diag("NA010", path, f"{subject_of(path)}: {error.message}")]
        for diagnostic in explained:
            key = (str(diagnostic.location), diagnostic.code, diagnostic.message, diagnostic.path)
            diagnostics.setdefault(key, diagnostic)
    for section, fingerprint in fingerprints.items():
        if section not in failed:
            _VALID_SECTIONS.put(schema, section, fingerprint, True)
    return sorted(diagnostics.values(), key=lambda d: (*d.sort_key(), d.message, d.path))


def _validator_skipping_valid_sections(
    doc: Document, schema: dict[str, Any]
) -> tuple[Draft202012Validator, dict[str, str]]:
    """The schema's validator, with the top-level sections already found valid in exactly
    this form replaced by ``true``; and the fingerprint of every section it will check.

    Exact, not a heuristic: a subschema sees only its own value, so an unchanged section
    gives the same verdict; the root's own keywords (type, required, additionalProperties)
    are still applied to the whole document.
    """
    validator = validator_for(schema)
    data = doc.data
    properties = schema.get("properties")
    if not isinstance(data, dict) or not isinstance(properties, dict):
        return validator, {}
    fingerprints: dict[str, str] = {}
    skipped: set[str] = set()
    for section in data:
        if section not in properties:
            continue
        fingerprint = doc.section_fingerprint(section)
        if _VALID_SECTIONS.get(schema, section, fingerprint):
            skipped.add(section)
        else:
            fingerprints[section] = fingerprint
    if not skipped:
        return validator, fingerprints
    reduced = {name: True if name in skipped else sub for name, sub in properties.items()}
    # evolve keeps the validator's $ref resolver (and its caches) for the same root $defs.
    return validator.evolve(schema={**schema, "properties": reduced}), fingerprints


# --- helpers shared with references.py --------------------------------------------------------


def did_you_mean(word: str, options: Iterable[str]) -> str | None:
    """The closest option to a misspelt ``word``, if any is close enough."""
    choices = sorted(set(options))
    for option in choices:
        if option.lower() == word.lower():
            return option
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def resolve_ref(root: dict[str, Any], ref: str) -> Any:
    """The subschema a local ``$ref`` (``#/$defs/cidr``) points at, or ``None``."""
    if not ref.startswith("#"):
        return None  # remote references are not used by netarch schemas
    node: Any = root
    for raw in ref[1:].split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def best_branch(branches: Sequence[Sequence[ValidationError]]) -> int:
    """Index of the ``oneOf``/``anyOf`` branch the user most likely meant, given its errors.

    Each branch's errors have paths relative to the value being matched. A branch is a worse
    guess when the value has another type altogether, when a direct property fails a
    ``const``/``enum`` (a discriminator such as ``kind: bgp``), and the more errors it has.
    Ties go to the first branch, so the choice is deterministic.
    """
    return min(range(len(branches)), key=lambda index: _branch_score(branches[index]))


def _group_by_branch(
    errors: Sequence[ValidationError], branch_count: int
) -> dict[int, list[ValidationError]]:
    groups: dict[int, list[ValidationError]] = {index: [] for index in range(branch_count)}
    for error in errors:
        branch = error.relative_schema_path[0] if error.relative_schema_path else 0
        groups.setdefault(int(branch), []).append(error)
    return groups


def _is_root_type_error(error: ValidationError) -> bool:
    return error.validator == "type" and not error.relative_path


def _is_discriminator_error(error: ValidationError) -> bool:
    return error.validator in ("const", "enum") and len(error.relative_path) <= 1


def _root_form(errors: Sequence[ValidationError]) -> tuple[str, list[Any]] | None:
    """What a branch wants the value itself to be, if that is why it failed: words + values."""
    for error in errors:
        if _is_root_type_error(error):
            return _expected_types(error.validator_value), []
    for error in errors:
        if error.validator in ("const", "enum") and not error.relative_path:
            allowed = (
                [error.validator_value] if error.validator == "const" else error.validator_value
            )
            return " or ".join(show(v) for v in allowed), list(allowed)
    return None


def _branch_score(errors: Sequence[ValidationError]) -> tuple[bool, bool, int]:
    return (
        any(_is_root_type_error(e) for e in errors),
        any(_is_discriminator_error(e) for e in errors),
        len(errors),
    )


# --- explaining errors ----------------------------------------------------------------------------

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "empty (null)",
}


def show(value: Any) -> str:
    """A value as the user wrote it in YAML, shortened."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:56] + '..."'
    return repr(value)


def _describe(value: Any) -> str:
    """What kind of value the user wrote: ``a string ("x")``, ``a mapping``."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a boolean ({show(value)})"
    if isinstance(value, (int, float)):
        return f"a number ({show(value)})"
    if isinstance(value, str):
        return f"a string ({show(value)})"
    return show(value)


def _expected_types(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    words = [_TYPE_NAMES.get(name, name) for name in names]
    return " or ".join(dict.fromkeys(words))


def subject_of(path: PathTuple) -> str:
    """How a message names the value at ``path``: ``'pools'``, ``'addresses[1]'``."""
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        parent = next((p for p in reversed(path) if isinstance(p, str)), "")
        indexes = ""
        for part in reversed(path):
            if not isinstance(part, int):
                break
            indexes = f"[{part}]" + indexes
        return f"'{parent}{indexes}'"
    return f"'{last}'"


def _hint_of(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    return str(schema.get("x-netarch-hint") or schema.get("description") or "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _Explainer:
    def __init__(self, doc: Document, root: dict[str, Any]) -> None:
        self.doc = doc
        self.root = root

    def diag(
        self, code: str, path: PathTuple, message: str, hint: str = "", *, at_key: bool = False
    ) -> Diagnostic:
        location = self.doc.key_location(path) if at_key else self.doc.value_location(path)
        return self.doc.diagnostic(code, location, message, hint=hint, path=path)

    def explain(self, error: ValidationError) -> list[Diagnostic]:
        path: PathTuple = tuple(error.absolute_path)
        validator = error.validator
        if validator in ("oneOf", "anyOf"):
            return self.group(error, path)
        if "propertyNames" in error.relative_schema_path:
            return [self.property_name(error, path)]
        handler = {
            "additionalProperties": self.unknown_keys,
            "unevaluatedProperties": self.unknown_keys,
            "type": self.wrong_type,
            "required": self.missing,
            "dependentRequired": self.missing_dependency,
            "enum": self.not_allowed,
            "const": self.not_allowed,
            "pattern": self.bad_format,
            "format": self.bad_format,
            "uniqueItems": self.repeated_item,
        }.get(str(validator))
        if handler is not None:
            return handler(error, path)
        if validator is None:  # a `false` subschema
            return self.forbidden(error, path)
        return [self.diag("NA010", path, self.generic_message(error, path), _hint_of(error.schema))]

    def group(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        branches = error.validator_value if isinstance(error.validator_value, list) else []
        subject = subject_of(path)
        if not error.context or not branches:
            # oneOf where several branches match: nothing more specific to say.
            return [
                self.diag(
                    "NA010",
                    path,
                    f"{subject} matches more than one of the allowed forms",
                    _hint_of(error.schema),
                )
            ]
        by_branch = _group_by_branch(error.context, len(branches))
        scores = {index: _branch_score(errors) for index, errors in by_branch.items()}
        forms = [_root_form(errors) for errors in by_branch.values()]
        if all(form is not None for form in forms):
            # Every branch rejects the value itself: say everything it could have been.
            return [self.union_diagnostic(path, error, [f for f in forms if f is not None])]
        viable = {index: errs for index, errs in by_branch.items() if not scores[index][0]}
        if all(scores[index][1] for index in viable):
            merged = self.merged_discriminator(viable, path)
            if merged is not None:
                return [merged]
        best = best_branch([by_branch[index] for index in range(len(branches))])
        return [d for sub in by_branch[best] for d in self.explain(sub)]

    def union_diagnostic(
        self, path: PathTuple, error: ValidationError, forms: list[tuple[str, list[Any]]]
    ) -> Diagnostic:
        value = error.instance
        words = list(dict.fromkeys(text for text, _ in forms))
        values = [v for _, allowed in forms for v in allowed]
        message = f"{subject_of(path)} must be {' or '.join(words)}, got {_describe(value)}"
        hint = _hint_of(error.schema)
        if isinstance(value, str):
            guess = did_you_mean(value, [v for v in values if isinstance(v, str)])
            if guess is not None:
                hint = f"did you mean {show(guess)}?"
        return self.diag("NA014" if values else "NA012", path, message, hint)

    def merged_discriminator(
        self, branches: dict[int, list[ValidationError]], path: PathTuple
    ) -> Diagnostic | None:
        """Every branch rejects the same property's value: list all values it could have."""
        failing = [
            next(e for e in errors if _is_discriminator_error(e)) for errors in branches.values()
        ]
        where = {tuple(e.absolute_path) for e in failing}
        if len(where) != 1:
            return None
        allowed: list[Any] = []
        for error in failing:
            values = (
                [error.validator_value] if error.validator == "const" else error.validator_value
            )
            allowed.extend(v for v in values if v not in allowed)
        target = where.pop()
        return self.enum_diagnostic(target, failing[0].instance, allowed, "")

    def unknown_keys(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        instance = error.instance
        if not isinstance(instance, dict):
            return []
        names, patterns = self.declared_properties(error.schema, set())
        if error.validator == "additionalProperties":
            names = list(error.schema.get("properties", {}))
            patterns = list(error.schema.get("patternProperties", {}))
        extras = [
            key
            for key in instance
            if key not in names and not any(re.search(p, key) for p in patterns)
        ]
        where = f" in {subject_of(path)}" if path else " at the top level"
        result = []
        for key in extras:
            guess = did_you_mean(key, names)
            if guess:
                hint = f"did you mean '{guess}'?"
            elif names:
                hint = "allowed keys: " + ", ".join(names)
            else:
                hint = "no keys are allowed here"
            if not guess and "^x-" in patterns:  # netarch.model.network.EXTENSION_KEYS
                hint += "; a key of your own starts with x- (x-owner, x-ticket ...)"
            result.append(
                self.diag("NA011", (*path, key), f"unknown key '{key}'{where}", hint, at_key=True)
            )
        return result

    def declared_properties(self, schema: Any, seen: set[str]) -> tuple[list[str], list[str]]:
        """Property names and patterns a schema declares, through $ref and combinators."""
        names: list[str] = []
        patterns: list[str] = []
        if not isinstance(schema, dict):
            return names, patterns
        names.extend(schema.get("properties", {}))
        patterns.extend(schema.get("patternProperties", {}))
        subschemas: list[Any] = []
        for keyword in ("allOf", "anyOf", "oneOf"):
            subschemas.extend(schema.get(keyword, []))
        for keyword in ("then", "else"):
            if keyword in schema:
                subschemas.append(schema[keyword])
        subschemas.extend(schema.get("dependentSchemas", {}).values())
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            subschemas.append(resolve_ref(self.root, ref))
        for sub in subschemas:
            more_names, more_patterns = self.declared_properties(sub, seen)
            names.extend(n for n in more_names if n not in names)
            patterns.extend(more_patterns)
        return names, patterns

    def wrong_type(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        expected = _expected_types(error.validator_value)
        message = f"{subject_of(path)} must be {expected}, got {_describe(error.instance)}"
        return [self.diag("NA012", path, message, _hint_of(error.schema))]

    def missing(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        instance = error.instance if isinstance(error.instance, dict) else {}
        required = error.validator_value if isinstance(error.validator_value, list) else []
        properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        result = []
        for name in required:
            if name in instance:
                continue
            description = _hint_of(properties.get(name))
            hint = f"'{name}': {description}" if description else ""
            message = f"{subject_of(path)} is missing the required key '{name}'"
            result.append(self.diag("NA013", path, message, hint, at_key=True))
        return result

    def missing_dependency(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        instance = error.instance if isinstance(error.instance, dict) else {}
        rules = error.validator_value if isinstance(error.validator_value, dict) else {}
        result = []
        for trigger, needed in rules.items():
            if trigger not in instance:
                continue
            for name in needed:
                if name not in instance:
                    message = (
                        f"{subject_of(path)} is missing the key '{name}', "
                        f"required because '{trigger}' is set"
                    )
                    result.append(self.diag("NA013", path, message, at_key=True))
        return result

    def not_allowed(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        if error.validator == "const":
            allowed = [error.validator_value]
        else:
            allowed = list(error.validator_value)
        return [self.enum_diagnostic(path, error.instance, allowed, _hint_of(error.schema))]

    def enum_diagnostic(
        self, path: PathTuple, value: Any, allowed: list[Any], hint: str
    ) -> Diagnostic:
        subject = subject_of(path)
        if len(allowed) == 1:
            message = f"{subject} must be {show(allowed[0])}, got {show(value)}"
        else:
            choices = ", ".join(show(v) for v in allowed)
            message = f"{subject} must be one of {choices}; got {show(value)}"
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            by_text = {str(v): v for v in allowed if isinstance(v, (str, int, float))}
            guess = did_you_mean(str(value), by_text)
            if guess is not None and by_text[guess] != value:
                hint = f"did you mean {show(by_text[guess])}?"
        return self.diag("NA014", path, message, hint)

    def bad_format(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        subject = subject_of(path)
        hint = _hint_of(error.schema)
        if error.validator == "format":
            reason = f": {error.cause}" if error.cause else ""
            message = f"{subject} is not a valid {error.validator_value}: {show(error.instance)}"
            return [self.diag("NA015", path, message + reason, hint)]
        message = f"{subject} has the wrong format: {show(error.instance)}"
        hint = hint or f"it must match the regular expression {error.validator_value}"
        return [self.diag("NA015", path, message, hint)]

    def repeated_item(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        items = error.instance if isinstance(error.instance, list) else []
        for later, item in enumerate(items):
            for earlier in range(later):
                other = items[earlier]
                # JSON equality: true is not 1.
                if other == item and isinstance(other, bool) == isinstance(item, bool):
                    message = (
                        f"{subject_of(path)} lists {show(item)} twice (items {earlier} and {later})"
                    )
                    return [self.diag("NA010", (*path, later), message, "remove the repeated item")]
        return [self.diag("NA010", path, f"{subject_of(path)} lists the same item more than once")]

    def property_name(self, error: ValidationError, path: PathTuple) -> Diagnostic:
        key = error.instance
        key_path = (*path, key) if isinstance(key, str) else path
        hint = _hint_of(error.schema)
        where = f" in {subject_of(path)}" if path else ""
        if error.validator == "pattern":
            code, message = "NA015", f"key {show(key)}{where} has the wrong format"
            hint = hint or f"keys must match the regular expression {error.validator_value}"
        elif error.validator in ("enum", "const"):
            code, message = "NA011", f"key {show(key)}{where} is not allowed"
        else:
            code, message = "NA010", f"key {show(key)}{where} is not allowed: {error.message}"
        return self.diag(code, key_path, message, hint, at_key=True)

    def forbidden(self, error: ValidationError, path: PathTuple) -> list[Diagnostic]:
        # jsonschema reports a `false` property schema at the parent mapping: find the key.
        parent = self.value_at(path)
        schema_path = list(error.relative_schema_path)
        if isinstance(parent, dict) and schema_path[-1:] == ["properties"]:
            keys = [k for k, v in parent.items() if v is error.instance]
            if len(keys) == 1:
                where = f" in {subject_of(path)}" if path else " at the top level"
                key_path = (*path, keys[0])
                message = f"key '{keys[0]}' is not allowed{where}"
                return [self.diag("NA011", key_path, message, at_key=True)]
        return [self.diag("NA010", path, f"{subject_of(path)} is not allowed here")]

    def value_at(self, path: PathTuple) -> Any:
        node: Any = self.doc.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def generic_message(self, error: ValidationError, path: PathTuple) -> str:
        subject = subject_of(path)
        value = error.validator_value
        instance = error.instance
        size = len(instance) if isinstance(instance, (list, dict, str)) else 0
        messages = {
            "minItems": f"{subject} needs at least {_plural(value, 'item')}, has {size}",
            "maxItems": f"{subject} allows at most {_plural(value, 'item')}, has {size}",
            "minProperties": f"{subject} needs at least {_plural(value, 'key')}, has {size}",
            "maxProperties": f"{subject} allows at most {_plural(value, 'key')}, has {size}",
            "minLength": f"{subject} must be at least {_plural(value, 'character')} long",
            "maxLength": f"{subject} must be at most {_plural(value, 'character')} long",
            "minimum": f"{subject} must be at least {value}, got {show(instance)}",
            "maximum": f"{subject} must be at most {value}, got {show(instance)}",
            "exclusiveMinimum": f"{subject} must be greater than {value}, got {show(instance)}",
            "exclusiveMaximum": f"{subject} must be less than {value}, got {show(instance)}",
            "multipleOf": f"{subject} must be a multiple of {value}, got {show(instance)}",
            "not": f"{subject} must not be {show(instance)}",
        }
        return messages.get(str(error.validator), f"{subject}: {error.message}")
