"""The claims lint on real phrases: the PR #422 claims it must catch, the data it must not."""

from __future__ import annotations

import pytest

from netarch.checks.claims import placeholders, quantities
from netarch.checks.text import Text

from .conftest import Check, at, base_text, edit

# Said by the hand-written Cozystack page (cozystack-network.md §2-3.3), each with what the lint
# must report.
PR_422_QUANTITIES = [
    ("All of this happens in kernel space in approximately 100 nanoseconds.", ["100 nanoseconds"]),
    ("NAT chains\nO(n) rule traversal", ["O(n)"]),
    ("eBPF map lookup\nO(1) hash", ["O(1)"]),
    ("Lookups take ~100 ns on a 10 Gbps link.", ["~100 ns", "10 Gbps"]),
    ("eBPF is 5x faster than iptables", ["5x faster"]),
    ("Latency drops by 30% less CPU", ["30% less"]),
    ("a 64 KiB map and 2-5 ms updates", ["64 KiB", "2-5 ms"]),
    ("O(log n) for LPM tries", ["O(log n)"]),
]

NOT_QUANTITIES = [
    "Pod CIDR 10.244.0.0/16, service CIDR 10.96.0.0/16, join CIDR 100.64.0.0/16",
    "DNAT → pod 10.244.0.10:8443",
    "BGP UPDATE: 192.168.100.200/32 via Node 1",
    "Flows hashed to Node 2 (about 1/3)",
    "Traffic (1/3)",
    "Cilium 1.19.5, Kube-OVN v1.15.10, MetalLB v0.16",
    "peer ASN 65001 and my ASN 65000",
    "GENEVE on UDP 6081, the API on port 6443, devices ovn0 genev_sys_6081",
    "the pod MTU is `1400` and Kube-OVN's `mtu: 1222` with KubeSpan",
    "set `bpf.hostLegacyRouting: true` and `holdTime: 90s`",
    "node fd00:10::1/64 with MAC aa:bb:cc:dd:ee:ff",
    "3 next hops for the /32, 2 speakers",
    "see https://example.org/100ms-benchmark",
]


@pytest.mark.parametrize(("text", "expected"), PR_422_QUANTITIES)
def test_quantities_found(text: str, expected: list[str]) -> None:
    assert quantities(text) == expected


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_data_is_not_a_quantity(text: str) -> None:
    assert quantities(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ALLOW → Pod A'", [("A'", "a primed name")]),
        ("Pod X\u2032 of tenant b", [("X\u2032", "a primed name")]),
        ("Traffic to external IP (e.g. 10.x.x.20)", [("10.x.x.20", "a placeholder address")]),
        ("DNAT → Pod 10.244.x.x:8080", [("10.244.x.x", "a placeholder address")]),
        ("Gateway x.x.x.x", [("x.x.x.x", "a placeholder address")]),
        ("Owner: TBD", [("TBD", "placeholder text")]),
        ("Pod foo", [("foo", "placeholder text")]),
        ("Route ???", [("???", "placeholder text")]),
    ],
)
def test_placeholders_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert placeholders(Text((), text, False)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Egress to the ancestors' etcd, ingress and vminsert pods",
        "Kube-OVN's default subnet",
        "Clients use 192.0.2.20, 198.51.100.7 and 2001:db8::20 (RFC 5737/3849)",
        "Additional VLANs (client, DMZ, public, ...)",
        "the `tenant.cozystack.io/<tenant>` label",
        "A bar of 'x' characters",
    ],
)
def test_not_placeholders(text: str) -> None:
    assert placeholders(Text((), text, False)) == []


CLAIM = "The policy lookup runs in the kernel."


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("Policy changes are atomic — no race conditions.", "NA202", "'no race conditions'"),
        ("Cannot bypass policy — traffic MUST go through kernel.", "NA202", "'MUST go through'"),
        ("Lookups give constant performance.", "NA202", "'constant performance'"),
        ("The verifier allows no crashes.", "NA202", "'no crashes'"),
        ("Tenants are completely isolated and always safe.", "NA202", "'completely isolated'"),
        ("It takes approximately 100 nanoseconds.", "NA201", "'100 nanoseconds'"),
    ],
)
def test_claims_reported_in_the_model(check: Check, text: str, code: str, words: str) -> None:
    model = edit(base_text(), (CLAIM, text))
    [diagnostic] = check(model)
    assert (diagnostic.code, diagnostic.severity.value) == (code, "warning")
    assert words in diagnostic.message
    assert str(diagnostic.location) == at(model, f"text: ^{text[:12]}")


def test_absolute_hint_suggests_a_qualified_wording(check: Check) -> None:
    [diagnostic] = check(edit(base_text(), (CLAIM, "Policy cannot be bypassed by userspace.")))
    assert "say what it applies to" in diagnostic.hint


def test_source_on_an_enclosing_note_counts(check: Check) -> None:
    text = edit(
        base_text(),
        (
            "    leader: node1\n",
            "    leader: node1\n    notes:\n"
            "      - kind: info\n        text: Failover always takes about 10 s.\n"
            "        source: https://metallb.io/concepts/layer2/\n",
        ),
    )
    assert check(text) == []
    unsourced = text.replace("        source: https://metallb.io/concepts/layer2/\n", "")
    assert sorted(d.code for d in check(unsourced)) == ["NA201", "NA202"]


def test_config_in_settings_and_examples_is_not_prose(check: Check) -> None:
    text = edit(
        base_text(),
        (
            "    devices: ovn0 genev_sys_6081\n",
            "    devices: ovn0 genev_sys_6081\n    hold: 100 ms always\n",
        ),
        ("          relay:\n", "          note: takes 10 s, never TBD\n          relay:\n"),
    )
    assert check(text) == []


def test_diagram_labels_are_checked(check: Check) -> None:
    text = edit(base_text(), ("    name: Cilium\n", "    name: Cilium\n    role: O(1) lookups\n"))
    [diagnostic] = check(text)
    assert diagnostic.code == "NA201"
    assert str(diagnostic.location) == at(text, "role: ^O(1) lookups")


def test_placeholder_is_reported_even_with_a_source(check: Check) -> None:
    text = edit(
        base_text(), (CLAIM, "Traffic goes to Pod A'.\n    source: https://example.org/design")
    )
    assert [d.code for d in check(text)] == ["NA203"]
