from __future__ import annotations

import pytest

from matcher.conditions import (
    CONDITIONS,
    condition_names,
    conditions_in_text,
    conditions_named_by_words,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Du betjener kunderne ved kassen.", ["customer contact"]),
        ("Serving customers at the till.", ["customer contact"]),
        ("Washing up in a noisy kitchen.", ["noise"]),
        ("Tunge løft og støjende miljø.", ["noise", "heavy lifting"]),
        ("Ingen kundekontakt, rolige opgaver.", []),
        ("Vi arbejder ikke om natten.", []),
        ("Pasning af dyr i naturen.", []),
        ("Night shifts and weekend work.", ["night work", "weekend work"]),
    ],
)
def test_conditions_in_text(text: str, expected: list[str]) -> None:
    assert condition_names(conditions_in_text(text)) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("kundekontakt", ["customer contact"]),
        ("kontakt med kunder", ["customer contact"]),
        ("nattevagter", ["night work"]),
        ("tunge løft", ["heavy lifting"]),
        ("computere", []),
    ],
)
def test_conditions_named_by_words(phrase: str, expected: list[str]) -> None:
    assert condition_names(conditions_named_by_words(phrase)) == expected


def test_every_condition_has_labels_and_signs() -> None:
    for condition in CONDITIONS:
        assert condition.labels and condition.signs
