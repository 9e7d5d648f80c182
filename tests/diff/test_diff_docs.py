"""docs/guide/diff.md shows what `netarch diff` prints today, and documents every JSON key."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from netarch.cli import main

# The change the guide's examples describe, made to the demo model.
EDITS = [
    ("peer_asn: 65001", "peer_asn: 65002"),
    ("    version: 0.16.1", "    version: 0.17.0"),
    (
        "addresses: [192.168.100.200-192.168.100.250]",
        "addresses: [192.168.100.200-192.168.100.240]",
    ),
]


@pytest.fixture
def guide(repo_root: Path) -> str:
    return (repo_root / "docs" / "guide" / "diff.md").read_text(encoding="utf-8")


@pytest.fixture
def example(tmp_path: Path, demo_model_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    text = demo_model_path.read_text(encoding="utf-8")
    (tmp_path / "main").mkdir()
    (tmp_path / "main" / "network.yaml").write_text(text, encoding="utf-8")
    for before, after in EDITS:
        assert text.count(before) == 1
        text = text.replace(before, after)
    (tmp_path / "pr").mkdir()
    (tmp_path / "pr" / "network.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return ["diff", "main/network.yaml", "pr/network.yaml"]


def _fence(page: str, language: str, after: str = "") -> str:
    """The first fence of ``language`` after the heading ``after``."""
    found = re.search(rf"```{language}\n(.*?)```", page[page.index(after) :], re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_human_example_is_current(
    guide: str, example: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(example) == 0
    assert capsys.readouterr().out == _fence(guide, "text", "## Formats")


# The guide's reachability example: the policy shown, added before the demo's parent-tenant one.
PARENT_TENANT = "    - id: from-parent-tenant\n"


@pytest.fixture
def policy_example(tmp_path: Path, demo_model_path: Path, guide: str) -> list[str]:
    text = demo_model_path.read_text(encoding="utf-8")
    assert text.count(PARENT_TENANT) == 1
    policy = _fence(guide, "yaml", "## Who can reach whom")
    # Its own folder: a test may use both examples.
    root = tmp_path / "policy"
    added = text.replace(PARENT_TENANT, policy + PARENT_TENANT)
    for folder, model in (("main", text), ("pr", added)):
        (root / folder).mkdir(parents=True)
        (root / folder / "network.yaml").write_text(model, encoding="utf-8")
    return ["diff", "main/network.yaml", "pr/network.yaml"]


def test_the_reachability_example_is_current(
    guide: str,
    policy_example: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path / "policy")
    assert main(policy_example) == 0
    shown = _fence(guide, "text", "## Who can reach whom")
    # The guide shows the report's first section; the element changes follow it.
    assert capsys.readouterr().out.startswith(shown + "\n")


def test_the_drawn_example_is_current(
    guide: str, example: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*example, "--format", "markdown"]) == 0
    assert _fence(guide, "mermaid") in capsys.readouterr().out


def test_every_json_key_is_documented(
    guide: str,
    example: list[str],
    policy_example: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main([*example, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Every word inside a code span: `changes[].old_id` documents "changes" and "old_id".
    documented = set(re.findall(r"[a-z_]+", " ".join(re.findall(r"`([^`\n]+)`", guide))))
    keys = set(report) | set(report["base"]) | set(report["summary"]) | set(report["findings"])
    keys |= set(report["changes"][0]) | set(report["changes"][0]["fields"][0])
    keys |= set(report["pages"][0]) | set(report["views"][0])
    monkeypatch.chdir(tmp_path / "policy")
    assert main([*policy_example, "--format", "json"]) == 0
    reachability = json.loads(capsys.readouterr().out)["reachability"]
    [pair, *_] = reachability["changes"]
    keys |= set(reachability) | set(pair) | set(pair["from"]) | set(pair["to"])
    keys |= set(pair["traffic"][0]) | set(pair["policies"][0])
    assert keys - documented == set()


GOLDEN = Path(__file__).with_name("golden") / "demo-change.md"


def test_the_markdown_report_of_the_demo_change_is_the_golden_one(
    example: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole pull request comment, byte for byte; after an intended change, write it
    again with NETARCH_UPDATE_GOLDEN=1 and review the difference."""
    assert main([*example, "--format", "markdown"]) == 0
    report = capsys.readouterr().out
    if os.environ.get("NETARCH_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(report, encoding="utf-8")
    assert report == GOLDEN.read_text(encoding="utf-8")
