"""The Cozystack demo model passes every check, and the PR #422 wording would not."""

from __future__ import annotations

from pathlib import Path

import pytest

from netarch.checks import run_checks
from netarch.model.network import Model, load_model

from .conftest import DISPLAY

DEMO = Path(__file__).resolve().parents[2] / "docs" / "network.yaml"


@pytest.fixture(scope="module")
def demo() -> Model:
    result = load_model(DEMO, display_path="docs/network.yaml")
    assert result.model is not None, [d.headline() for d in result.diagnostics]
    return result.model


def test_demo_has_no_findings(demo: Model) -> None:
    assert [d.headline() for d in run_checks(demo)] == []


def test_demo_silences_all_carry_reasons(demo: Model) -> None:
    def silences(data: object) -> list[dict[str, str]]:
        if isinstance(data, dict):
            own = list(data.get("silence") or [])
            return own + [s for k, v in data.items() if k != "silence" for s in silences(v)]
        if isinstance(data, list):
            return [s for item in data for s in silences(item)]
        return []

    assert all(len(s["reason"].split()) >= 3 for s in silences(demo.data))


def test_pr_422_wording_would_be_reported(tmp_path: Path) -> None:
    """The hand-written page's unsourced claims, put back into the demo, are all caught."""
    text = DEMO.read_text(encoding="utf-8")
    original = (
        "      The identity lookups and the policy-map lookup run in the kernel, in the same eBPF\n"
        "      program that handles the packet, without a context switch to user space.\n"
        "    source: https://docs.cilium.io/en/stable/network/ebpf/intro/\n"
    )
    assert text.count(original) == 1
    text = text.replace(
        original, "      All of this happens in kernel space in approximately 100 nanoseconds.\n"
    )
    text = text.replace(
        "description: The policy decision is made in the kernel, without a round trip to a"
        " user-space proxy.",
        "description: Policy changes are atomic — no race conditions.",
    )
    path = tmp_path / DISPLAY
    path.write_text(text, encoding="utf-8")
    model = load_model(path, display_path=DISPLAY).model
    assert model is not None
    assert sorted(d.code for d in run_checks(model)) == ["NA201", "NA202"]
