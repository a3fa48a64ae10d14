"""The explanation part: which words may confirm that an opening "matches" a wish."""

from __future__ import annotations

from datetime import date

import pytest
from builders import candidate, opening
from fakes import FakeEncoder

from matcher import explanation, lexical
from matcher.ranker import PreferenceRanker
from matcher.text import words

DAY = date(2026, 11, 22)
DESCRIPTION = "Running servers for a company. Backups at night."


def _first_reason(title: str) -> str:
    catalogue = [opening("o-1", title, DESCRIPTION), opening("o-2", "Bogholder", "Bogføring.")]
    ranking = (
        PreferenceRanker(FakeEncoder())
        .fit(catalogue)
        .rank(candidate(["mail carrier"]), k=2, on=DAY)
    )
    return next(r for r in ranking.results if r.opening_id == "o-1").reasons[0]


def test_a_wish_word_before_the_title_s_head_does_not_confirm_matches() -> None:
    # "mail" starts "Mail", but the title's head is "administrator".
    assert _first_reason("Mail administrator") == "partly matches 'mail carrier'"


def test_a_wish_word_at_the_title_s_head_confirms_matches() -> None:
    assert _first_reason("Administrator, mail") == "matches 'mail carrier'"


def test_without_the_head_rule_the_same_words_would_confirm_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every word a head: the lexical channel reads "mail" in the title, and it confirms.
    monkeypatch.setattr(lexical, "title_heads", lambda title: set(words(title)))
    monkeypatch.setattr(explanation, "starts_a_head", lambda phrases, title: True)
    assert _first_reason("Mail administrator") == "matches 'mail carrier'"
