from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEncoder
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matcher.encoders import CachedEncoder, EmbeddingCache, TextEncoder, VectorTransform
from matcher.errors import EncoderError, NotFittedError
from matcher.language_space import (
    LanguageNeutraliser,
    packaged_phrase_pairs,
    read_phrase_pairs,
)

PAIRS = [
    ("lagerarbejde", "warehouse work"),
    ("rengøring af kontorer", "cleaning offices"),
    ("pasning af dyr", "looking after animals"),
    ("kørsel med varer", "delivering goods"),
    ("madlavning i et køkken", "cooking in a kitchen"),
]


@pytest.fixture(scope="module")
def fitted() -> LanguageNeutraliser:
    return LanguageNeutraliser(PAIRS, n_directions=2).fit(FakeEncoder())


def test_fit_returns_the_neutraliser_with_orthonormal_directions(
    fitted: LanguageNeutraliser,
) -> None:
    assert isinstance(fitted, VectorTransform)
    assert fitted.fitted
    assert fitted.directions_.shape == (2, 256)
    assert np.allclose(fitted.directions_ @ fitted.directions_.T, np.eye(2), atol=1e-5)
    assert fitted.explained_.shape == (2,)
    assert 0 < fitted.explained_.sum() <= 1


def test_the_removed_directions_have_no_component_left(fitted: LanguageNeutraliser) -> None:
    vectors = FakeEncoder().encode(["gartner i en park", "night shift in a warehouse"], "query")
    changed = fitted.transform(vectors)
    assert changed.shape == vectors.shape
    assert changed.dtype == np.float32
    assert np.allclose(changed @ fitted.directions_.T, 0.0, atol=1e-5)
    assert np.allclose(np.linalg.norm(changed, axis=1), 1.0, atol=1e-5)


def test_a_pair_moves_closer_once_its_difference_is_removed() -> None:
    # One pair's own difference is the only direction, so the pair becomes the same vector.
    pair = [("kok", "cook")]
    neutraliser = LanguageNeutraliser(pair * 2, n_directions=1).fit(FakeEncoder())
    vectors = neutraliser.transform(FakeEncoder().encode(["kok", "cook"], "passage"))
    assert float(vectors[0] @ vectors[1]) == pytest.approx(1.0, abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 4), st.just(256)),
        elements=st.floats(-1, 1, width=32),
    )
)
def test_transform_is_an_idempotent_projection_onto_the_unit_sphere(vectors: np.ndarray) -> None:
    neutraliser = LanguageNeutraliser(PAIRS, n_directions=2).fit(FakeEncoder())
    kept = vectors - (vectors @ neutraliser.directions_.T) @ neutraliser.directions_
    if np.linalg.norm(kept, axis=1).min() < 1e-3:  # nothing but language: no direction left
        return
    once = neutraliser.transform(vectors)
    assert np.allclose(np.linalg.norm(once, axis=1), 1.0, atol=1e-4)
    assert np.allclose(once @ neutraliser.directions_.T, 0.0, atol=1e-4)
    assert np.allclose(neutraliser.transform(once), once, atol=1e-4)


def test_transform_before_fit_is_refused() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        LanguageNeutraliser(PAIRS).transform(np.ones((1, 256), dtype=np.float32))


def test_vectors_of_another_dimension_are_refused(fitted: LanguageNeutraliser) -> None:
    with pytest.raises(EncoderError, match=r"shape \(n, 256\)"):
        fitted.transform(np.ones((2, 384), dtype=np.float32))


@pytest.mark.parametrize("n_directions", [0, 5, 2.0, True])
def test_n_directions_must_be_a_whole_number_below_the_pairs(n_directions: object) -> None:
    with pytest.raises(EncoderError, match="n_directions"):
        LanguageNeutraliser(PAIRS, n_directions=n_directions)  # type: ignore[arg-type]


def test_identity_names_the_directions_and_the_phrases() -> None:
    base = LanguageNeutraliser(PAIRS, n_directions=1).identity
    assert base.startswith("language-neutral-1@")
    assert LanguageNeutraliser(PAIRS, n_directions=2).identity != base
    assert LanguageNeutraliser(PAIRS[:-1], n_directions=1).identity != base
    assert LanguageNeutraliser(list(PAIRS), n_directions=1).identity == base


def test_packaged_phrases_are_distinct_pairs_of_two_languages() -> None:
    pairs = packaged_phrase_pairs()
    assert len(pairs) >= 200
    assert len(set(pairs)) == len(pairs)
    assert all(danish != english for danish, english in pairs)
    assert LanguageNeutraliser().pairs == pairs


