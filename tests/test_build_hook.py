"""hatch_build.py: the Mermaid that goes into the wheel is the one the lock names, or none."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hatch_build", REPO_ROOT / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(script: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in (
            ("package/dist/mermaid.min.js", script),
            ("package/LICENSE", b"The MIT License (MIT)\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _in_npm_cache(cache: Path, blob: bytes, digest: bytes) -> None:
    hexdigest = digest.hex()
    path = cache / "_cacache" / "content-v2" / "sha512" / hexdigest[:2] / hexdigest[2:4]
    path.mkdir(parents=True)
    (path / hexdigest[4:]).write_bytes(blob)


def test_the_lock_names_the_pinned_version(hook: ModuleType) -> None:
    pinned = hook.pinned_mermaid(REPO_ROOT)
    assert pinned["version"] == "12.3.0"
    assert pinned["integrity"].startswith("sha512-")


def test_vendors_from_npms_cache_after_checking_the_hash(
    hook: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = _tarball(b"/* mermaid */")
    digest = hashlib.sha512(blob).digest()
    pinned = {"version": "12.3.0", "integrity": "sha512-" + base64.b64encode(digest).decode()}
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm"))
    _in_npm_cache(tmp_path / "npm", blob, digest)
    vendor = tmp_path / "vendor"
    assert not hook.is_vendored(vendor, pinned)
    hook.vendor_mermaid(vendor, pinned)
    assert (vendor / "mermaid.min.js").read_bytes() == b"/* mermaid */"
    assert (vendor / "LICENSE").read_bytes().startswith(b"The MIT License")
    stamp = json.loads((vendor / "pinned.json").read_text(encoding="utf-8"))
    assert stamp == {**pinned, "sha256": hashlib.sha256(b"/* mermaid */").hexdigest()}
    assert hook.is_vendored(vendor, pinned)
    # Another lock, or a script changed after vendoring: vendored again, not trusted.
    assert not hook.is_vendored(vendor, {**pinned, "version": "12.3.1"})
    (vendor / "mermaid.min.js").write_bytes(b"/* changed */")
    assert not hook.is_vendored(vendor, pinned)


def test_a_cached_tarball_with_other_bytes_is_not_used(
    hook: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = _tarball(b"/* mermaid */")
    digest = hashlib.sha512(blob).digest()
    pinned = {"version": "12.3.0", "integrity": "sha512-" + base64.b64encode(digest).decode()}
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm"))
    _in_npm_cache(tmp_path / "npm", _tarball(b"/* tampered */"), digest)
    downloads: list[str] = []

    class Response(io.BytesIO):
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def urlopen(url: str, timeout: float) -> Response:
        downloads.append(url)
        return Response(_tarball(b"/* from the registry, also wrong */"))

    monkeypatch.setattr(hook.urllib.request, "urlopen", urlopen)
    with pytest.raises(RuntimeError, match="does not match the integrity hash"):
        hook.fetch_tarball(pinned)
    assert downloads == ["https://registry.npmjs.org/mermaid/-/mermaid-12.3.0.tgz"]


def test_only_sha512_integrity_is_accepted(hook: ModuleType) -> None:
    with pytest.raises(RuntimeError, match="unsupported integrity"):
        hook.fetch_tarball({"version": "12.3.0", "integrity": "sha1-AAAA"})


def test_no_cache_and_no_registry_says_what_to_do(
    hook: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "empty"))

    def unreachable(url: str, timeout: float) -> object:
        raise hook.urllib.error.URLError("no route to host")

    monkeypatch.setattr(hook.urllib.request, "urlopen", unreachable)
    digest = base64.b64encode(hashlib.sha512(b"x").digest()).decode()
    with pytest.raises(RuntimeError) as caught:
        hook.fetch_tarball({"version": "12.3.0", "integrity": f"sha512-{digest}"})
    assert "could not be fetched (<urlopen error no route to host>)" in str(caught.value)
    assert "run `npm ci` once" in str(caught.value)
