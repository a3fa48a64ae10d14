"""Retrieval: a graph search that stops short, and a scan of many openings in blocks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.retrieval
from matcher.catalogue import OpeningVectors
from matcher.encoders import l2_normalise
from matcher.index import build_index
from matcher.retrieval import Retrieval

DIMENSION = 16


def catalogue_of(count: int, seed: int) -> Any:
    """The parts of a catalogue that `Retrieval.nearest` reads: one segment per opening."""
    rng = np.random.default_rng(seed)
    whole = l2_normalise(rng.normal(size=(count, DIMENSION))).astype(np.float32)
    vectors = OpeningVectors(
        segments=whole,
        segment_offsets=np.arange(count + 1),
        requirements=np.zeros((0, DIMENSION), dtype=np.float32),
        requirement_offsets=np.zeros(count + 1, dtype=np.int64),
    )
    return SimpleNamespace(vectors=vectors, index=build_index(whole, "hnsw"), title_index=None)


class ShortGraph:
    """An index whose every search stops after `found` results, as a filtered graph can."""

    def __init__(self, index: Any, found: int) -> None:
        self.index = index
        self.found = found

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        scores, ids = self.index.search(queries, k, allowed=allowed)
        ids[:, self.found :] = -1
        return scores, ids


def exact(catalogue: Any, queries: np.ndarray, depth: int, allowed: np.ndarray) -> set[int]:
    rows = np.flatnonzero(allowed)
    cosines = queries @ catalogue.vectors.segments[rows].T
    return {int(rows[i]) for row in cosines for i in np.argsort(-row)[:depth]}


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 100), found=st.integers(0, 4), share=st.floats(0.05, 1.0))
def test_a_graph_search_that_stops_short_is_replaced_by_a_scan(
    seed: int, found: int, share: float
) -> None:
    catalogue = catalogue_of(600, seed)
    catalogue.index = ShortGraph(catalogue.index, found)
    rng = np.random.default_rng(seed + 1)
    allowed = rng.random(600) < share
    allowed[:6] = True
    queries = l2_normalise(rng.normal(size=(3, DIMENSION))).astype(np.float32)
    nearest = Retrieval(scan_up_to=0).nearest(catalogue, queries, [5, 5, 5], allowed)
    assert set(nearest.tolist()) == exact(catalogue, queries, 5, allowed)


@pytest.mark.parametrize("block", [7, 50, 10_000])
def test_a_scan_in_blocks_finds_what_one_scan_finds(block: int) -> None:
    catalogue = catalogue_of(300, 4)
    queries = l2_normalise(np.random.default_rng(5).normal(size=(4, DIMENSION))).astype(np.float32)
    allowed = np.ones(300, dtype=bool)
    allowed[::4] = False
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matcher.retrieval, "SCAN_BLOCK", block)
        found = Retrieval(scan_up_to=10_000).nearest(catalogue, queries, [6, 6, 3, 3], allowed)
    expected = set()
    rows = np.flatnonzero(allowed)
    cosines = queries @ catalogue.vectors.segments[rows].T
    for j, depth in enumerate([6, 6, 3, 3]):
        expected |= {int(rows[i]) for i in np.argsort(-cosines[j])[:depth]}
    assert set(found.tolist()) == expected
