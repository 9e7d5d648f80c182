"""A model reads only YAML files inside its project and never echoes what it must not read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bounded import assert_bounded_output, run_netarch

from netarch.model.source import load_document

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-token-7f1e"


def _project(tmp_path: Path, include: str) -> Path:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    text = (REPO_ROOT / "docs" / "network.yaml").read_text(encoding="utf-8")
    (project / "docs" / "network.yaml").write_text(f"include: {include}\n{text}", encoding="utf-8")
    return project


@pytest.mark.parametrize(
    ("include", "prepare", "expected"),
    [
        ("[/proc/self/environ]", None, "is outside the project folder"),
        ("[/etc/passwd]", None, "is outside the project folder"),
        ("[../../outside.yaml]", "outside", "is outside the project folder"),
        ("[link.yaml]", "symlink-out", "is outside the project folder"),
        ("[zero.yaml]", "symlink-zero", "is outside the project folder"),
        ("[fifo.yaml]", "fifo", "included path is a FIFO (named pipe), not a regular file"),
        ("[folder.yaml]", "folder", "included path is a folder"),
        ("[secrets.env]", "dotenv", "is not a YAML file"),
    ],
)
def test_includes_that_leave_the_project_or_are_not_models_are_refused(
    tmp_path: Path, include: str, prepare: str | None, expected: str
) -> None:
    project = _project(tmp_path, include)
    docs = project / "docs"
    (tmp_path / "outside.yaml").write_text(f"token: {SECRET}\n", encoding="utf-8")
    if prepare == "symlink-out":
        (docs / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    elif prepare == "symlink-zero":
        (docs / "zero.yaml").symlink_to("/dev/zero")
    elif prepare == "fifo":
        os.mkfifo(docs / "fifo.yaml")
    elif prepare == "folder":
        (docs / "folder.yaml").mkdir()
    elif prepare == "dotenv":
        (docs / "secrets.env").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    run = run_netarch(
        "check", "docs/network.yaml", "--no-cache", cwd=project, env={"CI_TOKEN": SECRET}
    )
    assert run.returncode == 1
    assert "docs/network.yaml:1:11: error NA006: " in run.output, run.output
    assert expected in run.output
    assert SECRET not in run.output and "root:x:0" not in run.output
    assert_bounded_output(run)


def test_the_plugin_project_is_the_site_folder(tmp_path: Path) -> None:
    project = _project(tmp_path, "[../shared/part.yaml]")
    (project / "shared").mkdir()
    (project / "shared" / "part.yaml").write_text("x-part: 1\n", encoding="utf-8")
    model = project / "docs" / "network.yaml"
    # As the CLI reads it (project = the model's folder) the include leaves the project ...
    _, problems = load_document(model, "docs/network.yaml")
    assert [d.code for d in problems] == ["NA006"]
    # ... as the plugin reads it (project = the folder of mkdocs.yml) it does not.
    document, problems = load_document(model, "docs/network.yaml", project_dir=project)
    assert problems == [] and document is not None and document.data["x-part"] == 1


def test_an_included_file_that_is_not_yaml_quotes_a_short_excerpt(tmp_path: Path) -> None:
    project = _project(tmp_path, "[notes.yaml]")
    shutil.copy(REPO_ROOT / "README.md", project / "docs" / "notes.yaml")
    with (project / "docs" / "notes.yaml").open("a", encoding="utf-8") as stream:
        stream.write("\n" + "%" * 100_000 + "\x1b[31m\n")
    run = run_netarch("check", "docs/network.yaml", "--no-cache", cwd=project)
    assert run.returncode == 1
    assert "docs/notes.yaml:" in run.output
    assert_bounded_output(run)


@pytest.mark.parametrize("target", ["/proc/self/environ", "../../outside.md"])
def test_a_page_that_links_out_of_the_site_is_not_read(tmp_path: Path, target: str) -> None:
    project = _project(tmp_path, "[]")
    (project / "mkdocs.yml").write_text("site_name: s\n", encoding="utf-8")
    (tmp_path / "outside.md").write_text(f"```mermaid\n{SECRET}\n```\n", encoding="utf-8")
    (project / "docs" / "leak.md").symlink_to(target)
    # A page inside the project, linked from docs/, is read as before.
    (project / "README.md").write_text("# Read me\n", encoding="utf-8")
    (project / "docs" / "readme.md").symlink_to("../README.md")
    for args in (["check"], ["check", "docs"]):
        run = run_netarch(*args, "--no-cache", cwd=project, env={"CI_TOKEN": SECRET})
        assert run.returncode == 2, run.output
        assert "netarch: error: docs/leak.md: a symbolic link that leads out of" in run.output
        assert SECRET not in run.output
        assert_bounded_output(run)
    (project / "docs" / "leak.md").unlink()
    run = run_netarch("check", "docs", "--no-cache", cwd=project)
    assert run.returncode == 0 and "1 Markdown file(s) checked" in run.output, run.output
