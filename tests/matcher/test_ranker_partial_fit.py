"""Adding and retiring openings without refitting the catalogue (`partial_fit`)."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from builders import candidate, opening, word_catalogue
from fakes import FakeEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.ranker import PreferenceRanker
from matcher.records import Ranking

DAY = date(2026, 11, 22)
ANIMAL = opening("o-animal", "Dyrepasser", "Pasning og fodring af dyr i dyreinternat.")
WAREHOUSE = opening("o-lager", "Lagermedarbejder", "Pluk og pak af varer på lager.")
OFFICE = opening("o-kontor", "Kontorassistent", "Arkivering og telefonpasning på kontor.")
WANTS_ANIMALS = candidate(["arbejde med dyr", "dyrepasser"])


def ids(ranking: Ranking) -> list[str]:
    return [r.opening_id for r in ranking.results]


def test_an_added_opening_is_ranked_at_once() -> None:
    ranker = PreferenceRanker(FakeEncoder()).fit([WAREHOUSE, OFFICE])
    ranker.partial_fit([ANIMAL])
    assert ids(ranker.rank(WANTS_ANIMALS, on=DAY))[0] == "o-animal"


def test_a_replaced_opening_is_ranked_by_its_new_text_only() -> None:
    ranker = PreferenceRanker(FakeEncoder()).fit([ANIMAL, WAREHOUSE, OFFICE])
    office_now_animals = opening("o-kontor", "Dyrepasser", "Fodring af dyr og rengøring af stalde.")
    ranker.partial_fit([office_now_animals])
    ranking = ranker.rank(WANTS_ANIMALS, k=10, on=DAY)
    assert sorted(ids(ranking)) == ["o-animal", "o-kontor", "o-lager"]  # once each
    office = next(r for r in ranking.results if r.opening_id == "o-kontor")
    assert "matches 'dyrepasser'" in office.reasons


def test_retired_openings_never_come_back() -> None:
    ranker = PreferenceRanker(FakeEncoder()).fit([ANIMAL, WAREHOUSE, OFFICE])
    ranker.partial_fit([], retire=["o-animal", "o-unknown"])
    assert set(ids(ranker.rank(WANTS_ANIMALS, k=10, on=DAY))) == {"o-lager", "o-kontor"}
    assert ranker.retired_ == 1


def test_the_ranker_copied_from_is_left_as_it_was() -> None:
    catalogue = [
        opening(f"o-{i}", f"Lager {i}", "Pluk og pak af varer på lager.") for i in range(60)
    ]
    before = PreferenceRanker(FakeEncoder(), score_all_up_to=10, index="exact").fit(catalogue)
    expected = before.rank(WANTS_ANIMALS, k=5, on=DAY)
    size = len(before.openings_)
    after = copy.copy(before).partial_fit([ANIMAL], retire=["o-3"])
    assert ids(after.rank(WANTS_ANIMALS, k=5, on=DAY))[0] == "o-animal"
    assert before.rank(WANTS_ANIMALS, k=5, on=DAY) == expected
    assert len(before.openings_) == size
    assert before.index_ is not None and before.index_.size == size
    assert after.index_ is not None and after.index_.size == size + 1


def test_growing_past_score_all_up_to_builds_the_index() -> None:
    ranker = PreferenceRanker(FakeEncoder(), score_all_up_to=3).fit([WAREHOUSE, OFFICE])
    assert ranker.index_ is None
    more = [opening(f"o-{i}", f"Kontor {i}", "Arkivering.") for i in range(3)]
    ranker.partial_fit([ANIMAL, *more])
    assert ranker.index_ is not None and ranker.index_.size == 6
    assert ids(ranker.rank(WANTS_ANIMALS, on=DAY))[0] == "o-animal"


def test_vectors_must_match_the_openings() -> None:
    ranker = PreferenceRanker(FakeEncoder()).fit([WAREHOUSE])
    other = PreferenceRanker(FakeEncoder()).fit([WAREHOUSE, OFFICE])
    with pytest.raises(ValueError, match="vectors describe 2 openings but 1 were given"):
        ranker.partial_fit([ANIMAL], vectors=other.vectors_)


@settings(max_examples=25, deadline=None)
@given(
    split=st.integers(min_value=1, max_value=39),
    retired=st.sets(st.integers(min_value=0, max_value=39), max_size=10),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_partial_fit_ranks_the_same_openings_as_a_whole_fit(
    split: int, retired: set[int], seed: int
) -> None:
    catalogue = word_catalogue(40, seed)
    gone = {f"o-{i}" for i in retired if i < split}  # openings fitted first, then retired
    grown = PreferenceRanker(FakeEncoder(), score_all_up_to=5).fit(catalogue[:split])
    grown.partial_fit(catalogue[split:], retire=gone)
    whole = PreferenceRanker(FakeEncoder(), score_all_up_to=5).fit(
        [o for o in catalogue if o.id not in gone]
    )
    person = candidate(["dyr og gartner"], hours_per_week={"max": 25})
    by_parts = grown.rank(person, k=40, on=DAY)
    at_once = whole.rank(person, k=40, on=DAY)
    assert sorted(ids(by_parts)) == sorted(ids(at_once))
    assert not gone & set(ids(by_parts))
    # Hours and the other stated checks do not depend on how the catalogue was fitted.
    violations = {r.opening_id: r.violations for r in at_once.results}
    assert all(r.violations == violations[r.opening_id] for r in by_parts.results)
