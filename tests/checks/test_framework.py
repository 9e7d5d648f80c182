"""Silences, severity overrides, the claims-only entry point and the rule registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netarch.checks import (
    CLAIM_RULES,
    RULES,
    check_claims,
    check_severity_overrides,
    rules_for,
    rules_for_docs,
    run_checks,
)
from netarch.diagnostics import Severity
from netarch.kits import active_kits

from .conftest import Check, at, base_text, edit, load

POOL_A = "    - id: pool-a\n"
POOL_B = (
    "addresses: [192.168.100.200-192.168.100.250]\n",
    "addresses: [192.168.100.200-192.168.100.250]\n"
    "    - id: pool-b\n      addresses: [192.168.100.240/28]\n",
)


def silence(*rules: str, reason: str = "reviewed: kept on purpose") -> str:
    entries = ", ".join(f"{{rule: {rule}, reason: '{reason}'}}" for rule in rules)
    return f"      silence: [{entries}]\n"


def codes(diagnostics: list) -> list[str]:
    return sorted(d.code for d in diagnostics)


def test_silence_on_the_finding_element(check: Check) -> None:
    text = edit(
        base_text(),
        POOL_B,
        ("    - id: pool-b\n", "    - id: pool-b\n" + silence("NA121", "NA125")),
    )
    # Both rules silenced on pool-b, and neither silence is stale.
    assert "silence: [{rule: NA121" in text
    assert codes(check(text)) == []


def test_silence_on_the_other_end_of_an_overlap(check: Check) -> None:
    text = edit(base_text(), POOL_B, (POOL_A, POOL_A + silence("NA121")))
    found = check(text)
    assert "NA121" not in codes(found)
    assert "NA190" not in codes(found)
    # The unannounced pool-b is still reported: a silence only covers its own rule.
    assert codes(found) == ["NA125"]


def test_silence_on_a_section_covers_what_is_inside(check: Check) -> None:
    text = edit(
        base_text(),
        ("service_cidr: 10.96.0.0/16", "service_cidr: 10.244.128.0/17"),
        ("service_subnets: [10.96.0.0/16]", "service_subnets: [10.244.128.0/17]"),
        ("cluster_ip: 10.96.0.50", "cluster_ip: 10.244.128.50"),
        ("  name: test\n", "  name: test\n  silence: [{rule: NA101, reason: lab cluster}]\n"),
    )
    assert codes(check(text)) == []


def test_silence_elsewhere_does_not_hide_and_is_stale(check: Check) -> None:
    text = edit(
        base_text(),
        ("pod_mtu: 1400", "pod_mtu: 1450"),
        ("    - id: pool-a\n", "    - id: pool-a\n" + silence("NA150")),
    )
    found = check(text)
    assert codes(found) == ["NA150", "NA190"]
    [stale] = [d for d in found if d.code == "NA190"]
    assert str(stale.location) == at(text, "silence: [^{rule: NA150")
    assert "matches no finding" in stale.message


def test_silence_of_a_rule_switched_off_is_not_stale(check: Check) -> None:
    text = edit(base_text(), (POOL_A, POOL_A + silence("NA121")))
    assert codes(check(text, {"NA121": "off"})) == []
    assert codes(check(text)) == ["NA190"]


def test_stale_silences_can_be_switched_off(check: Check) -> None:
    text = edit(base_text(), (POOL_A, POOL_A + silence("NA121")))
    assert check(text, {"NA190": "off"}) == []


@pytest.mark.parametrize(
    ("override", "expected"),
    [("error", Severity.ERROR), ("warning", Severity.WARNING), ("INFO", Severity.INFO)],
)
def test_severity_override(check: Check, override: str, expected: Severity) -> None:
    text = edit(base_text(), ("pod_mtu: 1400", "pod_mtu: 1450"))
    [diagnostic] = check(text, {"NA150": override})
    assert diagnostic.code == "NA150"
    assert diagnostic.severity is expected


def test_severity_override_off(check: Check) -> None:
    text = edit(base_text(), ("pod_mtu: 1400", "pod_mtu: 1450"))
    assert check(text, {"NA150": "off"}) == []


def test_invalid_overrides_are_refused(check: Check) -> None:
    assert check_severity_overrides({"NA150": "fatal", "NA777": "error"}) == [
        "severity override NA150: 'fatal' is not one of error, info, off, warning",
        "severity override for unknown rule or kit 'NA777'",
    ]
    assert check_severity_overrides({"NA201": "error", "NA190": "off"}) == []
    with pytest.raises(ValueError, match="NA777"):
        check(base_text(), {"NA777": "error"})


def test_check_claims_runs_only_the_claims_lint(tmp_path: Path) -> None:
    text = edit(
        base_text(),
        ("pod_mtu: 1400", "pod_mtu: 1450"),
        ("The policy lookup runs in the kernel.", "The lookup always takes 100 ns."),
        # A network silence is not judged by the claims lint.
        (POOL_A, POOL_A + silence("NA121")),
    )
    model = load(tmp_path, text)
    assert codes(check_claims(model)) == ["NA201", "NA202"]
    assert codes(run_checks(model)) == ["NA150", "NA190", "NA201", "NA202"]
    raised = check_claims(model, {"NA201": "error"})
    assert {d.code: d.severity for d in raised}["NA201"] is Severity.ERROR


def test_registry() -> None:
    rule_codes = [r.code for r in RULES]
    assert rule_codes == sorted(set(rule_codes))
    # NA1xx network rules of the core and the first kits, NA2xx claims, NA3xx further kits.
    assert all(re.fullmatch(r"NA[123]\d\d", code) for code in rule_codes)
    assert {r.code for r in CLAIM_RULES} == {"NA201", "NA202", "NA203"}
    for entry in rules_for_docs():
        assert set(entry) == {
            "code",
            "severity",
            "title",
            "rationale",
            "source",
            "hint",
            "section",
            "kit",
        }
        assert all(entry.values()), entry
        assert entry["severity"] in ("error", "warning")
    # Network rules that a real component rejects are errors; lints are warnings.
    severities = {r.code: r.severity for r in RULES}
    assert severities["NA101"] is Severity.ERROR
    assert severities["NA125"] is Severity.WARNING
    assert all(severities[c] is Severity.WARNING for c in ("NA201", "NA202", "NA203"))


def test_a_rule_about_two_products_applies_only_when_both_are_used(tmp_path: Path) -> None:
    # NA142 is about Cilium chained behind Kube-OVN: a Cilium-only model neither runs nor lists it.
    both = load(tmp_path, base_text())
    assert {"cilium", "kube_ovn"} <= {kit.name for kit in active_kits(both)}
    assert "NA142" in {r.code for r in rules_for(both)}
    text = edit(base_text(), ("    product: kube-ovn\n", ""))
    cilium_only = load(tmp_path, text)
    assert "kube_ovn" not in {kit.name for kit in active_kits(cilium_only)}
    codes_listed = {r.code for r in rules_for(cilium_only)}
    assert "NA140" in codes_listed
    assert not {"NA142", "NA143", "NA144"} & codes_listed
    assert not {"NA142", "NA143", "NA144"} & {d.code for d in run_checks(cilium_only)}
