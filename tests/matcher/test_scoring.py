from __future__ import annotations

import pytest

from matcher.scoring import (
    ScoringWeights,
    avoided_phrase_in_text,
    occupation_codes_agree,
    wish_match,
)


def test_preference_must_outweigh_competency() -> None:
    with pytest.raises(ValueError, match="preferences first"):
        ScoringWeights(preference=0.3, competency=0.3)


def test_negative_weight_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'lexical'"):
        ScoringWeights(lexical=-1)


def test_a_wish_fit_needs_a_positive_number_of_spans() -> None:
    with pytest.raises(ValueError, match="'semantic_spans' must be > 0"):
        ScoringWeights(semantic_spans=0)


W = ScoringWeights(partial_reason=0.3, match_whole=1.5, match_words=0.2)


@pytest.mark.parametrize(
    ("fit", "whole", "lexical", "said"),
    [
        # Confirmed by a strong rise of the whole text, with no shared word (another language).
        (0.6, 1.5, 0.0, "matches"),
        # Confirmed by the wish's words at the start of the title's, on a modest rise.
        (0.31, 0.6, 0.2, "matches"),
        # A high fit alone is a look-alike's too: only "partly".
        (0.9, 1.49, 0.19, "partly matches"),
        (0.3, 0.0, 0.0, "partly matches"),
        # Below `partial_reason` nothing is claimed, whatever confirms it.
        (0.29, 3.0, 1.0, None),
    ],
)
def test_matches_only_when_the_fit_is_confirmed(
    fit: float, whole: float, lexical: float, said: str | None
) -> None:
    assert wish_match(fit, whole, lexical, W) == said


@pytest.mark.parametrize(
    ("wanted", "offered", "agree"),
    [
        ("5164", "5164", True),
        ("51", "5164", True),
        ("5164", "51649", True),
        ("5164", "5165", False),
        ("5", "5164", False),
        (
            "http://data.europa.eu/esco/occupation/x",
            "http://data.europa.eu/esco/occupation/x",
            True,
        ),
    ],
)
def test_occupation_codes(wanted: str, offered: str, agree: bool) -> None:
    assert occupation_codes_agree(wanted, offered) is agree


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("tunge løft", "Lagerarbejde med tunge løft hver dag.", True),
        ("tunge løft", "Lagerarbejde uden tunge løft.", False),
        ("tunge løft", "Ingen tunge løft i jobbet.", False),
        ("støjende miljø", "Et støjende produktionsmiljø.", True),
        ("kundekontakt", "Meget kundekontakt i butikken.", True),
        ("kundekontakt", "Rolige opgaver på lageret.", False),
        ("night shifts", "Night shifts three times a week.", True),
        ("night shifts", "No night shifts.", False),
    ],
)
def test_avoided_phrase_in_text(phrase: str, text: str, found: bool) -> None:
    assert avoided_phrase_in_text(phrase, text) is found
