"""Fixtures for the evaluation tests: small histories with a known answer, and one small
simulated history evaluated once per session (with the hashing fake encoder).

ranx compiles its metrics with numba the first time they run and caches the compiled code
on disk (next to the installed package, or numba's user cache folder when that is read-only;
`NUMBA_CACHE_DIR` moves it). The first test run on a fresh install therefore spends about
a minute compiling; later runs load the cache. Keys passed to ranx have one fixed width
(`evaluation.metrics.query_key`) so that different data never trigger a new compilation.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from evaluation_builders import FAST, TINY, SmallHistory, event, make_candidate, make_opening
from fakes import FakeEncoder

from evaluation.pipeline import evaluate
from evaluation.profiles import ProfileHistory, ProfileVersion
from evaluation.results import EvaluationReport
from evaluation.simulate import Simulation, simulate, write_simulation
from matcher.encoders import CachedEncoder
from matcher.engine import build_engine


@pytest.fixture
def small_history() -> SmallHistory:
    openings = [
        make_opening(
            "o-dyr", "Dyrepasser", "2025-01-01", "2025-04-30", description="Pasning af hunde."
        ),
        make_opening("o-lager1", "Lagermedarbejder", "2025-01-10", "2025-04-30"),
        make_opening("o-lager2", "Lagerassistent", "2025-02-15", "2025-05-30"),
        make_opening("o-kok", "Køkkenmedhjælper", "2025-01-01", "2025-03-31"),
        make_opening("o-old", "Dyrepasser i dyrepark", "2024-10-01", "2025-01-15"),
    ]
    first = make_candidate("c-1", ["dyrepasser", "hunde"], disclosure="yes")
    second = make_candidate("c-1", ["lagermedarbejder", "lager"], disclosure="yes")
    kitchen = make_candidate("c-2", ["køkkenmedhjælper"])
    profiles = ProfileHistory.of(
        [
            ProfileVersion(first),
            ProfileVersion(second, valid_from=date(2025, 3, 1)),
            ProfileVersion(kitchen),
        ]
    )
    placements = [
        event("c-1", "o-dyr", "contacted", "2025-02-03"),
        event("c-1", "o-dyr", "interview", "2025-02-12"),
        event("c-1", "o-dyr", "hired", "2025-02-20"),
        event("c-1", "o-lager2", "contacted", "2025-03-10"),
        event("c-2", "o-kok", "contacted", "2025-02-05"),
        event("c-2", None, "contacted", "2025-06-01", employer_id="e-far"),
    ]
    return SmallHistory(profiles, openings, placements)


@pytest.fixture
def fake_cached_encoder() -> CachedEncoder:
    return CachedEncoder(FakeEncoder())


@pytest.fixture(scope="session")
def tiny_simulation() -> Simulation:
    return simulate(TINY)


@pytest.fixture(scope="session")
def tiny_files(tiny_simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sim") / "history"
    write_simulation(tiny_simulation, folder)
    return folder


@pytest.fixture(scope="session")
def tiny_document(tiny_files: Path) -> EvaluationReport:
    """The report of the tiny simulated history (evaluated once per session)."""
    from evaluation.pipeline import load_inputs

    inputs = load_inputs(
        tiny_files / "candidates.jsonl",
        tiny_files / "openings.jsonl",
        tiny_files / "placements.csv",
        tiny_files / "groups.csv",
    )
    document = evaluate(inputs, build_engine(encoder=FakeEncoder()), FAST)
    # The report must survive JSON as metrics.json does, and read back the same.
    stored = json.loads(json.dumps(document.to_dict()))
    assert EvaluationReport.from_dict(stored) == document
    return EvaluationReport.from_dict(stored)
