"""A deterministic stand-in for the sentence encoder, for fast unit tests.

Texts that share words (or word stems) get similar vectors; texts that share
nothing are nearly orthogonal. It knows nothing of meaning or language, so
unit tests built on it use shared words; cross-lingual and paraphrase
behaviour is tested with the real model in the integration tests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matcher.encoders import Role, l2_normalise
from matcher.engine import Engine, build_engine
from matcher.text import words


def _bucket(token: str, dimension: int) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % (
        dimension
    )


class FakeEncoder:
    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension
        self.calls = 0
        self.texts_encoded = 0

    @property
    def model_id(self) -> str:
        return f"fake-hashing-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                vectors[row, _bucket(word[:5], self._dimension)] += 1.0
            # A small shared component, as real encoders have, keeps no vector at zero.
            vectors[row, 0] += 0.3
        return l2_normalise(vectors)


def engine_noting_its_process(marker: Path) -> Engine:
    """An engine on the fake encoder that writes the id of the process that built it to `marker`.

    A picklable engine factory: tells in which process an evaluation ran.
    """
    marker.write_text(str(os.getpid()), encoding="utf-8")
    return build_engine(encoder=FakeEncoder())


def engine_of_a_dying_process(code: int) -> Engine:
    """An engine factory whose process exits at once with `code`, as if killed."""
    os._exit(code)
