"""The packages under test are the checkout's, never the test folders named like them."""

from __future__ import annotations

import importlib

import pytest
from paths import REPO


@pytest.mark.parametrize("package", ["matcher", "service", "evaluation"])
def test_each_package_is_imported_from_the_checkout(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None, f"{package} resolved to a namespace package"
    assert (REPO / package / "__init__.py").samefile(module.__file__)
