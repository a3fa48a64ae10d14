"""The phrase-pair bridge: a wish looked for in the other language too."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from builders import candidate, opening
from fakes import FakeEncoder

from matcher.bridge import PhraseBridge
from matcher.encoders import CachedEncoder
from matcher.errors import NotFittedError
from matcher.ranker import PreferenceRanker
from matcher.scoring import ScoringWeights

DAY = date(2026, 11, 22)
PAIRS = [
    ("tømrer", "carpenter"),
    ("chauffør", "driver"),
    ("buschauffør", "bus driver"),
    ("arbejde med dyr", "working with animals"),
    ("kok", "cook"),
    ("kok", "chef"),
]


def _bridge(**settings: float) -> tuple[PhraseBridge, CachedEncoder]:
    encoder = CachedEncoder(FakeEncoder())
    return PhraseBridge(PAIRS, **settings).fit(encoder), encoder


def _variants(wishes: list[str], **settings: float) -> dict[str, list[str]]:
    bridge, encoder = _bridge(**settings)
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
