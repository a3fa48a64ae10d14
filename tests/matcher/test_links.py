"""Records' occupations and skills through a taxonomy, on the fake encoder."""

from __future__ import annotations

from builders import candidate, opening
from fakes import FakeEncoder

from matcher.links import OccupationLink, TaxonomyLinks
from matcher.occupations import OccupationMapper
from matcher.skills import SkillEvidence
from matcher.taxonomy import Occupation, SkillRelation, Taxonomy

WAREHOUSE = "http://e/occ/warehouse"
KENNEL = "http://e/occ/kennel"

TAXONOMY = Taxonomy(
    [
        Occupation("5164", "Arbejde med kæledyr", "da", "5164", "disco08", 4),
        Occupation("516400", "Arbejde med kæledyr", "da", "5164", "disco08", 5),
        Occupation("9333", "Lagerarbejde", "da", "9333", "disco08", 4),
        Occupation("5164", "Pet groomers and animal care workers", "en", "5164", "isco", 4),
        Occupation(
            WAREHOUSE, "warehouse worker", "en", "9333", "esco", alt_labels=("lagermedarbejder",)
        ),
        Occupation(KENNEL, "kennel worker", "en", "5164", "esco", alt_labels=("dyrepasser",)),
        Occupation("http://e/occ/cook", "cook", "en", "5120", "esco"),
    ],
    relations=[
        SkillRelation(WAREHOUSE, "http://e/sk/forklift", "operate forklift", "essential"),
        SkillRelation(WAREHOUSE, "http://e/sk/stock", "stock control", "essential"),
        SkillRelation(WAREHOUSE, "http://e/sk/excel", "use spreadsheets", "optional"),
        SkillRelation(KENNEL, "http://e/sk/feed", "feed animals", "essential"),
    ],
)


def links(**settings) -> TaxonomyLinks:  # type: ignore[no-untyped-def]
    return TaxonomyLinks(OccupationMapper(FakeEncoder()).fit(TAXONOMY), **settings)


def test_openings_by_code_or_by_title() -> None:
    found = links().of_openings(
        [
            opening("o-1", "Hundeluftning", occupation="516400"),
            opening("o-2", "Lagermedarbejder"),
            opening("o-3", "Astronaut"),
            opening("o-4", "Dyrepasser", occupation="http://e/occ/unknown-version"),
        ]
    )
    assert found[0] == OccupationLink(group="5164", code="516400")
    assert found[1] is not None and found[1].group == "9333" and found[1].text == "Lagermedarbejder"
    assert found[2] is None  # no confident match: no occupation rather than a wrong one
    assert found[3] is not None and found[3].group == "5164"  # unknown code: title decides


def test_candidates_by_codes_and_wishes_without_repeats() -> None:
    (wanted,) = links().of_candidates(
        [candidate(["lagermedarbejder", "astronaut", "dyrepasser"], occupations=["5164", "51"])]
    )
    assert [(link.group, link.text) for link in wanted] == [
        ("5164", None),
        ("51", None),
        ("9333", "lagermedarbejder"),
    ]
    assert wanted[1].agrees_with(OccupationLink("5164", "5164"))


def test_titles_in_the_profiles_language() -> None:
    linked = links()
    link = OccupationLink("5164", "516400")
    assert linked.title(link, "da") == "Arbejde med kæledyr"
    assert linked.title(link, "en") == "Pet groomers and animal care workers"
    assert linked.language(candidate(["arbejde med dyr"])) == "da"
    assert linked.language(candidate(["working with animals"])) == "en"


def test_past_jobs_show_their_occupations_essential_skills_only() -> None:
    person = candidate(competencies={"experience": [{"title": "lagermedarbejder", "years": 3}]})
    shown = links().skills_shown(person)
    assert set(shown) == {"operate forklift", "stock control"}
    assert shown["operate forklift"].text == "lagermedarbejder"
    assert shown["operate forklift"].occupation == WAREHOUSE


def test_skill_evidence_needs_a_confident_occupation() -> None:
    mapper = OccupationMapper(FakeEncoder()).fit(TAXONOMY)
    assert SkillEvidence(mapper).evidenced(["astronaut"]) == set()
    assert SkillEvidence(mapper).evidenced(["kennel worker"]) == {"feed animals"}
    assert SkillEvidence(mapper, min_score=1.01).evidenced(["kennel worker"]) == set()
    assert SkillEvidence(mapper).evidenced([]) == set()
