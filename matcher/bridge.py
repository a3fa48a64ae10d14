"""A wish said in one language, looked for in the other too: the phrase-pair bridge.

The encoder ties a Danish wish to an English opening less surely than to a
Danish opening that only shares its letters ("chauffør" is closer to
"Chaufførernes planlægger" than to "Delivery driver"). A person's wish is
therefore also read in the other language, where a list of Danish-English
phrase pairs of the same meaning says it: a wish that is one side of a pair,
in other letters or inflection ("lagerarbejde" for "lagerarbejder"), gets the
other side as a variant, scored as the wish itself (`matcher.scorer`).

By default the list is two packaged files (`packaged_bridge_pairs`): the pairs
`matcher.language_space` estimates the language direction from
(``matcher/data/work_phrases_da_en.csv``), and a larger lexicon of work phrases
kept for the bridge alone (``matcher/data/work_lexicon_da_en.csv``), so that it
can grow without moving the language direction and the encoder's `model_id`.

A side counts only when the wish is nearly the same phrase: its cosine (both
encoded as queries) reaches `similarity`, and it beats every other pair's
best side by `margin`, so a wish near several pairs ("arbejde", "job") gets
none. A wish that is a side word for word is that pair's, unless another
pair has the same side word for word ("kok" as "cook" and as "chef"). A pair
whose other side is the same phrase, or nearly (the same `similarity`,
"warehouse worker" and "warehouse workers"), says the same and is no rival:
the lists may say one meaning more than once. Wishes that no pair
says stay as they are: the bridge reaches only as far as the list.

A side near but not word for word the wish must say nothing the wish does not
(`matcher.lexical.says_no_more`): "gør rent på kontorer om morgenen" for "gøre
rent på kontorer om aftenen" is a reading that ranks by meaning and never
confirms "matches". A side that negates ("jeg kan ikke tåle ...") bridges only
a wish that negates too. And a wish longer than its side keeps the rest: the
variant's vector is the other side's moved by the wish's less its side's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from matcher.encoders import CachedEncoder
from matcher.errors import EncoderError, NotFittedError
from matcher.language_space import PHRASE_COLUMNS, packaged_phrase_pairs
from matcher.lexical import says_no_more
from matcher.scoring import NEGATIONS
from matcher.tabular import claim_phrasings, packaged_rows
from matcher.text import normalise, words

__all__ = [
    "LEXICON_PATH",
    "LexiconError",
    "PhraseBridge",
    "WishVariants",
    "packaged_bridge_pairs",
    "packaged_lexicon",
    "read_lexicon",
]

LEXICON_PATH = Path(__file__).parent / "data" / "work_lexicon_da_en.csv"


class LexiconError(EncoderError):
    """The packaged lexicon of work phrases (or one given in its place) is malformed."""


def read_lexicon(path: Path, beside: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(Danish, English) pairs of a CSV file with the columns ``danish,english``.

    A phrase is the side of one line only in its language (else a wish that is
    it could not say which line it means), and the two sides differ (a line the
    same in both languages bridges nothing). `beside` are pairs the lexicon is
    used with (the language-direction pairs): a side of theirs may recur here
    only with the same other side.
    """
    meaning_of = {
        normalise(side): normalise(other) for pair in beside for side, other in (pair, pair[::-1])
    }
    first_line: dict[str, dict[str, int]] = {"danish": {}, "english": {}}
    pairs = []
    for line, (danish, english) in packaged_rows(
        path, PHRASE_COLUMNS, "lexicon of work phrases", LexiconError
    ):
        if not danish or not english:
            raise LexiconError(f"{path}, line {line}: both 'danish' and 'english' needed")
        if normalise(danish) == normalise(english):
            raise LexiconError(
                f"{path}, line {line}: {danish!r} is the same in both languages; "
                "such a line bridges nothing"
            )
        for column, side, other in (("danish", danish, english), ("english", english, danish)):
            claim_phrasings([normalise(side)], line, first_line[column], path, "pair", LexiconError)
            said = meaning_of.get(normalise(side))
            if said is not None and said != normalise(other):
                raise LexiconError(
                    f"{path}, line {line}: {column} {side!r} is paired with {said!r} in the "
                    f"phrase pairs, not {other!r}; a phrase may have one meaning"
                )
        pairs.append((danish, english))
    return pairs


@lru_cache(maxsize=1)
def packaged_lexicon() -> tuple[tuple[str, str], ...]:
    """The lexicon of work phrases shipped with ipsmatch, checked against the phrase pairs."""
    return tuple(read_lexicon(LEXICON_PATH, beside=packaged_phrase_pairs()))


@lru_cache(maxsize=1)
def packaged_bridge_pairs() -> tuple[tuple[str, str], ...]:
    """The bridge's default list: the language-direction pairs, then the lexicon, each once."""
    return tuple(dict.fromkeys((*packaged_phrase_pairs(), *packaged_lexicon())))


