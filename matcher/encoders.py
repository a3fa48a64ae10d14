"""Text encoders: sentence-transformers models behind one small interface.

The default model is multilingual-e5-small, which puts Danish and English in
one vector space. E5 models are trained with a ``query: `` prefix for the
searching side (a person's wishes) and ``passage: `` for the searched side
(openings); both are applied here so that callers pass plain text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from matcher.errors import EncoderError
from matcher.files import atomic_file

Role = Literal["query", "passage"]
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


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _folder_fingerprint(folder: Path) -> str:
    """A cheap content fingerprint: config files whole, weights by size and head."""
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "ipsmatch-provenance.json"):
        candidate = folder / name
        if candidate.is_file():
            digest.update(candidate.read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(str(weights.stat().st_size).encode())
        with weights.open("rb") as handle:
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:12]


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local folder (or a cached name).

    Loading never reaches a model hub: ``local_files_only`` is set, so a name
    that is not already on disk fails with a clear error instead of a download.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        self.model = str(model)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        folder = Path(self.model)
        fingerprint = _folder_fingerprint(folder) if folder.is_dir() else "name"
        self._model_id = f"{folder.name or self.model}@{fingerprint}"

    @property
    def model_id(self) -> str:
        return self._model_id

    def _loaded(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as error:  # pragma: no cover - a broken install
                raise EncoderError(f"sentence-transformers is not installed: {error}") from error
            try:
                self._model = SentenceTransformer(
                    self.model, device=self.device, local_files_only=True
                )
            except Exception as error:
                raise EncoderError(
                    f"could not load the sentence-transformers model {self.model!r} from local "
                    f"files ({error}). Give the path of a model folder; the default one is made "
                    "by `ipsmatch models provision`."
                ) from error
        return self._model

    @property
    def dimension(self) -> int:
        model = self._loaded()
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
        vectors = self._loaded().encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class EmbeddingCache:
    """Vectors by model, role and exact text, optionally kept in a folder.

    The folder holds append-only shards (``keys-N.json`` beside
    ``vectors-N.npy``), each written to a temporary name and renamed, so a
    crash mid-write loses at most the unsaved shard and never corrupts an
    older one.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._vectors: dict[str, np.ndarray] = {}
        self._pending: list[str] = []
        if self.directory is not None and self.directory.is_dir():
            self._load(self.directory)

    @staticmethod
    def key(model_id: str, role: Role, text: str) -> str:
        return hashlib.sha256(f"{model_id}\x00{role}\x00{text}".encode()).hexdigest()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, key: str) -> np.ndarray | None:
        return self._vectors.get(key)

    def put(self, key: str, vector: np.ndarray) -> None:
        if key not in self._vectors:
            self._vectors[key] = vector
            self._pending.append(key)

    def _shards(self) -> list[int]:
        if self.directory is None:
            return []
        numbers = []
        for path in self.directory.glob("keys-*.json"):
            suffix = path.stem.removeprefix("keys-")
            if suffix.isdigit() and (self.directory / f"vectors-{suffix}.npy").is_file():
                numbers.append(int(suffix))
        return sorted(numbers)

    def _load(self, directory: Path) -> None:
        for number in self._shards():
            keys = json.loads((directory / f"keys-{number}.json").read_text())
            vectors = np.load(directory / f"vectors-{number}.npy")
            if len(keys) != len(vectors):
                continue  # a shard from an interrupted write of an older version
            for key, vector in zip(keys, vectors, strict=True):
                self._vectors[key] = vector

    def flush(self) -> None:
        """Write vectors added since the last flush as a new shard."""
        directory = self.directory
        if directory is None or not self._pending:
            return
        directory.mkdir(parents=True, exist_ok=True)
        shards = self._shards()
        number = shards[-1] + 1 if shards else 0
        keys = list(self._pending)
        vectors = np.stack([self._vectors[k] for k in keys]).astype(np.float32)
        # Vectors first, keys last: a shard counts only once its keys file exists.
        _atomic_write(directory / f"vectors-{number}.npy", lambda f: np.save(f, vectors))
        _atomic_write(
            directory / f"keys-{number}.json", lambda f: f.write(json.dumps(keys).encode())
        )
        self._pending.clear()


def _atomic_write(path: Path, write: Callable[[Any], Any]) -> None:
    with atomic_file(path) as stream:
        write(stream)


class CachedEncoder:
    """Encodes only texts it has not seen with this model and role before."""

    def __init__(
        self, encoder: TextEncoder, cache: EmbeddingCache | None = None, batch_size: int = 64
    ) -> None:
        self.encoder = encoder
        self.cache = cache if cache is not None else EmbeddingCache()
        self.batch_size = batch_size
        self.encoded_count = 0

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def encode(
        self, texts: Sequence[str], role: Role, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        keys = [EmbeddingCache.key(self.model_id, role, t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if self.cache.get(key) is None and key not in missing:
                missing[key] = text
        if progress is not None:
            progress(len(texts) - len(missing))
        pending = list(missing.items())
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            vectors = self.encoder.encode([text for _, text in batch], role)
            for (key, _), vector in zip(batch, vectors, strict=True):
                self.cache.put(key, vector)
            self.encoded_count += len(batch)
            if progress is not None:
                progress(len(batch))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = [self.cache.get(k) for k in keys]
        return np.stack([r for r in rows if r is not None]).astype(np.float32, copy=False)
