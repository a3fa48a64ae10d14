"""Nearest-neighbour search over opening vectors with faiss.

One interface, three implementations: an exact inner-product index for small
catalogues (and as the reference to check the approximate one against), an
HNSW graph for large ones, and a layered index (`LayeredIndex`): an index
that is never changed again, shared, with a small exact index of the vectors
added since. Vectors are unit length, so inner product is cosine similarity.

`VectorIndex.extended` is how a catalogue grows: the index it extends is left
as it is for anyone still searching it, and its storage is shared instead of
copied. So service processes forked from one fit (`service.prefork`) keep
sharing the big index after each change and each hold only what was added.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any, Literal, Protocol, Self, cast

import faiss
import numpy as np

IndexKind = Literal["auto", "exact", "hnsw"]

# Below this many openings an exact scan is fast enough (about 5 ms a query
# at 20,000 on two cores) and needs no build time.
EXACT_UP_TO = 20_000
ADD_CHUNK = 16_384
# Stored vectors an exact search compares at a time (a block's similarities to
# 20 queries take 5 MB), so a search of a large exact index needs no more.
EXACT_BLOCK = 65_536
# A layered index folds its recent vectors into a copy of its base once they
# exceed this share of the base (or `MERGE_FLOOR`): an exact scan of the recent
# ones stays a small part of a search. A service refits long before (at 20 %).
MERGE_SHARE = 0.125
MERGE_FLOOR = 4_096


class VectorIndex(Protocol):
    @property
    def size(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids continue from the current size."""
        ...

    def copy(self) -> VectorIndex:
        """An independent copy: adding to it leaves this index as it is."""
        ...

    def extended(self, vectors: np.ndarray) -> VectorIndex:
        """A new index with `vectors` appended (ids continue from this one's size).

        This index is left as it is and may share its storage with the new one,
        so it must not be added to afterwards.
        """
        ...

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (similarities, ids) per query row; id -1 pads short results.

        With `allowed` (one bool per stored vector) only those ids come back.
        """
        ...


def _check_allowed(allowed: np.ndarray | None, size: int) -> None:
    if allowed is not None and len(allowed) != size:
        raise ValueError(f"allowed has {len(allowed)} flags for {size} stored vectors")


def _no_results(queries: int) -> tuple[np.ndarray, np.ndarray]:
    empty = np.zeros((queries, 0))
    return empty.astype(np.float32), empty.astype(np.int64)


def _best_first(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's `k` best by similarity, equal ones lower id first, padded (and -inf
    similarities marked) as faiss pads an inner-product search: id -1, float32's min."""
    order = np.lexsort((ids, -scores))[:, :k]
    best_scores = np.full((len(scores), k), np.finfo(np.float32).min, dtype=np.float32)
    best_ids = np.full((len(scores), k), -1, dtype=np.int64)
    width = order.shape[1]
    best_scores[:, :width] = np.take_along_axis(scores, order, axis=1)
    best_ids[:, :width] = np.take_along_axis(ids, order, axis=1)
    missing = np.isneginf(best_scores)
    best_ids[missing] = -1
    best_scores[missing] = np.finfo(np.float32).min
    return best_scores, best_ids


class _FaissIndex:
    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def copy(self) -> Self:
        clone = copy.copy(self)
        clone._index = faiss.clone_index(self._index)
        return clone

    def extended(self, vectors: np.ndarray) -> VectorIndex:
        return LayeredIndex(self, ExactIndex(self.dimension)).extended(vectors)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        if k <= 0 or len(queries) == 0:
            return _no_results(len(queries))
        _check_allowed(allowed, self.size)
        x = np.ascontiguousarray(queries, dtype=np.float32)
        # Settings go with each call, never into the shared index: concurrent searches
        # of different depths must not change one another's.
        parameters = self._parameters(k)
        if allowed is None:
            scores, ids = self._index.search(x, k, params=parameters)
            return scores, ids
        # faiss reads the bitmap and the selector through raw pointers: `bits` and
        # `selector` are kept alive here until the search returns.
        bits = np.packbits(allowed, bitorder="little")
        selector = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bits))
        parameters.sel = selector
        scores, ids = self._index.search(x, k, params=parameters)
        return scores, ids

    def _parameters(self, k: int) -> faiss.SearchParameters:
        return faiss.SearchParameters()


