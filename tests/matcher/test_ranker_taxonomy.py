"""The ranker with a taxonomy: occupations agree, past jobs show skills, places by postcode.

The unit tests run on the fake encoder over a small taxonomy whose labels
share words with the records; the integration tests run the real encoder
over the real DISCO-08 and ESCO exports (a few ISCO groups of them).
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import candidate, opening
from fakes import FakeEncoder
from paths import DISCO_CSV, esco_folder
from test_links import TAXONOMY

from matcher.encoders import CachedEncoder
from matcher.occupations import OccupationMapper
from matcher.places import Place, PostcodeTable, packaged_postcodes
from matcher.ranker import PreferenceRanker
from matcher.records import Ranking
from matcher.taxonomy import Taxonomy, import_taxonomy

DAY = date(2026, 11, 22)


def result(ranking: Ranking, opening_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in ranking.results if r.opening_id == opening_id)


CATALOGUE = [
    opening("o-dyr", "Hundeluftning og pasning", occupation="516400"),
    opening(
        "o-lager",
        "Lagermedarbejder",
        "Pluk og pak.",
        requires={"skills": ["operate forklift", "svejsning"]},
    ),
    opening("o-kok", "Kok i kantine"),
]


def fitted(**settings) -> PreferenceRanker:  # type: ignore[no-untyped-def]
    return PreferenceRanker(FakeEncoder(), taxonomy=TAXONOMY, **settings).fit(CATALOGUE)


def test_a_profile_with_codes_gets_the_occupation_with_its_title() -> None:
    person = candidate(["noget helt andet"], occupations=["5164"])
    with_taxonomy = result(fitted().rank(person, on=DAY), "o-dyr")
    assert "matches occupation 5164 Arbejde med kæledyr" in with_taxonomy.reasons
    assert not any(r.startswith("wanted occupation") for r in with_taxonomy.reasons)
    # The preference bonus is the same as for codes without a taxonomy, and not added twice.
    without = result(PreferenceRanker(FakeEncoder()).fit(CATALOGUE).rank(person, on=DAY), "o-dyr")
    assert with_taxonomy.preference_fit == pytest.approx(without.preference_fit, abs=1e-4)
    assert "wanted occupation 516400" in without.reasons


def test_a_profile_with_only_words_gets_the_occupation_inferred_on_both_sides() -> None:
    # "warehouse worker" is an ESCO title and "Lagermedarbejder" one of its labels: the
    # words differ, the occupation is the same.
    person = candidate(["warehouse worker"])
    ranker = fitted()
    found = result(ranker.rank(person, on=DAY), "o-lager")
    assert "matches occupation 9333 Lagerarbejde" in found.reasons
    plain = result(PreferenceRanker(FakeEncoder()).fit(CATALOGUE).rank(person, on=DAY), "o-lager")
    assert found.preference_fit > plain.preference_fit
    assert not any("occupation" in r for r in plain.reasons)


def test_an_english_profile_reads_the_english_title() -> None:
    person = candidate(["working with animals"], occupations=["5164"])
    found = result(fitted().rank(person, on=DAY), "o-dyr")
    assert "matches occupation 5164 Pet groomers and animal care workers" in found.reasons


def test_skills_shown_by_past_work_are_not_gaps() -> None:
    person = candidate(
        ["lagermedarbejder"], competencies={"experience": [{"title": "warehouse worker"}]}
    )
    found = result(fitted().rank(person, on=DAY), "o-lager")
    assert "asks for 'operate forklift'" not in found.reasons
    assert "asks for 'svejsning'" in found.reasons  # not essential to the job: still a gap
    plain = result(PreferenceRanker(FakeEncoder()).fit(CATALOGUE).rank(person, on=DAY), "o-lager")
    assert "asks for 'operate forklift'" in plain.reasons
    assert found.competency_fit > plain.competency_fit


def test_a_fitted_mapper_is_reused_and_an_unfitted_one_needs_the_taxonomy() -> None:
    mapper = OccupationMapper(FakeEncoder()).fit(TAXONOMY)
    ranker = PreferenceRanker(FakeEncoder(), occupation_mapper=mapper).fit(CATALOGUE)
    assert ranker.links_ is not None and ranker.links_.mapper is mapper
    with pytest.raises(ValueError, match="not fitted"):
        PreferenceRanker(FakeEncoder(), occupation_mapper=OccupationMapper(FakeEncoder())).fit(
            CATALOGUE
        )


def test_postcode_table_places_records_and_reasons_state_the_distance() -> None:
    table = PostcodeTable(
        [Place("2400", "København NV", 55.7126, 12.5288), Place("2500", "Valby", 55.6617, 12.5163)]
    )
    job = opening("o-1", "Lager", location={"postcode": "2500"})
    person = candidate(["lager"], location={"postcode": "2400"}, max_commute_km=2)
    (found,) = PreferenceRanker(FakeEncoder(), postcodes=table).fit([job]).rank(person).results
    assert "5.7 km from home, beyond 2 km" in found.reasons
    assert found.violations == ["commute"]


# ------------------------------------------------------------- the real model

GROUPS = (
    *("5164", "6121", "6129", "9212"),  # animals
    *("9333", "9334", "4321", "8344"),  # warehouses
    *("5120", "9412", "5223", "9112", "9129"),  # kitchens, shops, cleaning
)


@pytest.fixture(scope="module")
def real_taxonomy() -> Taxonomy:
    # The English titles and skills are ESCO's: an import of the third-party exports.
    return import_taxonomy(disco=DISCO_CSV, esco=esco_folder()).restricted(GROUPS)


REAL_CATALOGUE = [
    opening(
        "o-hotel",
        "Rengøringsassistent på hotel",
        "Rengøring af værelser og gange.",
        location={"postcode": "2400"},
    ),
    opening(
        "o-lager",
        "Lagerarbejder",
        "Pluk og pak af varer på et stort lager.",
        requires={"skills": ["stabling af varer"]},
        location={"postcode": "2500"},
    ),
    opening("o-kok", "Kok", "Madlavning i kantinen.", occupation="512000"),
]


@pytest.mark.integration
def test_real_profiles_with_words_or_codes_get_occupation_reasons(
    e5_encoder: CachedEncoder, real_taxonomy: Taxonomy
) -> None:
    table = packaged_postcodes()
    ranker = PreferenceRanker(e5_encoder, taxonomy=real_taxonomy, postcodes=table).fit(
        REAL_CATALOGUE
    )
    words = candidate(
        ["rengøring på hotel", "arbejde på et lager"], id="c-words", location={"postcode": "2400"}
    )
    ranking = ranker.rank(words, on=DAY)
    hotel = result(ranking, "o-hotel")
    assert "matches occupation 9112 Rengøringsarbejde undtagen i private hjem" in hotel.reasons
    assert "0.0 km from home" in hotel.reasons
    warehouse = result(ranking, "o-lager")
    assert any(r.startswith("matches occupation 9334 ") for r in warehouse.reasons), warehouse
    codes = candidate(["et roligt job"], id="c-codes", occupations=["5120"])
    cook = result(ranker.rank(codes, on=DAY), "o-kok")
    assert "matches occupation 5120 Kokkearbejde (ekskl. køkkenchefarbejde)" in cook.reasons
    english = candidate(["a quiet job"], id="c-en", occupations=["5120"])
    cook = result(ranker.rank(english, on=DAY), "o-kok")
    assert "matches occupation 5120 Cooks" in cook.reasons


@pytest.mark.integration
def test_real_past_work_shows_a_required_skill(
    e5_encoder: CachedEncoder, real_taxonomy: Taxonomy
) -> None:
    ranker = PreferenceRanker(e5_encoder, taxonomy=real_taxonomy).fit(REAL_CATALOGUE)
    person = candidate(
        ["arbejde på et lager"], competencies={"experience": [{"title": "truckfører", "years": 4}]}
    )
    query = ranker.encode_candidates([person])[0]
    assert "operate forklift" in query.shown_skills, query.shown_skills
    found = result(ranker.rank_encoded(query, on=DAY), "o-lager")
    assert "skill" not in found.requirement_gaps, found.reasons
    plain = PreferenceRanker(e5_encoder).fit(REAL_CATALOGUE)
    assert "skill" in result(plain.rank(person, on=DAY), "o-lager").requirement_gaps