def test_phrase_file_needs_its_two_columns_filled(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("dansk,engelsk\nkok,cook\n", encoding="utf-8")
    with pytest.raises(EncoderError, match="columns must be danish, english"):
        read_phrase_pairs(path)
    path.write_text("danish,english\nkok,cook\nbager,\n", encoding="utf-8")
    with pytest.raises(EncoderError, match="line 3"):
        read_phrase_pairs(path)
    with pytest.raises(EncoderError, match="cannot read"):
        read_phrase_pairs(tmp_path / "none.csv")


# ------------------------------------------------------------ after the cache


def test_cached_encoder_transforms_after_the_cache() -> None:
    fake = FakeEncoder()
    cache = EmbeddingCache()
    plain = CachedEncoder(fake, cache)
    neutral = CachedEncoder(fake, cache, transform=LanguageNeutraliser(PAIRS))
    raw = plain.encode(["gartner", "cleaner"], "passage")
    encoded_before = fake.texts_encoded

    changed = neutral.encode(["gartner", "cleaner"], "passage")
    # Only the phrase pairs (both roles) were encoded to fit; the texts came from the cache.
    assert fake.texts_encoded - encoded_before == 4 * len(PAIRS)
    assert neutral.transform is not None and neutral.transform.fitted
    assert np.allclose(changed, neutral.transform.transform(raw))
    assert not np.allclose(changed, raw)
    # The cache still holds the model's own vectors, under the model's name.
    assert neutral.cache_key("passage", "gartner") == plain.cache_key("passage", "gartner")
    assert np.allclose(plain.encode(["gartner"], "passage"), raw[:1])


def test_untransformed_is_the_same_cache_without_the_transform() -> None:
    plain = CachedEncoder(FakeEncoder())
    neutral = CachedEncoder(plain.encoder, plain.cache, transform=LanguageNeutraliser(PAIRS))
    raw = neutral.untransformed()
    assert raw.transform is None and raw.cache is neutral.cache and raw.encoder is plain.encoder
    assert raw.model_id == plain.model_id
    assert plain.untransformed() is plain


def test_the_transform_is_part_of_the_model_id() -> None:
    fake = FakeEncoder()
    neutral = CachedEncoder(fake, transform=LanguageNeutraliser(PAIRS))
    assert isinstance(neutral, TextEncoder)
    assert neutral.model_id != CachedEncoder(fake).model_id
    assert neutral.model_id == f"{fake.model_id}+{LanguageNeutraliser(PAIRS).identity}"
    assert neutral.encode([], "query").shape == (0, 256)


# ------------------------------------------------------------ real model


@pytest.mark.integration
def test_the_correction_brings_same_meaning_across_languages_above_the_same_language(
    e5_encoder: CachedEncoder,
) -> None:
    """Own examples (not benchmark cases): a wish, the wanted opening in the other
    language, and other work in the wish's language."""
    triples = [
        (
            "stocking shelves in a supermarket",
            "Butiksmedarbejder. Du fylder varer på hylderne og holder orden i supermarkedet.",
            "Warehouse clerk. You register incoming deliveries in the computer system.",
        ),
        (
            "køre truck på et lager",
            "Forklift driver. Moving pallets with a forklift in a distribution centre.",
            "Kassemedarbejder. Du betjener kassen og hjælper kunder i butikken.",
        ),
        (
            "arbejde i en planteskole",
            "Nursery worker. Potting plants, watering and caring for shrubs at a plant nursery.",
            "Kontorelev. Du sorterer post og hjælper med bogføring på kontoret.",
        ),
        (
            "working with horses",
            "Staldmedhjælper. Du fodrer, strigler og muger ud hos heste på en rideskole.",
            "Cleaner. You clean offices and schools in the evening.",
        ),
    ]
    plain = CachedEncoder(e5_encoder.encoder, e5_encoder.cache)
    neutral = CachedEncoder(e5_encoder.encoder, e5_encoder.cache, transform=LanguageNeutraliser())

    def margins(encoder: CachedEncoder) -> np.ndarray:
        wishes = encoder.encode([wish for wish, _, _ in triples], "query")
        wanted = encoder.encode([want for _, want, _ in triples], "passage")
        other = encoder.encode([other for _, _, other in triples], "passage")
        return np.sum(wishes * wanted, axis=1) - np.sum(wishes * other, axis=1)

    before, after = margins(plain), margins(neutral)
    assert (after > 0).all(), after
    assert after.mean() > before.mean() + 0.01
