"""The phrase-pair bridge: a wish looked for in the other language too."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from builders import candidate, opening
from fakes import FakeEncoder

from matcher.bridge import (
    LEXICON_PATH,
    LexiconError,
    PhraseBridge,
    negates,
    packaged_bridge_pairs,
    packaged_lexicon,
    read_lexicon,
)
from matcher.encoders import CachedEncoder
from matcher.errors import NotFittedError
from matcher.language_space import LanguageNeutraliser, packaged_phrase_pairs
from matcher.ranker import PreferenceRanker
from matcher.scoring import ScoringWeights
from matcher.text import normalise

DAY = date(2026, 11, 22)
PAIRS = [
    ("tømrer", "carpenter"),
    ("chauffør", "driver"),
    ("buschauffør", "bus driver"),
    ("arbejde med dyr", "working with animals"),
    ("kok", "cook"),
    ("kok", "chef"),
]


def _variants(
    wishes: list[str], pairs: list[tuple[str, str]] | None = PAIRS, **settings: float
) -> dict[str, list[str]]:
    """Each wish's variants by a bridge of `pairs` (None: the packaged lists)."""
    encoder = CachedEncoder(FakeEncoder())
    bridge = PhraseBridge(pairs, **settings).fit(encoder)
    found = bridge.variants(wishes, encoder.encode(wishes, "query"))
    said: dict[str, list[str]] = {}
    for text, owner in zip(found.texts, found.owner, strict=True):
        said.setdefault(wishes[int(owner)], []).append(text)
    return said


def test_a_wish_that_is_one_side_of_a_pair_gets_the_other_side() -> None:
    assert _variants(["Tømrer", "driver", "arbejde med dyr"]) == {
        "Tømrer": ["carpenter"],
        "driver": ["chauffør"],
        "arbejde med dyr": ["working with animals"],
    }


def test_a_wish_no_pair_says_gets_nothing() -> None:
    # Shares a word with a pair ("arbejde") but is another phrase.
    assert _variants(["arbejde med børn", "bogholder"]) == {}


def test_a_wish_whose_pairs_disagree_by_too_little_gets_nothing() -> None:
    # "kok" is the Danish side of two pairs that say different things in English.
    assert _variants(["kok"]) == {}
    # With no margin asked, the first of them is taken.
    assert _variants(["kok"], margin=0.0) == {"kok": ["cook"]}


def test_pairs_whose_other_sides_are_nearly_the_same_phrase_do_not_cancel() -> None:
    # "chaufføren" is no side, and as near to "chauffør" as to "chaufførerne" (the fake
    # encoder reads the first five letters of a word): their other sides agree, so the
    # first pair is taken; other sides that differ still cancel each other.
    agreeing = [("chauffør", "driver"), ("chaufførerne", "drivers")]
    assert _variants(["chaufføren"], agreeing) == {"chaufføren": ["driver"]}
    differing = [("chauffør", "driver"), ("chaufførerne", "coachmen")]
    assert _variants(["chaufføren"], differing) == {}


def test_a_wish_that_is_a_side_word_for_word_is_not_cancelled_by_a_near_phrase() -> None:
    # The fake encoder puts "sorting mail" and "mail sorting" at cosine 1; the other
    # sides differ. The wish's own words decide; only the same words elsewhere could rival.
    pairs = [("sortere post", "sorting mail"), ("postsortering", "mail sorting")]
    assert _variants(["sorting mail", "Mail sorting"], pairs) == {
        "sorting mail": ["sortere post"],
        "Mail sorting": ["postsortering"],
    }
    # A wish that is neither, equally near both, gets neither.
    assert _variants(["sorting mail sorting"], pairs) == {}


def test_similarity_decides_how_near_a_wish_must_be_to_a_side() -> None:
    # The fake encoder puts "bus driver" near "driver" but not at 0.999.
    near = _variants(["buschauffør kørsel"], similarity=0.5, margin=0.0)
    assert near == {"buschauffør kørsel": ["bus driver"]}
    assert _variants(["buschauffør kørsel"], similarity=0.999) == {}


def test_settings_and_fitting_are_checked() -> None:
    encoder = CachedEncoder(FakeEncoder())
    with pytest.raises(NotFittedError):
        PhraseBridge(PAIRS).variants(["kok"], np.zeros((1, 256), dtype=np.float32))
    with pytest.raises(ValueError, match="similarity"):
        PhraseBridge(PAIRS, similarity=0.0).fit(encoder)
    with pytest.raises(ValueError, match="margin"):
        PhraseBridge(PAIRS, margin=-0.1).fit(encoder)
    with pytest.raises(ValueError, match="at least one"):
        PhraseBridge([]).fit(encoder)


