"""Training pairs for adapting the encoder (matcher.provision.adapt), on hand-made tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.provision.adapt import (
    AdaptationError,
    AdaptSettings,
    Pair,
    adapt_encoder,
    build_pairs,
    count_kinds,
    disco_titles,
    esco_occupations,
    first_sentence,
    isco_groups,
    load_pairs,
    no_duplicate_batches,
)

DISCO = (
    "SEKVENS;KODE;NIVEAU;TITEL;GENERELLE_NOTER\n"
    '1;"5";1;Service- og salgsarbejde;\n'
    '2;"5164";4;Arbejde med kæledyr;\n'
    '3;"516400";5;Dyrepasser;\n'
    '4;"9334";4;Lagerarbejde;\n'
    '5;"933410";5;Lagermedarbejder;\n'
    '6;"8332";4;Lastbilkørsel;\n'
)
ISCO = (
    "conceptType,conceptUri,code,preferredLabel,status,altLabels,inScheme,description\n"
    "ISCOGroup,u1,5,Service and sales workers,released,,s,d\n"
    "ISCOGroup,u2,5164,Pet groomers and animal care workers,released,,s,d\n"
    "ISCOGroup,u3,9334,Shelf fillers,released,,s,d\n"
)
OCCUPATIONS = (
    "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,description\n"
    'Occupation,o1,5164,animal care attendant,"animal keeper\nzoo keeper",'
    "Animal care attendants look after animals. They feed them.\n"
    'Occupation,o2,9334,shelf filler,"shelf stacker\nShelf Filler",Shelf fillers stock shelves.\n'
    "Occupation,o3,9334,warehouse picker,,\n"
)
PHRASES = "danish,english\nlagerarbejder,warehouse worker\npasser dyr,looks after animals\n"


@pytest.fixture
def tables(tmp_path: Path) -> tuple[Path, Path, Path]:
    esco = tmp_path / "taxonomy" / "esco"
    esco.mkdir(parents=True)
    (esco / "ISCOGroups_en.csv").write_text(ISCO, "utf-8")
    (esco / "occupations_en.csv").write_text(OCCUPATIONS, "utf-8")
    (tmp_path / "disco.csv").write_text("\ufeff" + DISCO, "utf-8")
    (tmp_path / "phrases.csv").write_text(PHRASES, "utf-8")
    return tmp_path / "taxonomy", tmp_path / "disco.csv", tmp_path / "phrases.csv"


def test_disco_titles_are_levels_four_and_five_by_their_unit_group(
    tables: tuple[Path, Path, Path],
) -> None:
    _, disco, _ = tables
    assert disco_titles(disco) == [
        ("5164", "Arbejde med kæledyr"),
        ("5164", "Dyrepasser"),
        ("9334", "Lagerarbejde"),
        ("9334", "Lagermedarbejder"),
        ("8332", "Lastbilkørsel"),
    ]


def test_pairs_join_by_code(tables: tuple[Path, Path, Path]) -> None:
    taxonomy, disco, phrases = tables
    pairs = load_pairs(taxonomy, disco, phrases, AdaptSettings(esco_per_disco=5))
    isco = {(p.query, p.passage) for p in pairs if p.kind == "disco_isco"}
    assert ("Dyrepasser", "Pet groomers and animal care workers") in isco
    assert ("Pet groomers and animal care workers", "Dyrepasser") in isco  # both directions
    assert ("Lagermedarbejder", "Shelf fillers") in isco
    assert not any("Lastbilkørsel" in pair for pair in isco)  # 8332 has no ISCO row here
    esco = {(p.query, p.passage, p.group) for p in pairs if p.kind == "disco_esco"}
    assert ("Lagermedarbejder", "shelf filler", "9334") in esco
    assert ("Lagermedarbejder", "warehouse picker", "9334") in esco
    assert ("Dyrepasser", "animal care attendant", "5164") in esco
    assert all(group in {"5164", "9334"} for _, _, group in esco)
    counts = count_kinds(pairs)
    assert counts["disco_isco"] == 8 and counts["disco_esco"] == 6 and counts["phrases"] == 4


def test_alt_labels_against_the_preferred_label_and_first_sentence(
    tables: tuple[Path, Path, Path],
) -> None:
    taxonomy, disco, phrases = tables
    settings = AdaptSettings(kinds=("esco_alt",), alt_per_occupation=5)
    pairs = load_pairs(taxonomy, disco, phrases, settings)
    assert {(p.query, p.passage, p.group) for p in pairs} == {
        (
            "animal keeper",
            "animal care attendant. Animal care attendants look after animals.",
            "5164",
        ),
        ("zoo keeper", "animal care attendant. Animal care attendants look after animals.", "5164"),
        ("shelf stacker", "shelf filler. Shelf fillers stock shelves.", "9334"),
    }  # "Shelf Filler" is the preferred label again; the picker has no alternative


def test_sampling_is_fixed_by_the_seed(tables: tuple[Path, Path, Path]) -> None:
    taxonomy, disco, phrases = tables
    settings = AdaptSettings(esco_per_disco=1, alt_per_occupation=1)
    assert load_pairs(taxonomy, disco, phrases, settings) == load_pairs(
        taxonomy, disco, phrases, settings
    )


def test_no_batch_holds_two_pairs_of_one_group_or_one_text() -> None:
    pairs = [Pair(f"q{i}", f"p{i}", f"g{i % 7}", "disco_isco") for i in range(70)]
    pairs += [Pair("shared", f"x{i}", f"h{i}", "esco_alt") for i in range(5)]
    batches = no_duplicate_batches(pairs, 4, seed=1)
    for batch in batches:
        assert len({p.group for p in batch}) == len(batch)
        texts = [t for p in batch for t in (p.query, p.passage)]
        assert len(set(texts)) == len(texts)
        assert 2 <= len(batch) <= 4
    used = [p for batch in batches for p in batch]
    assert len(used) == len(set(used)) and len(used) >= 70
    assert batches == no_duplicate_batches(pairs, 4, seed=1)
    assert batches != no_duplicate_batches(pairs, 4, seed=2)


def test_build_pairs_refuses_an_unknown_kind() -> None:
    with pytest.raises(AdaptationError, match="unknown pair kind"):
        build_pairs(
            disco=[], groups={}, occupations=[], phrases=[], settings=AdaptSettings(kinds=("x",))
        )


def test_first_sentence() -> None:
    assert first_sentence("One  thing. Two things.") == "One thing."
    assert first_sentence("No stop") == "No stop"


def test_isco_groups_keep_unit_groups_only(tables: tuple[Path, Path, Path]) -> None:
    taxonomy, _, _ = tables
    assert set(isco_groups(taxonomy / "esco")) == {"5164", "9334"}
    assert [o.label for o in esco_occupations(taxonomy / "esco")] == [
        "animal care attendant",
        "shelf filler",
        "warehouse picker",
    ]


def test_a_missing_file_is_named(tables: tuple[Path, Path, Path]) -> None:
    taxonomy, disco, phrases = tables
    (taxonomy / "esco" / "occupations_en.csv").unlink()
    with pytest.raises(AdaptationError, match=r"occupations_en\.csv: file not found"):
        load_pairs(taxonomy, disco, phrases, AdaptSettings())


def test_a_missing_column_is_named(tables: tuple[Path, Path, Path]) -> None:
    taxonomy, disco, phrases = tables
    (taxonomy / "esco" / "ISCOGroups_en.csv").write_text("code,label\n1,x\n", "utf-8")
    with pytest.raises(AdaptationError, match=r"missing column.*preferredLabel"):
        load_pairs(taxonomy, disco, phrases, AdaptSettings())


def test_adapt_refuses_a_base_that_is_no_model_folder(
    tables: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    taxonomy, disco, phrases = tables
    with pytest.raises(AdaptationError, match="not a sentence-transformers folder"):
        adapt_encoder(
            tmp_path / "nothing", tmp_path / "out", taxonomy, disco=disco, phrases=phrases
        )


def test_the_export_retries_with_more_float32_matmuls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from matcher.provision import adapt
    from matcher.provision._common import ModelProvisioningError

    tried: list[int] = []

    def export(*_: object, float32_matmuls: int, **__: object) -> None:
        tried.append(float32_matmuls)
        if float32_matmuls < 12:
            raise ModelProvisioningError("the int8 ONNX graph disagrees with torch: cosine 0.97")

    monkeypatch.setattr(adapt, "export_onnx", export)
    adapt._export(tmp_path, "sha", lambda _: None)
    assert tried == [1, 4, 12]

    def broken(*_: object, **__: object) -> None:
        raise ModelProvisioningError("the int8 ONNX graph disagrees with torch: cosine 0.5")

    monkeypatch.setattr(adapt, "export_onnx", broken)
    with pytest.raises(AdaptationError, match="weights are written but the ONNX export failed"):
        adapt._export(tmp_path, "sha", lambda _: None)
