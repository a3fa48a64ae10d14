"""The ONNX backend against torch on the real provisioned folder (matcher.onnx_model)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher import onnx_model
from matcher.encoders import SentenceTransformerEncoder
from matcher.onnx_model import release_sessions

pytestmark = pytest.mark.integration

TEXTS = [
    "Deltidsjob med dyr, gerne udendørs",
    "Lagermedarbejder søges til nathold, 25 timer om ugen, kørekort B påkrævet.",
    "Warehouse worker, part-time, 25 hours a week",
    "Pædagogmedhjælper/omsorgsmedhjælper søges (37 t./uge) – Aalborg Ø",
    "I would like a quiet job with animals, not in an office.",
    "x",
    "",
    " ".join(["Vi søger en stabil lagermedarbejder til vores afdeling i Kolding."] * 80),
]


@pytest.fixture(scope="module")
def torch_vectors(e5_model_dir: Path) -> dict[str, np.ndarray]:
    encoder = SentenceTransformerEncoder(e5_model_dir, backend="torch")
    return {role: encoder.encode(TEXTS, role) for role in ("query", "passage")}  # type: ignore[misc]


@pytest.mark.parametrize(("quantisation", "minimum"), [("fp32", 0.9999), ("int8", 0.98)])
@pytest.mark.parametrize("role", ["query", "passage"])
def test_onnx_vectors_agree_with_torch(
    e5_model_dir: Path,
    torch_vectors: dict[str, np.ndarray],
    quantisation: str,
    minimum: float,
    role: str,
) -> None:
    encoder = SentenceTransformerEncoder(e5_model_dir, quantisation=quantisation)  # type: ignore[arg-type]
    vectors = encoder.encode(TEXTS, role)  # type: ignore[arg-type]
    assert vectors.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * torch_vectors[role], axis=1)
    assert cosines.min() >= minimum


@pytest.mark.parametrize("quantisation", ["fp32", "int8"])
def test_batches_do_not_change_vectors(e5_model_dir: Path, quantisation: str) -> None:
    """Neither padding to the longest text of a batch nor the batch-mates' values (which
    set int8's dynamic quantisation scale) may move a text's vector."""
    encoder = SentenceTransformerEncoder(e5_model_dir, quantisation=quantisation, batch_size=3)  # type: ignore[arg-type]
    together = encoder.encode(TEXTS, "passage")
    alone = np.vstack([encoder.encode([t], "passage") for t in TEXTS])
    assert np.allclose(together, alone, atol=1e-5)


def test_the_folder_prompts_give_e5s_vectors(e5_model_dir: Path) -> None:
    """Prompts read from the folder are e5's `query: ` / `passage: `: vectors are unchanged."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(e5_model_dir), device="cpu", local_files_only=True)
    # The same batches as sentence-transformers' default, so the floats can match exactly.
    encoder = SentenceTransformerEncoder(e5_model_dir, backend="torch", batch_size=32)
    for role, prefix in (("query", "query: "), ("passage", "passage: ")):
        expected = model.encode(
            [prefix + t for t in TEXTS], batch_size=32, normalize_embeddings=True
        )
        assert np.array_equal(encoder.encode(TEXTS, role), expected)  # type: ignore[arg-type]


def _encode_in_a_thread(encoder: SentenceTransformerEncoder, results: Any) -> None:
    # As a forked service worker does: in a request thread, not the main thread.
    out: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: out.append(encoder.encode(TEXTS[:3], "query")))
    thread.start()
    thread.join(timeout=60)
    results.put(out[0] if out else None)


@pytest.mark.parametrize("share_weights", [False, True])
def test_a_process_forked_after_release_sessions_encodes_the_same_vectors(
    e5_model_dir: Path, share_weights: bool
) -> None:
    """`release_sessions` before a fork (`service.prefork`): the child makes its own session,
    on the parent's arrays of the graph's weights with `share_weights`."""
    encoder = SentenceTransformerEncoder(e5_model_dir)
    before = encoder.encode(TEXTS[:3], "query")
    release_sessions(share_weights=share_weights)
    held = [m.weights for m in list(onnx_model._LIVE_MODELS)]
    if share_weights:
        # The word embeddings at least (250,037 x 384 float32).
        assert held and all(max(a.nbytes for a in w.values()) > 300 << 20 for w in held)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_encode_in_a_thread, args=(encoder, results))
    child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
    forked = results.get(timeout=5)
    assert forked is not None and np.allclose(forked, before, atol=1e-5)
    # The parent makes a session again when it next encodes.
    assert np.allclose(encoder.encode(TEXTS[:3], "query"), before, atol=1e-5)
