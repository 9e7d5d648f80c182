"""The pull-request workflow of docs/guide/diff.md, run here as GitHub would run its steps:
its shell scripts, real git and the installed `netarch`, and a stand-in for `gh api` that
keeps the pull request's comments in a file (the real API cannot be reached from tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from diff_sites import SITE_CONFIG
from gitrepo import git, make_repo

pytestmark = pytest.mark.slow

# `gh api` as the workflow uses it: list comments (with --paginate and --jq), POST a new one,
# PATCH one by id; `-F body=@file` reads the body from a file. Each call is logged.
FAKE_GH = r"""
import json, os, subprocess, sys
state_path = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_path))
args = sys.argv[1:]
assert args[0] == "api", args
method, path, jq, body = "GET", None, None, None
rest = iter(args[1:])
for arg in rest:
    if arg == "--paginate":
        continue
    elif arg == "--method":
        method = next(rest)
    elif arg == "--jq":
        jq = next(rest)
    elif arg == "-F":
        key, _, value = next(rest).partition("=")
        assert key == "body" and value.startswith("@"), arg
        body = open(value[1:], encoding="utf-8").read()
    else:
        path = arg
state["calls"].append([method, path])
if method == "GET":
    out = json.dumps(state["comments"])
    if jq:
        out = subprocess.run(["jq", "-r", jq], input=out, capture_output=True, text=True,
                             check=True).stdout
    sys.stdout.write(out)
elif method == "POST":
    comment = {"id": 100 + len(state["comments"]), "body": body}
    state["comments"].append(comment)
elif method == "PATCH":
    number = int(path.rsplit("/", 1)[1])
    [comment] = [c for c in state["comments"] if c["id"] == number]
    comment["body"] = body
json.dump(state, open(state_path, "w"))
"""


def _workflow(repo_root: Path) -> dict[str, str]:
    """The `run` script of each named step of the guide's workflow."""
    guide = (repo_root / "docs" / "guide" / "diff.md").read_text(encoding="utf-8")
    section = guide.split("## A pull request comment that follows each push", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("\n```", 1)[0]
    steps = yaml.safe_load(block)["jobs"]["diff"]["steps"]
    assert any("pip install mkdocs-netarch" in step.get("run", "") for step in steps)
    return {step["name"]: step["run"] for step in steps if "name" in step}


@pytest.mark.skipif(shutil.which("jq") is None, reason="the gh stand-in needs jq for --jq")
def test_the_guides_workflow_posts_one_comment_and_updates_it(
    tmp_path: Path, repo_root: Path, demo_model_path: Path
) -> None:
    steps = _workflow(repo_root)
    model = demo_model_path.read_text(encoding="utf-8")
    repo = make_repo(
        tmp_path / "repo", {"mkdocs.yml": SITE_CONFIG, "docs/network.yaml": model}, branch="main"
    )
    # The pull request's checkout: origin/main is the base, the working tree the change.
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\n{FAKE_GH}", encoding="utf-8")
    gh.chmod(0o755)
    state = tmp_path / "gh-state.json"
    other = {"id": 1, "body": "Looks good to me."}
    state.write_text(json.dumps({"comments": [other], "calls": []}), encoding="utf-8")
    netarch_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{netarch_bin}{os.pathsep}{os.environ['PATH']}",
        "BASE": "main",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GH_TOKEN": "not-a-token",
        "PR": "7",
        "GITHUB_REPOSITORY": "example/site",
        "FAKE_GH_STATE": str(state),
    }

    def push(old: str, new: str) -> dict[str, list]:
        (repo / "docs" / "network.yaml").write_text(
            (repo / "docs" / "network.yaml").read_text(encoding="utf-8").replace(old, new, 1),
            encoding="utf-8",
        )
        for name in ("Describe the change", "Post or update the comment"):
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", steps[name]],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, (name, done.stderr)
        return json.loads(state.read_text(encoding="utf-8"))

    first = push("peer_asn: 65001", "peer_asn: 65002")
    report = (repo / "network-diff.md").read_text(encoding="utf-8")
    assert report.startswith("<!-- netarch-diff -->") and "65002" in report
    assert first["comments"] == [other, {"id": 101, "body": report}]
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == report
    second = push("peer_asn: 65002", "peer_asn: 65003")
    updated = (repo / "network-diff.md").read_text(encoding="utf-8")
    assert "65003" in updated
    # The same comment, edited: still one report among the pull request's comments.
    assert second["comments"] == [other, {"id": 101, "body": updated}]
    methods = [method for method, _ in second["calls"]]
    assert methods == ["GET", "POST", "GET", "PATCH"]
    assert second["calls"][-1][1] == "repos/example/site/issues/comments/101"
