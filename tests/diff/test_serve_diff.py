"""`diff_base`: under `mkdocs serve`, each generated page says what the change against a git
revision does to it. Real git repositories in tmp_path, real builds driven as `serve` drives
them (one plugin instance, the config loaded again for every rebuild)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from diff_sites import SITE_CONFIG
from gitrepo import git, make_repo
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

import netarch.diff.preview
from netarch.mkdocs_plugin import NetarchPlugin
from netarch.validate.engine import MermaidProblem, MermaidValidator

pytestmark = pytest.mark.slow

SERVE_URL = "http://127.0.0.1:8000/"
MKDOCS_YML = SITE_CONFIG + "      check_diagrams: {check}\n{options}\n"
MODEL = """\
netarch: 1
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
nodes:
  - {id: edge1, name: edge-1, address: 192.168.8.11, mtu: 1500}
  - {id: edge2, name: edge-2, address: 192.168.8.12, mtu: 1500}
"""
# Generated pages of MODEL: nodes are on the cluster page only, components on theirs.
CLUSTER = "architecture/cluster"
COMPONENTS = "architecture/components"
NOTE = re.compile(r'<div class="admonition info netarch-changes">.*?\n</div>', re.DOTALL)


class Preview:
    """The site in ``root``, rebuilt the way `mkdocs serve` rebuilds it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.plugin: NetarchPlugin | None = None

    def build(self) -> None:
        config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(self.root / "site"))
        if self.plugin is None:
            config.plugins.on_startup(command="serve", dirty=False)
        plugin = config.plugins["netarch"]
        assert isinstance(plugin, NetarchPlugin)
        assert self.plugin in (None, plugin), "serve keeps the plugin instance"
        self.plugin = plugin
        build(config, serve_url=SERVE_URL)

    def note(self, page: str) -> str:
        """The change note of a built page, unescaped ("" when it has none)."""
        text = (self.root / "site" / page / "index.html").read_text(encoding="utf-8")
        found = NOTE.findall(text)
        assert len(found) <= 1
        return html.unescape(found[0]) if found else ""

    def edit(self, old: str, new: str) -> None:
        model = self.root / "docs" / "network.yaml"
        text = model.read_text(encoding="utf-8")
        assert old in text, old
        model.write_text(text.replace(old, new, 1), encoding="utf-8")

    def close(self) -> None:
        if self.plugin is not None:
            self.plugin.on_shutdown()


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[Callable[..., Preview]]:
    previews: list[Preview] = []

    def make(options: str, *, check: bool = False, repository: bool = True) -> Preview:
        root = tmp_path / "site"
        files = {
            "mkdocs.yml": MKDOCS_YML.format(check=str(check).lower(), options=options),
            "docs/index.md": "# Home\n",
            "docs/network.yaml": MODEL,
        }
        if repository:
            make_repo(root, files)
            git(root, "checkout", "-q", "-b", "feature")
        else:
            for name, text in files.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(text, encoding="utf-8")
        preview = Preview(root)
        previews.append(preview)
        return preview

    yield make
    for preview in previews:
        preview.close()


