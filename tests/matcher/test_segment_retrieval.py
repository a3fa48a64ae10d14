"""Retrieval by segments: the shortlist finds what scoring would rank first.

Scoring reads an opening's best segment (whole text, title, first sentences);
`Retrieval(by_segments=True)` shortlists by those too, beside the whole text.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fakes import FakeEncoder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.catalogue import OpeningVectors, SentenceIndex
from matcher.encoders import l2_normalise
from matcher.index import build_index
from matcher.ranker import PreferenceRanker
from matcher.record_files import read_candidates, read_openings
from matcher.retrieval import Retrieval

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
GOLDEN = Path(__file__).parent / "golden" / "demo_rankings.json"
DIMENSION = 16


def catalogue_of(segments: list[np.ndarray], index: str | None) -> Any:
    """The parts of a catalogue that `Retrieval.nearest` reads."""
    offsets = np.cumsum([0] + [len(s) for s in segments])
    vectors = OpeningVectors(
        segments=np.vstack(segments).astype(np.float32),
        segment_offsets=offsets,
        requirements=np.zeros((0, DIMENSION), dtype=np.float32),
        requirement_offsets=np.zeros(len(segments) + 1, dtype=np.int64),
    )
    built = SimpleNamespace(vectors=vectors, index=None, title_index=None, sentence_index=None)
    if index is not None:
        built.index = build_index(vectors.whole_texts(), index)  # type: ignore[arg-type]
        built.title_index = build_index(vectors.titles(), index)  # type: ignore[arg-type]
    return built


def best_segment(catalogue: Any, queries: np.ndarray) -> np.ndarray:
    """Brute force: each query's cosine to each opening's best segment."""
    vectors = catalogue.vectors
    return np.stack(
        [
            (queries @ vectors.segments[a:b].T).max(axis=1)
            for a, b in zip(vectors.segment_offsets[:-1], vectors.segment_offsets[1:], strict=True)
        ],
        axis=1,
    )


def title_only_catalogue(index: str | None) -> tuple[Any, np.ndarray]:
    """Opening 0 is wanted by its title alone; the others' whole texts are closer."""
    rng = np.random.default_rng(7)
    wish = l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
    other = l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
    other -= (other @ wish) * wish
    other /= np.linalg.norm(other)
    segments = [np.vstack([0.3 * wish + 0.95 * other, wish])]  # whole text far, title exact
    for i in range(1, 30):
        near = 0.6 * wish + 0.8 * l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
        segments.append(np.vstack([near, other, other * (i % 2 * 2 - 1)]))
    return catalogue_of([l2_normalise(s) for s in segments], index), wish[None, :]


@pytest.mark.parametrize("index", [None, "exact", "hnsw"])
def test_an_opening_wanted_by_its_title_alone_is_shortlisted(index: str | None) -> None:
    catalogue, wish = title_only_catalogue(index)
    scan_up_to = 1_000 if index is None else 0
    allowed = np.ones(30, dtype=bool)
    whole_only = Retrieval(scan_up_to=scan_up_to, by_segments=False)
    by_segments = Retrieval(scan_up_to=scan_up_to, by_segments=True)
    assert 0 not in whole_only.nearest(catalogue, wish, [3], allowed)
    found = by_segments.nearest(catalogue, wish, [3], allowed)
    assert 0 in found
    # The whole-text shortlist is kept whole beside it.
    assert set(whole_only.nearest(catalogue, wish, [3], allowed)) <= set(found)
    # Not when the opening is not allowed.
    allowed[0] = False
    assert 0 not in by_segments.nearest(catalogue, wish, [3], allowed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    openings=st.integers(1, 60),
    queries=st.integers(1, 4),
    depth=st.integers(1, 12),
    share_allowed=st.floats(0.2, 1.0),
)
def test_the_scan_shortlist_holds_the_exhaustive_best_segment_top(
    seed: int, openings: int, queries: int, depth: int, share_allowed: float
) -> None:
    """Scanned, the shortlist's top by best segment is the exhaustive top (ties aside)."""
    rng = np.random.default_rng(seed)
    segments = [
        l2_normalise(rng.normal(size=(int(rng.integers(1, 6)), DIMENSION))) for _ in range(openings)
    ]
    catalogue = catalogue_of(segments, None)
    wishes = l2_normalise(rng.normal(size=(queries, DIMENSION)))
    allowed = rng.random(openings) < share_allowed
    found = np.unique(
        Retrieval(scan_up_to=10_000, by_segments=True).nearest(
            catalogue, wishes, [depth] * queries, allowed
        )
    )
    assert set(found) <= set(np.flatnonzero(allowed))
    best = best_segment(catalogue, wishes)
    rows = np.flatnonzero(allowed)
    for j in range(queries):
        want = min(depth, len(rows))
        if want == 0:
            continue
        exhaustive = np.sort(best[j, rows])[::-1][:want]
        shortlisted = np.sort(best[j, found])[::-1][:want]
        np.testing.assert_allclose(shortlisted, exhaustive, rtol=0, atol=1e-6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), openings=st.integers(2, 60), depth=st.integers(1, 8))
