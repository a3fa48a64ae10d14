"""The contract of `matcher.encoders.TextEncoder`, run on every encoder.

`TextEncoderContract` holds the tests; the fake encoder runs them in every
test run, the real default model (and the cached wrapper around each) in the
integration tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FakeEncoder

from matcher.encoders import CachedEncoder, SentenceTransformerEncoder, TextEncoder

TEXTS = ["noget med dyr", "Animal caretaker", "lagermedarbejder", "noget med dyr"]


class TextEncoderContract:
    """Tests every encoder must pass; subclasses implement `make`."""

    def make(self) -> TextEncoder:
        raise NotImplementedError

    @pytest.fixture
    def encoder(self) -> TextEncoder:
        return self.make()

    @pytest.mark.parametrize("role", ["query", "passage"])
    def test_rows_are_unit_float32_of_the_dimension(self, encoder: TextEncoder, role: str) -> None:
        vectors = encoder.encode(TEXTS, role)  # type: ignore[arg-type]
        assert vectors.shape == (len(TEXTS), encoder.dimension)
        assert vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)

    def test_the_same_text_gets_the_same_vector(self, encoder: TextEncoder) -> None:
        vectors = encoder.encode(TEXTS, "query")
        assert np.allclose(vectors[0], vectors[3], atol=1e-5)
        again = encoder.encode(TEXTS[:1], "query")
        assert np.allclose(again[0], vectors[0], atol=1e-5)

    def test_different_texts_get_different_vectors(self, encoder: TextEncoder) -> None:
        vectors = encoder.encode(TEXTS[:3], "query")
        assert float(vectors[0] @ vectors[2]) < 0.999

    def test_the_model_id_names_the_model(self, encoder: TextEncoder) -> None:
        assert isinstance(encoder.model_id, str) and encoder.model_id

    def test_a_cached_encoder_returns_what_the_encoder_does(self, encoder: TextEncoder) -> None:
        cached = CachedEncoder(encoder)
        assert np.allclose(cached.encode(TEXTS, "passage"), encoder.encode(TEXTS, "passage"))
        assert cached.encode([], "query").shape == (0, encoder.dimension)


class TestFakeEncoder(TextEncoderContract):
    def make(self) -> TextEncoder:
        return FakeEncoder()


@pytest.mark.integration
class TestSentenceTransformerEncoder(TextEncoderContract):
    @pytest.fixture
    def encoder(self, e5_encoder: CachedEncoder) -> TextEncoder:
        # The session's loaded model (loading it is the slow part), without its cache.
        return e5_encoder.encoder

    def test_it_is_the_default_model(self, encoder: TextEncoder) -> None:
        assert isinstance(encoder, SentenceTransformerEncoder)
        assert encoder.dimension == 384
