"""The example sites under examples/: networks unlike Cozystack's, built as a user builds them.

Each example is a mkdocs.yml, a hand-written docs/index.md and a model, docs/network.yaml.
Its model must pass `netarch check` without a single finding (and without silencing one), its
generated pages are compared whole with the golden files under golden/<example>/ (regenerate
with ``NETARCH_UPDATE_GOLDEN=1 pytest tests/examples`` and review the diff), and its site must
build with `mkdocs build --strict` from any working directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netarch.checks import run_checks
from netarch.cli import main
from netarch.model.network import load_model
from netarch.pipeline import generate

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
GOLDEN = Path(__file__).parent / "golden"
NAMES = ("cilium-bgp", "eks")

# The pages each example gets, and the products whose kits it activates: a change to the
# page plan or the kits that drops or adds one shows up here first.
PAGES = {
    "cilium-bgp": (
        "index.md",
        "cluster.md",
        "components.md",
        "load-balancing.md",
        "routing.md",
        "service-load-balancing.md",
        "observability.md",
        "traffic-flows.md",
        "rules.md",
    ),
    "eks": (
        "index.md",
        "cluster.md",
        "components.md",
        "load-balancing.md",
        "service-load-balancing.md",
        "tenant-isolation.md",
        "traffic-flows.md",
        "rules.md",
    ),
}


def model_path(name: str) -> Path:
    return EXAMPLES / name / "docs" / "network.yaml"


def test_every_example_folder_is_tested() -> None:
    found = sorted(p.name for p in EXAMPLES.iterdir() if (p / "mkdocs.yml").is_file())
    assert found == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_example_model_loads_without_a_finding(name: str) -> None:
    loaded = load_model(model_path(name))
    assert loaded.model is not None
    assert not loaded.diagnostics, [d.headline() for d in loaded.diagnostics]


@pytest.mark.parametrize("name", NAMES)
def test_netarch_check_passes_without_a_finding(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    assert main(["check", "--format", "json", f"examples/{name}/docs/network.yaml"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_example_silences_nothing(name: str) -> None:
    # A clean check that only holds because a finding is silenced would prove nothing.
    assert "silence:" not in model_path(name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def generated() -> dict[str, dict[str, str]]:
    pages: dict[str, dict[str, str]] = {}
    for name in NAMES:
        result = generate(model_path(name), display_path=f"examples/{name}/docs/network.yaml")
        assert result.ok, [d.headline() for d in result.diagnostics]
        assert not result.diagnostics, [d.headline() for d in result.diagnostics]
        pages[name] = {page.src_uri: page.markdown for page in result.pages}
    return pages


@pytest.mark.parametrize("name", NAMES)
def test_the_example_generates_exactly_these_pages(
    generated: dict[str, dict[str, str]], name: str
) -> None:
    assert sorted(generated[name]) == sorted(PAGES[name])


@pytest.mark.parametrize(("name", "page"), [(name, page) for name in NAMES for page in PAGES[name]])
def test_generated_page_matches_golden(
    generated: dict[str, dict[str, str]], name: str, page: str
) -> None:
    golden = GOLDEN / name / page
    if os.environ.get("NETARCH_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(generated[name][page], encoding="utf-8")
    assert generated[name][page] == golden.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_site_builds_strictly_from_another_directory(name: str, tmp_path: Path) -> None:
    # As a user runs it: `-f` names the config, `model:` is relative to that file, not to
    # the working directory.
    site = tmp_path / "site"
    config = EXAMPLES / name / "mkdocs.yml"
    process = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=tmp_path,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    built = {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")}
    expected = {"architecture"} | {
        f"architecture/{page.removesuffix('.md')}" for page in PAGES[name] if page != "index.md"
    }
    assert expected <= built


def test_the_vpc_cni_kit_shows_one_eniconfig_per_zone_under_custom_networking(
    tmp_path: Path,
) -> None:
    result = generate(model_path("eks"))
    table = result.views["eniconfigs"]
    assert [row[:3] for row in table.rows] == [
        ("eu-west-1a", "`eu-west-1a`", "`pods-a` `100.64.0.0/17`"),
        ("eu-west-1b", "`eu-west-1b`", "`pods-b` `100.64.128.0/17`"),
    ]
    # Without custom networking pods use the nodes' subnets: no ENIConfig, no table (and the
    # page that listed it is told so, NA172).
    text = model_path("eks").read_text(encoding="utf-8")
    switched_off = text.replace(
        "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: true", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: false"
    )
    path = tmp_path / "network.yaml"
    path.write_text(switched_off, encoding="utf-8")
    off = generate(path, model_checks=[run_checks])
    assert "eniconfigs" not in off.views
    assert "NA172" in {d.code for d in off.diagnostics}
