"""Danish and English in one space: the directions that tell them apart, removed.

multilingual-e5-small places a Danish text and its English translation
close, but not as close as two unrelated texts of one language: every
vector carries a component that says which language it is in, and that
component adds to the cosine of any two texts of one language. A Danish
wish then scores an unrelated Danish opening about as high as the English
opening that is exactly the wanted work (`benchmarks/language_gap.py`).

`LanguageNeutraliser` estimates those directions from pairs of short work
phrases that say the same thing in Danish and in English (by default the
list shipped in ``matcher/data/work_phrases_da_en.csv``, see the README
beside it): each pair's difference, in both encoder roles, is mostly
language, since the meaning is the same. The first `n_directions` right
singular vectors of the differences (not centred, so the first is the mean
difference) span the language subspace; `transform` removes it from every
vector and scales the rest back to unit length. It needs no guess of a
text's language and treats queries and passages alike, so cosines between
any two transformed vectors stay comparable.

It is applied after the vector cache (`matcher.encoders.CachedEncoder`
``transform``), so cached vectors of the model stay valid, and its
`identity` (the number of directions and a digest of the phrase pairs)
joins the encoder's `model_id`. The occupation mapper compares the model's
own vectors (`OccupationMapper.model_vectors`): there the correction helped
nothing measurable and lost a known answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from matcher.encoders import Role, TextEncoder, l2_normalise
from matcher.errors import EncoderError, NotFittedError
from matcher.tabular import packaged_rows

__all__ = [
    "DEFAULT_DIRECTIONS",
    "PHRASES_PATH",
    "LanguageNeutraliser",
    "packaged_phrase_pairs",
    "read_phrase_pairs",
]

PHRASES_PATH = Path(__file__).parent / "data" / "work_phrases_da_en.csv"
PHRASE_COLUMNS = ("danish", "english")
DEFAULT_DIRECTIONS = 1
ROLES: tuple[Role, ...] = ("query", "passage")


def read_phrase_pairs(path: Path) -> list[tuple[str, str]]:
    """(Danish, English) pairs from a CSV file with the columns ``danish,english``."""
    pairs = []
    for line, (danish, english) in packaged_rows(path, PHRASE_COLUMNS, "phrase pairs"):
        if not danish or not english:
            raise EncoderError(f"{path}, line {line}: both 'danish' and 'english' needed")
        pairs.append((danish, english))
    return pairs


@lru_cache(maxsize=1)
def packaged_phrase_pairs() -> tuple[tuple[str, str], ...]:
    """The Danish-English work phrases shipped with ipsmatch."""
    return tuple(read_phrase_pairs(PHRASES_PATH))


class LanguageNeutraliser:
    """Removes the directions along which Danish and English texts differ.

    Parameters
    ----------
    pairs:
        (Danish, English) phrases of the same meaning; None for the packaged list.
    n_directions:
        How many directions to remove (at least 1, fewer than the pairs).

    Attributes (after `fit`)
    ------------------------
    directions_:
        Array ``(n_directions, dimension)``, orthonormal rows: the removed subspace.
    explained_:
        Share of the pair differences' energy along each direction.
    """

    def __init__(
        self, pairs: Sequence[tuple[str, str]] | None = None, n_directions: int = DEFAULT_DIRECTIONS
    ) -> None:
        self.pairs = tuple(pairs) if pairs is not None else packaged_phrase_pairs()
        if isinstance(n_directions, bool) or not isinstance(n_directions, int):
            raise EncoderError(f"n_directions must be a whole number, got {n_directions!r}")
        if not 1 <= n_directions < max(len(self.pairs), 2):
            raise EncoderError(
                f"n_directions must be from 1 to {max(len(self.pairs) - 1, 1)} "
                f"(fewer than the {len(self.pairs)} phrase pairs), got {n_directions}"
            )
        self.n_directions = n_directions

    @property
    def identity(self) -> str:
        digest = hashlib.sha256()
        for danish, english in self.pairs:
            digest.update(f"{danish}\x00{english}\x00".encode())
        return f"language-neutral-{self.n_directions}@{digest.hexdigest()[:12]}"

    @property
    def fitted(self) -> bool:
        return hasattr(self, "directions_")

    def fit(self, encoder: TextEncoder) -> LanguageNeutraliser:
        """Estimate the language directions from `encoder`'s vectors of the phrase pairs."""
        danish = [d for d, _ in self.pairs]
        english = [e for _, e in self.pairs]
        differences = np.concatenate(
            [encoder.encode(danish, role) - encoder.encode(english, role) for role in ROLES]
        ).astype(np.float64)
        _, singular, rows = np.linalg.svd(differences, full_matrices=False)
        energy = singular**2
        self.explained_ = (energy[: self.n_directions] / energy.sum()).astype(np.float32)
        self.directions_ = rows[: self.n_directions].astype(np.float32)
        return self

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """`vectors` without their component in the language subspace, rows of unit length."""
        if not self.fitted:
            raise NotFittedError("LanguageNeutraliser.transform needs fit() first")
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.directions_.shape[1]:
            raise EncoderError(
                f"vectors must have shape (n, {self.directions_.shape[1]}), got {vectors.shape}"
            )
        return l2_normalise(vectors - (vectors @ self.directions_.T) @ self.directions_)