def test_the_packaged_pairs_bridge_a_danish_wish_to_an_english_opening() -> None:
    # The packaged list says "frisør" is "hairdresser"; the fake encoder knows no language.
    catalogue = [
        opening("o-en", "Hairdresser", "Hairdresser work in a salon."),
        opening("o-other", "Bogholder", "Bogføring og fakturering."),
    ]
    person = candidate(["frisør"])
    bridged = PreferenceRanker(FakeEncoder()).fit(catalogue).rank(person, k=2, on=DAY)
    off = PreferenceRanker(FakeEncoder(), weights=ScoringWeights(bridge_similarity=2.0))
    plain = off.fit(catalogue).rank(person, k=2, on=DAY)
    first = bridged.results[0]
    assert first.opening_id == "o-en"
    # The reason names the person's own wish, not the bridge's words.
    assert first.reasons[0] == "matches 'frisør'"
    en = next(r for r in plain.results if r.opening_id == "o-en")
    assert en.preference_fit < first.preference_fit
    assert not en.reasons[0].startswith("matches")


def test_the_other_language_side_also_retrieves_from_an_index() -> None:
    # Only one opening per query is retrieved from the index (no scan): the wish's own
    # words retrieve the Danish look-alike, the bridged side the English opening.
    catalogue = [opening(f"o-{i}", f"Bogholder {i}", "Bogføring.") for i in range(8)]
    catalogue += [
        opening("o-da", "Frisørskole", "Frisør skole."),
        opening("o-en", "Hairdresser", "Hairdresser work in a salon."),
    ]
    # Sentences off: their index would retrieve every opening of this small catalogue.
    settings = {
        "score_all_up_to": 2,
        "score_fitting_up_to": 0,
        "shortlist_per_query": 1,
        "scan_up_to": 0,
        "sentence_retrieval": False,
    }
    person = candidate(["frisør"])
    ranker = PreferenceRanker(FakeEncoder(), **settings).fit(catalogue)
    (query,) = ranker.encode_candidates([person])
    shortlist = {catalogue[i].id for i in ranker.shortlist(query, DAY, k=1)}
    assert {"o-da", "o-en"} <= shortlist
    off = PreferenceRanker(
        FakeEncoder(),
        weights=ScoringWeights(bridge_similarity=2.0, expansion_similarity=2.0),
        **settings,
    ).fit(catalogue)
    (plain,) = off.encode_candidates([person])
    assert "o-en" not in {catalogue[i].id for i in off.shortlist(plain, DAY, k=1)}


# ------------------------------------------------------------ the packaged lexicon


def test_a_wish_that_is_a_lexicon_line_gets_the_other_side() -> None:
    assert _variants(["lave mad", "Køre bil", "sortere post", "sorting mail"], None) == {
        "lave mad": ["cooking"],
        "Køre bil": ["driving"],
        "sortere post": ["sorting mail"],
        "sorting mail": ["sortere post"],
    }


def test_the_bridge_reads_both_packaged_lists_and_the_language_direction_one() -> None:
    phrases = packaged_phrase_pairs()
    lexicon = packaged_lexicon()
    assert PhraseBridge().pairs == packaged_bridge_pairs()
    assert set(packaged_bridge_pairs()) == set(phrases) | set(lexicon)
    assert len(packaged_bridge_pairs()) == len(set(phrases) | set(lexicon))
    # The language direction, and with it the encoder's model_id, keeps to its own list.
    assert LanguageNeutraliser().pairs == phrases
    assert not set(lexicon) & set(phrases)


def test_the_packaged_lexicon_is_one_meaning_a_line_in_two_languages() -> None:
    with LEXICON_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["danish", "english"]
    lines = rows[1:]
    assert 600 <= len(lines) <= 1000
    assert all(
        len(line) == 2 and all(cell.strip() == cell and cell for cell in line) for line in lines
    )
    danish = [normalise(d) for d, _ in lines]
    english = [normalise(e) for _, e in lines]
    assert len(set(danish)) == len(danish)
    assert len(set(english)) == len(english)
    assert all(d != e for d, e in zip(danish, english, strict=True))
    assert packaged_lexicon() == tuple((d, e) for d, e in lines)


def _lexicon_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dansk,engelsk\nkok,cook\n", "the columns must be danish, english"),
        ("danish,english\nkok,\n", "line 2: both 'danish' and 'english' needed"),
        (
            "danish,english\nkok,cook\nKok ,chef\n",
            "line 3: the phrasing 'kok' is already on line 2",
        ),
        ("danish,english\nkok,cook\nmadlavning,cook\n", "'cook' is already on line 2"),
        ("danish,english\nbarista,Barista\n", "line 2: 'barista' is the same in both languages"),
    ],
)
def test_a_malformed_lexicon_is_refused_naming_the_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(LexiconError, match=message):
        read_lexicon(_lexicon_file(tmp_path, text))


def test_a_lexicon_phrase_may_not_mean_otherwise_than_in_the_phrase_pairs(tmp_path: Path) -> None:
    path = _lexicon_file(tmp_path, "danish,english\nkok,cook\ntømrer,joiner\n")
    beside = [("tømrer", "carpenter"), ("kok", "cook")]
    with pytest.raises(LexiconError, match=r"line 3: danish 'tømrer' is paired with 'carpenter'"):
        read_lexicon(path, beside=beside)
    # The same pair in both lists is no conflict.
    assert read_lexicon(path, beside=[("kok", "cook")]) == [("kok", "cook"), ("tømrer", "joiner")]


