"""Phrases of one kind with different specifics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.specifics import differ_in_specifics


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("truckcertifikat", "kranførercertifikat"),
        ("lagerarbejde", "havearbejde"),
        ("B-kørekort", "C-kørekort"),
        ("customer service", "telephone service"),
    ],
)
def test_the_same_head_with_other_specifics_differs(one: str, other: str) -> None:
    assert differ_in_specifics(one, other)
    assert differ_in_specifics(other, one)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("truckcertifikat", "forklift licence"),  # other words: the encoder decides
        ("Excel", "Microsoft Excel"),  # no specifics on one side
        ("hygiene certificate", "food hygiene certificate"),
        ("truckcertifikat", "truckførercertifikat"),  # one specific part in the other
        ("arbejde", "lagerarbejde"),
        ("madlavning", "kagebagning"),  # a shared ending, not a head
        ("lagermedarbejder i seks år hos et stort firma", "lagermedarbejder"),
    ],
)
def test_phrases_without_other_specifics_do_not_differ(one: str, other: str) -> None:
    assert not differ_in_specifics(one, other)


@given(st.text(min_size=1, max_size=40))
def test_a_phrase_never_differs_from_itself(text: str) -> None:
    assert not differ_in_specifics(text, text)
