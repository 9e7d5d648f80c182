"""What the other plugins of a site change for netarch's pages (no MkDocs imports).

mkdocs-static-i18n (1.3) builds the site once per language: its ``on_files`` (priority -100,
after every other plugin) rebuilds each file from ``docs_dir`` and fails on a page that has
no source file, such as a generated one. So with it, netarch adds its pages after it, each
language's under that language's folder, titled in that language where the model says so.

mkdocs-literate-nav (0.6) builds the nav from ``SUMMARY.md`` files in its ``on_files``
(priority -100); a link to a folder (``[Our network](architecture/)``) takes that folder's
own ``SUMMARY.md``. netarch gives its folder one for that moment, listing its pages in order,
and takes it out of the site afterwards.

Both are read from the plugin objects duck-typed: a version that renames an attribute reads
as "not there", never as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

I18N_PLUGIN = "i18n"
LITERATE_NAV_PLUGIN = "literate-nav"
_LITERATE_NAV_FILE = "SUMMARY.md"  # its `nav_file` option's default


@dataclass(frozen=True)
class Language:
    """The language of one build of a multilingual site."""

    code: str
    default: bool  # the default language's pages are at the root of the site

    @property
    def dest_prefix(self) -> str:
        """Where this language's pages go in the built site: "" or ``"fr/"``."""
        return "" if self.default else f"{self.code}/"


def i18n_language(plugins: Mapping[str, Any]) -> Language | None:
    """The language mkdocs-static-i18n builds now, or None on a site without it.

    Its first build is the default language's: then ``current_language`` is not set yet
    (its ``on_config`` runs after netarch's); it sets it before each other build."""
    plugin = plugins.get(I18N_PLUGIN)
    if plugin is None:
        return None
    default = getattr(plugin, "default_language", None)
    current = getattr(plugin, "current_language", None) or default
    if not isinstance(current, str) or not current:
        return None
    return Language(current, current == default)


def literate_nav_file(plugins: Mapping[str, Any]) -> str | None:
    """The name of mkdocs-literate-nav's nav files (``SUMMARY.md``), or None without it."""
    plugin = plugins.get(LITERATE_NAV_PLUGIN)
    if plugin is None:
        return None
    options = getattr(plugin, "config", None)
    name = getattr(options, "nav_file", None) if options is not None else None
    return name if isinstance(name, str) and name else _LITERATE_NAV_FILE
