"""The catalogue: openings read once in chunks, kept as the sequence they came in."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from builders import candidate, opening, word_catalogue
from fakes import FakeEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.catalogue
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
