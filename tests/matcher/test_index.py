from __future__ import annotations

import faiss
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import index as index_module
from matcher.encoders import l2_normalise
from matcher.index import (
    ExactIndex,
    HNSWIndex,
    LayeredIndex,
    as_float32,
    build_index,
    recall_at_k,
)


def unit_vectors(n: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    return l2_normalise(np.random.default_rng(seed).normal(size=(n, dimension)))


def test_exact_index_finds_the_true_neighbours() -> None:
    vectors = unit_vectors(500)
    index = build_index(vectors, "exact")
    queries = unit_vectors(5, seed=1)
    scores, ids = index.search(queries, 10)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    assert (ids == truth).all()
    assert np.all(np.diff(scores, axis=1) <= 1e-6)


def test_hnsw_agrees_with_exact() -> None:
    vectors = unit_vectors(3000)
    queries = unit_vectors(50, seed=2)
    exact = build_index(vectors, "exact")
    approximate = build_index(vectors, "hnsw")
    assert recall_at_k(approximate, exact, queries, 20) >= 0.95


def test_auto_picks_by_size() -> None:
    assert isinstance(build_index(unit_vectors(10), "auto"), ExactIndex)
    assert isinstance(build_index(unit_vectors(10), "hnsw"), HNSWIndex)


def test_k_beyond_size_and_additions() -> None:
    index = build_index(unit_vectors(3), "exact")
    _, ids = index.search(unit_vectors(1, seed=3), 10)
    assert ids.shape == (1, 3)
    index.add(unit_vectors(2, seed=4))
    assert index.size == 5


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="'auto', 'exact', 'hnsw'"):
        build_index(unit_vectors(3), "ivf")  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_search_among_allowed_returns_only_those(kind: str) -> None:
    vectors = unit_vectors(3000)
    queries = unit_vectors(5, seed=5)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[::7] = True
    index = build_index(vectors, kind)  # type: ignore[arg-type]
    _, ids = index.search(queries, 20, allowed=allowed)
    assert ids.shape == (5, 20)
    assert allowed[ids].all()
    rows = np.flatnonzero(allowed)
    truth = rows[np.argsort(-(queries @ vectors[rows].T), axis=1)[:, :20]]
    found = sum(len(set(f) & set(t)) for f, t in zip(ids, truth, strict=True))
    assert found / truth.size >= (1.0 if kind == "exact" else 0.9)


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 0.9, 1.0])
def test_exact_search_gives_what_faiss_gives(share: float) -> None:
    # The exact index compares by matrix products (gathering the allowed rows when few,
    # masking the others when many); faiss's own flat search is the reference.
    vectors = unit_vectors(2000, seed=11)
    queries = unit_vectors(7, seed=12)
    allowed = np.random.default_rng(13).random(len(vectors)) < share
    reference = faiss.IndexFlatIP(vectors.shape[1])
    reference.add(vectors)
    parameters = faiss.SearchParameters()
    bits = np.packbits(allowed, bitorder="little")
    parameters.sel = faiss.IDSelectorBitmap(len(vectors), faiss.swig_ptr(bits))
    expected_scores, expected_ids = reference.search(queries, 150, params=parameters)
    scores, ids = build_index(vectors, "exact").search(queries, 150, allowed=allowed)
    assert (ids == expected_ids).all()
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-5, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 300),
    queries=st.integers(1, 25),
    k=st.integers(1, 320),
    share=st.floats(0.0, 1.0),
    block=st.sampled_from([1, 7, 64, 65_536]),
    seed=st.integers(0, 2**16),
)
def test_exact_search_is_the_best_allowed_by_similarity_then_id(
    size: int, queries: int, k: int, share: float, block: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    # Rounded vectors, so that equal similarities (ties) happen and their order shows.
    vectors = np.round(rng.normal(size=(size, 4)), 1).astype(np.float32)
    asked = np.round(rng.normal(size=(queries, 4)), 1).astype(np.float32)
    allowed = rng.random(size) < share
    index = build_index(vectors, "exact")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "EXACT_BLOCK", block)
        scores, ids = index.search(asked, k, allowed=allowed)
    width = min(k, size)
    assert scores.shape == ids.shape == (queries, width)
    similarities = asked @ vectors.T
    for row in range(queries):
        rows = np.flatnonzero(allowed)
        expected = sorted(rows.tolist(), key=lambda i: (-similarities[row, i], i))[:width]
        found = ids[row][ids[row] >= 0].tolist()
        assert len(found) == min(width, len(rows))
        assert allowed[found].all()
        assert (np.diff(similarities[row, found]) <= 1e-5).all()
        # Equal similarities may be computed a rounding apart: compare by value, then ids.
        np.testing.assert_allclose(
            similarities[row, found], similarities[row, expected], rtol=1e-5, atol=1e-5
        )
        assert (ids[row][len(found) :] == -1).all()
        assert (scores[row][len(found) :] == np.finfo(np.float32).min).all()


