"""The seven ranking rules on small catalogues with a known right answer.

These run on the hashing fake encoder, so texts that should match share
words; meaning across languages is tested with the real model in
`test_ranker_real_model.py`.
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import candidate, opening, word_catalogue
from fakes import FakeEncoder

from matcher.errors import NotFittedError
from matcher.geo import haversine_km
from matcher.ranker import PreferenceRanker
from matcher.records import Ranking

DAY = date(2026, 11, 22)
NØRREBRO = {"lat": 55.6944, "lon": 12.5496}
VALBY = {"lat": 55.6617, "lon": 12.5163}  # about 4 km from Nørrebro
AARHUS = {"lat": 56.1567, "lon": 10.2108}  # about 157 km away


def ranked_ids(ranking: Ranking) -> list[str]:
    return [r.opening_id for r in ranking.results]


def result(ranking: Ranking, opening_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in ranking.results if r.opening_id == opening_id)


def fitted(*openings, **settings) -> PreferenceRanker:  # type: ignore[no-untyped-def]
    return PreferenceRanker(FakeEncoder(), **settings).fit(list(openings))


ANIMAL = opening("o-animal", "Dyrepasser", "Pasning og fodring af dyr i dyreinternat.")
WAREHOUSE = opening("o-lager", "Lagermedarbejder", "Pluk og pak af varer på lager.")
OFFICE = opening("o-kontor", "Kontorassistent", "Arkivering og telefonpasning på kontor.")


def test_rule_1_wants_outrank_past_work() -> None:
    ranker = fitted(ANIMAL, WAREHOUSE, OFFICE)
    person = candidate(
        ["arbejde med dyr", "dyrepasser"],
        competencies={"experience": [{"title": "lagermedarbejder", "years": 5}]},
    )
    ranking = ranker.rank(person, on=DAY)
    assert ranked_ids(ranking)[0] == "o-animal"
    animal, warehouse = result(ranking, "o-animal"), result(ranking, "o-lager")
    assert warehouse.competency_fit > animal.competency_fit
    assert animal.preference_fit > warehouse.preference_fit
    assert "matches 'dyrepasser'" in animal.reasons


def test_rule_1_one_strong_alternative_is_a_strong_fit() -> None:
    ranker = fitted(ANIMAL, WAREHOUSE, OFFICE)
    focused = ranker.rank(candidate(["dyrepasser"]), on=DAY)
    several = ranker.rank(candidate(["kok", "cykelbud", "dyrepasser"]), on=DAY)
    assert ranked_ids(several)[0] == "o-animal"
    assert result(several, "o-animal").preference_fit == pytest.approx(
        result(focused, "o-animal").preference_fit
    )


def test_rule_1_competencies_order_openings_of_equal_preference_fit() -> None:
    plain = opening("o-plain", "Dyrepasser", "Pasning af dyr.", requires={"skills": ["traktor"]})
    fitting = opening("o-fits", "Dyrepasser", "Pasning af dyr.", requires={"skills": ["hygiejne"]})
    ranker = fitted(plain, fitting)
    person = candidate(["dyrepasser"], competencies={"skills": ["hygiejne"]})
    ranking = ranker.rank(person, on=DAY)
    assert ranked_ids(ranking) == ["o-fits", "o-plain"]
    assert result(ranking, "o-plain").requirement_gaps == ["skill"]


@pytest.mark.parametrize(
    ("code", "person_fields", "bad_fields"),
    [
        (
            "hours",
            {"hours_per_week": {"min": 10, "max": 20}},
            {"hours_per_week": {"min": 30, "max": 37}},
        ),
        ("schedule", {"schedule": ["day"]}, {"schedule": ["day", "night"]}),
        ("kind", {}, {"kind": "education"}),
        (
            "commute",
            {"max_commute_km": 15, "location": NØRREBRO},
            {"location": AARHUS},
        ),
        ("avoid", {"avoid": ["tunge løft"]}, {"description": "Pasning af dyr og tunge løft."}),
    ],
)
def test_rule_2_violations_sink_and_are_named(
    code: str, person_fields: dict, bad_fields: dict
) -> None:
    # The breaking opening fits the wish better (two matching words) than the clean one.
    fields = {"description": "Pasning af dyr.", **bad_fields}
    bad = opening("o-bad", "Dyrepasser dyrepasser", **fields)
    clean_fields = {"location": VALBY} if code == "commute" else {}
    clean = opening("o-clean", "Dyrepasser", "Rolige opgaver.", **clean_fields)
    ranker = fitted(bad, clean)
    ranking = ranker.rank(candidate(["dyrepasser"], **person_fields), on=DAY)
    assert ranked_ids(ranking) == ["o-clean", "o-bad"]
    assert result(ranking, "o-bad").violations == [code]
    assert result(ranking, "o-clean").violations == []


def test_rule_2_checks_apply_only_when_both_sides_state_the_field() -> None:
    silent = opening("o-silent", "Dyrepasser", "Pasning af dyr.")
    person = candidate(
        ["dyrepasser"],
        hours_per_week={"max": 15},
        schedule=["day"],
        max_commute_km=5,
        location=NØRREBRO,
    )
    ranking = fitted(silent).rank(person, on=DAY)
    assert ranking.results[0].violations == []


@pytest.mark.parametrize(
    ("code", "person_fields", "description", "reason"),
    [
        (
            "schedule",
            {"schedule": ["day"]},
            "Omdeling af dyrefoder mellem kl. 3 og 6 om natten.",
            "the text says night work: 'mellem kl. 3 og 6'; accepts day",
        ),
        (
            "hours",
            {"hours_per_week": {"max": 15}},
            "Pasning af dyr, 30-37 hours a week.",
            "the text says 30-37 h/week: '30-37 hours a week', "
            "outside the wanted at most 15 h/week",
        ),
        (
            "avoid",
            {"avoid": ["nattearbejde"]},
            "Pasning af dyr 22.00-06.00.",
            "may involve 'nattearbejde (night work, the text says \"22.00-06.00\")', "
            "which the person wants to avoid",
        ),
    ],
)
def test_rule_2_terms_stated_only_in_the_text_count_and_name_their_words(
    code: str, person_fields: dict, description: str, reason: str
) -> None:
    bad = opening("o-bad", "Dyrepasser dyrepasser", description)
    clean = opening("o-clean", "Dyrepasser", "Pasning af dyr.")
    ranking = fitted(bad, clean).rank(candidate(["dyrepasser"], **person_fields), on=DAY)
    assert ranked_ids(ranking) == ["o-clean", "o-bad"]
    assert result(ranking, "o-bad").violations == [code]
    assert reason in result(ranking, "o-bad").reasons


def test_rule_2_a_field_wins_over_the_text() -> None:
    stated = opening("o-day", "Dyrepasser", "Nattevagter.", schedule=["day"])
    ranking = fitted(stated).rank(candidate(["dyrepasser"], schedule=["day"]), on=DAY)
    assert ranking.results[0].violations == []


def test_rule_2_kind_education_wanted() -> None:
    course = opening("o-amu", "AMU-kursus i dyrepasning", "Kursus om dyr.", kind="education")
    ranking = fitted(course).rank(candidate(["dyr"], kinds=["job", "education"]), on=DAY)
    assert ranking.results[0].violations == []
    assert "an education place, as wanted" in ranking.results[0].reasons


def test_rule_2_commute_reason_gives_the_distance() -> None:
    near = opening("o-near", "Dyrepasser", location=VALBY)
    ranking = fitted(near).rank(
        candidate(["dyrepasser"], max_commute_km=15, location=NØRREBRO), on=DAY
    )
    expected = haversine_km(NØRREBRO["lat"], NØRREBRO["lon"], VALBY["lat"], VALBY["lon"])
    assert f"{float(expected):.1f} km from home" in ranking.results[0].reasons


@pytest.mark.parametrize(
    ("requires", "competencies", "gap"),
    [
        ({"driving_licence": True}, {"driving_licence": False}, "driving_licence"),
        ({"languages": ["en"]}, {"languages": ["da"]}, "language"),
        ({"skills": ["truckcertifikat"]}, {"skills": ["kasseekspedition"]}, "skill"),
    ],
)
def test_rule_3_gaps_are_reasons_not_exclusions(
    requires: dict, competencies: dict, gap: str
) -> None:
    demanding = opening("o-req", "Dyrepasser", "Pasning af dyr.", requires=requires)
    easy = opening("o-easy", "Dyrepasser", "Pasning af dyr.")
    ranking = fitted(demanding, easy).rank(
        candidate(["dyrepasser"], competencies=competencies), on=DAY
    )
    assert len(ranking.results) == 2
    req, free = result(ranking, "o-req"), result(ranking, "o-easy")
    assert req.requirement_gaps == [gap]
    assert req.violations == []
    assert req.preference_fit == free.preference_fit
    assert req.competency_fit < free.competency_fit


def test_rule_3_met_requirements_are_no_gaps() -> None:
    demanding = opening(
        "o-req",
        "Truckfører",
        requires={"driving_licence": True, "languages": ["da"], "skills": ["truckcertifikat"]},
    )
    person = candidate(
        ["truck"],
        competencies={"skills": ["Truckcertifikat"], "languages": ["da"], "driving_licence": True},
    )
    assert fitted(demanding).rank(person, on=DAY).results[0].requirement_gaps == []


@pytest.mark.parametrize(("disclosure", "contact"), [("yes", "consultant"), ("no", "self")])
def test_rule_4_disclosure_sets_contact(disclosure: str, contact: str) -> None:
    ranking = fitted(ANIMAL, WAREHOUSE).rank(candidate(disclosure=disclosure), on=DAY)
    assert {r.contact for r in ranking.results} == {contact}


def test_rule_4_default_is_self() -> None:
    ranking = fitted(ANIMAL).rank(candidate(), on=DAY)
    assert ranking.results[0].contact == "self"


def test_rule_5_health_and_unknown_fields_are_inert() -> None:
    ranker = fitted(ANIMAL, WAREHOUSE, OFFICE)
    base = candidate(["dyr", "lager"], avoid=["kontor"])
    with_health = candidate(
        ["dyr", "lager"],
        avoid=["kontor"],
        health={"note": "skizofreni; dyr og lager og kontor"},
        favourite_colour="grøn",
    )
    assert ranker.rank(base, on=DAY) == ranker.rank(with_health, on=DAY)


def test_rule_6_expired_and_not_yet_posted_openings_are_left_out() -> None:
    expired = opening("o-old", "Dyrepasser", expires="2026-11-21")
    last_day = opening("o-last", "Dyrepasser", expires="2026-11-22")
    future = opening("o-future", "Dyrepasser", posted="2026-12-01")
    ranking = fitted(expired, last_day, future, WAREHOUSE).rank(candidate(["dyrepasser"]), on=DAY)
    assert "o-old" not in ranked_ids(ranking)
    assert "o-future" not in ranked_ids(ranking)
    assert ranked_ids(ranking)[0] == "o-last"


def test_rule_7_every_result_has_readable_reasons() -> None:
    ranking = fitted(ANIMAL, WAREHOUSE, OFFICE).rank(candidate(), on=DAY)
    for item in ranking.results:
        assert item.reasons
        assert all(isinstance(r, str) and 0 < len(r) <= 120 for r in item.reasons)


def test_zero_exclusion_every_candidate_gets_a_ranking() -> None:
    ranker = fitted(ANIMAL, WAREHOUSE)
    odd = candidate(
        ["astronaut"], hours_per_week={"max": 1}, schedule=["night"], kinds=["education"]
    )
    ranking = ranker.rank(odd, on=DAY)
    assert len(ranking.results) == 2
    assert all(r.violations for r in ranking.results)


def test_empty_catalogue_gives_an_empty_ranking() -> None:
    ranking = fitted().rank(candidate(), on=DAY)
    assert ranking.results == []


def test_k_limits_results_and_ranks_count_from_one() -> None:
    ranking = fitted(ANIMAL, WAREHOUSE, OFFICE).rank(candidate(), k=2, on=DAY)
    assert [r.rank for r in ranking.results] == [1, 2]


def test_misuse_is_refused() -> None:
    with pytest.raises(NotFittedError):
        PreferenceRanker(FakeEncoder()).rank(candidate())
    with pytest.raises(ValueError, match="k must be at least 1"):
        fitted(ANIMAL).rank(candidate(), k=0)


def test_shortlist_gives_the_same_top_as_scoring_everything() -> None:
    catalogue = word_catalogue(300, seed=7)
    ranker = PreferenceRanker(
        FakeEncoder(), index="exact", score_all_up_to=50, score_fitting_up_to=0
    ).fit(catalogue)
    person = candidate(["dyr og gartner"], hours_per_week={"max": 25})
    fast = ranker.rank(person, on=DAY, k=10)
    full = ranker.rank(person, on=DAY, k=10, exhaustive=True)
    assert ranked_ids(fast) == ranked_ids(full)


@pytest.mark.parametrize("scan_up_to", [0, 10_000])
@pytest.mark.parametrize(
    "wants",
    [
        {"max_commute_km": 10, "hours_per_week": {"max": 25}},
        # Nothing within 1 km: every result breaks something, in the exhaustive order.
        {"max_commute_km": 1},
        # Only few openings allow 6 hours a week or less: the rest fill the ranking.
        {"hours_per_week": {"max": 6}},
    ],
)
def test_shortlist_among_fitting_openings_gives_the_exhaustive_top(
    scan_up_to: int,
    wants: dict,  # type: ignore[type-arg]
) -> None:
    ranker = PreferenceRanker(
        FakeEncoder(),
        index="hnsw",
        score_all_up_to=50,
        score_fitting_up_to=0,
        scan_up_to=scan_up_to,
    ).fit(word_catalogue(400, seed=11, places=[NØRREBRO, VALBY, AARHUS]))
    person = candidate(["dyr og gartner"], location=NØRREBRO, **wants)
    fast = ranker.rank(person, on=DAY, k=10)
    full = ranker.rank(person, on=DAY, k=10, exhaustive=True)
    assert ranked_ids(fast) == ranked_ids(full)
