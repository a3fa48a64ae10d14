"""The catalogue: openings read once in chunks, kept as the sequence they came in."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date

import numpy as np
import pytest
from builders import candidate, opening, word_catalogue
from fakes import FakeEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.catalogue
import matcher.row_buffer
from matcher.index import LayeredIndex
from matcher.opening_sequences import OpeningsByIndex
from matcher.ranker import PreferenceRanker
from matcher.records import Opening, Ranking

DAY = date(2026, 11, 22)
PEOPLE = [
    candidate(["dyr", "lager"], id="c-1"),
    candidate(["kontor"], id="c-2", avoid=["rengøring"], hours_per_week={"min": 10, "max": 25}),
    candidate(["gartner"], id="c-3", occupations=["6113"], languages=["en"]),
]


class Lazy(OpeningsByIndex):
    """Makes each opening when asked, as a store of a million openings would; counts asks."""

    def __init__(self, openings: list[Opening]) -> None:
        self._records = [o.model_dump() for o in openings]
        self.made = 0

    def __len__(self) -> int:
        return len(self._records)

    def opening(self, i: int) -> Opening:
        self.made += 1
        return Opening.model_validate(self._records[i])


def catalogue(size: int) -> list[Opening]:
    openings = word_catalogue(size, seed=3)
    extra = {
        3: {"occupation": "6113", "requires": {"languages": ["en"]}},
        5: {"requires": {"languages": ["de", "en"]}},
        8: {"occupation": "4321"},
    }
    return [
        o.model_copy(update={k: v for k, v in extra.get(i % 10, {}).items() if k != "requires"})
        if i % 10 != 5 and i % 10 != 3
        else Opening.model_validate({**o.model_dump(), **extra[i % 10]})
        for i, o in enumerate(openings)
    ]


def rankings(ranker: PreferenceRanker) -> list[Ranking]:
    return [ranker.rank(person, k=8, on=DAY) for person in PEOPLE]


@settings(max_examples=8, deadline=None)
@given(chunk=st.integers(1, 45))
def test_rankings_do_not_depend_on_the_chunks_openings_are_read_in(chunk: int) -> None:
    openings = catalogue(40)
    whole = rankings(PreferenceRanker(FakeEncoder()).fit(openings))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matcher.catalogue, "TABULATE_CHUNK", chunk)
        chunked = rankings(PreferenceRanker(FakeEncoder()).fit(openings))
    assert chunked == whole


def test_a_lazy_sequence_is_kept_read_once_and_ranks_as_a_list_does() -> None:
    openings = catalogue(40)
    lazy = Lazy(openings)
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=10, index="exact")
    from_list = rankings(PreferenceRanker(FakeEncoder(), score_all_up_to=10).fit(openings))
    ranker.fit(lazy, vectors=matcher.catalogue.encode_openings(openings, ranker._cached_encoder()))
    assert ranker.openings_ is lazy
    assert lazy.made == len(openings)  # each opening made once while fitting
    assert rankings(ranker) == from_list
    lazy.made = 0
    ranker.rank(PEOPLE[0], k=8, on=DAY)
    assert lazy.made == 8  # a ranking makes only the openings it explains


def test_added_openings_join_a_lazy_catalogue_without_copying_it() -> None:
    openings = catalogue(30)
    lazy = Lazy(openings[:20])
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=10, index="exact").fit(lazy)
    ranker.partial_fit(openings[20:], retire=["o-2"])
    whole = PreferenceRanker(FakeEncoder(), score_all_up_to=10, index="exact").fit(openings[:20])
    whole.partial_fit(openings[20:], retire=["o-2"])
    assert len(ranker.openings_) == 30
    assert [o.id for o in ranker.openings_] == [o.id for o in openings]
    assert rankings(ranker) == rankings(whole)


def test_occupation_codes_are_a_column_of_shared_strings() -> None:
    openings = [
        opening("o-1", "Gartner", occupation="6113"),
        opening("o-2", "Gartner", occupation="".join(["61", "13"])),
        opening("o-3", "Lager"),
    ]
    columns = PreferenceRanker(FakeEncoder()).fit(openings).catalogue_.columns
    assert columns.occupation.tolist() == ["6113", "6113", None]
    assert columns.occupation[0] is columns.occupation[1]
    assert np.array_equal(columns.described, [False, False, False])


def test_added_openings_are_appended_to_the_fitted_vectors_and_index_not_copied() -> None:
    openings = catalogue(30)
    fitted = PreferenceRanker(FakeEncoder(), score_all_up_to=10, index="exact").fit(openings[:20])
    before = fitted.catalogue_
    before_segments = before.vectors.segments.copy()
    grown = copy.copy(fitted).partial_fit(openings[20:25]).catalogue_
    # The new catalogue's rows continue the fitted ones in the same memory ...
    assert np.shares_memory(grown.vectors.segments, before.vectors.segments)
    assert isinstance(grown.index, LayeredIndex) and grown.index.base is before.index
    # ... and the catalogue still in use sees none of it.
    assert np.array_equal(before.vectors.segments, before_segments)
    assert before.index is not None and before.index.size == 20
    # A second change from the same fit cannot append there too: it gets its own copy.
    other = copy.copy(fitted).partial_fit(openings[25:]).catalogue_
    assert not np.shares_memory(other.vectors.segments, grown.vectors.segments)
    # Copied or appended in place, the same catalogue ranks the same.
    alone = PreferenceRanker(FakeEncoder(), score_all_up_to=10, index="exact")
    assert rankings(copy.copy(fitted).partial_fit(openings[25:])) == rankings(
        alone.fit(openings[:20]).partial_fit(openings[25:])
    )


def test_vectors_are_copied_with_new_room_once_the_room_is_used_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matcher.row_buffer, "GROWTH_ROOM_MIN", 0)
    openings = catalogue(24)
    # Room for a quarter more rows: two of the 8 openings' worth, so 3 more do not fit.
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=100).fit(openings[:8])
    first = ranker.catalogue_.vectors
    ranker.partial_fit(openings[8:11])
    assert not np.shares_memory(ranker.catalogue_.vectors.segments, first.segments)
    assert [o.id for o in ranker.openings_] == [o.id for o in openings[:11]]
    second = ranker.catalogue_.vectors
    ranker.partial_fit(openings[11:12])  # the new copy has room again
    assert np.shares_memory(ranker.catalogue_.vectors.segments, second.segments)
    ranker.partial_fit(openings[12:])
    # The same changes with room for all of them rank the same.
    monkeypatch.setattr(matcher.row_buffer, "GROWTH_ROOM_MIN", 10_000)
    roomy = PreferenceRanker(FakeEncoder(), score_all_up_to=100).fit(openings[:8])
    roomy.partial_fit(openings[8:11]).partial_fit(openings[11:12]).partial_fit(openings[12:])
    assert rankings(ranker) == rankings(roomy)


def test_vectors_made_in_a_buffer_are_taken_on_and_others_are_copied() -> None:
    openings = catalogue(12)
    encoder = FakeEncoder()
    ranker = PreferenceRanker(encoder, score_all_up_to=100)
    encoded = matcher.catalogue.encode_openings(openings, ranker._cached_encoder())
    buffer = matcher.row_buffer.RowBuffer.holding(encoded.segments, np.float32)
    made = dataclasses.replace(encoded, segments=buffer.view(), buffer=buffer)
    taken = PreferenceRanker(encoder, score_all_up_to=100).fit(openings, vectors=made)
    assert np.shares_memory(taken.catalogue_.vectors.segments, made.segments)
    copied = PreferenceRanker(encoder, score_all_up_to=100).fit(openings, vectors=encoded)
    assert not np.shares_memory(copied.catalogue_.vectors.segments, encoded.segments)
    # In another precision than the catalogue keeps, a buffer is copied (and cast) too.
    half = PreferenceRanker(encoder, score_all_up_to=100, half_precision_from=1)
    assert half.fit(openings, vectors=made).catalogue_.vectors.segments.dtype == np.float16
    assert rankings(taken) == rankings(copied)
