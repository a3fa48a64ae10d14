"""Retrieval: a graph search that stops short, and a scan of many openings in blocks."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from builders import candidate, word_catalogue
from fakes import FakeEncoder

import matcher.retrieval
from matcher.catalogue import OpeningVectors, SentenceIndex
from matcher.encoders import l2_normalise
from matcher.index import build_index
from matcher.ranker import PreferenceRanker
from matcher.retrieval import Retrieval

DIMENSION = 16
DAY = date(2026, 11, 22)


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
    return SimpleNamespace(
        vectors=vectors, index=build_index(whole, "hnsw"), title_index=None, sentence_index=None
    )


class ShortGraph:
    """An index whose every search stops after `found` results, as a filtered graph can."""

    def __init__(self, index: Any, found: int) -> None:
        self.index = index
        self.found = found

    @property
    def size(self) -> int:
        return int(self.index.size)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        scores, ids = self.index.search(queries, k, allowed=allowed)
        ids[:, self.found :] = -1
        return scores, ids


def test_a_graph_search_that_stops_short_is_replaced_by_a_scan_not_by_scoring_all() -> None:
    ranker = PreferenceRanker(
        FakeEncoder(), index="hnsw", score_all_up_to=10, score_fitting_up_to=0, scan_up_to=0
    )
    ranker.fit(word_catalogue(300, seed=2))
    person = candidate(["dyr", "lager"])
    (query,) = ranker.encode_candidates([person])
    expected = ranker.rank_encoded(query, k=10, on=DAY)
    graph, titles = ranker.catalogue_.index, ranker.catalogue_.title_index
    sentences = ranker.catalogue_.sentence_index
    assert sentences is not None
    scanning = dataclasses.replace(ranker.retrieval_, scan_up_to=10_000)
    scan = scanning.shortlist(ranker.catalogue_, query, DAY, 10, False, None)
    # Whole text, titles and sentences each stop after `found`: fewer than k openings in all.
    for found in (0, 1):
        shortened = dataclasses.replace(
            ranker.catalogue_,
            index=ShortGraph(graph, found),
            title_index=ShortGraph(titles, found),
            sentence_index=SentenceIndex(ShortGraph(sentences.index, found), sentences.owners),
        )
        ranker.catalogue_ = shortened
        shortlist = ranker.shortlist(query, DAY, 10)
        assert np.array_equal(shortlist, scan)
        assert len(shortlist) < len(ranker.openings_)
        assert ranker.rank_encoded(query, k=10, on=DAY) == expected


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


def test_few_fitting_openings_are_all_scored_without_comparing_them_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=10, score_fitting_up_to=0)
    ranker.fit(word_catalogue(300, seed=3))
    (query,) = ranker.encode_candidates([candidate(["dyr", "lager"])])
    compared = ranker.shortlist(query, DAY, 10)
    assert len(compared) < len(ranker.openings_)

    def no_comparing(*args: Any, **kwargs: Any) -> np.ndarray:
        raise AssertionError("the fitting openings were compared before scoring")

    monkeypatch.setattr(Retrieval, "nearest", no_comparing)
    everything = dataclasses.replace(ranker.retrieval_, score_fitting_up_to=300)
    shortlist = everything.shortlist(ranker.catalogue_, query, DAY, 10, False, None)
    assert np.array_equal(shortlist, np.arange(len(ranker.openings_)))
    assert set(compared.tolist()) <= set(shortlist.tolist())


def test_a_scan_as_deep_as_its_rows_returns_them_without_comparing() -> None:
    catalogue = catalogue_of(50, 6)
    queries = l2_normalise(np.random.default_rng(7).normal(size=(2, DIMENSION))).astype(np.float32)
    rows = np.arange(0, 50, 2)
    catalogue.vectors = None  # nothing to compare with: reading a vector would fail
    found = Retrieval().scanned(catalogue, queries, [len(rows), 3], rows)
    assert np.array_equal(found, rows)
