"""`netarch diff`: formats, exit codes, git revisions and a side that does not load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import git, make_repo

from netarch.cli import main

MODEL = """\
netarch: 1
include: [parts/nodes.yaml]
cluster:
  name: edge
  pod_cidr: 10.42.0.0/16
  service_cidr: 10.43.0.0/16
components:
  - id: flannel
    name: Flannel
    kind: platform
    product: flannel
    version: 0.25.1
"""
NODES = """\
nodes:
  - {id: edge1, name: edge-1, address: 192.168.8.11}
  - {id: edge2, name: edge-2, address: 192.168.8.12}
"""
MKDOCS = "site_name: t\nplugins:\n  - netarch:\n      model: docs/network.yaml\n"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def two_models(tmp_path: Path) -> tuple[Path, Path]:
    for name, text in (("base", MODEL), ("head", MODEL.replace("10.42.0.0/16", "10.50.0.0/16"))):
        (tmp_path / name / "parts").mkdir(parents=True)
        (tmp_path / name / "network.yaml").write_text(text, encoding="utf-8")
        (tmp_path / name / "parts" / "nodes.yaml").write_text(NODES, encoding="utf-8")
    return tmp_path / "base" / "network.yaml", tmp_path / "head" / "network.yaml"


def test_json_has_stable_documented_keys(
    two_models: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["diff", *map(str, two_models), "--format", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert list(report) == [
        "version",
        "has_changes",
        "base",
        "head",
        "summary",
        "changes",
        "findings",
        "pages",
        "views",
        "diagram",
        "reachability",
    ]
    assert report["version"] == 1 and report["has_changes"] is True
    assert list(report["base"]) == ["label", "loaded", "errors"]
    assert list(report["summary"]) == [
        "changes",
        "impact",
        "findings_introduced",
        "findings_fixed",
        "pages",
        "views",
        "reachability",
    ]
    # No policy in either model: nothing the reachability evaluation reads changed.
    assert report["reachability"] == {"evaluated": True, "changes": [], "notes": []}
    [change] = report["changes"]
    assert list(change) == [
        "change",
        "kind",
        "id",
        "old_id",
        "group",
        "impact",
        "file",
        "line",
        "base",
        "fields",
    ]
    assert (change["change"], change["kind"], change["id"], change["group"]) == (
        "changed",
        "settings",
        "cluster",
        "address-plan",
    )
    assert change["file"].endswith("head/network.yaml") and change["line"] == 5
    assert change["fields"] == [
        {
            "field": "cluster.pod_cidr",
            "old": "10.42.0.0/16",
            "new": "10.50.0.0/16",
            "old_present": True,
            "new_present": True,
            "file": change["file"],
            "line": 5,
        }
    ]
    assert list(report["findings"]) == ["introduced", "fixed"]
    assert {"page": "cluster.md", "change": "changed"} in report["pages"]


def test_markdown_is_a_pull_request_comment_with_the_sections(
    two_models: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["diff", *map(str, two_models), "--format", "markdown"], capsys)
    assert code == 0
    assert out.startswith("<!-- netarch-diff -->\n## Network changes:")
    assert "### ⚠️ Reachability and address space" in out
    assert "<code>10.42.0.0/16</code> → <code>10.50.0.0/16</code>" in out
    assert "### Generated pages and diagrams" in out
    assert "- page <code>cluster.md</code>: changed" in out
    assert "### The change drawn\n\n```mermaid\n" in out and "\nflowchart LR\n" in out
    assert "Legend (borders): green = added" in out


def test_markdown_escapes_model_text_and_folds_long_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.yaml"
    head = tmp_path / "head.yaml"
    base.write_text(MODEL.replace("include: [parts/nodes.yaml]\n", ""), encoding="utf-8")
    many = "".join(
        f"  - id: c{index}\n    name: '<img src=x onerror=alert(1)> | {index}'\n    kind: workload\n"
        for index in range(15)
    )
    renamed = base.read_text(encoding="utf-8").replace(
        "name: Flannel", "name: '<script>x</script> | `y`'"
    )
    head.write_text(renamed + many, encoding="utf-8")
    code, out, _ = _run(["diff", str(base), str(head), "--format", "markdown"], capsys)
    assert code == 0
    assert "<img" not in out and "<script>" not in out
    assert "<code>&#60;script&#62;x&#60;/script&#62; &#124; &#96;y&#96;</code>" in out
    assert "<details><summary>16 changes</summary>" in out


def test_human_output_and_exit_codes(
    two_models: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = map(str, two_models)
    code, out, _ = _run(["diff", base, head], capsys)
    assert code == 0
    assert "Reachability and address space:" in out
    assert "cluster.pod_cidr: 10.42.0.0/16 -> 10.50.0.0/16" in out
    assert _run(["diff", base, head, "--exit-code"], capsys)[0] == 1
    code, out, _ = _run(["diff", base, base, "--exit-code"], capsys)
    assert code == 0 and "no change" in out


def test_a_missing_model_file_is_a_usage_error(
    two_models: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(["diff", str(tmp_path / "nope.yaml"), str(two_models[1])], capsys)
    assert code == 2 and out == ""
    assert err.strip() == f"netarch: error: {tmp_path / 'nope.yaml'}: no such model file"


def test_without_a_model_or_mkdocs_yml_a_revision_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(["diff"], capsys)
    assert code == 2 and out == ""
    assert err == (
        "netarch: error: no model: name it with --model, or run where mkdocs.yml names it\n"
    )


def test_a_side_that_does_not_load_is_reported_and_the_other_described(
    two_models: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = two_models
    base.write_text("netarch: 1\ncluster: {name: [\n", encoding="utf-8")
    code, out, _ = _run(["diff", str(base), str(head), "--format", "markdown"], capsys)
    assert code == 0
    assert "> **Base (" in out and "does not load**" in out
    assert "NA001" in out
    assert "component <code>flannel</code>" in out
    code, out, _ = _run(["diff", str(base), str(head)], capsys)
    assert code == 0
    assert f"base ({base}) does not load; it counts as empty:" in out
    assert "error NA001" in out and "added component flannel" in out
    code, out, _ = _run(["diff", str(base), str(head), "--format", "json", "--exit-code"], capsys)
    report = json.loads(out)
    assert code == 1
    assert report["base"]["loaded"] is False and report["base"]["errors"][0]["code"] == "NA001"
    assert report["head"]["loaded"] is True


# ------------------------------------------------------------------------------ git revisions


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {"mkdocs.yml": MKDOCS, "docs/network.yaml": MODEL, "docs/parts/nodes.yaml": NODES}
    root = make_repo(tmp_path / "site", files)
    monkeypatch.chdir(root)
    return root


def test_a_revision_with_its_includes_against_the_working_tree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nodes = repo / "docs" / "parts" / "nodes.yaml"
    nodes.write_text(NODES.replace("192.168.8.12", "192.168.8.22"), encoding="utf-8")
    code, out, err = _run(["diff", "HEAD", "--format", "json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["base"] == {"label": "HEAD:docs/network.yaml", "loaded": True, "errors": []}
    [change] = report["changes"]
    assert (change["kind"], change["id"], change["file"], change["line"]) == (
        "node",
        "edge2",
        "docs/parts/nodes.yaml",
        3,
    )
    assert change["base"]["file"] == "HEAD:docs/parts/nodes.yaml"
    assert change["fields"][0]["old"] == "192.168.8.12"


def test_two_revisions_and_a_move_between_include_files(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The nodes move into the main file: no change of content.
    model = repo / "docs" / "network.yaml"
    model.write_text(MODEL.replace("include: [parts/nodes.yaml]\n", "") + NODES, encoding="utf-8")
    git(repo, "rm", "-q", "docs/parts/nodes.yaml")
    git(repo, "commit", "-qam", "inline the nodes")
    code, out, err = _run(["diff", "HEAD~1", "HEAD", "--exit-code"], capsys)
    assert code == 0, (out, err)
    assert "no change" in out


def test_a_revision_before_the_model_existed_is_a_side_that_does_not_load(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "mv", "docs/network.yaml", "docs/net.yaml")
    git(repo, "commit", "-qm", "rename the model")
    code, out, err = _run(
        ["diff", "HEAD~1", "--model", "docs/net.yaml", "--format", "json"], capsys
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["base"]["label"] == "HEAD~1:docs/net.yaml"
    assert report["base"]["loaded"] is False
    assert (
        "cannot read HEAD~1:docs/net.yaml: file not found" in report["base"]["errors"][0]["message"]
    )
    assert report["head"]["loaded"] is True
    assert {"added"} == {change["change"] for change in report["changes"]}


def test_no_arguments_compare_with_the_merge_base(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    model = repo / "docs" / "network.yaml"
    model.write_text(MODEL.replace("version: 0.25.1", "version: 0.26.0"), encoding="utf-8")
    git(repo, "commit", "-qam", "newer flannel")
    code, out, err = _run(["diff", "--exit-code"], capsys)
    assert code == 1, err
    assert "merge-base(main):docs/network.yaml -> docs/network.yaml" in out
    assert "version: 0.25.1 -> 0.26.0" in out


def test_without_a_default_branch_the_base_must_be_named(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "branch", "-q", "-m", "main", "trunk")
    code, out, err = _run(["diff"], capsys)
    assert code == 2 and out == ""
    assert "no default branch" in err and "netarch diff <revision>" in err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_revision_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["diff", "no-such-branch"], capsys)
    assert code == 2
    assert "'no-such-branch' is neither a model file nor a git revision" in err
    # Never handed to git as an option.
    code, _, err = _run(["diff", "--", "--output=x"], capsys)
    assert code == 2
    assert "'--output=x' is not a revision" in err


def test_outside_a_repository_a_revision_is_a_usage_error(
    two_models: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = _run(["diff", "HEAD", "--model", str(two_models[1])], capsys)
    assert code == 2
    assert "not a git repository" in err


@pytest.mark.parametrize("include", ["ABSOLUTE", "../../secret.yaml"])
def test_an_include_outside_the_repository_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, include: str
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("nodes: [{id: secret, name: secret}]\n", encoding="utf-8")
    include = str(secret) if include == "ABSOLUTE" else include
    model = repo / "docs" / "network.yaml"
    model.write_text(MODEL.replace("parts/nodes.yaml", include), encoding="utf-8")
    git(repo, "commit", "-qam", "include from outside")
    code, out, err = _run(["diff", "HEAD", "HEAD", "--format", "json"], capsys)
    # The loader reads includes only inside the model's project: neither side reads the file,
    # each says why, and nothing of the file's content reaches the report.
    assert code == 0, err
    assert "is outside the project folder" in out
    assert "id: secret" not in out + err and "name: secret" not in out + err
