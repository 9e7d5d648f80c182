"""Names no file system accepts (over 255 bytes, a path over PATH_MAX, a NUL byte, a link
loop) are errors that say so, never an OSError traceback: on the command line (exit 2) and
inside the files netarch reads (at file:line:col)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bounded import assert_bounded_output, limit_memory, run_netarch

REPO_ROOT = Path(__file__).resolve().parents[2]
LONG = "n" * 300  # one name over NAME_MAX (255)
DEEP = "d/" * 2100 + "x.yaml"  # short names, but a path over PATH_MAX (4096)
TOO_LONG = "the name is too long for the file system"
LOOP = "too many levels of symbolic links"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO_ROOT / "docs" / "network.yaml", tmp_path / "docs" / "network.yaml")
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    return tmp_path


COMMANDS = [
    (["check", f"{LONG}.yaml"], TOO_LONG),
    (["check", f"{LONG}.md"], TOO_LONG),
    (["check", f"docs/{LONG}"], TOO_LONG),
    (["check", DEEP], TOO_LONG),
    (["check", "loop.yaml"], LOOP),
    (["check", "loop.md"], LOOP),
    (["check", "docs/network.yaml", "--mermaid-js", f"{LONG}.js"], TOO_LONG),
    (["render", f"{LONG}.yaml", "-o", "out"], TOO_LONG),
    (["render", "loop.yaml", "-o", "out"], LOOP),
    (["render", "docs/network.yaml", "-o", LONG], TOO_LONG),
    (["render", "docs/network.yaml", "-o", f"out/{LONG}/pages"], TOO_LONG),
    (["render", "docs/network.yaml", "-o", "out", "--custom-templates", LONG], TOO_LONG),
    (["diff", f"{LONG}.yaml", "docs/network.yaml"], TOO_LONG),
    (["diff", "docs/network.yaml", f"{LONG}.yaml"], TOO_LONG),
    (["diff", "docs/network.yaml", DEEP], TOO_LONG),
    (["diff", "loop.yaml", "docs/network.yaml"], LOOP),
]


@pytest.mark.parametrize(("args", "problem"), COMMANDS, ids=[" ".join(a)[:60] for a, _ in COMMANDS])
def test_a_path_on_the_command_line_no_file_system_accepts_is_a_usage_error(
    site: Path, args: list[str], problem: str
) -> None:
    run = run_netarch(*args, "--no-cache" if args[0] != "diff" else "--exit-code", cwd=site)
    assert run.returncode == 2, run.output
    assert run.output.startswith("netarch: error: "), run.output
    assert problem in run.output
    assert_bounded_output(run)
    assert not (site / "out").exists()  # nothing half-written


@pytest.mark.parametrize(
    ("include", "problem"),
    [
        (f"[{LONG}.yaml]", TOO_LONG),
        (f"[{DEEP}]", TOO_LONG),
        ('["part\\0.yaml"]', "the name holds a NUL character"),
        ("[../loop.yaml]", LOOP),
    ],
    ids=["long name", "long path", "NUL", "link loop"],
)
def test_an_include_no_file_system_accepts_is_a_located_error(
    site: Path, include: str, problem: str
) -> None:
    model = site / "docs" / "network.yaml"
    model.write_text(f"include: {include}\n" + model.read_text(encoding="utf-8"), "utf-8")
    for args in (["check", "docs/network.yaml"], ["render", "docs/network.yaml", "-o", "out"]):
        run = run_netarch(*args, "--no-cache", cwd=site)
        assert run.returncode == 1, run.output
        assert "docs/network.yaml:1:11: error NA006: include '" in run.output, run.output
        assert problem in run.output
        assert_bounded_output(run)
    # When the project is the site's folder, the include reaches loop.yaml: the same error.
    (site / "mkdocs.yml").write_text("site_name: s\nplugins: [netarch]\n", encoding="utf-8")
    run = run_netarch("check", "--no-cache", cwd=site)
    assert "docs/network.yaml:1:11: error NA006: include '" in run.output, run.output
    assert problem in run.output


@pytest.mark.parametrize(
    ("base", "problem"),
    [(f"docs/{LONG}.yaml", TOO_LONG), (DEEP, TOO_LONG), ("loop.yaml", LOOP)],
    ids=["long name", "long path", "link loop"],
)
def test_a_netarch_diff_base_no_file_system_accepts_is_a_located_warning(
    site: Path, base: str, problem: str
) -> None:
    (site / "mkdocs.yml").write_text("site_name: s\nplugins: [netarch]\n", encoding="utf-8")
    page = f"# Changes\n\n```netarch-diff\nbase: {base}\n```\n"
    (site / "docs" / "changes.md").write_text(page, encoding="utf-8")
    run = run_netarch("check", "--no-cache", cwd=site)
    assert run.returncode == 1, run.output
    assert "docs/changes.md:4:7: warning DIFF_BLOCK:" in run.output, run.output
    assert problem in run.output
    assert_bounded_output(run)


@pytest.mark.parametrize(
    ("config", "where", "problem"),
    [
        (f"docs_dir: {LONG}\n", "mkdocs.yml:2:11", TOO_LONG),
        (f"plugins:\n  - netarch:\n      model: {LONG}.yaml\n", "mkdocs.yml:4:14", TOO_LONG),
        (f"plugins:\n  - netarch:\n      model: {DEEP}\n", "mkdocs.yml:4:14", TOO_LONG),
        ("plugins:\n  - netarch:\n      model: loop.yaml\n", "mkdocs.yml:4:14", LOOP),
        (f"plugins:\n  - netarch:\n      mermaid_js: {LONG}.js\n", "mkdocs.yml:4:19", TOO_LONG),
        (f"theme:\n  name: mkdocs\n  custom_dir: {LONG}\n", "mkdocs.yml:4:15", TOO_LONG),
    ],
    ids=["docs_dir", "model", "model path", "model loop", "mermaid_js", "custom_dir"],
)
def test_a_name_in_mkdocs_yml_no_file_system_accepts_is_a_located_usage_error(
    site: Path, config: str, where: str, problem: str
) -> None:
    (site / "mkdocs.yml").write_text(f"site_name: s\n{config}", encoding="utf-8")
    run = run_netarch("check", "--no-cache", cwd=site)
    assert run.returncode == 2, run.output
    assert run.output.startswith(f"netarch: error: {where}: "), run.output
    assert problem in run.output
    assert_bounded_output(run)


def test_a_mkdocs_yml_that_is_a_fifo_or_a_link_loop_is_named_as_such(site: Path) -> None:
    os.mkfifo(site / "mkdocs.yml")
    run = run_netarch("check", cwd=site, timeout_s=20)
    assert run.returncode == 2
    assert "netarch: error: mkdocs.yml: a FIFO (named pipe), not a regular file" in run.output
    (site / "mkdocs.yml").unlink()
    (site / "mkdocs.yml").symlink_to(site / "mkdocs.yml")
    run = run_netarch("check", cwd=site, timeout_s=20)
    assert run.returncode == 2
    assert f"netarch: error: mkdocs.yml: {LOOP}" in run.output


def test_a_page_id_too_long_for_a_file_name_is_a_located_model_error(site: Path) -> None:
    """A page id is a file name of the site (and of `render`): it is bounded in the schema,
    so the model says so at the id instead of the build failing while it writes."""
    model = site / "docs" / "network.yaml"
    text = model.read_text(encoding="utf-8")
    model.write_text(f"{text}\npages:\n  - id: {'p' * 300}\n    title: Long\n", "utf-8")
    line = text.count("\n") + 3
    run = run_netarch("render", "docs/network.yaml", "-o", "out", "--no-check", cwd=site)
    assert run.returncode == 1, run.output
    assert f"docs/network.yaml:{line}:9: error NA010: 'id' must be at most 100 characters" in (
        run.output
    )
    assert not (site / "out").exists()
    assert_bounded_output(run)


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        (f"{LONG}.yaml", "cannot be read (the name is too long"),
        ("docs/fifo.yaml", "is a FIFO (named pipe), not a regular file"),
        ("loop.yaml", "cannot be read (too many levels of symbolic links"),
    ],
    ids=["long name", "fifo", "link loop"],
)
def test_mkdocs_build_names_a_model_it_cannot_read(site: Path, model: str, problem: str) -> None:
    os.mkfifo(site / "docs" / "fifo.yaml")
    config = f"site_name: s\nplugins:\n  - netarch:\n      model: {model}\n"
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 1
    assert "Traceback" not in build.stderr
    assert f"ERROR   -  netarch: the model {model[:40]}" in build.stderr, build.stderr
    assert problem in build.stderr
