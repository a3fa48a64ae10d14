from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEncoder

from matcher.encoders import CachedEncoder, EmbeddingCache, SentenceTransformerEncoder
from matcher.errors import EncoderError


def test_cached_encoder_encodes_each_text_once() -> None:
    fake = FakeEncoder()
    encoder = CachedEncoder(fake)
    first = encoder.encode(["lager", "dyr", "lager"], "passage")
    second = encoder.encode(["dyr", "kontor"], "passage")
    assert fake.texts_encoded == 3
    assert np.allclose(first[1], second[0])
    assert np.allclose(first[0], first[2])
    # The same text as a query is a different vector for e5 models, so it is encoded again.
    encoder.encode(["dyr"], "query")
    assert fake.texts_encoded == 4


def test_progress_counts_every_text() -> None:
    seen: list[int] = []
    CachedEncoder(FakeEncoder(), batch_size=2).encode(list("abcde"), "passage", seen.append)
    assert sum(seen) == 5


def test_cache_survives_a_restart(tmp_path: Path) -> None:
    fake = FakeEncoder()
    encoder = CachedEncoder(fake, EmbeddingCache(tmp_path))
    vectors = encoder.encode(["rengøring", "gartner"], "passage")
    encoder.cache.flush()
    encoder.encode(["pedel"], "passage")
    encoder.cache.flush()

    again = FakeEncoder()
    reloaded = CachedEncoder(again, EmbeddingCache(tmp_path))
    assert len(reloaded.cache) == 3
    assert np.allclose(reloaded.encode(["rengøring", "gartner"], "passage"), vectors)
    assert again.texts_encoded == 0


def test_half_written_shard_is_ignored(tmp_path: Path) -> None:
    encoder = CachedEncoder(FakeEncoder(), EmbeddingCache(tmp_path))
    encoder.encode(["a"], "passage")
    encoder.cache.flush()
    # A crash between the vectors file and its keys file leaves vectors without keys.
    np.save(tmp_path / "vectors-1.npy", np.zeros((1, 4), dtype=np.float32))
    assert len(EmbeddingCache(tmp_path)) == 1


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    encoder = SentenceTransformerEncoder(tmp_path / "no-such-model")
    with pytest.raises(EncoderError, match="ipsmatch models provision"):
        encoder.encode(["x"], "query")
