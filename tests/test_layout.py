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


def test_the_readme_names_every_module_of_the_engine() -> None:
    """The README's "How it works" table is the map of `matcher/`: no module left off it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## How it works", 1)[1].split("\n\n", 2)[1]
    modules = sorted(
        path.stem for path in (REPO / "matcher").glob("*.py") if path.stem != "__init__"
    )
    missing = [name for name in modules if f"`matcher.{name}`" not in table]
    assert not missing, f"README 'How it works' does not name: {', '.join(missing)}"


def test_no_module_of_the_engine_is_above_500_lines() -> None:
    """Small parts with one job each: a module that outgrows 500 lines is split."""
    sizes = {
        str(path.relative_to(REPO)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (REPO / "matcher").rglob("*.py")
    }
    too_long = {name: lines for name, lines in sizes.items() if lines > 500}
    assert not too_long, f"modules above 500 lines: {too_long}"


def test_no_two_test_files_share_a_name() -> None:
    # The test folders are not packages: pytest imports each file by its bare name, so a
    # second file of the same name stops the whole run at collection.
    seen: dict[str, list[str]] = {}
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        seen.setdefault(path.name, []).append(str(path.relative_to(REPO)))
    shared = {name: places for name, places in seen.items() if len(places) > 1}
    assert not shared, f"test files share a name: {shared}"