def test_the_index_shortlist_holds_the_best_whole_text_and_title(
    seed: int, openings: int, depth: int
) -> None:
    """Through an exact index: the top by whole text and the top by title are both kept."""
    rng = np.random.default_rng(seed)
    segments = [
        l2_normalise(rng.normal(size=(int(rng.integers(1, 5)), DIMENSION))) for _ in range(openings)
    ]
    catalogue = catalogue_of(segments, "exact")
    wish = l2_normalise(rng.normal(size=(1, DIMENSION)))
    allowed = np.ones(openings, dtype=bool)
    found = set(
        Retrieval(scan_up_to=0, by_segments=True).nearest(catalogue, wish, [depth], allowed)
    )
    vectors = catalogue.vectors
    for channel in (vectors.whole_texts(), vectors.titles()):
        scores = (wish @ channel.T)[0]
        top = np.sort(scores)[::-1][: min(depth, openings)]
        kept = np.sort(scores[list(found)])[::-1][: len(top)]
        np.testing.assert_allclose(kept, top, rtol=0, atol=1e-6)


def ids(rankings: list[dict[str, Any]]) -> list[list[str]]:
    return [[r["opening_id"] for r in ranking["results"]] for ranking in rankings]


@pytest.mark.parametrize(
    "settings_",
    [
        {"score_all_up_to": 20, "score_fitting_up_to": 0, "shortlist_per_query": 8},
        {
            "score_all_up_to": 20,
            "score_fitting_up_to": 0,
            "shortlist_per_query": 8,
            "scan_up_to": 10,
            "index": "hnsw",
        },
    ],
    ids=["scan", "hnsw"],
)
def test_segment_retrieval_changes_only_demo_rankings_whose_shortlist_missed_the_top(
    settings_: dict[str, Any],
) -> None:
    """On the demo with shallow shortlists: closer to scoring everything, never further."""
    truth = ids(json.loads(GOLDEN.read_text())["whole"])
    ranker = PreferenceRanker(FakeEncoder(), segment_retrieval=True, **settings_)
    ranker.fit(read_openings(DEMO / "openings.jsonl"))
    candidates = read_candidates(DEMO / "candidates.jsonl")
    found = ids(
        [
            r.model_dump(mode="json")
            for r in ranker.rank_many(candidates, k=10, on=date(2026, 11, 22))
        ]
    )
    name = "scan" if "index" not in settings_ else "hnsw"
    before = ids(json.loads(GOLDEN.read_text())[name])
    for old, new, want in zip(before, found, truth, strict=True):
        if old == want:
            assert new == old
        assert len(set(new) & set(want)) >= len(set(old) & set(want))
    assert sum(new == want for new, want in zip(found, truth, strict=True)) > sum(
        old == want for old, want in zip(before, truth, strict=True)
    )


def sentence_only_catalogue() -> tuple[Any, np.ndarray]:
    """Opening 0 is wanted by its third segment (a sentence) alone; opening 1 by its title
    alone; the other openings' whole texts are closer to the wish than either's."""
    rng = np.random.default_rng(11)
    wish = l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
    other = l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
    other -= (other @ wish) * wish
    other /= np.linalg.norm(other)
    far = 0.3 * wish + 0.95 * other
    segments = [np.vstack([far, other, wish]), np.vstack([far, wish, other])]
    for i in range(2, 30):
        near = 0.6 * wish + 0.8 * l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
        # Titles a little closer than opening 0's, so that its title ties with none.
        segments.append(np.vstack([near, other + 0.2 * wish, other * (i % 2 * 2 - 1)]))
    return catalogue_of([l2_normalise(s) for s in segments], None), wish[None, :]


def test_a_scan_compares_every_segment_only_up_to_every_segment_up_to() -> None:
    catalogue, wish = sentence_only_catalogue()
    allowed = np.ones(30, dtype=bool)
    every = Retrieval(scan_up_to=1_000, by_segments=True, every_segment_up_to=30)
    titles = Retrieval(scan_up_to=1_000, by_segments=True, every_segment_up_to=29)
    # Depth 2 by segment: the sentence and the title both rank at the top.
    assert {0, 1} <= set(every.nearest(catalogue, wish, [2], allowed))
    # Above the limit only titles are compared: the title still counts, the sentence not.
    found = set(titles.nearest(catalogue, wish, [2], allowed))
    assert 1 in found
    assert 0 not in found


