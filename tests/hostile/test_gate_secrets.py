"""The pull-request gate never prints an environment variable a fork's mkdocs.yml names.

In CI the environment holds secrets, and a pull request can write ``!ENV SECRET`` anywhere in
mkdocs.yml, or point a path at /proc/self/environ. Whatever the place and whatever the output
format, the canary's value must not appear: a value the check needs is refused, with its
place, unless the command line allows that one variable.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bounded import assert_bounded_output, run_netarch

REPO_ROOT = Path(__file__).resolve().parents[2]
CANARY = "c4nary-9d0e-v4lue"
# The canary under several names, and one that looks like a path the gate would read.
ENVIRONMENT = {"CI_SECRET": CANARY, "NETARCH_CANARY": CANARY, "DOCS": "docs"}
FORMATS = ("human", "github", "json")
FENCE = (
    "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n"
    "        - name: mermaid\n          class: mermaid\n"
    "          format: !!python/name:pymdownx.superfences.fence_code_format\n"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO_ROOT / "docs" / "network.yaml", tmp_path / "docs" / "network.yaml")
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    return tmp_path


def _assert_no_secret(run_output: str) -> None:
    assert CANARY not in run_output
    assert "c4nary" not in run_output.lower()  # nor a part of it


# (mkdocs.yml, where the refused !ENV is written, what the message names)
NEEDED = [
    ("docs_dir: !ENV CI_SECRET\nplugins: [netarch]\n", "1:11", "docs_dir"),
    ("plugins:\n  - netarch:\n      model: !ENV CI_SECRET\n", "3:14", "plugins[0].netarch.model"),
    (
        "plugins:\n  - netarch:\n      model: !ENV [CI_SECRET, docs/network.yaml]\n",
        "3:14",
        "plugins[0].netarch.model",
    ),
    (
        "plugins:\n  - netarch:\n      checks: {NA201: !ENV CI_SECRET}\n",
        "3:23",
        "plugins[0].netarch.checks.NA201",
    ),
    ("plugins:\n  - netarch:\n      mermaid_js: !ENV CI_SECRET\n", "3:19", "mermaid_js"),
    ("plugins:\n  - netarch:\n      section: !ENV CI_SECRET\n", "3:16", "section"),
    ("plugins:\n  - netarch:\n      enabled: !ENV CI_SECRET\n", "3:16", "enabled"),
    ("plugins:\n  netarch: {custom_templates: !ENV CI_SECRET}\n", "2:31", "custom_templates"),
    ("plugins:\n  - !ENV NETARCH_CANARY\n", "2:5", "plugins[0]"),
    ("plugins: !ENV CI_SECRET\n", "1:10", "plugins"),
    ("INHERIT: !ENV CI_SECRET\n", "1:10", "INHERIT"),
    (
        "theme:\n  name: mkdocs\n  custom_dir: !ENV CI_SECRET\nplugins: [netarch]\n",
        "3:15",
        "theme.custom_dir",
    ),
    ("theme: !ENV CI_SECRET\nplugins: [netarch]\n", "1:8", "theme"),
    ("theme:\n  name: !ENV CI_SECRET\nplugins: [netarch]\n", "2:9", "theme.name"),
    ("extra_javascript: [!ENV CI_SECRET]\nplugins: [netarch]\n", "1:20", "extra_javascript"),
    (
        "plugins: [netarch]\nmarkdown_extensions:\n  - pymdownx.superfences:\n"
        "      custom_fences: !ENV CI_SECRET\n",
        "4:22",
        "custom_fences",
    ),
]


@pytest.mark.parametrize(("config", "where", "names"), NEEDED)
def test_a_value_the_gate_needs_from_the_environment_is_refused_with_its_place(
    site: Path, config: str, where: str, names: str
) -> None:
    (site / "mkdocs.yml").write_text(f"site_name: s\n{config}", encoding="utf-8")
    line, column = where.split(":")
    # Each case in one output format, in turn (the message is the same in all three); the
    # first in all of them.
    index = [case[0] for case in NEEDED].index(config)
    for output_format in FORMATS if index == 0 else [FORMATS[index % len(FORMATS)]]:
        run = run_netarch(
            "check", "--format", output_format, cwd=site, env=ENVIRONMENT, timeout_s=30
        )
        _assert_no_secret(run.output)
        assert run.returncode == 2, run.output
        # Located in mkdocs.yml (one line lower: site_name comes first), naming the variable.
        assert f"netarch: error: mkdocs.yml:{int(line) + 1}:{column}: " in run.output, run.output
        assert names in run.output
        assert re.search(r"!ENV \[(CI_SECRET|NETARCH_CANARY)\]", run.output)
        assert "--allow-env" in run.output
        assert_bounded_output(run)


def test_values_the_gate_does_not_use_are_never_looked_at(site: Path) -> None:
    """site_name, extra, other plugins' options: MkDocs may resolve them; the check neither
    needs nor prints them, so the site checks as it would without them."""
    config = (
        "site_name: !ENV CI_SECRET\nsite_url: !ENV [CI_SECRET, https://example.org/]\n"
        "extra:\n  analytics: {property: !ENV CI_SECRET}\n"
        "plugins:\n  - search: {lang: !ENV CI_SECRET}\n  - netarch\n" + FENCE
    )
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    for output_format in FORMATS:
        run = run_netarch("check", "--format", output_format, cwd=site, env=ENVIRONMENT)
        _assert_no_secret(run.output)
        assert run.returncode == 0, run.output
        if output_format == "json":
            assert json.loads(run.stdout) == []
        assert_bounded_output(run)


def test_allowing_one_variable_resolves_that_one_only(site: Path) -> None:
    config = (
        "site_name: s\ndocs_dir: !ENV DOCS\nplugins:\n  - netarch:\n      section: !ENV CI_SECRET\n"
    )
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    run = run_netarch("check", "--allow-env", "DOCS", cwd=site, env=ENVIRONMENT)
    _assert_no_secret(run.output)
    assert run.returncode == 2
    assert "mkdocs.yml:5:16: plugins[0].netarch.section is !ENV [CI_SECRET]" in run.output
    # Allowed, and holding a folder name: used as MkDocs would use it.
    (site / "mkdocs.yml").write_text(f"site_name: s\ndocs_dir: !ENV DOCS\n{FENCE}", "utf-8")
    run = run_netarch("check", "--allow-env", "DOCS", cwd=site, env=ENVIRONMENT)
    assert run.returncode == 0, run.output
    assert "0 model(s), 1 Markdown file(s) checked" in run.output


@pytest.mark.parametrize("option", ["mermaid_js", "custom_templates", "model"])
@pytest.mark.parametrize("target", ["/proc/self/environ", "../outside", "link"])
def test_a_path_option_cannot_lead_to_a_file_outside_the_site(
    site: Path, option: str, target: str
) -> None:
    """mermaid_js: /proc/self/environ made the JavaScript engine quote the environment."""
    outside = site.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "mermaid.min.js").write_text(f"var secret = {CANARY!r};\n", encoding="utf-8")
    (site / "link").symlink_to("/proc/self/environ" if option != "custom_templates" else outside)
    value = target
    if target == "../outside" and option != "custom_templates":
        value = "../outside/mermaid.min.js"
    config = f"site_name: s\nplugins:\n  - netarch:\n      {option}: {value}\n"
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    run = run_netarch("check", "--no-cache", cwd=site, env=ENVIRONMENT, timeout_s=30)
    _assert_no_secret(run.output)
    assert run.returncode == 2, run.output
    assert "is outside the site's folder" in run.output
    assert run.output.startswith("netarch: error: mkdocs.yml:4:")
    assert_bounded_output(run)


def test_netarch_diff_reads_the_site_model_under_the_same_rule(site: Path) -> None:
    config = "site_name: s\nplugins:\n  - netarch:\n      model: !ENV CI_SECRET\n"
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    run = run_netarch("diff", "docs/network.yaml", cwd=site, env=ENVIRONMENT)
    _assert_no_secret(run.output)
    assert run.returncode == 2
    assert "mkdocs.yml:4:14: plugins[0].netarch.model is !ENV [CI_SECRET]" in run.output
