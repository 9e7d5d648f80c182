"""``netarch check --render``: render every diagram in a real (headless) Chromium.

``mermaid.parse`` (engine.py) is the fast check. Rendering runs layout and drawing code that
parse never reaches; this module runs the pinned ``mermaid.render`` in Debian's Chromium to
catch whatever only shows up there. One browser and one blank page serve the whole run: the
page has no origin and every network request is refused, so nothing but the pinned
mermaid.min.js can run.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from netarch.validate.engine import (
    MAX_TEXT_SIZE,
    MermaidProblem,
    RunBudget,
    find_mermaid_js,
    problems_from_error,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
DEFAULT_TIMEOUT_S = 30.0

# Like mkdocs-material: default (strict) security level. suppressErrorRendering keeps the
# "Syntax error" SVG out of the page; we read the exception instead.
_SETUP = """
mermaid.initialize({startOnLoad: false, securityLevel: 'strict', suppressErrorRendering: true});
window.__netarchN = 0;
"""

# parse first, so a failure is known to be a parse error or a render-only one.
_RENDER = """
async ([text, timeoutMs]) => {
  const id = 'netarch' + (++window.__netarchN);
  let phase = 'parse';
  const work = (async () => {
    await mermaid.parse(text);
    phase = 'render';
    await mermaid.render(id, text);
    return {ok: true};
  })();
  const timeout = new Promise((resolve) => setTimeout(
    () => resolve({ok: false, phase: phase, name: 'Timeout',
                   message: `mermaid did not finish within ${timeoutMs / 1000} s`}), timeoutMs));
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    const hash = err && err.hash ? err.hash : null;
    const loc = hash && hash.loc ? hash.loc : null;
    return {
      ok: false, phase: phase,
      name: (err && err.name) || 'Error',
      message: String((err && err.message) || err),
      loc: loc ? {first_line: loc.first_line, first_column: loc.first_column,
                  last_line: loc.last_line, last_column: loc.last_column} : null,
      token: hash && typeof hash.token === 'string' ? hash.token : null,
    };
  } finally {
    // mermaid.render leaves its scratch elements behind when it throws.
    for (const stale of [id, 'd' + id, 'i' + id]) {
      const element = document.getElementById(stale);
      if (element) element.remove();
    }
  }
}
"""


class BrowserRenderer:
    """Renders diagrams with the pinned mermaid in one headless Chromium."""

    def __init__(
        self,
        mermaid_js: Path | None = None,
        *,
        executable: str = CHROMIUM,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        budget: RunBudget | None = None,
    ) -> None:
        from playwright.sync_api import sync_playwright  # optional: mkdocs-netarch[browser]

        self.mermaid_js = Path(mermaid_js) if mermaid_js else find_mermaid_js()
        self.timeout_s = timeout_s
        self.budget = budget if budget is not None else RunBudget()  # shared with the checks
        self.renders = 0
        self._lock = threading.Lock()
        self._playwright: Any = sync_playwright().start()
        self._browser: Any = None
        try:
            # Never `playwright install`: drive Debian's chromium.
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
            )
            self._page: Any = self._browser.new_page()
            self._page.route("**/*", lambda route: route.abort())
            self._page.set_content(
                "<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>"
            )
            self._page.add_script_tag(content=self.mermaid_js.read_text(encoding="utf-8"))
            self._page.evaluate(_SETUP)
            self.version: str = str(
                self._page.evaluate(
                    "async () => { await mermaid.parse('info');"
                    " return (await mermaid.mermaidAPI.getDiagramFromText('info')).db.getVersion(); }"
                )
            )
        except BaseException:
            self.close()
            raise

    def render(self, text: str) -> list[MermaidProblem]:
        """Problems mermaid.render reports for ``text`` (empty list: it renders)."""
        if not text.strip():
            return [MermaidProblem(0, 0, "empty Mermaid diagram", "MERMAID_EMPTY")]
        if len(text) > MAX_TEXT_SIZE:
            # render() would "succeed" by drawing its placeholder; report it like the engine.
            return [
                MermaidProblem(
                    0,
                    0,
                    f"diagram is {len(text):,} characters; mermaid renders at most "
                    f"{MAX_TEXT_SIZE:,} (maxTextSize)",
                    "MERMAID_SIZE",
                )
            ]
        with self._lock:
            if self._browser is None:
                raise RuntimeError("BrowserRenderer is closed")
            deadline = self.budget.deadline(self.timeout_s)
            if deadline is None:
                return self.budget.problems()
            self.renders += 1
            started = time.monotonic()
            try:
                result = self._page.evaluate(_RENDER, [text, int(deadline * 1000)])
            finally:
                self.budget.spend(time.monotonic() - started)
        if result.get("ok"):
            return []
        if result.get("name") == "Timeout":
            if deadline < self.timeout_s:  # stopped by the run's budget
                return self.budget.problems()
            return [MermaidProblem(0, 0, result["message"], "MERMAID_TIMEOUT")]
        problems = problems_from_error(text, result)
        if result.get("phase") == "render":
            return [MermaidProblem(p.line, p.column, p.message, "MERMAID_RENDER") for p in problems]
        return problems

    def close(self) -> None:
        with self._lock:
            browser, self._browser = self._browser, None
            playwright, self._playwright = self._playwright, None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()

    def __enter__(self) -> BrowserRenderer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