def test_a_query_of_segment_depth_zero_is_shortlisted_by_whole_text_only() -> None:
    catalogue, wish = sentence_only_catalogue()
    allowed = np.ones(30, dtype=bool)
    retrieval = Retrieval(scan_up_to=1_000, by_segments=True)
    queries = np.vstack([wish, wish])
    both = set(retrieval.nearest(catalogue, queries, [2, 2], allowed, segment_depths=[2, 2]))
    assert {0, 1} <= both
    whole_only = set(retrieval.nearest(catalogue, queries, [2, 2], allowed, segment_depths=[0, 0]))
    assert not {0, 1} & whole_only
    assert whole_only == set(Retrieval(scan_up_to=1_000).nearest(catalogue, wish, [2], allowed))


def test_the_ranker_retrieves_by_segments_by_default() -> None:
    openings = read_openings(DEMO / "openings.jsonl")
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=20).fit(openings)
    assert ranker.retrieval_.by_segments
    assert ranker.catalogue_.title_index is not None
    whole_text = PreferenceRanker(FakeEncoder(), score_all_up_to=20, segment_retrieval=False)
    whole_text.fit(openings)
    assert not whole_text.retrieval_.by_segments
    assert whole_text.catalogue_.title_index is None


def test_the_sentences_of_openings_are_the_segments_after_whole_text_and_title() -> None:
    rows = [4, 1, 2, 3]  # whole, title, two sentences; whole only; whole and title; one sentence
    segments = [np.full((n, DIMENSION), i, dtype=np.float32) for i, n in enumerate(rows)]
    vectors = catalogue_of(segments, None).vectors
    sentences, owners = vectors.sentences()
    assert owners.tolist() == [0, 0, 3]
    np.testing.assert_array_equal(sentences, vectors.segments[[2, 3, 9]])
    later, later_owners = vectors.sentences(start=2)
    assert later_owners.tolist() == [3] and later.shape == (1, DIMENSION)


def one_sentence_catalogue() -> tuple[Any, np.ndarray]:
    """Opening 0 says the wish in its third sentence only; the others' titles and whole
    texts are nearer to it than opening 0's."""
    rng = np.random.default_rng(11)
    wish = l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
    other = l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
    other -= (other @ wish) * wish
    other /= np.linalg.norm(other)
    segments = [np.vstack([0.2 * wish + other, other, -other, 0.1 * wish + other, wish])]
    for _ in range(1, 40):
        near = 0.5 * wish + 0.85 * l2_normalise(rng.normal(size=(1, DIMENSION)))[0]
        segments.append(np.vstack([near, near, other]))
    catalogue = catalogue_of([l2_normalise(s) for s in segments], "exact")
    return catalogue, wish[None, :]


def test_an_opening_wanted_in_one_sentence_is_shortlisted_through_the_sentence_index() -> None:
    catalogue, wish = one_sentence_catalogue()
    allowed = np.ones(40, dtype=bool)
    retrieval = Retrieval(scan_up_to=0, by_segments=True, sentences_per_query=2)
    assert 0 not in retrieval.nearest(catalogue, wish, [3], allowed)
    catalogue.sentence_index = SentenceIndex.built(catalogue.vectors, "exact")
    found = retrieval.nearest(catalogue, wish, [3], allowed)
    assert 0 in found
    allowed[0] = False
    assert 0 not in retrieval.nearest(catalogue, wish, [3], allowed)
    # Only by segments: a whole-text retrieval ignores the sentence index.
    allowed[0] = True
    assert 0 not in Retrieval(scan_up_to=0).nearest(catalogue, wish, [3], allowed)


def test_the_ranker_keeps_its_sentence_index_current_when_openings_are_added() -> None:
    openings = read_openings(DEMO / "openings.jsonl")
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=20)  # sentences by default
    ranker.fit(openings[:100])
    first = ranker.catalogue_.sentence_index
    assert first is not None
    _, owners = ranker.catalogue_.vectors.sentences()
    assert first.owners.tolist() == owners.tolist() and first.index.size == len(owners)
    ranker.partial_fit(openings[100:150])
    extended = ranker.catalogue_.sentence_index
    assert extended is not None and extended is not first
    _, owners = ranker.catalogue_.vectors.sentences()
    assert extended.owners.tolist() == owners.tolist() and extended.index.size == len(owners)
    assert first.index.size < extended.index.size  # the old catalogue's index is untouched
    capped = PreferenceRanker(FakeEncoder(), score_all_up_to=20, sentences_up_to=99)
    assert capped.fit(openings[:100]).catalogue_.sentence_index is None
    off = PreferenceRanker(FakeEncoder(), score_all_up_to=20, sentence_retrieval=False)
    assert off.fit(openings[:100]).catalogue_.sentence_index is None
