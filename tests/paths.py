"""Where the checkout and the shared third-party data are, importable from any test.

`from conftest import ...` picks whichever conftest.py was imported first
(tests/service and tests/evaluation have their own), so the paths live here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


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
