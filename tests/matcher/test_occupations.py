"""Free text to ISCO-08 groups: the mechanics on the fake encoder, the meaning on the real one."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeEncoder
from paths import DISCO_CSV, esco_folder

from matcher.encoders import CachedEncoder
from matcher.errors import NotFittedError
from matcher.occupations import CorpusEntry, OccupationMapper, corpus_taxonomy
from matcher.taxonomy import Occupation, Taxonomy, import_taxonomy

ANIMALS = "http://e/occ/animal"
WAREHOUSE = "http://e/occ/warehouse"
COOK = "http://e/occ/cook"

SMALL = Taxonomy(
    [
        Occupation("5164", "Arbejde med kæledyr", "da", "5164", "disco08", 4),
        Occupation("516400", "Arbejde med kæledyr", "da", "5164", "disco08", 5),
        Occupation("9333", "Arbejde med lastning og losning", "da", "9333", "disco08", 4),
        Occupation("933", "Transport- og lagerarbejde", "da", None, "disco08", 3),
        Occupation(
            ANIMALS,
            "animal care attendant",
            "en",
            "5164",
            "esco",
            alt_labels=("animal carer", "kennel hand", "dog walker", "pet sitter", "zoo keeper"),
            description="Animal care attendants feed animals and clean their cages.",
        ),
        Occupation(WAREHOUSE, "warehouse worker", "en", "9333", "esco", alt_labels=("stacker",)),
        Occupation(COOK, "cook", "en", "5120", "esco", alt_labels=("chef",)),
    ]
)


def fitted(**settings) -> OccupationMapper:  # type: ignore[no-untyped-def]
    return OccupationMapper(FakeEncoder(), **settings).fit(SMALL)


def test_maps_to_groups_best_first_with_channels() -> None:
    (matches,) = fitted().map(["animal carer wanted"], top=3)
    best = matches[0]
    assert best.group == "5164"
    assert best.code == ANIMALS and best.matched == "animal carer"
    assert best.group_title == "Arbejde med kæledyr"  # the only level-4 title of 5164 here
    assert set(best.channels) == {"encoder", "lexical"}
    assert 0.0 <= best.score <= 1.0
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_entries_cap_alt_labels_skip_upper_levels_and_drop_duplicates() -> None:
    mapper = OccupationMapper(FakeEncoder(), max_alt_labels=2)
    entries = mapper.entries(SMALL)
    texts = [text for text, _, _ in entries]
    assert "animal carer" in texts and "kennel hand" in texts and "dog walker" not in texts
    assert "Transport- og lagerarbejde" not in texts  # level 3 has no unit group
    assert texts.count("Arbejde med kæledyr") == 1  # level 5 repeats its level-4 title
    assert any(kind == "description" for _, kind, _ in entries)


def test_exclusion_leaves_entries_out() -> None:
    mapper = fitted()
    chosen = np.asarray([t == "stacker" for t in mapper.entry_texts_])
    assert mapper.map(["stacker"], top=1)[0][0].group == "9333"
    encoder, lexical = mapper.entry_scores(["stacker"], exclude=chosen)
    assert encoder[0, chosen].max() == 0 and lexical[0, chosen].max() == 0
    per_phrase = mapper.entry_scores(["stacker"], exclude=[np.flatnonzero(chosen)])
    assert np.array_equal(per_phrase[0], encoder)


def test_best_occupation_of_one_source() -> None:
    mapper = fitted()
    (match,) = mapper.best_occupations(["warehouse worker"])
    assert match is not None and match.code == WAREHOUSE and match.source == "esco"
    assert mapper.best_occupations([]) == []


def test_second_fit_encodes_nothing_new() -> None:
    encoder = CachedEncoder(FakeEncoder())
    OccupationMapper(encoder).fit(SMALL)
    before = encoder.encoded_count
    OccupationMapper(encoder).fit(SMALL)
    assert encoder.encoded_count == before


def test_settings_are_checked() -> None:
    with pytest.raises(NotFittedError):
        OccupationMapper(FakeEncoder()).map(["x"])
    with pytest.raises(ValueError, match="encoder_weight"):
        OccupationMapper(FakeEncoder(), encoder_weight=0, lexical_weight=0).fit(SMALL)
    with pytest.raises(ValueError, match="ISCO-08 unit group"):
        OccupationMapper(FakeEncoder()).fit(Taxonomy([SMALL.occupations[3]]))
    with pytest.raises(ValueError, match=r"^known_spelling must be .*, got \(0.7, 0.25\)$"):
        OccupationMapper(FakeEncoder(), known_spelling=(0.7, 0.25)).fit(SMALL)
    with pytest.raises(ValueError, match=r"^label_centroid must be >= 0, got -1$"):
        OccupationMapper(FakeEncoder(), label_centroid=-1).fit(SMALL)
    with pytest.raises(ValueError, match=r"^encoder_span must be > 0, got 0$"):
        OccupationMapper(FakeEncoder(), encoder_span=0).fit(SMALL)
    with pytest.raises(ValueError, match="top"):
        fitted().map(["x"], top=0)


def test_label_centroid_pulls_each_entry_toward_its_occupations_labels() -> None:
    plain, pulled = fitted(), fitted(label_centroid=1.0)
    assert plain.entry_texts_ == pulled.entry_texts_
    assert np.allclose(np.linalg.norm(pulled.vectors_, axis=1), 1, atol=1e-5)
    owners = plain.entry_occupations_
    for occupation in set(owners.tolist()):
        rows = np.flatnonzero(owners == occupation)
        labels = rows[plain.entry_kinds_[rows] != "description"]
        mean = plain.vectors_[labels].sum(axis=0)
        mean /= np.linalg.norm(mean)
        for row in rows:
            expected = plain.vectors_[row] + mean
            assert np.allclose(pulled.vectors_[row], expected / np.linalg.norm(expected), atol=1e-5)
    # 0 leaves the vectors as encoded.
    assert np.array_equal(fitted(label_centroid=0.0).vectors_, plain.vectors_)
    assert fitted().map([]) == []


# A phrase none of whose character n-grams any label of SMALL has (another language's
# spelling, in the extreme).
UNSPELT = "qqxj zzvq"


def test_known_share_is_the_idf_weighted_share_of_ngrams_the_labels_have() -> None:
    mapper = fitted()
    known, unspelt, empty = mapper.known_share(["warehouse worker", UNSPELT, ""])
    assert known == pytest.approx(1.0) and unspelt == pytest.approx(0.0)
    assert empty == pytest.approx(1.0)  # nothing to judge by: treated as known
    (half,) = mapper.known_share([f"warehouse {UNSPELT}"])
    assert 0.0 < half < 1.0


def test_a_phrase_the_labels_cannot_spell_is_ranked_by_the_encoder_alone() -> None:
    mapper = fitted()
    encoder, _ = mapper.entry_scores([UNSPELT])
    # No hubness correction: the labels' crowding is measured in their own spelling.
    unhubbed, _ = fitted(hub_weight=0.0).entry_scores([UNSPELT])
    assert np.allclose(encoder, unhubbed)
    # No lexical weight: the score is the encoder channel.
    (matches,) = mapper.map([UNSPELT], top=3)
    assert all(m.score == m.channels["encoder"] for m in matches)
    (best,) = mapper.best_occupations([UNSPELT])
    assert best is not None and best.score == best.channels["encoder"]


def test_a_phrase_the_labels_spell_keeps_both_channels_and_the_correction() -> None:
    mapper = fitted()
    ungated = fitted(known_spelling=None)
    phrase = "warehouse worker"
    assert np.allclose(mapper.entry_scores([phrase])[0], ungated.entry_scores([phrase])[0])
    (matches,) = mapper.map([phrase], top=3)
    for match in matches:
        mixed = 0.6 * match.channels["encoder"] + 0.4 * match.channels["lexical"]
        assert match.score == pytest.approx(mixed, abs=1e-3)


def test_the_spelling_weight_ramps_between_the_two_shares() -> None:
    phrase = f"warehouse {UNSPELT}"
    (share,) = fitted().known_share([phrase])
    just_below = fitted(known_spelling=(share + 0.01, min(share + 0.5, 1.0)))
    just_above = fitted(known_spelling=(max(share - 0.5, 0.0), share - 0.01))
    (below,) = just_below.map([phrase], top=1)
    (above,) = just_above.map([phrase], top=1)
    assert below[0].score == below[0].channels["encoder"]  # weight 0: encoder only
    mixed = 0.6 * above[0].channels["encoder"] + 0.4 * above[0].channels["lexical"]
    assert above[0].score == pytest.approx(mixed, abs=1e-3)  # weight 1: both channels


# ------------------------------------------------------------- the real model

# A few groups around animals, warehouses, kitchens, shops and cleaning, with
# their near neighbours, so that the real encoder has wrong answers to avoid
# while the test encodes about a thousand texts, not nineteen thousand.
GROUPS = (
    *("5164", "6121", "6122", "6129", "9212", "2250", "3240"),  # animals
    *("9333", "9334", "4321", "8344", "9329", "1324"),  # warehouses
    *("5120", "9412", "3434"),  # kitchens
    *("5223", "5230", "5221"),  # shops
    *("9112", "9111", "9129", "5151"),  # cleaning
)


@pytest.fixture(scope="module")
def real_mapper(e5_encoder: CachedEncoder) -> OccupationMapper:
    # English phrases ("animal care") need ESCO's titles: an import of the third-party exports.
    taxonomy = import_taxonomy(disco=DISCO_CSV, esco=esco_folder())
    return OccupationMapper(e5_encoder).fit(taxonomy.restricted(GROUPS))


@pytest.mark.integration
@pytest.mark.parametrize(
    ("phrase", "groups"),
    [
        # Animal care (5164) or the other animal groups a consultant would accept.
        ("noget med dyr", {"5164", "6121", "6129", "9212"}),
        ("arbejde med dyr", {"5164", "6121", "6129", "9212"}),
        ("lagerarbejde", {"9333", "4321", "9334"}),
        ("arbejde på et lager", {"9333", "4321", "9334"}),
        ("opvasker i et køkken", {"9412"}),
        ("rengøring på hotel", {"9112"}),
        ("animal care", {"5164"}),
        ("warehouse worker", {"9333"}),
    ],
)
def test_phrases_map_to_the_right_group(
    real_mapper: OccupationMapper, phrase: str, groups: set[str]
) -> None:
    (matches,) = real_mapper.map([phrase], top=3)
    assert matches[0].group in groups, [(m.group, m.title, m.score) for m in matches]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("phrase", "group"),
    [
        # Harder: the closest group by words is a neighbour (shop owners, cleaning
        # supervisors), the right one is among the first three.
        ("butiksassistent", "5223"),
        ("rengøringsassistent", "9112"),
        ("lagermedarbejder", "4321"),
    ],
)
def test_harder_phrases_find_the_group_in_the_top_three(
    real_mapper: OccupationMapper, phrase: str, group: str
) -> None:
    (matches,) = real_mapper.map([phrase], top=3)
    assert group in {m.group for m in matches}, [(m.group, m.title, m.score) for m in matches]


CORPUS = [
    CorpusEntry("c1", "Dyrepasser", ("dyreplejer",), "Pasning og fodring af dyr."),
    CorpusEntry("c2", "Lagermedarbejder", (), "Pluk og pak på lager."),
    CorpusEntry("c3", "Gartner", ("anlægsgartner",)),
]


def test_fit_corpus_ranks_the_entries_themselves() -> None:
    mapper = OccupationMapper(FakeEncoder()).fit_corpus(CORPUS)
    (matches,) = mapper.map(["dyrepasser"], top=3)
    assert matches[0].group == "c1"
    assert sorted(m.group for m in matches) == ["c1", "c2", "c3"]
    assert matches[0].title == "Dyrepasser" and matches[0].source == "corpus"


def test_corpus_ids_must_be_unique_and_labels_present() -> None:
    with pytest.raises(
        ValueError, match=r"corpus entry 1 \('Gartner'\) has a blank or repeated id 'c1'"
    ):
        corpus_taxonomy([CORPUS[0], CorpusEntry("c1", "Gartner")])
    with pytest.raises(ValueError, match="corpus entry 'c9' has a blank label"):
        corpus_taxonomy([CorpusEntry("c9", " ")])


def test_the_mapper_compares_the_models_own_vectors_unless_told_otherwise() -> None:
    from matcher.language_space import LanguageNeutraliser

    pairs = [("lagerarbejde", "warehouse work"), ("madlavning", "cooking"), ("dyr", "animals")]
    encoder = CachedEncoder(FakeEncoder(), transform=LanguageNeutraliser(pairs))
    plain = OccupationMapper(encoder).fit(SMALL)
    assert plain.encoder_.transform is None
    assert np.allclose(plain.vectors_, OccupationMapper(FakeEncoder()).fit(SMALL).vectors_)
    corrected = OccupationMapper(encoder, model_vectors=False).fit(SMALL)
    assert corrected.encoder_ is encoder
    assert np.allclose(corrected.vectors_ @ encoder.transform.directions_.T, 0, atol=1e-5)  # type: ignore[union-attr]
