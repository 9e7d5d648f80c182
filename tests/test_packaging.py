"""`pip install .` (not only editable) must carry the templates, the schema and the pinned Mermaid."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.mark.slow
def test_the_wheel_carries_templates_schema_and_entry_points(
    tmp_path: Path, repo_root: Path
) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(repo_root),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("mkdocs_netarch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(
        p.relative_to(repo_root).as_posix() for p in (repo_root / "templates").rglob("*.jinja")
    )
    for template in templates:
        assert f"netarch/{template}" in names, template
    assert "netarch/model/network.schema.json" in names
    assert "netarch/model/core.schema.json" in names
    # Each kit travels whole: its schema and its page templates with its code.
    kits = repo_root / "plugin" / "netarch" / "kits"
    for path in (*kits.rglob("schema.json"), *kits.rglob("*.jinja")):
        assert f"netarch/kits/{path.relative_to(kits).as_posix()}" in names, path
    assert "netarch/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "netarch = netarch.mkdocs_plugin:NetarchPlugin" in text
    assert "netarch = netarch.cli:main" in text

    # The pinned Mermaid, as the lock names it, with its licence.
    lock = json.loads((repo_root / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/mermaid"]
    archive = zipfile.ZipFile(wheel)
    script = archive.read("netarch/_vendor/mermaid/mermaid.min.js")
    stamp = json.loads(archive.read("netarch/_vendor/mermaid/pinned.json"))
    assert stamp["version"] == pinned["version"]
    assert stamp["integrity"] == pinned["integrity"]
    assert stamp["sha256"] == hashlib.sha256(script).hexdigest()
    assert b"MIT License" in archive.read("netarch/_vendor/mermaid/LICENSE")
    metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Name: mkdocs-netarch" in metadata
    assert "License-Expression: MIT" in metadata
    assert any(n.endswith("licenses/LICENSE") for n in names)


def test_every_install_line_in_the_docs_names_the_distribution(repo_root: Path) -> None:
    """`netarch` on PyPI is another project: `pip install netarch` would install that."""
    import re

    documents = [repo_root / "README.md", *sorted((repo_root / "docs").rglob("*.md"))]
    documents += sorted((repo_root / "plugin" / "netarch" / "starter").rglob("*"))
    install = re.compile(r"pip3? install\b(?P<args>[^\n`]*)")
    wrong = re.compile(r"""(?<![\w.-])["']?netarch(?:\[[^\]]*\])?["']?(?![\w.-])""")
    found = []
    for document in documents:
        if not document.is_file():
            continue
        text = document.read_text(encoding="utf-8")
        for match in install.finditer(text):
            if wrong.search(match.group("args")):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{document.relative_to(repo_root)}:{line}: {match.group(0)}")
    assert found == [], "install mkdocs-netarch, not netarch:\n" + "\n".join(found)


# Until the first release is on PyPI, no page may say `pip install mkdocs-netarch` works, nor
# link the PyPI page. The release workflow makes that release; after it, this goes.
RELEASED = False


def _documents(repo_root: Path) -> list[Path]:
    documents = [repo_root / "README.md", repo_root / "pyproject.toml"]
    documents += sorted((repo_root / "docs").rglob("*.md"))
    documents += sorted(p for p in (repo_root / "plugin" / "netarch" / "starter").rglob("*"))
    return [document for document in documents if document.is_file()]


@pytest.mark.skipif(RELEASED, reason="mkdocs-netarch is on PyPI")
def test_before_the_first_release_no_document_says_pypi_has_it(repo_root: Path) -> None:
    import re

    claims = []
    for document in _documents(repo_root):
        text = document.read_text(encoding="utf-8")
        shown = document.relative_to(repo_root)
        if "pypi.org/project/mkdocs-netarch" in text:
            claims.append(f"{shown}: links the PyPI page")
        installs = re.search(r"pip3? install[^\n`]*mkdocs-netarch(?![\w.-]*\.whl)", text)
        if installs and "not on PyPI yet" not in text:
            claims.append(f"{shown}: {installs.group(0)!r} without saying it is not on PyPI yet")
    # The page `netarch init` writes says how the section is made, never where to get netarch.
    starter = (repo_root / "plugin" / "netarch" / "starter" / "docs" / "index.md").read_text()
    assert "pypi" not in starter.lower()
    assert claims == []


def test_the_release_workflow_builds_tests_the_wheel_as_a_user_and_publishes_trusted(
    repo_root: Path,
) -> None:
    import yaml

    workflow = yaml.safe_load(
        (repo_root / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    )
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert trigger == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]

    def runs(job: str) -> str:
        return "\n".join(step.get("run", "") for step in jobs[job]["steps"])

    assert "python3 -m build --sdist --wheel" in runs("build")
    assert 'test "v$version" = "$GITHUB_REF_NAME"' in runs("build")
    # The wheel that was built, installed in a fresh virtualenv, used with only it on PATH.
    tested = runs("test-wheel")
    assert 'pip" install dist/mkdocs_netarch-*.whl' in tested and "-e " not in tested
    assert "actions/checkout" not in str(jobs["test-wheel"]["steps"])
    for command in ("netarch init mysite", "netarch check", "mkdocs build --strict"):
        assert command in tested
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"build", "test-wheel"}
    assert publish["permissions"] == {"id-token": "write"}
    [upload] = [s for s in publish["steps"] if "gh-action-pypi-publish" in s.get("uses", "")]
    assert "with" not in upload, "trusted publishing: no password or token"
    assert publish["environment"]["name"] == "pypi"
