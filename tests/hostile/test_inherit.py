"""``INHERIT:`` in a pull request's mkdocs.yml reads only the site's own YAML files.

It used to read any file on the machine (and print values from it), hang on a FIFO and give
a TypeError traceback for a parent that is not a mapping. Now it is confined as a model's
includes are, and every shape is an error at its place, with exit code 2.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bounded import assert_bounded_output, run_netarch

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "inh3rit-s3cret-5a1f"
FENCE = (
    "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n"
    "        - name: mermaid\n          class: mermaid\n"
    "          format: !!python/name:pymdownx.superfences.fence_code_format\n"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    project = tmp_path / "site"
    (project / "docs").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "docs" / "network.yaml", project / "docs" / "network.yaml")
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "outside.yml").write_text(f"site_name: {SECRET}\nplugins: 5\n", "utf-8")
    return project


def _prepare(site: Path, case: str) -> str:
    """Make what ``case`` needs next to the site; the INHERIT value that names it."""
    if case == "symlink out":
        (site / "base.yml").symlink_to(site.parent / "outside.yml")
    elif case == "symlink to /dev/zero":
        (site / "base.yml").symlink_to("/dev/zero")
    elif case == "fifo":
        os.mkfifo(site / "base.yml")
    elif case == "folder":
        (site / "base.yml").mkdir()
    elif case == "link loop":
        (site / "base.yml").symlink_to(site / "base.yml")
    elif case == "not yaml":
        (site / ".env").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
        return ".env"
    elif case == "too large":
        with (site / "base.yml").open("w", encoding="utf-8") as stream:
            stream.write("# " + "x" * 9_000_000 + "\n")
    elif case == "list":
        (site / "base.yml").write_text(f"- {SECRET}\n", encoding="utf-8")
    elif case == "scalar":
        (site / "base.yml").write_text(f"{SECRET}\n", encoding="utf-8")
    elif case == "alias bomb":
        rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for index, name in enumerate("bcdefgh"):
            prior = "abcdefgh"[index]
            rows.append(f"{name}: &{name} [" + ", ".join([f"*{prior}"] * 10) + "]")
        (site / "base.yml").write_text("\n".join(rows) + "\n", encoding="utf-8")
    elif case == "recursive alias":
        (site / "base.yml").write_text("extra: &a {again: *a}\n", encoding="utf-8")
    elif case == "nested too deep":
        (site / "base.yml").write_text("extra: " + "[" * 200 + "]" * 200 + "\n", "utf-8")
    elif case == "cycle":
        (site / "base.yml").write_text("INHERIT: mkdocs.yml\n", encoding="utf-8")
    elif case == "not utf-8":
        (site / "base.yml").write_bytes(b"site_name: caf\xe9\n")
    elif case == "syntax":
        (site / "base.yml").write_text("plugins: [netarch\n", encoding="utf-8")
    elif case == "plugins a number":
        (site / "base.yml").write_text("plugins: 5\n", encoding="utf-8")
    return "base.yml"


CASES = [
    # (case, INHERIT value or None for what _prepare gives, where, what the message says)
    ("absolute", "/proc/self/environ", "mkdocs.yml:1:10", "is outside the site's folder"),
    ("/etc/passwd", "../../../../../../etc/passwd", "mkdocs.yml:1:10", "is outside the site"),
    ("parent folder", "../outside.yml", "mkdocs.yml:1:10", "is outside the site's folder"),
    ("symlink out", None, "mkdocs.yml:1:10", "is outside the site's folder"),
    ("symlink to /dev/zero", None, "mkdocs.yml:1:10", "is outside the site's folder"),
    ("fifo", None, "mkdocs.yml:1:10", "a FIFO (named pipe), not a regular file"),
    ("folder", None, "mkdocs.yml:1:10", "it is a folder, not a file"),
    ("link loop", None, "mkdocs.yml:1:10", "too many levels of symbolic links"),
    ("not yaml", None, "mkdocs.yml:1:10", "is not a YAML file (.yml or .yaml)"),
    ("missing", "gone.yml", "mkdocs.yml:1:10", "INHERIT gone.yml: no such file or folder"),
    ("too long", "x" * 300 + ".yml", "mkdocs.yml:1:10", "the name is too long"),
    ("NUL", '"a\\0.yml"', "mkdocs.yml:1:10", "the name holds a NUL character"),
    ("a list", "[base.yml]", "mkdocs.yml:1:10", "INHERIT must name a configuration file"),
    ("a mapping", "{a: b}", "mkdocs.yml:1:10", "got a mapping"),
    ("a number", "5", "mkdocs.yml:1:10", "got a number"),
    ("empty", '""', "mkdocs.yml:1:10", "got a string"),
    ("too large", None, "mkdocs.yml:1:10", "larger than 8 MB"),
    ("list", None, "base.yml:1:1", "the configuration must be a mapping of settings, got a list"),
    ("scalar", None, "base.yml:1:1", "must be a mapping of settings, got a string"),
    ("alias bomb", None, "base.yml:", "expands to more than 100000 values"),
    ("recursive alias", None, "base.yml:1:8", "recursive alias"),
    ("nested too deep", None, "base.yml:1:", "nested more than 64 levels deep"),
    ("cycle", None, "base.yml:1:10", "leads back to a file that inherits from it"),
    ("self", "mkdocs.yml", "mkdocs.yml:1:10", "leads back to a file that inherits from it"),
    ("not utf-8", None, "base.yml:1:15", "not valid UTF-8 (byte 0xe9)"),
    ("syntax", None, "base.yml:2:1", "cannot parse the configuration"),
    ("plugins a number", None, "base.yml:1:10", "plugins must be a list or a mapping"),
]


@pytest.mark.parametrize(("case", "value", "where", "message"), CASES, ids=[c[0] for c in CASES])
def test_an_inherit_the_gate_may_not_read_is_a_located_usage_error(
    site: Path, case: str, value: str | None, where: str, message: str
) -> None:
    named = _prepare(site, case)
    (site / "mkdocs.yml").write_text(f"INHERIT: {value or named}\nsite_name: s\n", "utf-8")
    run = run_netarch("check", cwd=site, timeout_s=30, env={"CI_TOKEN": SECRET})
    assert run.returncode == 2, run.output
    assert run.output.startswith(f"netarch: error: {where}"), run.output
    assert message in run.output
    assert SECRET not in run.output and "root:x:0" not in run.output
    assert_bounded_output(run)


def test_a_chain_of_inherits_merges_as_mkdocs_merges_it(site: Path) -> None:
    (site / "config").mkdir()
    (site / "config" / "base.yml").write_text(
        f"site_name: base\nplugins:\n  - netarch:\n      model: docs/missing.yaml\n{FENCE}",
        encoding="utf-8",
    )
    # The middle file names its parent relative to itself, as MkDocs reads it.
    (site / "config" / "middle.yml").write_text("INHERIT: base.yml\n", encoding="utf-8")
    (site / "mkdocs.yml").write_text(
        "INHERIT: config/middle.yml\nplugins:\n  - netarch:\n      model: docs/network.yaml\n",
        encoding="utf-8",
    )
    run = run_netarch("check", cwd=site)
    assert run.returncode == 0, run.output
    assert "1 model(s), 1 Markdown file(s) checked: 0 problem(s)" in run.output


def test_an_inherit_chain_is_bounded(site: Path) -> None:
    for index in range(12):
        (site / f"c{index}.yml").write_text(f"INHERIT: c{index + 1}.yml\n", encoding="utf-8")
    (site / "c12.yml").write_text("site_name: s\n", encoding="utf-8")
    (site / "mkdocs.yml").write_text("INHERIT: c0.yml\n", encoding="utf-8")
    run = run_netarch("check", cwd=site)
    assert run.returncode == 2
    assert "more than 10 levels of INHERIT" in run.output
    assert_bounded_output(run)


def test_inherit_is_relative_to_the_inheriting_file_wherever_the_check_runs(site: Path) -> None:
    (site / "base.yml").write_text("site_name: s\nplugins: 5\n", encoding="utf-8")
    (site / "mkdocs.yml").write_text("INHERIT: base.yml\n", encoding="utf-8")
    run = run_netarch("check", "site/mkdocs.yml", cwd=site.parent)
    assert run.returncode == 2
    assert run.output.startswith("netarch: error: site/base.yml:2:10: plugins must be a list")
