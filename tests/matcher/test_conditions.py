from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import conditions as conditions_module
from matcher.conditions import (
    CONDITIONS,
    ConditionMention,
    condition_names,
    conditions_in_text,
    conditions_mask,
    conditions_named_by_words,
    find_conditions,
    is_negated,
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Contact with people, by the words job ads use for them.
        ("Rengøring på plejehjem med daglig kontakt med beboerne.", ["customer contact"]),
        ("Du betjener borgere i skranken.", ["customer contact"]),
        ("Front desk: welcoming guests.", ["customer contact"]),
        ("Sagsbehandling uden borgerkontakt.", []),
        # Residents named, but no contact with them (the demo's o-0269).
        ("Opvask i køkkenet, der laver mad til beboerne.", []),
        ("Personlig pleje af borgere i eget hjem.", ["customer contact", "personal care"]),
        ("Data entry with no contact with customers.", []),
        # "kasser" are boxes; "kassen" is the till.
        ("Vi løfter kasser på op til 25 kg.", ["heavy lifting"]),
        ("Heavy lifting of crates all day.", ["heavy lifting"]),
        ("Du er ikke bange for tunge løft.", ["heavy lifting"]),
        ("Hjælp til bad, påklædning og toiletbesøg.", ["personal care"]),
        (
            "Helping residents with washing, dressing and toileting.",
            ["customer contact", "personal care"],
        ),
        ("Køkkenhjælp i en vuggestue.", ["children"]),
        ("Serving meals to the kids at a kindergarten.", ["children"]),
        ("Rengøring i en børnehave.", ["children"]),
        ("You drive the company van between sites.", ["driving"]),
        ("Udbringning af pakker i firmaets varebil.", ["driving"]),
        ("Levering på cykel; vanding af planter.", []),
        ("Arbejde hver anden weekend, lørdag og søndag.", ["weekend work"]),
        ("Ingen nattevagter eller weekendarbejde.", []),
        ("Dag og nat.", ["night work"]),
        ("Arbejde på stillads i op til 20 meters højde.", ["heights"]),
    ],
)
def test_conditions_in_text_of_job_ads(text: str, expected: list[str]) -> None:
    assert condition_names(conditions_in_text(text)) == expected


def test_find_conditions_quotes_the_whole_word_it_found() -> None:
    (mention,) = find_conditions("Vi søger til nattevagter på lageret.")
    assert (mention.condition, mention.span) == ("night work", "nattevagter")
    text = "Vi søger til nattevagter på lageret."
    assert text[mention.start : mention.end] == "nattevagter"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("personlig pleje", ["personal care"]), ("børn", ["children"]), ("children", ["children"])],
)
def test_new_conditions_are_named_by_words(phrase: str, expected: list[str]) -> None:
    assert condition_names(conditions_named_by_words(phrase)) == expected


def test_conditions_mask_names_the_known_conditions_for_an_unknown_one() -> None:
    assert conditions_mask(["noise"]) == conditions_in_text("Loud music.")
    with pytest.raises(ValueError, match="unknown condition 'sunshine'; known: customer contact"):
        conditions_mask(["sunshine"])


def _every_pattern_scanned(text: str) -> tuple[ConditionMention, ...]:
    """find_conditions without its cheap test first: the reference it must agree with."""
    composed = unicodedata.normalize("NFC", text)
    found = []
    for condition, pattern in zip(CONDITIONS, conditions_module._PATTERNS, strict=True):
        for match in pattern.finditer(composed):
            if is_negated(composed, match.start()):
                continue
            end = conditions_module._WORD_REST.match(composed, match.end())
            stop = end.end() if end else match.end()
            span = composed[match.start() : stop]
            found.append(ConditionMention(condition.name, span, match.start(), stop))
            break
    return tuple(found)


_SIGN_WORDS = sorted(
    {w for c in CONDITIONS for w in (*c.signs, *c.inner, *c.labels)}
    | {"25 kg", "nat", "pub", "washing and dressing", "ikke", "ingen", "no", "ſ", "ı", "İ"}
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_SIGN_WORDS),
            st.sampled_from(_SIGN_WORDS).map(str.upper),
            st.text(alphabet="abcæøå ÆØÅ-.,0123456789", max_size=8),
        ),
        max_size=12,
    ).map(" ".join)
)
def test_the_cheap_test_first_finds_what_every_pattern_finds(text: str) -> None:
    assert find_conditions(text) == _every_pattern_scanned(text)
