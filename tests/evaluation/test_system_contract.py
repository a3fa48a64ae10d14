"""The contract of `evaluation.systems.System`, run on every system of the evaluation.

As implicit's ``RecommenderBaseTestMixin``: `SystemContract` holds the tests,
and each system (the baselines and ipsmatch itself, through `IpsmatchSystem`)
gets a class that says how to make one. The replay relies on every one of
these: answers among the rows it was given, no repeats, at most k, the same
answer asked twice.
"""

from __future__ import annotations

import numpy as np
import pytest
from evaluation_builders import event
from fakes import FakeEncoder
from test_systems import CATALOGUE, ROWS, query, training

from evaluation.checks import PreferenceChecker
from evaluation.systems import (
    CompetencyFirstSystem,
    EmbeddingSystem,
    IpsmatchSystem,
    LexicalSystem,
    PopularitySystem,
    RandomSystem,
    SharedVectors,
    System,
    WishEmbeddingSystem,
)
from matcher.engine import build_engine

QUERIES = [
    query("c-1", ["dyrepasser"]),
    query("c-2", ["lagermedarbejder"], preferences={"desired": ["lager"], "avoid": ["opvask"]}),
    query("c-3", ["køkken"], competencies={"skills": ["madlavning"]}),
]


def shared() -> SharedVectors:
    return SharedVectors(build_engine(encoder=FakeEncoder()), CATALOGUE)


class SystemContract:
    """Tests every `System` must pass; subclasses implement `make`."""

    def make(self) -> System:
        raise NotImplementedError

    def ready(self, rows: np.ndarray = ROWS) -> System:
        system = self.make()
        fitted = system.fit(training(event("c-9", "o-2", "hired", "2025-01-10")))
        assert fitted is system  # fit returns the system
        system.prepare(QUERIES)
        system.start_window(rows)
        return system

    def test_it_is_named_and_described(self) -> None:
        system = self.make()
        assert system.name and system.label and system.description

    @pytest.mark.parametrize("k", [1, 2, 10])
    def test_answers_are_distinct_rows_given_at_most_k(self, k: int) -> None:
        system = self.ready()
        for q in QUERIES:
            found = system.rank(q, ROWS, k).openings
            assert len(found) == min(k, len(ROWS))
            assert len(set(found.tolist())) == len(found)
            assert set(found.tolist()) <= set(ROWS.tolist())

    def test_only_the_rows_given_come_back(self) -> None:
        rows = ROWS[1:3]
        system = self.ready(rows)
        for q in QUERIES:
            found = system.rank(q, rows, 10).openings
            assert sorted(found.tolist()) == sorted(rows.tolist())

    def test_asked_twice_it_answers_the_same(self) -> None:
        system = self.ready()
        for q in QUERIES:
            first = system.rank(q, ROWS, 3).openings.tolist()
            assert system.rank(q, ROWS, 3).openings.tolist() == first


class TestRandomSystem(SystemContract):
    def make(self) -> System:
        return RandomSystem(seed=3)


class TestPopularitySystem(SystemContract):
    def make(self) -> System:
        return PopularitySystem()


class TestLexicalSystem(SystemContract):
    def make(self) -> System:
        return LexicalSystem()


class TestEmbeddingSystem(SystemContract):
    def make(self) -> System:
        return EmbeddingSystem(shared())


class TestCompetencyFirstSystem(SystemContract):
    def make(self) -> System:
        return CompetencyFirstSystem(shared(), PreferenceChecker(CATALOGUE))


class TestWishEmbeddingSystem(SystemContract):
    def make(self) -> System:
        return WishEmbeddingSystem(shared(), PreferenceChecker(CATALOGUE))


class TestIpsmatchSystem(SystemContract):
    def make(self) -> System:
        return IpsmatchSystem(shared())


class TestIpsmatchExhaustiveSystem(SystemContract):
    def make(self) -> System:
        return IpsmatchSystem(shared(), exhaustive=True)
