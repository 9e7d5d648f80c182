"""Does every diagram of a built site render in a real browser, offline, whatever its theme?

Material draws each ``pre.mermaid`` into a closed shadow root; other themes get netarch's
drawing script, which puts the SVG in place of the block. Both count here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from audit import CHROMIUM_ARGS, open_browser, visit_site
from sites import BlockingProxy, from_the_site


def diagram_problems(site_dir: Path, base_url: str, proxy: BlockingProxy) -> dict[str, list[str]]:
    """Page -> what is wrong on it (every page is listed; an empty list means all is well)."""

    async def visit() -> dict[str, list[str]]:
        args = [*CHROMIUM_ARGS, f"--proxy-server={proxy.url}"]
        async with open_browser(args) as browser:
            visited = await visit_site(browser, base_url, site_dir, "light", proxy.refused)
        problems: dict[str, list[str]] = {}
        for audit in visited.audits:
            found: list[str] = []
            drawn = audit.light_dom_svgs + sum(1 for d in audit.diagrams if d.width > 0)
            if drawn != audit.expected_diagrams:
                found.append(f"{drawn} of {audit.expected_diagrams} diagrams drawn")
            if audit.leftover_code_blocks:
                found.append(f"{audit.leftover_code_blocks} diagrams left as code")
            found += [f"shows {text!r}" for text in audit.error_texts]
            found += [f"external request {url}" for url in audit.external_requests]
            found += [f"refused {entry}" for entry in from_the_site(audit.blocked)]
            found += [f"console error {message}" for message in audit.console_errors]
            problems[audit.label] = found
        between = visited.between_pages
        leaked = between.external_requests + from_the_site(between.blocked)
        if leaked:
            problems["(between pages)"] = leaked
        return problems

    return asyncio.run(visit())
