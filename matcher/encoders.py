"""Text encoders: sentence-transformers models behind one small interface.

The default model is multilingual-e5-small, which puts Danish and English in
one vector space. E5 models are trained with a ``query: `` prompt for the
searching side (a person's wishes) and ``passage: `` for the searched side
(openings). The prompts are declared by the model folder
(``config_sentence_transformers.json``, ``prompts``) and applied here by role,
so callers pass plain text and another model brings its own prompts.

Two backends run the same folder: ONNX Runtime (the default; the graphs that
`ipsmatch models provision` exports, int8 by default or float32) and torch through
sentence-transformers. Their vectors differ slightly, so the backend and the
quantisation are part of `model_id` and never share cache entries.

A `CachedEncoder` may apply a `VectorTransform` to the vectors it returns
(`matcher.language_space.LanguageNeutraliser` removes the directions that
tell Danish from English). The cache holds the model's own vectors, keyed by
the model's identity, so they stay valid with or without a transform; the
transform's identity is part of the encoder's `model_id`, so anything cached
further on under that name never mixes transformed and plain vectors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from matcher.errors import EncoderError
from matcher.onnx_model import (
    ONNX_DIRNAME,
    ONNX_MARKER_FILENAME,
    QUANTISATIONS,
    OnnxSentenceModel,
    Quantisation,
)
from matcher.vector_cache import EmbeddingCache

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DEFAULT_QUANTISATION",
    "CachedEncoder",
    "EmbeddingCache",
    "EncoderBackend",
    "ProgressCallback",
    "Quantisation",
    "Role",
    "SentenceTransformerEncoder",
    "TextEncoder",
    "VectorTransform",
    "l2_normalise",
]

Role = Literal["query", "passage"]
EncoderBackend = Literal["onnx", "torch"]
BACKENDS: tuple[EncoderBackend, ...] = ("onnx", "torch")
DEFAULT_BACKEND: EncoderBackend = "onnx"
# float32 by default: torch's own vectors, so the engine understands as measured. int8 (with
# its one float32 MatMul, matcher.provision.onnx_export.outlier_matmuls) passes the real-model
# checks at 1.1-5.6x torch's throughput (with the load) but loses 2 of 268 held-out
# understanding checks (benchmarks/README.md, "Encoder backends");
# IPSMATCH_ENCODER_QUANTISATION=int8 selects it.
DEFAULT_QUANTISATION: Quantisation = "fp32"
ProgressCallback = Callable[[int], None]


@runtime_checkable
class TextEncoder(Protocol):
    """Maps texts to L2-normalised float32 vectors of one fixed dimension."""

    @property
    def model_id(self) -> str:
        """Names the model and its weights; vectors are cached under it."""
        ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """Return an array of shape ``(len(texts), dimension)``, rows of unit length."""
        ...


@runtime_checkable
class VectorTransform(Protocol):
    """A change to an encoder's vectors, fitted on that encoder (see `CachedEncoder`)."""

    @property
    def identity(self) -> str:
        """Names the transform and its parameters; joins the encoder's `model_id`."""
        ...

    @property
    def fitted(self) -> bool: ...

    def fit(self, encoder: TextEncoder) -> Any:
        """Estimate the transform from vectors of `encoder`; returns the transform."""
        ...

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """Return the changed vectors, same shape, rows of unit length."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _folder_fingerprint(folder: Path, backend: EncoderBackend) -> str:
    """A cheap content fingerprint: config files whole, weights by size and head.

    For ONNX the export's marker counts too: a new export is a new model identity.
    """
    digest = hashlib.sha256()
    names = ["config.json", "modules.json", "ipsmatch-provenance.json"]
    if backend == "onnx":
        names.append(f"{ONNX_DIRNAME}/{ONNX_MARKER_FILENAME}")
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            digest.update(candidate.read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(str(weights.stat().st_size).encode())
        with weights.open("rb") as handle:
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:12]


def folder_prompts(folder: Path) -> dict[str, str]:
    """The prompts a sentence-transformers folder declares, by name ({} if none)."""
    path = folder / "config_sentence_transformers.json"
    if not path.is_file():
        return {}
    try:
        prompts = json.loads(path.read_text(encoding="utf-8")).get("prompts") or {}
    except (OSError, ValueError, AttributeError) as error:
        raise EncoderError(f"{path}: cannot read the prompts ({error})") from error
    if not isinstance(prompts, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in prompts.items()
    ):
        raise EncoderError(f"{path}: 'prompts' must map prompt names to strings, got {prompts!r}")
    return dict(prompts)


class SentenceTransformerEncoder:
    """A sentence-transformers model folder, run by ONNX Runtime or by torch.

    ``backend`` is ``"onnx"`` (the graphs exported by `ipsmatch models
    provision`; ``quantisation`` picks ``"int8"`` or ``"fp32"``) or ``"torch"``
    (sentence-transformers itself; ``quantisation`` does not apply). The
    ``query``/``passage`` prompts come from the folder unless ``query_prefix``
    or ``passage_prefix`` is given. Loading never reaches a model hub:
    ``local_files_only`` is set, so a name that is not already on disk fails
    with a clear error instead of a download.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        backend: EncoderBackend = DEFAULT_BACKEND,
        quantisation: Quantisation = DEFAULT_QUANTISATION,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise EncoderError(f"encoder backend {backend!r} is not one of {', '.join(BACKENDS)}")
        if quantisation not in QUANTISATIONS:
            raise EncoderError(
                f"encoder quantisation {quantisation!r} is not one of {', '.join(QUANTISATIONS)}"
            )
        if backend == "onnx" and device != "cpu":
            raise EncoderError(f"the onnx backend runs on the CPU only, not on device {device!r}")
        self.model = str(model)
        self.backend: EncoderBackend = backend
        self.quantisation: Quantisation = quantisation
        self.batch_size = batch_size
        self.device = device
        self.threads = threads
        self._model: Any = None
        folder = Path(self.model)
        prompts = folder_prompts(folder) if folder.is_dir() else {}
        self.query_prefix = query_prefix if query_prefix is not None else prompts.get("query", "")
        self.passage_prefix = (
            passage_prefix if passage_prefix is not None else prompts.get("passage", "")
        )
        fingerprint = _folder_fingerprint(folder, backend) if folder.is_dir() else "name"
        variant = "torch" if backend == "torch" else f"onnx-{quantisation}"
        self._model_id = f"{folder.name or self.model}@{fingerprint}/{variant}"

    @property
    def model_id(self) -> str:
        return self._model_id

    def _loaded(self) -> Any:
        if self._model is None:
            self._model = self._load_onnx() if self.backend == "onnx" else self._load_torch()
        return self._model

    def _load_onnx(self) -> OnnxSentenceModel:
        folder = Path(self.model)
        if not folder.is_dir():
            raise EncoderError(
                f"the onnx backend needs a model folder, and {self.model!r} is not one. Give the "
                "path of a model folder; the default one is made by `ipsmatch models provision`."
            )
        return OnnxSentenceModel(folder, self.quantisation, threads=self.threads)

    def _load_torch(self) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:  # pragma: no cover - a broken install
            raise EncoderError(f"sentence-transformers is not installed: {error}") from error
        try:
            return SentenceTransformer(self.model, device=self.device, local_files_only=True)
        except Exception as error:
            raise EncoderError(
                f"could not load the sentence-transformers model {self.model!r} from local "
                f"files ({error}). Give the path of a model folder; the default one is made "
                "by `ipsmatch models provision`."
            ) from error

    @property
    def dimension(self) -> int:
        model = self._loaded()
        if isinstance(model, OnnxSentenceModel):
            return model.dimension
        # sentence-transformers 6 renamed the method; keep working with 5.
        if hasattr(model, "get_embedding_dimension"):
            size = model.get_embedding_dimension()
        else:
            size = model.get_sentence_embedding_dimension()
        if size is None:
            raise EncoderError(f"model {self.model!r} does not report an embedding dimension")
        return int(size)

    @property
    def max_seq_length(self) -> int:
        return int(self._loaded().max_seq_length)

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        prefix = self.query_prefix if role == "query" else self.passage_prefix
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prompted = [prefix + t for t in texts]
        model = self._loaded()
        if isinstance(model, OnnxSentenceModel):
            return model.encode(prompted, self.batch_size)
        vectors = model.encode(
            prompted,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class CachedEncoder:
    """Encodes only texts it has not seen with this model and role before.

    With a `transform`, every vector returned is transformed after the cache:
    the cache keeps the model's own vectors under the model's identity
    (`cache_key`), and `model_id` names the model and the transform. An
    unfitted transform is fitted on the first encode, on this cache.
    """

    def __init__(
        self,
        encoder: TextEncoder,
        cache: EmbeddingCache | None = None,
        batch_size: int = 64,
        transform: VectorTransform | None = None,
    ) -> None:
        self.encoder = encoder
        self.cache = cache if cache is not None else EmbeddingCache()
        self.batch_size = batch_size
        self.transform = transform
        self.encoded_count = 0

    @property
    def model_id(self) -> str:
        if self.transform is None:
            return self.encoder.model_id
        return f"{self.encoder.model_id}+{self.transform.identity}"

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def untransformed(self) -> CachedEncoder:
        """This encoder without its transform, on the same cache: the model's own vectors."""
        if self.transform is None:
            return self
        return CachedEncoder(self.encoder, self.cache, self.batch_size)

    def cache_key(self, role: Role, text: str) -> str:
        """Where the model's own vector of `text` in `role` is cached."""
        return EmbeddingCache.key(self.encoder.model_id, role, text)

    def encode(
        self, texts: Sequence[str], role: Role, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        vectors = self._cached(texts, role, progress)
        if self.transform is None or not len(vectors):
            return vectors
        if not self.transform.fitted:
            # Fitted on the model's own (cached) vectors; fitting twice gives the same state.
            self.transform.fit(self.untransformed())
        return self.transform.transform(vectors)

    def _cached(
        self, texts: Sequence[str], role: Role, progress: ProgressCallback | None
    ) -> np.ndarray:
        keys = [self.cache_key(role, t) for t in texts]
        found = self.cache.get_many(keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        if progress is not None:
            progress(len(texts) - len(missing))
        pending = list(missing.items())
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            vectors = self.encoder.encode([text for _, text in batch], role)
            for (key, _), vector in zip(batch, vectors, strict=True):
                self.cache.put(key, vector)
                found[key] = vector
            self.encoded_count += len(batch)
            if progress is not None:
                progress(len(batch))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)
