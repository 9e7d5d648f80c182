"""`netarch init`, `netarch schema`, `--version`, and what the CLI says about its Mermaid."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import yaml

from netarch import cli
from netarch.cli import main
from netarch.scaffold import SCHEMA


def _load_mkdocs_yml(path: Path) -> dict[str, object]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"netarch {cli._version()}"
    assert cli._version()[0].isdigit()  # the installed mkdocs-netarch's version


def test_init_writes_a_site_whose_modeline_points_to_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "new" / "mysite"
    assert main(["init", str(site), "--theme", "readthedocs"]) == 0
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        "docs/index.md",
        "docs/network.yaml",
        "mkdocs.yml",
        "network.schema.json",
    ]
    model = site / "docs" / "network.yaml"
    first_line = model.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema=")
    schema_ref = first_line.partition("$schema=")[2]
    assert (model.parent / schema_ref).resolve() == (site / "network.schema.json").resolve()
    assert json.loads((site / "network.schema.json").read_text(encoding="utf-8")) == json.loads(
        SCHEMA.read_text(encoding="utf-8")
    )
    config = _load_mkdocs_yml(site / "mkdocs.yml")
    assert config["theme"] == {"name": "readthedocs", "highlightjs": False}
    assert {"netarch": {"model": "docs/network.yaml"}} in config["plugins"]  # type: ignore[operator]
    assert "cd " in capsys.readouterr().err


def test_init_picks_material_only_when_it_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "material" else real_find_spec(name, *args),
    )
    assert main(["init", str(tmp_path)]) == 0
    assert _load_mkdocs_yml(tmp_path / "mkdocs.yml")["theme"] == {
        "name": "mkdocs",
        "highlightjs": False,
    }


def test_init_gives_a_material_site_the_demos_light_and_dark_palettes(
    tmp_path: Path, demo_model_path: Path
) -> None:
    assert main(["init", str(tmp_path), "--theme", "material"]) == 0
    theme = _load_mkdocs_yml(tmp_path / "mkdocs.yml")["theme"]
    demo = _load_mkdocs_yml(demo_model_path.parents[1] / "mkdocs.yml")["theme"]
    assert isinstance(theme, dict) and isinstance(demo, dict)
    assert [entry["scheme"] for entry in theme["palette"]] == ["default", "slate"]
    assert theme["palette"] == demo["palette"]
    assert theme["font"] is False


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docs").mkdir()
    mine = tmp_path / "docs" / "index.md"
    mine.write_text("# Mine\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "netarch: error:" in err and "docs/index.md" in err and "overwrites nothing" in err
    assert "Traceback" not in err
    assert mine.read_text(encoding="utf-8") == "# Mine\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["docs", "index.md"]


def test_init_into_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    assert main(["init", str(target)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_the_starter_model_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path), "--theme", "mkdocs"]) == 0
    assert main(["check", str(tmp_path / "mkdocs.yml")]) == 0
    err = capsys.readouterr().err
    assert "0 problem(s)" in err and "warning" not in err


def test_schema_prints_the_installed_path_and_writes_a_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.is_file() and printed.name == "network.schema.json"
    copy = tmp_path / "schema.json"
    assert main(["schema", "--write", str(copy)]) == 0
    assert copy.read_bytes() == printed.read_bytes()
    assert main(["schema", "--write", str(tmp_path / "no" / "such" / "dir.json")]) == 2


def test_render_without_playwright_is_a_usage_error(
    demo_model_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "playwright" else real_find_spec(name, *args),
    )
    assert main(["check", "--render", str(demo_model_path)]) == 2
    err = capsys.readouterr().err
    assert "--render needs Playwright" in err and "mkdocs-netarch[browser]" in err


def _fake_mermaid_package(folder: Path, version: str, script: Path) -> Path:
    """node_modules/mermaid in ``folder`` whose package.json says ``version``."""
    package = folder / "node_modules" / "mermaid"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps({"name": "mermaid", "version": version}), encoding="utf-8"
    )
    shutil.copy(script, package / "dist" / "mermaid.min.js")
    return package / "dist" / "mermaid.min.js"


def test_check_uses_the_mermaid_next_to_the_model_and_names_both_versions(
    tmp_path: Path,
    demo_model_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from netarch.validate.mermaid_build import locate_mermaid

    monkeypatch.delenv("NETARCH_MERMAID_JS", raising=False)
    pinned = locate_mermaid(start=Path("/")).path
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    shutil.copy(demo_model_path, site / "docs" / "network.yaml")
    _fake_mermaid_package(site, "11.0.0", pinned)
    monkeypatch.chdir(tmp_path)  # not where node_modules is: it is found from the model
    assert main(["check", str(site / "docs" / "network.yaml")]) == 0
    err = capsys.readouterr().err
    assert "netarch: warning: checking diagrams with mermaid 11.0.0" in err
    assert str(site / "node_modules" / "mermaid") in err
    assert "not the pinned mermaid 12.3.0" in err


@pytest.mark.parametrize(
    ("script", "says"),
    [
        ("this is not JavaScript (", "SyntaxError"),
        ("throw new ReferenceError('document is not defined');", "document is not defined"),
        ("var notMermaid = 1;", "did not define a global `mermaid`"),
    ],
)
def test_a_mermaid_that_cannot_run_is_one_clear_line(
    tmp_path: Path,
    demo_model_path: Path,
    script: str,
    says: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = tmp_path / "mermaid.min.js"
    broken.write_text(script, encoding="utf-8")
    code = main(["check", "--no-cache", str(demo_model_path), "--mermaid-js", str(broken)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "JSEvalException" not in err
    assert "netarch: error:" in err and says in err
    assert "(unknown version)" in err  # the warning before it names what was found


def test_the_demos_modeline_points_to_the_schema(demo_model_path: Path) -> None:
    first_line = demo_model_path.read_text(encoding="utf-8").splitlines()[0]
    schema_ref = first_line.partition("# yaml-language-server: $schema=")[2]
    assert schema_ref, first_line
    assert (demo_model_path.parent / schema_ref).resolve() == SCHEMA.resolve()


def _edited_site(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    site = tmp_path / "site"
    assert main(["init", str(site), "--theme", "mkdocs"]) == 0
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    config.write_text(text, encoding="utf-8")
    return site


def test_check_of_a_site_gives_the_plugins_warnings_where_to_fix_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cdn = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"
    site = _edited_site(
        tmp_path,
        ("  - pymdownx.superfences:", "  - pymdownx.superfences_off:"),
        (
            "plugins:\n",
            f"extra_javascript:\n  - {cdn}\n  - path: js/gone/mermaid.min.js\n"
            "    type: module\nplugins:\n  - mermaid2\n",
        ),
    )
    capsys.readouterr()
    monkeypatch.chdir(site)
    assert main(["check"]) == 1  # warnings fail the check, as they fail --strict
    out = capsys.readouterr().out.splitlines()
    lines = (site / "mkdocs.yml").read_text(encoding="utf-8").splitlines()

    def at(text: str) -> str:
        number = next(n for n, line in enumerate(lines, 1) if text in line)
        return f"mkdocs.yml:{number}:{lines[number - 1].index(text) + 1}: warning SITE_CONFIG:"

    fence, remote, missing, plugin = (
        next(line for line in out if marker in line)
        for marker in ("no ```mermaid fence", "from the network", "cannot find", "mermaid2 plugin")
    )
    assert fence.startswith("mkdocs.yml:") and "custom_fences" in fence
    assert remote.startswith(at(cdn)) and "not the 12.3.0" in remote
    assert missing.startswith(at("js/gone/mermaid.min.js"))
    assert plugin.startswith(at("mermaid2"))


def test_check_of_a_site_uses_the_mermaid_the_site_loads_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from netarch.validate.mermaid_build import locate_mermaid

    site = _edited_site(
        tmp_path, ("plugins:\n", "extra_javascript:\n  - js/mermaid.min.js\nplugins:\n")
    )
    (site / "docs" / "js").mkdir()
    vendored = site / "docs" / "js" / "mermaid.min.js"
    vendored.write_text("var notMermaid = 1;\n", encoding="utf-8")
    monkeypatch.chdir(site)
    monkeypatch.delenv("NETARCH_MERMAID_JS", raising=False)
    assert main(["check"]) == 2  # the site's own file is what its readers get: checked with it
    assert f"{vendored} did not define a global `mermaid`" in capsys.readouterr().err
    shutil.copy(locate_mermaid(start=Path("/")).path, vendored)
    assert main(["check"]) == 0
