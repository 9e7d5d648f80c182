"""Put the pinned Mermaid into the sdist and the wheel, so users need neither Node nor npm.

The version and the sha512 ``integrity`` of the tarball come from package-lock.json, the same
lock ``npm ci`` installs the checkout's Mermaid from. The tarball is taken from npm's own cache
when it is there (content-addressed by that very hash), else downloaded from the npm registry;
either way it is verified against the lock before ``dist/mermaid.min.js`` and ``LICENSE`` are
extracted into ``plugin/netarch/_vendor/mermaid/`` (ignored by git). A ``pinned.json`` beside
them records the version, the integrity and the sha256 of the script, so that a wheel built
from the sdist (which carries the extracted files, not the 26 MB tarball) can tell that they
are the ones the lock names without fetching anything.

Editable installs are left alone: a checkout uses its own ``node_modules``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDOR = Path("plugin") / "netarch" / "_vendor" / "mermaid"
FILES = ("mermaid.min.js", "LICENSE", "pinned.json")
REGISTRY = "https://registry.npmjs.org"
MAX_TARBALL_BYTES = 200 * 1024 * 1024  # mermaid 12.3.0 is 26 MB


class MermaidBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        vendor = root / VENDOR
        pinned = pinned_mermaid(root)
        if not is_vendored(vendor, pinned):
            vendor_mermaid(vendor, pinned)
        for name in FILES:
            source = (VENDOR / name).as_posix()
            # The wheel holds the package itself; the sdist keeps the source layout.
            target = f"netarch/_vendor/mermaid/{name}" if self.target_name == "wheel" else source
            build_data["force_include"][str(root / source)] = target


def pinned_mermaid(root: Path) -> dict[str, str]:
    """``{"version", "integrity"}`` of mermaid in package-lock.json."""
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))
    entry = lock["packages"]["node_modules/mermaid"]
    return {"version": entry["version"], "integrity": entry["integrity"]}


def is_vendored(vendor: Path, pinned: dict[str, str]) -> bool:
    """True when ``vendor`` holds the files of exactly the pinned tarball."""
    try:
        stamp = json.loads((vendor / "pinned.json").read_text(encoding="utf-8"))
        script = (vendor / "mermaid.min.js").read_bytes()
    except (OSError, ValueError):
        return False
    return (
        (vendor / "LICENSE").is_file()
        and {k: stamp.get(k) for k in pinned} == pinned
        and stamp.get("sha256") == hashlib.sha256(script).hexdigest()
    )


def vendor_mermaid(vendor: Path, pinned: dict[str, str]) -> None:
    tarball = fetch_tarball(pinned)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        script = _member(archive, "package/dist/mermaid.min.js")
        licence = _member(archive, "package/LICENSE")
    vendor.mkdir(parents=True, exist_ok=True)
    stamp = {**pinned, "sha256": hashlib.sha256(script).hexdigest()}
    for name, content in (
        ("mermaid.min.js", script),
        ("LICENSE", licence),
        ("pinned.json", json.dumps(stamp, indent=2).encode() + b"\n"),
    ):
        temporary = vendor / f".{name}.tmp"
        temporary.write_bytes(content)
        temporary.replace(vendor / name)  # the stamp last: a half-done copy is not trusted


def fetch_tarball(pinned: dict[str, str]) -> bytes:
    """The tarball the lock names, verified against its integrity hash."""
    algorithm, _, expected_b64 = pinned["integrity"].partition("-")
    if algorithm != "sha512":
        raise RuntimeError(f"package-lock.json: unsupported integrity {pinned['integrity']!r}")
    expected = base64.b64decode(expected_b64)
    cached = _npm_cache_entry(expected)
    if cached.is_file():
        data = cached.read_bytes()
        if hashlib.sha512(data).digest() == expected:
            return data
    version = pinned["version"]
    url = f"{REGISTRY}/mermaid/-/mermaid-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read(MAX_TARBALL_BYTES + 1)
    except OSError as error:  # URLError and timeouts included
        raise RuntimeError(
            f"mermaid {version} is not in npm's cache and {url} could not be fetched ({error});"
            " run `npm ci` once (it fills the cache), or build where the npm registry is reachable"
        ) from None
    if len(data) > MAX_TARBALL_BYTES:
        raise RuntimeError(f"{url}: larger than {MAX_TARBALL_BYTES} bytes")
    if hashlib.sha512(data).digest() != expected:
        raise RuntimeError(
            f"{url} does not match the integrity hash in package-lock.json; refusing to ship it"
        )
    return data


def _npm_cache_entry(digest: bytes) -> Path:
    """Where npm's content-addressed cache (cacache) keeps a blob with this sha512."""
    cache = os.environ.get("npm_config_cache") or os.environ.get("NPM_CONFIG_CACHE")  # noqa: SIM112 (npm spells it so)
    base = Path(cache) if cache else Path.home() / ".npm"
    hexdigest = digest.hex()
    return (
        base / "_cacache" / "content-v2" / "sha512" / hexdigest[:2] / hexdigest[2:4] / hexdigest[4:]
    )


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.getmember(name)
    extracted = archive.extractfile(member) if member.isfile() else None
    if extracted is None:
        raise RuntimeError(f"the mermaid tarball has no file {name}")
    return extracted.read()
