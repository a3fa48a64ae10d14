from __future__ import annotations

import pytest

from matcher.scoring import ScoringWeights, avoided_phrase_in_text, occupation_codes_agree


def test_preference_must_outweigh_competency() -> None:
    with pytest.raises(ValueError, match="preferences first"):
        ScoringWeights(preference=0.3, competency=0.3)


def test_negative_weight_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'lexical'"):
        ScoringWeights(lexical=-1)


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
