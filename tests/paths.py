"""Where the checkout, the packaged data and the shared third-party data are.

`from conftest import ...` picks whichever conftest.py was imported first
(tests/service and tests/evaluation have their own), so the paths live here.

Tests use the data shipped in the package (`matcher/data`) or data they
make. Only tests of the ESCO import need the third-party ESCO exports beside
the checkout (`../shared/data`, or the folder `IPSMATCH_SHARED_DATA` names):
`esco_folder()` skips them, saying why, in a plain clone, and fails them in
CI (`CI=true`), where a missing folder means the tests silently stopped
testing the import.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("IPSMATCH_SHARED_DATA") or REPO.parent / "shared" / "data")
PACKAGED_DATA = REPO / "matcher" / "data"
POSTCODES_CSV = PACKAGED_DATA / "dk_postcodes.csv"
DISCO_CSV = PACKAGED_DATA / "disco08.csv"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def esco_folder() -> Path:
    """The ESCO CSV exports; skips the test locally when absent, fails it in CI."""
    folder = SHARED_DATA / "taxonomy" / "esco"
    if not (folder / "occupations_en.csv").is_file():
        why = (
            f"the ESCO exports are not at {folder}: only tests of the ESCO import need them "
            "(third-party data that may not ship with ipsmatch); set IPSMATCH_SHARED_DATA "
            "to the folder holding taxonomy/esco"
        )
        if in_ci():
            pytest.fail(why)
        pytest.skip(why)
    return folder


def load_benchmark(name: str) -> ModuleType:
    """Import `benchmarks/<name>.py` (a script folder, not a package) for its functions."""
    spec = importlib.util.spec_from_file_location(
        f"{name}_benchmark", REPO / "benchmarks" / f"{name}.py"
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no benchmark script benchmarks/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves a module's annotations through it
    spec.loader.exec_module(module)
    return module
