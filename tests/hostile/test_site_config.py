"""netarch check reads mkdocs.yml as MkDocs does, and every user error is a message, exit 2."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from bounded import assert_bounded_output, run_netarch

REPO_ROOT = Path(__file__).resolve().parents[2]
UNKNOWN_VIEW = "# Home\n\nText.\n\n```netarch-view\nno-such-view\n```\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO_ROOT / "docs" / "network.yaml", tmp_path / "docs" / "network.yaml")
    (tmp_path / "docs" / "index.md").write_text(UNKNOWN_VIEW, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "config",
    [
        "site_name: s\nplugins: [search, netarch]\n",
        "site_name: s\nplugins:\n  search: {}\n  netarch: {model: docs/network.yaml}\n",
        "site_name: s\nplugins:\n  - search\n  - netarch:\n      model: !ENV [NETARCH_TEST_MODEL]\n",
        "INHERIT: base.yml\nsite_name: s\n",
    ],
    ids=["list of names", "mapping", "!ENV", "INHERIT"],
)
def test_every_way_of_naming_the_plugin_finds_the_model(site: Path, config: str) -> None:
    (site / "base.yml").write_text("plugins:\n  - netarch\n", encoding="utf-8")
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    # !ENV is read only for a variable the command line allows (see test_gate_secrets.py).
    allow = ["--allow-env", "NETARCH_TEST_MODEL"] if "!ENV" in config else []
    env = {"NETARCH_TEST_MODEL": "docs/network.yaml"}
    run = run_netarch("check", *allow, cwd=site, env=env)
    assert "1 model(s)" in run.output, run.output
    # The hand-written page names a view the model does not have: found, with its line.
    assert "docs/index.md:5:1: error VIEW_UNKNOWN: unknown view 'no-such-view'" in run.output
    assert run.returncode == 1


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("- a\n- b\n", "must be a mapping of settings, got a list"),
        ("plugins: 5\n", "plugins must be a list or a mapping of plugins, got a number"),
        ("plugins:\n  - netarch:\n      model: 5\n", "'model'"),
        (
            "plugins:\n  - netarch:\n      model: !ENV [NOPE, 5]\n",
            "plugins[0].netarch.model is !ENV [NOPE]",
        ),
        ("plugins:\n  - netarch:\n      checks: {NA999: error}\n", "NA999"),
        ("plugins:\n  - netarch:\n      checks: {NA125: loud}\n", "NA125"),
        ("plugins:\n  - netarch:\n      mermaid_js: missing.js\n", "'mermaid_js'"),
        ("plugins:\n  - netarch:\n      section_dir: ../x\n", "section_dir must be a folder"),
        ("plugins:\n  - netarch:\n      model: ../elsewhere.yaml\n", "outside the site"),
        ("plugins:\n  - netarch: [1]\n", "must be a mapping, got a list"),
        ("INHERIT: missing.yml\n", "INHERIT missing.yml: no such file or folder"),
        ("docs_dir: nowhere\n", "docs_dir nowhere is not a folder"),
        ("site_name: [unclosed\n", "cannot parse the configuration: expected ','"),
        ("plugins:\n  - netarch:\n      x: !!python/object/apply:os.system [touch pwned]\n", ""),
    ],
)
def test_a_bad_config_is_a_usage_error(site: Path, config: str, expected: str) -> None:
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    run = run_netarch("check", cwd=site)
    assert not (site / "pwned").exists()  # nothing in mkdocs.yml is run
    if not expected:  # an unknown option: MkDocs warns; the tag was read as nothing
        return
    assert run.returncode == 2, run.output
    assert expected in run.output
    assert re.match(r"netarch: error: mkdocs\.yml(:\d+:\d+)?: ", run.output), run.output
    assert_bounded_output(run)


def test_a_mermaid_js_that_is_not_javascript_is_a_usage_error(site: Path) -> None:
    (site / "fake.js").write_bytes(b"\x00\xff not javascript {{{")
    (site / "page.md").write_text("```mermaid\nflowchart LR\n  a --> b\n```\n", encoding="utf-8")
    run = run_netarch("check", "page.md", "--mermaid-js", "fake.js", "--no-cache", cwd=site)
    assert run.returncode == 2
    assert "netarch: error:" in run.output and "fake.js" in run.output
    assert_bounded_output(run)


@pytest.mark.parametrize("case", ["not utf-8", "folder named x.md", "broken link"])
def test_odd_markdown_files_are_usage_errors(site: Path, case: str) -> None:
    docs = site / "docs"
    if case == "not utf-8":
        (docs / "latin1.md").write_bytes("caf\xe9\n".encode("latin-1"))
    elif case == "folder named x.md":
        (docs / "x.md").mkdir()
        (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    else:
        (docs / "gone.md").symlink_to(site / "nowhere.md")
    run = run_netarch("check", "docs", cwd=site)
    if case == "folder named x.md":
        assert run.returncode == 0, run.output  # a folder of pages, not a page
    else:
        assert run.returncode == 2, run.output
        assert "netarch: error: docs/" in run.output
    assert_bounded_output(run)


def test_render_checks_its_output_before_rendering(site: Path) -> None:
    (site / "afile").write_text("x", encoding="utf-8")
    for output, expected in [
        ("afile", "exists and is not a folder"),
        ("afile/sub", "is a file, so no folder can be made under it"),
    ]:
        run = run_netarch("render", "docs/network.yaml", "-o", output, cwd=site)
        assert run.returncode == 2 and expected in run.output, run.output
        assert run.seconds < 10


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_render_into_a_read_only_folder_is_refused_first(site: Path) -> None:
    (site / "ro").mkdir(mode=0o555)
    run = run_netarch("render", "docs/network.yaml", "-o", "ro/out", cwd=site)
    assert run.returncode == 2 and "not writable" in run.output


def test_render_never_replaces_a_hand_written_page(site: Path) -> None:
    run = run_netarch("render", "docs/network.yaml", "-o", "docs", "--no-check", cwd=site)
    assert run.returncode == 2
    assert "index.md" in run.output and "not written by `netarch render`" in run.output
    assert (site / "docs" / "index.md").read_text(encoding="utf-8") == UNKNOWN_VIEW
    # Its own pages it replaces, with the umask's mode.
    out = ["render", "docs/network.yaml", "-o", "out", "--no-check"]
    assert run_netarch(*out, cwd=site).returncode == 0
    assert run_netarch(*out, cwd=site).returncode == 0
    mode = (site / "out" / "cluster.md").stat().st_mode & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    assert mode == 0o666 & ~umask
    # A page written before render kept its list is recognised by its footer; a FIFO is not.
    (site / "out" / ".netarch-pages").unlink()
    assert run_netarch(*out, cwd=site).returncode == 0
    (site / "out" / ".netarch-pages").unlink()
    (site / "out" / "rules.md").unlink()
    os.mkfifo(site / "out" / "rules.md")
    run = run_netarch(*out, cwd=site)
    assert run.returncode == 2 and "rules.md" in run.output
