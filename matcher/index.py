"""Nearest-neighbour search over opening vectors with faiss.

One interface, two implementations: an exact inner-product index for small
catalogues (and as the reference to check the approximate one against) and
an HNSW graph for large ones. Vectors are unit length, so inner product is
cosine similarity.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Literal, Protocol, Self

import faiss
import numpy as np

IndexKind = Literal["auto", "exact", "hnsw"]

# Below this many openings an exact scan is fast enough (about 5 ms a query
# at 20,000 on two cores) and needs no build time.
EXACT_UP_TO = 20_000
ADD_CHUNK = 16_384


class VectorIndex(Protocol):
    @property
    def size(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids continue from the current size."""
        ...

    def copy(self) -> VectorIndex:
        """An independent copy: adding to it leaves this index as it is."""
        ...

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (similarities, ids) per query row; id -1 pads short results.

        With `allowed` (one bool per stored vector) only those ids come back.
        """
        ...


class _FaissIndex:
    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def copy(self) -> Self:
        clone = copy.copy(self)
        clone._index = faiss.clone_index(self._index)
        return clone

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        if k <= 0 or len(queries) == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        if allowed is not None and len(allowed) != self.size:
            raise ValueError(f"allowed has {len(allowed)} flags for {self.size} stored vectors")
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
