"""Nearest-neighbour search over opening vectors with faiss.

One interface, two implementations: an exact inner-product index for small
catalogues (and as the reference to check the approximate one against) and
an HNSW graph for large ones. Vectors are unit length, so inner product is
cosine similarity.
"""

from __future__ import annotations

from typing import Literal, Protocol

import faiss
import numpy as np

IndexKind = Literal["auto", "exact", "hnsw"]

# Below this many openings an exact scan is fast enough (about 5 ms a query
# at 20,000 on two cores) and needs no build time.
EXACT_UP_TO = 20_000


class VectorIndex(Protocol):
    @property
    def size(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids continue from the current size."""
        ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (similarities, ids) per query row; id -1 pads short results."""
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

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        if k <= 0 or len(queries) == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, ids


class ExactIndex(_FaissIndex):
    """Exhaustive inner-product search (faiss ``IndexFlatIP``)."""

    def __init__(self, dimension: int) -> None:
        super().__init__(faiss.IndexFlatIP(dimension))


class HNSWIndex(_FaissIndex):
    """Approximate search on a hierarchical navigable small-world graph."""

    def __init__(
        self, dimension: int, neighbours: int = 32, ef_construction: int = 80, ef_search: int = 128
    ) -> None:
        index = faiss.IndexHNSWFlat(dimension, neighbours, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
        super().__init__(index)
        self._hnsw = index.hnsw
        self.ef_search = ef_search

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        # HNSW returns at most efSearch good neighbours; widen it for deep searches.
        self._hnsw.efSearch = max(self.ef_search, k)
        return super().search(queries, k)


def build_index(vectors: np.ndarray, kind: IndexKind = "auto") -> VectorIndex:
    """Build the index that suits the catalogue's size (`kind="auto"`)."""
    dimension = vectors.shape[1]
    chosen = kind
    if kind == "auto":
        chosen = "exact" if len(vectors) <= EXACT_UP_TO else "hnsw"
    if chosen not in ("exact", "hnsw"):
        raise ValueError(f"index kind {kind!r} is not one of 'auto', 'exact', 'hnsw'")
    index: VectorIndex = ExactIndex(dimension) if chosen == "exact" else HNSWIndex(dimension)
    index.add(vectors)
    return index


def recall_at_k(approximate: VectorIndex, exact: VectorIndex, queries: np.ndarray, k: int) -> float:
    """Share of the exact top-k that the approximate index also returns."""
    _, found = approximate.search(queries, k)
    _, truth = exact.search(queries, k)
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth, strict=True))
    total = int((truth >= 0).sum())
    return hits / total if total else 1.0
