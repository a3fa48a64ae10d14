from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEncoder

from matcher.encoders import CachedEncoder, EmbeddingCache, SentenceTransformerEncoder
from matcher.errors import EncoderError
from matcher.onnx_model import ONNX_DIRNAME


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


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_missing_model_folder_is_a_clear_error(tmp_path: Path, backend: str) -> None:
    encoder = SentenceTransformerEncoder(tmp_path / "no-such-model", backend=backend)  # type: ignore[arg-type]
    with pytest.raises(EncoderError, match="ipsmatch models provision"):
        encoder.encode(["x"], "query")


def _folder(tmp_path: Path, prompts: dict[str, str] | None) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    if prompts is not None:
        (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": prompts}))
    return folder


def test_prompts_come_from_the_model_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"query": "search_query: ", "passage": "search_document: "})
    encoder = SentenceTransformerEncoder(folder)
    assert (encoder.query_prefix, encoder.passage_prefix) == ("search_query: ", "search_document: ")
    # An explicit prefix still wins over the folder's.
    assert SentenceTransformerEncoder(folder, query_prefix="q: ").query_prefix == "q: "


def test_a_folder_without_prompts_gets_none(tmp_path: Path) -> None:
    encoder = SentenceTransformerEncoder(_folder(tmp_path, None))
    assert (encoder.query_prefix, encoder.passage_prefix) == ("", "")


def test_malformed_prompts_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="'prompts' must map prompt names to strings"):
        SentenceTransformerEncoder(_folder(tmp_path, {"query": 3}))  # type: ignore[dict-item]


def test_backend_and_quantisation_are_part_of_the_model_identity(tmp_path: Path) -> None:
    folder = _folder(tmp_path, None)
    ids = {
        SentenceTransformerEncoder(folder, backend="torch").model_id,
        SentenceTransformerEncoder(folder, backend="onnx", quantisation="int8").model_id,
        SentenceTransformerEncoder(folder, backend="onnx", quantisation="fp32").model_id,
    }
    assert len(ids) == 3
    assert all(i.startswith("model@") for i in ids)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"backend": "tensorflow"}, "backend 'tensorflow' is not one of onnx, torch"),
        ({"quantisation": "int4"}, "quantisation 'int4' is not one of int8, fp32"),
        ({"backend": "onnx", "device": "cuda"}, "CPU only, not on device 'cuda'"),
    ],
)
def test_unknown_backend_settings_are_refused(
    tmp_path: Path, arguments: dict[str, str], message: str
) -> None:
    with pytest.raises(EncoderError, match=message):
        SentenceTransformerEncoder(tmp_path, **arguments)  # type: ignore[arg-type]


def test_a_folder_without_an_onnx_export_says_how_to_make_one(tmp_path: Path) -> None:
    folder = _folder(tmp_path, None)
    (folder / ONNX_DIRNAME).mkdir()
    encoder = SentenceTransformerEncoder(folder, backend="onnx")
    with pytest.raises(EncoderError, match=r"ipsmatch models provision.*--backend torch"):
        encoder.encode(["x"], "query")
