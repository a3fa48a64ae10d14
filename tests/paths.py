"""Where the checkout and the shared third-party data are, importable from any test.

`from conftest import ...` picks whichever conftest.py was imported first
(tests/service and tests/evaluation have their own), so the paths live here.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