# ------------------------------------------------------------ real model


@pytest.mark.integration
def test_the_real_encoder_bridges_own_words_and_inflections_through_the_lexicon(
    e5_encoder: CachedEncoder,
) -> None:
    """Own examples: lexicon lines word for word, an inflection of one, and wishes no
    line says (too general, or between several lines), which get nothing."""
    wishes = [
        "lave mad",
        "sorting mail",
        "Vaskeri",
        "lagermedarbejder",
        "pædagog medhjælper",
        "arbejde",
        "job",
        "butik",
    ]
    bridge = PhraseBridge().fit(e5_encoder)
    found = bridge.variants(wishes, e5_encoder.encode(wishes, "query"))
    said = {wishes[int(o)]: t for t, o in zip(found.texts, found.owner, strict=True)}
    assert said == {
        "lave mad": "cooking",
        "sorting mail": "sortere post",
        "Vaskeri": "laundry",
        "lagermedarbejder": "warehouse operative",
        "pædagog medhjælper": "childcare assistant",
    }


def test_a_wish_no_pair_says_gets_its_nearest_pair_as_a_reading_that_does_not_confirm() -> None:
    # Fake encoder: "arbejde med dyr hver dag" is 0.87 from "arbejde med dyr" (3 of 4 words).
    wishes = ["arbejde med dyr hver dag", "kok"]
    encoder = CachedEncoder(FakeEncoder())
    vectors = encoder.encode(wishes, "query")
    strict = PhraseBridge(PAIRS).fit(encoder).variants(wishes, vectors)
    assert strict.texts == []
    found = PhraseBridge(PAIRS, near=0.85).fit(encoder).variants(wishes, vectors)
    assert found.texts == ["working with animals"]
    assert found.owner.tolist() == [0]
    assert found.confirming().tolist() == [False]
    # Beyond `near` nothing; a wish a pair says still confirms, beside a near reading.
    assert PhraseBridge(PAIRS, near=0.9).fit(encoder).variants(wishes, vectors).texts == []
    both = ["arbejde med dyr hver dag", "tømrer"]
    mixed = (
        PhraseBridge(PAIRS, near=0.85).fit(encoder).variants(both, encoder.encode(both, "query"))
    )
    assert mixed.texts == ["working with animals", "carpenter"]
    assert mixed.confirming().tolist() == [False, True]
    with pytest.raises(ValueError, match="near"):
        PhraseBridge(PAIRS, near=1.5).fit(encoder)


def test_a_bridged_wish_keeps_what_it_says_beyond_the_pair() -> None:
    # Fake encoder: "arbejde med dyr hver dag" is 0.87 from "arbejde med dyr"; its variant
    # is "working with animals" moved by the wish less that side, so it keeps "hver dag".
    wishes = ["arbejde med dyr hver dag", "tømrer"]
    encoder = CachedEncoder(FakeEncoder())
    vectors = encoder.encode(wishes, "query")
    found = PhraseBridge(PAIRS, near=0.85).fit(encoder).variants(wishes, vectors)
    assert found.texts == ["working with animals", "carpenter"]
    assert found.vectors is not None
    side, other, rest, carpenter = encoder.encode(
        ["arbejde med dyr", "working with animals", "hver dag", "carpenter"], "query"
    )
    expected = other + vectors[0] - side
    np.testing.assert_allclose(found.vectors[0], expected / np.linalg.norm(expected), atol=1e-6)
    assert found.vectors[0] @ rest > other @ rest
    np.testing.assert_allclose(np.linalg.norm(found.vectors, axis=1), 1.0, atol=1e-6)
    # A wish that is a side word for word gets the other side as it is.
    np.testing.assert_allclose(found.vectors[1], carpenter, atol=1e-6)


def test_a_side_that_says_more_than_the_wish_is_a_reading_and_a_negated_side_none() -> None:
    pairs = [
        ("gør rent på kontorer om morgenen", "cleans offices in the morning"),
        ("bage brød", "baking bread"),
        ("jeg kan ikke tåle at stå op hele dagen", "I cannot stand up all day"),
    ]
    wishes = [
        "gøre rent på kontorer om aftenen",  # the side's "morgenen" is not the wish's
        "bage brød og kager",  # the side says part of the wish, nothing else
        "være oppe hele dagen",  # near the negated side only
    ]
    encoder = CachedEncoder(FakeEncoder())
    vectors = encoder.encode(wishes, "query")
    found = PhraseBridge(pairs, similarity=0.7, near=0.5).fit(encoder).variants(wishes, vectors)
    assert found.texts == ["cleans offices in the morning", "baking bread"]
    assert found.confirming().tolist() == [False, True]


def test_negates_finds_a_negating_word() -> None:
    assert negates("jeg kan ikke tåle at stå op hele dagen") is True
    assert negates("I can't stand up all day") is True
    assert negates("work without lifting") is True
    assert negates("være udenfor hele dagen") is False
    assert negates("nothing heavy") is False