class ExactIndex(_FaissIndex):
    """Exhaustive inner-product search (faiss ``IndexFlatIP``)."""

    def __init__(self, dimension: int) -> None:
        super().__init__(faiss.IndexFlatIP(dimension))

    def vectors(self) -> np.ndarray:
        """The stored vectors, in order (float32)."""
        return np.asarray(self._index.reconstruct_n(0, self.size))

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """As `VectorIndex.search`, by one matrix product per block of stored vectors.

        faiss compares fewer than 20 queries one vector at a time, and with
        `allowed` it checks the flag of every vector as it goes; a product over
        the allowed rows and a partial sort is 2-3 times faster on one thread (a
        search for 8 wishes among half of 20,000 vectors: 3.7 ms against 5.8).
        Equal similarities come lower id first, as from faiss.
        """
        k = min(k, self.size)
        if k <= 0 or len(queries) == 0:
            return _no_results(len(queries))
        _check_allowed(allowed, self.size)
        x = np.ascontiguousarray(queries, dtype=np.float32)
        # A view of faiss's own storage, taken anew for each search (`add` may move it).
        stored = faiss.rev_swig_ptr(
            cast(Any, self._index).get_xb(), self.size * self.dimension
        ).reshape(self.size, self.dimension)
        # Gathering the allowed rows costs about as much as comparing the rest: with half
        # or more allowed, every row is compared in place and the others are masked.
        gather = allowed is not None and 2 * np.count_nonzero(allowed) < self.size
        ids = np.arange(self.size) if allowed is None or not gather else np.flatnonzero(allowed)
        found_scores, found_ids = [], []
        for start in range(0, len(ids), EXACT_BLOCK):
            block = ids[start : start + EXACT_BLOCK]
            scores = cosines(x, stored[block] if gather else stored[start : start + len(block)])
            if allowed is not None and not gather:
                scores = np.where(allowed[block], scores, -np.inf)
            if len(block) > k:
                best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
                scores = np.take_along_axis(scores, best, axis=1)
                found_ids.append(block[best])
            else:
                found_ids.append(np.broadcast_to(block, scores.shape))
            found_scores.append(scores)
        if not found_scores:  # nothing allowed
            return _best_first(np.zeros((len(x), 0)), np.zeros((len(x), 0), dtype=np.int64), k)
        return _best_first(np.hstack(found_scores), np.hstack(found_ids), k)


class HNSWIndex(_FaissIndex):
    """Approximate search on a hierarchical navigable small-world graph.

    With ``half_precision=True`` the graph keeps its vectors in float16
    (faiss ``IndexHNSWSQ`` with ``QT_fp16``): half the memory of float32. For
    vectors that are float16 already (a large catalogue's, see
    `matcher.catalogue.HALF_PRECISION_FROM`) it stores exactly the same values,
    so every similarity, and the graph built from them, is the same.
    """

    def __init__(
        self,
        dimension: int,
        neighbours: int = 32,
        ef_construction: int = 80,
        ef_search: int = 128,
        half_precision: bool = False,
    ) -> None:
        index: faiss.IndexHNSW
        if half_precision:
            index = faiss.IndexHNSWSQ(
                dimension,
                faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
                neighbours,
                faiss.METRIC_INNER_PRODUCT,
            )
        else:
            index = faiss.IndexHNSWFlat(dimension, neighbours, faiss.METRIC_INNER_PRODUCT)
        self.half_precision = half_precision
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
        super().__init__(index)
        self.ef_search = ef_search

    def _parameters(self, k: int) -> faiss.SearchParameters:
        parameters = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        # HNSW returns at most efSearch good neighbours; widen it for deep searches.
        parameters.efSearch = max(self.ef_search, k)
        return parameters


