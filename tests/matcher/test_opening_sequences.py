"""Sequences of openings a catalogue keeps without copying them (`matcher.opening_sequences`)."""

from __future__ import annotations

import pytest
from builders import opening
from hypothesis import given
from hypothesis import strategies as st

from matcher.opening_sequences import FullTexts, Joined, joined, kept
from matcher.text import opening_full_text

OPENINGS = [opening(f"o-{i}", f"Titel {i}", f"Tekst nummer {i}.") for i in range(12)]


@given(
    cut=st.integers(0, len(OPENINGS)),
    index=st.integers(-len(OPENINGS), len(OPENINGS) - 1),
    start=st.integers(-15, 15),
    stop=st.integers(-15, 15),
    step=st.sampled_from([1, 2, -1, 3]),
)
def test_joined_reads_like_the_two_lists_added(
    cut: int, index: int, start: int, stop: int, step: int
) -> None:
    first, second = tuple(OPENINGS[:cut]), tuple(OPENINGS[cut:])
    both = Joined(first, second)
    assert len(both) == len(OPENINGS)
    assert both[index] is OPENINGS[index]
    assert list(both[start:stop:step]) == OPENINGS[start:stop:step]
    assert list(both) == OPENINGS


@pytest.mark.parametrize("index", [12, -13])
def test_joined_refuses_an_index_beyond_it(index: int) -> None:
    with pytest.raises(IndexError):
        Joined(tuple(OPENINGS[:5]), tuple(OPENINGS[5:]))[index]


def test_lists_are_joined_into_a_list_and_additions_to_a_lazy_one_into_one_join() -> None:
    assert joined(OPENINGS[:3], OPENINGS[3:]) == OPENINGS
    lazy = tuple(OPENINGS[:4])
    once = joined(lazy, OPENINGS[4:8])
    twice = joined(once, OPENINGS[8:])
    assert isinstance(twice, Joined) and twice._first is lazy
    assert list(twice) == OPENINGS


def test_a_list_is_copied_and_any_other_sequence_kept_as_given() -> None:
    given_list = list(OPENINGS)
    copied = kept(given_list)
    given_list.pop()
    assert len(copied) == len(OPENINGS)
    lazy = tuple(OPENINGS)
    assert kept(lazy) is lazy


def test_full_texts_are_each_opening_s_whole_text() -> None:
    texts = FullTexts(tuple(OPENINGS))
    assert texts[3] == opening_full_text(OPENINGS[3])
