"""Known skills: the same skill in other words or languages, kinds of a skill, malformed lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.skill_lexicon import (
    KnownSkill,
    SkillComparison,
    SkillLexicon,
    SkillListError,
    packaged_skills,
    read_skills,
    skill_key,
)

MEETS, OTHER = SkillComparison.MEETS, SkillComparison.OTHER
SMALL = [
    KnownSkill("cleaning", ("rengøring", "cleaning")),
    KnownSkill("window cleaning", ("vinduespudsning", "window cleaning"), "cleaning"),
    KnownSkill("c#", ("C#",)),
    KnownSkill("c++", ("C++",)),
]


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("madlavning", "cooking"),  # the same skill in the other language
        ("truckcertifikat", "forklift licence"),
        ("B-kørekort", "driving licence"),
        ("kassesystem", "cash register"),
        ("Photoshop", "billedbehandling"),  # a kind of the required skill
        ("Excel", "regneark"),
        ("erfaring med Excel", "Microsoft Excel"),  # lead-in words name no skill
    ],
)
def test_the_same_skill_or_a_kind_of_it_meets_the_requirement(held: str, required: str) -> None:
    assert SkillLexicon().compare(held, required) is MEETS


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("Photoshop", "AutoCAD"),  # two programs of one field
        ("Python", "Java"),
        ("engelsk", "tysk"),
        ("B-kørekort", "C-kørekort"),
        ("rengøring", "vinduespudsning"),  # the broader skill does not show the narrower
        ("billedbehandling", "Photoshop"),
        ("førstehjælp", "medicinhåndtering"),
    ],
)
def test_a_different_known_skill_does_not_meet_the_requirement(held: str, required: str) -> None:
    assert SkillLexicon().compare(held, required) is OTHER


def test_a_phrase_the_list_does_not_know_is_left_to_the_encoder() -> None:
    lexicon = SkillLexicon(SMALL)
    assert lexicon.named("kranførercertifikat") is None
    assert lexicon.compare("kranførercertifikat", "cleaning") is None
    assert lexicon.compare("cleaning", "kranførercertifikat") is None


def test_a_skill_among_other_words_is_only_certain_when_unrelated() -> None:
    lexicon = SkillLexicon(SMALL)
    assert lexicon.named("window cleaning with a lift") == ("window cleaning", "among other words")
    # Related (cleaning is broader) but the lift is more than the list can judge.
    assert lexicon.compare("rengøring", "window cleaning with a lift") is None
    assert lexicon.compare("vinduespudsning", "window cleaning with a lift") is None
    assert lexicon.compare("C#", "window cleaning with a lift") is OTHER


def test_a_description_or_a_phrase_of_two_skills_is_left_to_the_encoder() -> None:
    lexicon = SkillLexicon(SMALL)
    # Two skills named: neither is "the" skill of the phrase.
    assert lexicon.named("C# og rengøring") is None
    assert lexicon.compare("C# og rengøring", "C++") is None
    # A past job described in a sentence is no skill's name.
    described = "rengøring af kontorer og trapper om morgenen i seks år"
    assert lexicon.named(described) is None
    assert lexicon.compare(described, "C#") is None


def test_signs_in_a_name_keep_two_languages_apart() -> None:
    lexicon = SkillLexicon(SMALL)
    assert skill_key("C#") != skill_key("C++")
    assert lexicon.compare("C#", "C++") is OTHER
    assert lexicon.compare("c#", "C#") is MEETS


KNOWN_PHRASINGS = sorted({p for skill in packaged_skills() for p in skill.phrasings})


@given(st.sampled_from(KNOWN_PHRASINGS))
def test_every_packaged_phrasing_meets_itself(phrasing: str) -> None:
    assert SkillLexicon().compare(phrasing, phrasing) is MEETS


NARROWER = [(s, b) for s in packaged_skills() if (b := s.kind_of) is not None]


@given(st.sampled_from(NARROWER), st.data())
def test_a_narrower_skill_meets_its_broader_one_and_not_the_reverse(
    pair: tuple[KnownSkill, str], data: st.DataObject
) -> None:
    narrow, broad_name = pair
    broad = next(s for s in packaged_skills() if s.name == broad_name)
    held = data.draw(st.sampled_from(narrow.phrasings))
    required = data.draw(st.sampled_from(broad.phrasings))
    lexicon = SkillLexicon()
    assert lexicon.compare(held, required) is MEETS
    assert lexicon.compare(required, held) is OTHER


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "skills.csv"
    path.write_text("skill,phrasings,kind_of\n" + body, encoding="utf-8")
    return path


def test_a_phrasing_under_two_skills_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,kasse|till,\nb,Till,\n")
    with pytest.raises(SkillListError, match=r"line 3: the phrasing 'till' is already on line 2"):
        read_skills(path)


def test_an_unknown_broader_skill_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,kasse,b\n")
    with pytest.raises(SkillListError, match=r"line 2: 'kind_of' names 'b', which is no skill"):
        read_skills(path)


def test_a_loop_of_kinds_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,kasse,b\nb,till,a\n")
    with pytest.raises(SkillListError, match="leads back to"):
        read_skills(path)


def test_a_row_without_phrasings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SkillListError, match=r"line 2: 'skill' and 'phrasings' are both needed"):
        read_skills(_write(tmp_path, "a,,\n"))


def test_other_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "skills.csv"
    path.write_text("name,phrases\na,b\n", encoding="utf-8")
    with pytest.raises(SkillListError, match="the columns must be skill, phrasings, kind_of"):
        read_skills(path)