class LayeredIndex:
    """A base index that is never changed, and an exact index of the vectors added since.

    Ids of the recent vectors continue from the base's size. A search asks
    both and merges their best by similarity, so the recent vectors are found
    exactly. `extended` copies only the recent part (small), shares the base,
    and folds the recent part into a copy of the base once it has grown past
    `MERGE_SHARE` of it.
    """

    def __init__(self, base: _FaissIndex, recent: ExactIndex) -> None:
        self.base = base
        self.recent = recent

    @property
    def size(self) -> int:
        return self.base.size + self.recent.size

    def add(self, vectors: np.ndarray) -> None:
        # The recent part is this index's own; the base may be shared and is never added to.
        self.recent.add(vectors)

    def copy(self) -> LayeredIndex:
        return LayeredIndex(self.base, self.recent.copy())

    def extended(self, vectors: np.ndarray) -> VectorIndex:
        recent = self.recent.copy()
        recent.add(vectors)
        if recent.size <= max(MERGE_FLOOR, MERGE_SHARE * self.base.size):
            return LayeredIndex(self.base, recent)
        merged = self.base.copy()
        merged.add(recent.vectors())
        return merged

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        _check_allowed(allowed, self.size)
        k = min(k, self.size)
        if k <= 0 or len(queries) == 0:
            return _no_results(len(queries))
        first = self.base.size
        parts = [
            (self.base, None if allowed is None else allowed[:first], 0),
            (self.recent, None if allowed is None else allowed[first:], first),
        ]
        scores, ids = [], []
        for index, flags, offset in parts:
            found_scores, found_ids = index.search(queries, k, allowed=flags)
            missing = found_ids < 0
            scores.append(np.where(missing, -np.inf, found_scores))
            ids.append(np.where(missing, -1, found_ids + offset))
        # On equal similarity the lower id (the base's) first, as one index gives.
        return _best_first(np.hstack(scores), np.hstack(ids), k)


@cache
def _half_precision_decoder(dimension: int) -> faiss.ScalarQuantizer:
    return faiss.ScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16)


def as_float32(vectors: np.ndarray) -> np.ndarray:
    """Rows of vectors in float32, the same values: float16 rows are widened by faiss.

    Scoring and scanning widen a large catalogue's float16 segment rows on every
    ranking; faiss does it about twice as fast as numpy's `astype` on one thread.
    """
    if vectors.dtype == np.float32:
        return vectors
    if vectors.dtype != np.float16 or vectors.ndim != 2 or vectors.size == 0:
        return vectors.astype(np.float32)
    decoder = _half_precision_decoder(vectors.shape[1])
    codes = np.ascontiguousarray(vectors).view(np.uint8)
    return decoder.decode(codes)


def cosines(queries: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each query's inner product with each row, queries by rows (rows widened to float32).

    Computed as ``rows @ queries.T`` and returned transposed (a view): with a few
    queries against thousands of rows, BLAS on one thread runs that orientation
    about twice as fast as ``queries @ rows.T`` (0.75 against 1.4 ms for 8 queries
    and 6,000 rows of 384), with the same values.
    """
    return (as_float32(rows) @ queries.T).T


def build_index(vectors: np.ndarray, kind: IndexKind = "auto") -> VectorIndex:
    """Build the index that suits the catalogue's size (`kind="auto"`).

    An HNSW graph of float16 vectors keeps them in float16 (see `HNSWIndex`).
    """
    dimension = vectors.shape[1]
    chosen = kind
    if kind == "auto":
        chosen = "exact" if len(vectors) <= EXACT_UP_TO else "hnsw"
    if chosen not in ("exact", "hnsw"):
        raise ValueError(f"index kind {kind!r} is not one of 'auto', 'exact', 'hnsw'")
    index: VectorIndex = (
        ExactIndex(dimension)
        if chosen == "exact"
        else HNSWIndex(dimension, half_precision=vectors.dtype == np.float16)
    )
    # In chunks, so vectors kept in float16 are never converted whole.
    for start in range(0, len(vectors), ADD_CHUNK):
        index.add(vectors[start : start + ADD_CHUNK])
    return index


def recall_at_k(approximate: VectorIndex, exact: VectorIndex, queries: np.ndarray, k: int) -> float:
    """Share of the exact top-k that the approximate index also returns."""
    _, found = approximate.search(queries, k)
    _, truth = exact.search(queries, k)
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth, strict=True))
    total = int((truth >= 0).sum())
    return hits / total if total else 1.0
