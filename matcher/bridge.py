"""A wish said in one language, looked for in the other too: the phrase-pair bridge.

The encoder ties a Danish wish to an English opening less surely than to a
Danish opening that only shares its letters ("chauffør" is closer to
"Chaufførernes planlægger" than to "Delivery driver"). A person's wish is
therefore also read in the other language, where a list of Danish-English
phrase pairs of the same meaning says it (by default the packaged
``matcher/data/work_phrases_da_en.csv``, the pairs `matcher.language_space`
estimates the language direction from): a wish that is one side of a pair,
in other letters or inflection ("lagerarbejde" for "lagerarbejder"), gets the
other side as a variant, scored as the wish itself (`matcher.scorer`).

A side counts only when the wish is nearly the same phrase: its cosine (both
encoded as queries) reaches `similarity`, and it beats every other pair's
best side by `margin`, so a wish near several pairs ("arbejde", "job") gets
none. Wishes that no pair says stay as they are: the bridge reaches only as
far as the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.encoders import CachedEncoder
from matcher.errors import NotFittedError
from matcher.language_space import packaged_phrase_pairs
from matcher.text import normalise

__all__ = ["PhraseBridge", "WishVariants"]


@dataclass(frozen=True)
class WishVariants:
    """Other-language phrases for a list of wishes: ``texts[i]`` (query vector
    ``vectors[i]``) stands for ``owner[i]``."""

    texts: list[str]
    owner: np.ndarray
    vectors: np.ndarray | None = None
    # Per variant: whether it may confirm "matches" (the person's words in the other
    # language do; a reading of the wish by `matcher.wish_expansion` does not). None: all.
    confirms: np.ndarray | None = None

    @classmethod
    def none(cls) -> WishVariants:
        return cls([], np.zeros(0, dtype=np.int64))

    def confirming(self) -> np.ndarray:
        """Per variant, whether it may confirm "matches"."""
        if self.confirms is None:
            return np.ones(len(self.texts), dtype=bool)
        return self.confirms

    @classmethod
    def joined(cls, parts: Sequence[WishVariants]) -> WishVariants:
        """The variants of `parts` one after another (each part's vectors are needed)."""
        present = [part for part in parts if part.texts]
        if not present:
            return cls.none()
        if len(present) == 1:
            return present[0]
        if any(part.vectors is None for part in present):
            raise ValueError("only variants with vectors can be joined")
        return cls(
            [t for part in present for t in part.texts],
            np.concatenate([part.owner for part in present]),
            np.vstack([part.vectors for part in present if part.vectors is not None]),
            np.concatenate([part.confirming() for part in present]),
        )


class PhraseBridge:
    """Finds the other-language side of the phrase pair a wish says.

    Parameters
    ----------
    pairs:
        (Danish, English) phrases of the same meaning; None for the packaged list.
    similarity:
        Cosine (query to query) a wish needs to one side of a pair.
    margin:
        How far that side must beat the best side of every other pair.
    """

    def __init__(
        self,
        pairs: Sequence[tuple[str, str]] | None = None,
        *,
        similarity: float = 0.95,
        margin: float = 0.01,
    ) -> None:
        self.pairs = tuple(pairs) if pairs is not None else packaged_phrase_pairs()
        self.similarity = similarity
        self.margin = margin

    def fit(self, encoder: CachedEncoder) -> PhraseBridge:
        """Encode both sides of every pair (as queries, as wishes are)."""
        if not 0 < self.similarity <= 1:
            raise ValueError(f"similarity must be in (0, 1], got {self.similarity!r}")
        if self.margin < 0:
            raise ValueError(f"margin must be >= 0, got {self.margin!r}")
        if not self.pairs:
            raise ValueError("a phrase bridge needs at least one phrase pair")
        texts = [side for pair in self.pairs for side in pair]
        self.vectors_ = encoder.encode(texts, "query")
        # Per pair and side: that side's words, and the other side's, normalised.
        sides = np.asarray([normalise(t) for t in texts], dtype=object)
        self.sides_ = sides.reshape(len(self.pairs), 2)
        self.others_ = self.sides_[:, ::-1]
        return self

    def variants(self, wishes: Sequence[str], vectors: np.ndarray) -> WishVariants:
        """The other side of the pair each wish says, where one does (see the module)."""
        if not hasattr(self, "vectors_"):
            raise NotFittedError("PhraseBridge is not fitted: call fit(encoder) first")
        if len(wishes) == 0:
            return WishVariants.none()
        cosines = np.asarray(vectors, dtype=np.float32) @ self.vectors_.T
        by_pair = cosines.reshape(len(wishes), len(self.pairs), 2)
        texts: list[str] = []
        owner: list[int] = []
        # Rows of `vectors_` (pair p's sides at 2p and 2p + 1): the variants' query vectors.
        rows: list[int] = []
        pairs = np.arange(len(self.pairs))
        for j, wish in enumerate(wishes):
            said = normalise(wish)
            # Exact wording always counts, whatever the encoder makes of it.
            here = np.where(self.sides_ == said, 1.0, by_pair[j])
            side = here.argmax(axis=1)
            best = here[pairs, side]
            first = int(best.argmax())
            if best[first] < self.similarity:
                continue
            other = str(self.others_[first, side[first]])
            # Pairs that say something else in the other language must be clearly farther.
            rivals = best[self.others_[pairs, side] != other]
            if len(rivals) and best[first] - rivals.max() < self.margin:
                continue
            if other != said:
                other_side = 1 - int(side[first])
                texts.append(str(self.pairs[first][other_side]))
                owner.append(j)
                rows.append(2 * first + other_side)
        if not texts:
            return WishVariants.none()
        return WishVariants(texts, np.asarray(owner, dtype=np.int64), self.vectors_[rows])