def negates(phrase: str) -> bool:
    """Whether `phrase` has a word that negates ("jeg kan ikke tåle ...", "can't")."""
    return any(word in NEGATIONS for word in words(normalise(phrase).replace("n't", " not")))


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
        (Danish, English) phrases of the same meaning; None for the packaged lists
        (`packaged_bridge_pairs`).
    similarity:
        Cosine (query to query) a wish needs to one side of a pair.
    margin:
        How far that side must beat the best side of every other pair.
    near:
        Cosine from which a wish no pair says gets its nearest pair's other side as
        a reading that does not confirm "matches" (see the module); None: off.
    """

    def __init__(
        self,
        pairs: Sequence[tuple[str, str]] | None = None,
        *,
        similarity: float = 0.95,
        margin: float = 0.01,
        near: float | None = None,
    ) -> None:
        self.pairs = tuple(pairs) if pairs is not None else packaged_bridge_pairs()
        self.similarity = similarity
        self.margin = margin
        self.near = near

    def fit(self, encoder: CachedEncoder) -> PhraseBridge:
        """Encode both sides of every pair (as queries, as wishes are)."""
        if not 0 < self.similarity <= 1:
            raise ValueError(f"similarity must be in (0, 1], got {self.similarity!r}")
        if self.margin < 0:
            raise ValueError(f"margin must be >= 0, got {self.margin!r}")
        if self.near is not None and not 0 < self.near <= 1:
            raise ValueError(f"near must be in (0, 1] or None, got {self.near!r}")
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
        # Rows of `vectors_`: the side of the pair the wish is near (its own language).
        near_rows: list[int] = []
        wish_of: list[int] = []
        confirms: list[bool] = []
        pairs = np.arange(len(self.pairs))
        for j, wish in enumerate(wishes):
            said = normalise(wish)
            # Exact wording always counts, whatever the encoder makes of it.
            exact = self.sides_ == said
            here = np.where(exact, 1.0, by_pair[j])
            side = here.argmax(axis=1)
            best = here[pairs, side]
            if exact.any():
                # The wish is a side word for word, so it means that pair: only pairs that
                # have it word for word too can rival it, not phrases the encoder puts near
                # ("sorting mail" is "sortere post", though "mail sorting" is as near).
                best = np.where(exact.any(axis=1), best, -1.0)
            first = int(best.argmax())
            other = str(self.others_[first, side[first]])
            near_side = str(self.pairs[first][int(side[first])])
            if not exact.any() and negates(near_side) != negates(wish):
                # "I cannot stand up all day" is near "being outside all day", but says
                # what the person cannot do, not what they want.
                continue
            # Pairs that say something else in the other language must be clearly farther,
            # and the side must say nothing the wish does not ("... om morgenen" for "...
            # om aftenen" is a reading, not the wish).
            says = (
                best[first] >= self.similarity
                and (best[first] - self._best_rival(best, side, first) >= self.margin)
                and (exact.any() or says_no_more(near_side, wish))
            )
            nearest = (
                not says
                and not exact.any()
                and self.near is not None
                and bool(best[first] >= self.near)
            )
            if (says or nearest) and other != said:
                other_side = 1 - int(side[first])
                texts.append(str(self.pairs[first][other_side]))
                owner.append(j)
                rows.append(2 * first + other_side)
                near_rows.append(2 * first + int(side[first]))
                wish_of.append(j)
                confirms.append(says)
        if not texts:
            return WishVariants.none()
        return WishVariants(
            texts,
            np.asarray(owner, dtype=np.int64),
            self._kept(np.asarray(vectors, dtype=np.float32)[wish_of], rows, near_rows),
            None if all(confirms) else np.asarray(confirms, dtype=bool),
        )

    def _kept(self, wishes: np.ndarray, rows: list[int], near_rows: list[int]) -> np.ndarray:
        """The other sides' vectors, each moved by what its wish says beyond the side it
        is near (the wish's vector less that side's: both in one language, so what is
        left is meaning, not language), so that a long wish bridged to a short pair keeps
        the rest ("... om aftenen" to "cleans offices in the morning" keeps the evening).
        A wish that is a side word for word moves nothing."""
        moved = self.vectors_[rows] + (wishes - self.vectors_[near_rows])
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        return (moved / np.maximum(norms, 1e-12)).astype(self.vectors_.dtype, copy=False)

    def _best_rival(self, best: np.ndarray, side: np.ndarray, first: int) -> float:
        """The best cosine among pairs whose other side says something else than `first`'s.

        `best[p]` is the wish's cosine to pair p's nearer side `side[p]`. A pair whose
        other side is the same text as `first`'s, or within `similarity` of it (as two
        inflections of one phrase are), says the same thing, so it is no rival.
        """
        pairs = np.arange(len(self.pairs))
        other_rows = 2 * pairs + 1 - side
        same_text = self.others_[pairs, side] == self.others_[first, side[first]]
        same_meaning = self.vectors_[other_rows] @ self.vectors_[other_rows[first]]
        rivals = best[~same_text & (same_meaning < self.similarity)]
        return float(rivals.max()) if len(rivals) else -np.inf
