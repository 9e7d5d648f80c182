"""Hostile inputs: every case runs under a time bound, and the heavy ones in a child process
with a memory limit too (see ``bounded.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

# The browser suite's hostile-model generator (tests/browser/hostile.py) is shared.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "browser"))