@pytest.fixture
def base_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of every base model run through the pipeline."""
    runs: list[str] = []
    real = netarch.diff.preview.describe_side

    def counting(path: Path, label: str, **settings: object) -> object:
        runs.append(label)
        return real(path, label, **settings)  # type: ignore[arg-type]

    monkeypatch.setattr(netarch.diff.preview, "describe_side", counting)
    return runs


def test_the_pages_a_change_alters_say_what_and_the_others_nothing(
    make_site: Callable[..., Preview], monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_check = MermaidValidator.check

    def recording(self: MermaidValidator, text: str) -> list[MermaidProblem]:
        checked.append(text)
        return real_check(self, text)

    monkeypatch.setattr(MermaidValidator, "check", recording)
    preview = make_site("      diff_base: main", check=True)
    preview.edit("192.168.8.12, mtu: 1500", "192.168.8.12, mtu: 9000")
    preview.build()
    note = preview.note(CLUSTER)
    assert "Changed since main (" in note
    assert "table <em>Nodes</em> (changed)" in note
    assert "node <code>edge2</code>" in note and "<code>1500</code> → <code>9000</code>" in note
    # The finding the change introduces is about the node this page shows.
    assert "Findings introduced" in note and "NA152" in note
    assert "<code>netarch diff main</code>" in note
    [drawn] = re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', note, re.DOTALL)
    assert "changed: node edge2" in drawn
    assert drawn.rstrip() in [text.rstrip() for text in checked], "checked by Mermaid"
    # Untouched pages, generated or not, say nothing.
    assert preview.note(COMPONENTS) == "" and preview.note("") == ""
    assert "netarch-changes" not in (preview.root / "site" / "index.html").read_text("utf-8")


def test_the_notes_follow_each_save_and_the_base_is_read_once_per_commit(
    make_site: Callable[..., Preview], base_runs: list[str]
) -> None:
    preview = make_site("      diff_base: main")
    preview.build()
    assert preview.note(CLUSTER) == "" and base_runs == ["main:docs/network.yaml"]

    preview.edit("address: 192.168.8.11", "address: 192.168.8.21")
    preview.build()
    assert "<code>192.168.8.11</code> → <code>192.168.8.21</code>" in preview.note(CLUSTER)
    assert preview.note(COMPONENTS) == ""

    preview.edit("version: 0.25.1", "version: 0.26.0")
    preview.build()
    assert "<code>0.25.1</code> → <code>0.26.0</code>" in preview.note(COMPONENTS)
    assert "192.168.8.21" in preview.note(CLUSTER) and "0.26.0" not in preview.note(CLUSTER)
    assert len(base_runs) == 1, "the base revision did not move"

    # main moves on: the new base is read, and the change against it is smaller.
    git(preview.root, "stash", "-q")
    git(preview.root, "checkout", "-q", "main")
    preview.edit("version: 0.25.1", "version: 0.26.0")
    git(preview.root, "commit", "-qam", "newer flannel")
    git(preview.root, "checkout", "-q", "feature")
    git(preview.root, "stash", "pop", "-q")
    preview.build()
    assert len(base_runs) == 2
    assert preview.note(COMPONENTS) == "" and "192.168.8.21" in preview.note(CLUSTER)


def test_auto_compares_with_the_merge_base_of_the_default_branch(
    make_site: Callable[..., Preview],
) -> None:
    preview = make_site("      diff_base: auto")
    preview.edit("version: 0.25.1", "version: 0.26.0")
    git(preview.root, "commit", "-qam", "newer flannel, on the branch")
    preview.build()
    note = preview.note(COMPONENTS)
    assert "Changed since merge-base(main) (" in note
    assert "<code>0.25.1</code> → <code>0.26.0</code>" in note
    assert "<code>netarch diff</code>" in note


@pytest.mark.parametrize(
    ("options", "repository", "reason"),
    [
        ("      diff_base: no-such-branch", True, "'no-such-branch' is neither a model file"),
        ("      diff_base: main", False, "not a git repository"),
        ("      diff_base: auto", False, "not a git repository"),
    ],
)
def test_no_base_to_compare_with_is_one_warning_and_the_pages_are_served(
    make_site: Callable[..., Preview],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    options: str,
    repository: bool,
    reason: str,
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    preview = make_site(options, repository=repository)
    preview.edit("version: 0.25.1", "version: 0.26.0")
    preview.build()
    preview.edit("version: 0.26.0", "version: 0.27.0")
    preview.build()
    warnings = [r.getMessage() for r in caplog.records if "diff_base" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert reason in warnings[0] and "the pages are shown without what changed" in warnings[0]
    page = (preview.root / "site" / COMPONENTS / "index.html").read_text(encoding="utf-8")
    assert "0.27.0" in page and "netarch-changes" not in page


def test_a_base_without_the_model_is_one_warning(
    make_site: Callable[..., Preview], caplog: pytest.LogCaptureFixture
) -> None:
    preview = make_site("      diff_base: main")
    git(preview.root, "mv", "docs/network.yaml", "docs/net.yaml")
    git(preview.root, "commit", "-qm", "rename the model")
    config = preview.root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("docs/network.yaml", "docs/net.yaml"))
    preview.build()
    [warning] = [r.getMessage() for r in caplog.records if "diff_base" in r.getMessage()]
    assert "the model at main" in warning and "does not load, nothing to compare with" in warning
    assert preview.note(CLUSTER) == ""


def test_a_broken_model_shows_its_errors_not_a_note(make_site: Callable[..., Preview]) -> None:
    preview = make_site("      diff_base: main")
    preview.edit("version: 0.25.1", "version: 0.26.0")
    preview.build()
    assert preview.note(COMPONENTS) != ""
    preview.edit("pod_cidr: 10.42.0.0/16", "pod_cidr: [")
    preview.build()
    page = (preview.root / "site" / COMPONENTS / "index.html").read_text(encoding="utf-8")
    assert "netarch-problems" in page and "netarch-changes" not in page


_BUILD = """\
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="build", dirty=False)
build(config)
config.plugins.on_shutdown()
print(sorted(name for name in sys.modules if name.startswith("netarch.diff")))
"""


@pytest.mark.parametrize("in_build", [False, True])
def test_mkdocs_build_imports_nothing_for_it_unless_asked(
    make_site: Callable[..., Preview], in_build: bool
) -> None:
    options = "      diff_base: main" + ("\n      diff_in_build: true" if in_build else "")
    preview = make_site(options)
    preview.edit("version: 0.25.1", "version: 0.26.0")
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, str(preview.root / "mkdocs.yml"), str(preview.root / "out")],
        cwd=preview.root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = (preview.root / "out" / COMPONENTS / "index.html").read_text(encoding="utf-8")
    if in_build:
        assert "netarch-changes" in page and "0.26.0" in page
        assert "netarch.diff.preview" in done.stdout
    else:
        assert "netarch-changes" not in page
        assert done.stdout.strip() == "[]"


def test_an_option_like_revision_is_refused_when_the_config_loads(
    make_site: Callable[..., Preview], caplog: pytest.LogCaptureFixture
) -> None:
    preview = make_site("      diff_base: --output=x")
    with pytest.raises(Abort):
        preview.build()
    assert "'diff_base': diff_base must be a git revision" in caplog.text