def test_exact_search_in_blocks_keeps_the_best_of_every_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vectors = unit_vectors(1000, seed=14)
    queries = unit_vectors(3, seed=15)
    index = build_index(vectors, "exact")
    whole = index.search(queries, 40)
    monkeypatch.setattr(index_module, "EXACT_BLOCK", 64)
    assert (index.search(queries, 40)[1] == whole[1]).all()
    # Ties come lower id first, across blocks too.
    twins = build_index(np.vstack([vectors[:5]] * 30), "exact")
    _, ids = twins.search(vectors[:1], 30)
    assert list(ids[0]) == [5 * copy for copy in range(30)]


def test_allowed_flags_must_cover_the_index() -> None:
    index = build_index(unit_vectors(10), "exact")
    with pytest.raises(ValueError, match="3 flags for 10 stored vectors"):
        index.search(unit_vectors(1, seed=6), 2, allowed=np.ones(3, dtype=bool))


def test_hnsw_of_float16_vectors_keeps_float16_and_finds_what_float32_finds() -> None:
    vectors = unit_vectors(3000).astype(np.float16)
    queries = unit_vectors(20, seed=7)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[::3] = True
    half = build_index(vectors, "hnsw")
    full = HNSWIndex(vectors.shape[1])
    full.add(vectors.astype(np.float32))
    assert isinstance(half, HNSWIndex) and half.half_precision and not full.half_precision
    for among in (None, allowed):
        half_scores, half_ids = half.search(queries, 15, allowed=among)
        full_scores, full_ids = full.search(queries, 15, allowed=among)
        assert np.array_equal(half_ids, full_ids)
        np.testing.assert_allclose(half_scores, full_scores, rtol=0, atol=1e-6)
    copied = half.copy()
    copied.add(vectors[:5])
    assert (half.size, copied.size) == (3000, 3005)


def test_float32_vectors_keep_a_float32_graph() -> None:
    index = build_index(unit_vectors(50), "hnsw")
    assert isinstance(index, HNSWIndex) and not index.half_precision


@pytest.mark.parametrize("dimension", [1, 16, 384])
def test_as_float32_widens_half_precision_rows_to_the_same_values(dimension: int) -> None:
    rng = np.random.default_rng(dimension)
    rows = rng.normal(size=(37, dimension)).astype(np.float16)
    special = [np.inf, -np.inf, 6e-8, -0.0, 65504.0, np.float16(1e-5)]
    rows.flat[: len(special)] = special
    # A gather of rows out of order, as scoring takes them: not contiguous with the store.
    gathered = rows[::-2]
    widened = as_float32(gathered)
    assert widened.dtype == np.float32
    assert widened.shape == gathered.shape
    np.testing.assert_array_equal(widened, gathered.astype(np.float32))


def test_as_float32_keeps_float32_and_widens_what_faiss_does_not() -> None:
    rows = unit_vectors(4).astype(np.float32)
    assert as_float32(rows) is rows
    assert as_float32(np.zeros((0, 8), dtype=np.float16)).shape == (0, 8)
    assert as_float32(np.zeros((0, 8), dtype=np.float16)).dtype == np.float32
    np.testing.assert_array_equal(as_float32(rows.astype(np.float64)), rows)


def test_a_grown_index_shares_its_base_and_searches_like_one_index_of_all() -> None:
    rng = np.random.default_rng(5)
    base_vectors = l2_normalise(rng.normal(size=(3_000, 32)).astype(np.float32))
    added = l2_normalise(rng.normal(size=(40, 32)).astype(np.float32))
    exact_base = ExactIndex(32)
    exact_base.add(base_vectors)
    grown = exact_base.extended(added[:25]).extended(added[25:])
    assert isinstance(grown, LayeredIndex) and grown.base is exact_base
    whole = ExactIndex(32)
    whole.add(np.vstack([base_vectors, added]))
    queries = np.vstack([added[:5], base_vectors[:5]])
    assert np.array_equal(grown.search(queries, 10)[1], whole.search(queries, 10)[1])


def test_the_recent_part_is_folded_into_a_copy_of_the_base_once_it_outgrows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_module, "MERGE_FLOOR", 10)
    vectors = l2_normalise(np.random.default_rng(6).normal(size=(100, 8)).astype(np.float32))
    base = ExactIndex(8)
    base.add(vectors[:60])
    small = base.extended(vectors[60:70])
    assert isinstance(small, LayeredIndex)
    merged = small.extended(vectors[70:])
    assert isinstance(merged, ExactIndex) and merged.size == 100 and base.size == 60
    _, ids = merged.search(vectors, 1)
    assert ids[:, 0].tolist() == list(range(100))
