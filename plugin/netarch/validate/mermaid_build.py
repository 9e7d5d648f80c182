"""Which ``mermaid.min.js`` to check with (and serve), and which Mermaid version it is.

Order: an explicit path (the plugin's ``mermaid_js`` option, the CLI's ``--mermaid-js``);
``$NETARCH_MERMAID_JS``; ``node_modules/mermaid`` in the site's folder (that of mkdocs.yml, or
of the model for the CLI) and its parents; the copy shipped inside the wheel; a checkout's own
``node_modules``. Only the pinned version is what netarch was tested with: any other is
reported by :meth:`MermaidBuild.mismatch`, so that a site never checks with one Mermaid
while its readers get another without anyone being told.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from netarch.validate.engine import MERMAID_VERSION, MermaidNotFound

NODE_MODULES_SCRIPT = Path("node_modules") / "mermaid" / "dist" / "mermaid.min.js"
# Put there by the wheel's build hook (hatch_build.py), with Mermaid's LICENSE and a stamp.
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "_vendor" / "mermaid"
# plugin/netarch/validate/ -> the checkout root, for an editable install.
_CHECKOUT_SCRIPT = Path(__file__).resolve().parents[3] / NODE_MODULES_SCRIPT

# How mermaid's minified bundles spell their own version: 12.x `{version:"12.3.0"}` (the info
# diagram's getVersion), 11.x `dx=M(()=>{dx="11.4.1"})`, 10.x `const Aje="10.9.1",ED=Object.freeze`.
_V = rb'"(\d+\.\d+\.\d+(?:-[\w.]+)?)"'
_VERSION_IN_SCRIPT = (
    re.compile(rb"\{version:" + _V + rb"\}"),
    re.compile(rb"=\w+\(\(\)=>\{\w+=" + _V + rb"\}\)"),
    re.compile(rb"const \w+=" + _V + rb",\w+=Object\.freeze"),
)


@dataclass(frozen=True)
class MermaidBuild:
    """One ``mermaid.min.js``, where it was found, and the version it says it is."""

    path: Path
    origin: str  # how it was chosen, for messages
    version: str | None  # None: the file does not say

    @property
    def is_pinned(self) -> bool:
        return self.version == MERMAID_VERSION

    def describe(self) -> str:
        return f"mermaid {self.version or '(unknown version)'} from {self.origin} ({self.path})"

    def mismatch(self) -> str | None:
        """Why this build is not the one netarch pins, and what to change; None when it is."""
        if self.is_pinned:
            return None
        return (
            f"checking diagrams with {self.describe()}, not the pinned mermaid"
            f" {MERMAID_VERSION} netarch is tested with: a diagram may pass here and fail in"
            f" the reader's browser, or the other way round. Use mermaid {MERMAID_VERSION}"
            f" (`npm install mermaid@{MERMAID_VERSION}`), or remove {self.origin} to use the"
            " copy shipped with netarch"
        )


def locate_mermaid(
    explicit: Path | str | None = None,
    *,
    start: Path | None = None,
    explicit_origin: str = "the mermaid_js option",
) -> MermaidBuild:
    """The build to use; ``start`` is the site's folder (default: the working directory)."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise MermaidNotFound(f"{explicit_origin} points to {path}, which is not a file")
        return MermaidBuild(path, explicit_origin, read_version(path))
    env = os.environ.get("NETARCH_MERMAID_JS")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise MermaidNotFound(
                f"NETARCH_MERMAID_JS points to {path}, which is not a file. Point it at"
                f" mermaid.min.js (mermaid {MERMAID_VERSION}), or unset it."
            )
        return MermaidBuild(path, "NETARCH_MERMAID_JS", read_version(path))
    base = (start or Path.cwd()).resolve()
    for directory in (base, *base.parents):
        candidate = directory / NODE_MODULES_SCRIPT
        if candidate.is_file():
            origin = f"{directory / 'node_modules' / 'mermaid'}"
            return MermaidBuild(candidate, origin, read_version(candidate))
    shipped = SHIPPED_DIR / "mermaid.min.js"
    if shipped.is_file():
        return MermaidBuild(shipped, "the copy shipped with netarch", _shipped_version())
    if _CHECKOUT_SCRIPT.is_file():
        return MermaidBuild(_CHECKOUT_SCRIPT, "netarch's checkout", read_version(_CHECKOUT_SCRIPT))
    raise MermaidNotFound(
        f"mermaid {MERMAID_VERSION} not found: this netarch has no copy of its own (installed"
        f" from a checkout?) and there is no {NODE_MODULES_SCRIPT} in {base} or its parents."
        " Install netarch's wheel (it holds the pinned Mermaid), run `npm ci` in the"
        f" checkout, or set NETARCH_MERMAID_JS to a mermaid.min.js of mermaid {MERMAID_VERSION}."
    )


def read_version(script: Path) -> str | None:
    """The version of a mermaid build: from its package.json, else from the script's text."""
    package = script.parent.parent / "package.json"  # node_modules/mermaid/dist/.. layout
    if script.parent.name == "dist" and package.is_file():
        try:
            manifest = json.loads(package.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
        if isinstance(manifest, dict) and manifest.get("name") == "mermaid":
            version = manifest.get("version")
            return version if isinstance(version, str) else None
    try:
        text = script.read_bytes()[:20_000_000]  # bounded: mermaid 12 is 5.5 MB
    except OSError:
        return None
    for pattern in _VERSION_IN_SCRIPT:
        match = pattern.search(text)
        if match:
            return match.group(1).decode("ascii")
    return None


def _shipped_version() -> str | None:
    try:
        stamp = json.loads((SHIPPED_DIR / "pinned.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return read_version(SHIPPED_DIR / "mermaid.min.js")
    version = stamp.get("version") if isinstance(stamp, dict) else None
    return version if isinstance(version, str) else None
