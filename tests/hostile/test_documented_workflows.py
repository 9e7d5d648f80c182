"""The CI workflows the documentation shows run nothing a pull request controls.

A workflow triggered by a pull request checks out the pull request's own files: running
`npm ci` there executes the install scripts of its `package.json`, `pip install -e .` its
build backend, `make` its Makefile. A reader copies the workflows of the guides as they are,
so each one is read here from the Markdown (every ```yaml block with `jobs:` in README.md and
docs/) and held to what docs/guide/security.md promises.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
_YAML_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.MULTILINE | re.DOTALL)

# Package managers that run scripts of the package files they install from.
_SCRIPTED_INSTALL = re.compile(r"^(npm|yarn|pnpm)\s+(ci|install|i|add|rebuild)\b")
_RUNS_PROJECT_SCRIPTS = [
    (
        re.compile(r"^(npm|pnpm|yarn)\s+(run|run-script|test|start|exec)\b"),
        "runs a package.json script",
    ),
    (re.compile(r"^(npx|make|tox|nox)\b"), "runs the checkout's own build or task files"),
    (re.compile(r"^pre-commit\s+run\b"), "runs the hooks .pre-commit-config.yaml names"),
    (re.compile(r"\bsetup\.py\b|^python3?\s+-m\s+build\b"), "runs the checkout's build backend"),
    (re.compile(r"^(bash|sh)?\s*\.{0,2}/?[\w./-]+\.(sh|py)\b"), "runs a script of the checkout"),
]
# pip arguments that install (or fetch what is named in) the checkout's own files.
_PIP_LOCAL = re.compile(r"^(-e|--editable|-r|--requirement|-c|--constraint)$|^\.|/|^file:|^git\+")


def documented_workflows() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in _YAML_BLOCK.finditer(text):
            block = match.group(1)
            if not re.search(r"^jobs:", block, re.MULTILINE):
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(REPO_ROOT)}:{line}", yaml.safe_load(block)))
    return found


def _commands(script: str) -> list[str]:
    """The simple commands of a `run:` script, comments dropped."""
    commands = []
    for line in script.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line.startswith("#"):
            continue
        commands += [part.strip() for part in re.split(r"&&|\|\||;|\|", line) if part.strip()]
    return commands


def problems_of(workflow: dict[str, Any]) -> list[str]:
    """What in ``workflow`` runs code a pull request controls, or hands it a credential."""
    problems = []
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    names = triggers if isinstance(triggers, (list, dict)) else [triggers]
    for trigger in ("pull_request_target", "workflow_run"):
        if trigger in names:
            problems.append(f"triggered by {trigger}, which runs with the base's secrets")
    outside_steps = {key: value for key, value in workflow.items() if key != "jobs"}
    if "secrets." in yaml.safe_dump(outside_steps):
        problems.append("hands a secret to every job")
    for job_name, job in workflow.get("jobs", {}).items():
        if "secrets." in yaml.safe_dump({k: v for k, v in job.items() if k != "steps"}):
            problems.append(f"{job_name}: hands a secret to every step")
        for step in job.get("steps", []):
            # A secret only for a step that reads the pull request as data (netarch itself).
            commands = _commands(str(step.get("run", "")))
            reads_only = bool(commands) and all(re.match(r"netarch\s", c) for c in commands)
            if "secrets." in yaml.safe_dump(step) and not reads_only:
                problems.append(f"{job_name}: hands a secret to a step that runs other code")
            uses = str(step.get("uses", ""))
            if uses.startswith("./"):
                problems.append(f"{job_name}: uses the checkout's own action {uses}")
            keeps_token = (step.get("with") or {}).get("persist-credentials") is not False
            if uses.startswith("actions/checkout") and keeps_token:
                problems.append(f"{job_name}: checkout leaves the token in .git/config")
            for command in _commands(str(step.get("run", ""))):
                problems += [f"{job_name}: `{command}` {why}" for why in _command_problems(command)]
    return problems


def _command_problems(command: str) -> list[str]:
    if _SCRIPTED_INSTALL.match(command) and "--ignore-scripts" not in command:
        return ["runs the install scripts of the pull request's package.json"]
    found = [why for pattern, why in _RUNS_PROJECT_SCRIPTS if pattern.search(command)]
    try:
        words = shlex.split(command)
    except ValueError:  # a line continued on the next one: not a pip command
        words = command.split()
    if words[:2] in (["pip", "install"], ["pip3", "install"]) or words[1:4] == [
        "-m",
        "pip",
        "install",
    ]:
        start = words.index("install") + 1
        local = [word for word in words[start:] if _PIP_LOCAL.search(word)]
        if local:
            found.append(f"installs from the checkout ({' '.join(local)})")
    return found


WORKFLOWS = documented_workflows()


def test_the_guides_workflows_are_all_found() -> None:
    where = {place.split(":")[0] for place, _ in WORKFLOWS}
    assert {"docs/guide/security.md", "docs/guide/pull-requests.md", "docs/guide/diff.md"} <= where


@pytest.mark.parametrize(("place", "workflow"), WORKFLOWS, ids=[p for p, _ in WORKFLOWS])
def test_no_documented_workflow_runs_what_a_pull_request_controls(
    place: str, workflow: dict[str, Any]
) -> None:
    assert problems_of(workflow) == [], place
    # netarch itself comes from the package index, by name.
    runs = " ".join(
        str(step.get("run", ""))
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
    )
    assert re.search(r"pip install \"?mkdocs-netarch", runs), place


def _with_step(step: dict[str, Any], trigger: Any = "pull_request") -> dict[str, Any]:
    checkout = {"uses": "actions/checkout@v4", "with": {"persist-credentials": False}}
    return {True: trigger, "jobs": {"j": {"steps": [checkout, step]}}}


@pytest.mark.parametrize(
    "workflow",
    [
        _with_step({"run": "npm ci"}),
        _with_step({"run": "npm install --no-audit"}),
        _with_step({"run": "yarn install"}),
        _with_step({"run": "npm run build"}),
        _with_step({"run": "npx mkdocs-something"}),
        _with_step({"run": "make test"}),
        _with_step({"run": "pip install -e ."}),
        _with_step({"run": "pip install ."}),
        _with_step({"run": "python -m pip install -r requirements.txt"}),
        _with_step({"run": "pip install ./plugin"}),
        _with_step({"run": "python setup.py install"}),
        _with_step({"run": "./scripts/check.sh"}),
        _with_step({"run": "bash ci/run.sh"}),
        _with_step({"run": "pre-commit run --all-files"}),
        _with_step({"uses": "./.github/actions/setup"}),
        _with_step({"run": "netarch check"}, ["pull_request", "pull_request_target"]),
        _with_step({"run": "netarch check"}, {"workflow_run": {"workflows": ["docs"]}}),
        _with_step({"run": "mkdocs build", "env": {"T": "${{ secrets.TOKEN }}"}}),
        _with_step({"run": "netarch check && make", "env": {"T": "${{ secrets.TOKEN }}"}}),
        {
            True: "pull_request",
            "env": {"T": "${{ secrets.TOKEN }}"},
            "jobs": {"j": {"steps": [{"run": "netarch check"}]}},
        },
        {
            True: "pull_request",
            "jobs": {"j": {"env": {"T": "${{ secrets.T }}"}, "steps": [{"run": "netarch check"}]}},
        },
        {"on": "pull_request", "jobs": {"j": {"steps": [{"uses": "actions/checkout@v4"}]}}},
    ],
)
def test_the_rule_catches_each_way_a_workflow_can_run_pull_request_code(
    workflow: dict[str, Any],
) -> None:
    assert problems_of(workflow) != []


def test_the_rule_lets_a_package_index_install_and_scriptless_npm_through() -> None:
    workflow = _with_step(
        {
            "run": 'pip install "mkdocs-netarch[site]" mkdocs-material\n'
            "npm ci --ignore-scripts --no-audit\nnetarch check --format github\n"
            "mkdocs build --strict  # no secrets in this job"
        }
    )
    assert problems_of(workflow) == []
    # The cache key, to the netarch step alone: netarch reads the pull request as data.
    keyed = {"run": "netarch check --format github", "env": {"K": "${{ secrets.KEY }}"}}
    assert problems_of(_with_step(keyed)) == []
