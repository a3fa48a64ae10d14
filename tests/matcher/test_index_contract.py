"""The contract of `matcher.index.VectorIndex`, run on every implementation.

As implicit's ``RecommenderBaseTestMixin``: `VectorIndexContract` holds the
tests; each implementation gets a class that says how to make one.
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher.index import ExactIndex, HNSWIndex, LayeredIndex, VectorIndex

DIMENSION = 16


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class VectorIndexContract:
    """Tests every vector index must pass; subclasses implement `make`."""

    def make(self) -> VectorIndex:
        raise NotImplementedError

    def filled(self, count: int = 200, seed: int = 0) -> tuple[VectorIndex, np.ndarray]:
        index = self.make()
        vectors = unit_vectors(count, seed)
        index.add(vectors)
        return index, vectors

    def test_a_stored_vector_finds_itself_first(self) -> None:
        index, vectors = self.filled()
        scores, ids = index.search(vectors[:10], 3)
        assert ids[:, 0].tolist() == list(range(10))
        assert np.allclose(scores[:, 0], 1.0, atol=1e-4)
        assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first

    def test_size_counts_additions_and_ids_continue(self) -> None:
        index, _ = self.filled(50)
        assert index.size == 50
        more = unit_vectors(5, seed=9)
        index.add(more)
        index.add(np.zeros((0, DIMENSION), dtype=np.float32))
        assert index.size == 55
        _, ids = index.search(more, 1)
        assert ids[:, 0].tolist() == [50, 51, 52, 53, 54]

    def test_k_beyond_size_returns_what_there_is(self) -> None:
        index, _ = self.filled(3)
        scores, ids = index.search(unit_vectors(2, seed=3), 10)
        assert ids.shape[0] == 2 and ids.shape[1] <= 10
        assert sorted(ids[0][ids[0] >= 0].tolist()) == [0, 1, 2]
        assert scores.shape == ids.shape

    def test_an_empty_query_batch_gives_empty_results(self) -> None:
        index, _ = self.filled(10)
        scores, ids = index.search(np.zeros((0, DIMENSION), dtype=np.float32), 3)
        assert len(scores) == 0 and len(ids) == 0

    def test_only_allowed_ids_come_back(self) -> None:
        index, vectors = self.filled(300)
        allowed = np.zeros(300, dtype=bool)
        allowed[::5] = True
        _, ids = index.search(vectors[:8], 10, allowed=allowed)
        found = ids[ids >= 0]
        assert len(found) and allowed[found].all()

    def test_allowed_flags_must_cover_the_index(self) -> None:
        index, _ = self.filled(10)
        with pytest.raises(ValueError, match="3 flags for 10 stored vectors"):
            index.search(unit_vectors(1, seed=6), 2, allowed=np.ones(3, dtype=bool))

    def test_a_copy_is_independent(self) -> None:
        index, _ = self.filled(20)
        clone = index.copy()
        clone.add(unit_vectors(4, seed=8))
        assert (index.size, clone.size) == (20, 24)
        assert type(clone) is type(index)

    def test_an_extended_index_finds_old_and_new_and_leaves_this_one_alone(self) -> None:
        index, vectors = self.filled(60)
        before = index.search(vectors[:5], 4)
        added = unit_vectors(7, seed=11)
        grown = index.extended(added)
        assert (index.size, grown.size) == (60, 67)
        _, new_ids = grown.search(added, 1)
        assert new_ids[:, 0].tolist() == list(range(60, 67))
        _, old_ids = grown.search(vectors[:5], 1)
        assert old_ids[:, 0].tolist() == list(range(5))
        after = index.search(vectors[:5], 4)
        assert np.array_equal(before[1], after[1]) and np.allclose(before[0], after[0])

    def test_an_extended_index_keeps_to_the_allowed_ids(self) -> None:
        index, vectors = self.filled(40)
        grown = index.extended(unit_vectors(10, seed=12))
        allowed = np.zeros(50, dtype=bool)
        allowed[[3, 45]] = True
        _, ids = grown.search(vectors[:2], 5, allowed=allowed)
        assert set(ids[ids >= 0].tolist()) <= {3, 45} and (ids >= 0).sum(axis=1).tolist() == [2, 2]


class TestExactIndex(VectorIndexContract):
    def make(self) -> VectorIndex:
        return ExactIndex(DIMENSION)


class TestHNSWIndex(VectorIndexContract):
    def make(self) -> VectorIndex:
        return HNSWIndex(DIMENSION)


class TestLayeredIndex(VectorIndexContract):
    """A layered index made by extending an empty base, as a catalogue's first change does."""

    def make(self) -> VectorIndex:
        return LayeredIndex(ExactIndex(DIMENSION), ExactIndex(DIMENSION))


class TestLayeredIndexOnAGraph(VectorIndexContract):
    def make(self) -> VectorIndex:
        return LayeredIndex(HNSWIndex(DIMENSION), ExactIndex(DIMENSION))
