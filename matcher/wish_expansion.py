"""A wish said as a task, a feeling or a field, also looked for as the work it names.

People say what they want in their own words far more often than as a job
title: "noget med hænderne", "being outdoors", "rolige omgivelser". The
encoder places such a phrase closer to an opening whose title shares a word
with it ("Håndboldtræner", "Outdoor clothing shop cashier") than to the work it
means ("Montør", "Park keeper"). A packaged list (by default
``matcher/data/wish_expansions.csv``) gives, for each of about sixty common ways
of saying a wish in Danish or English, the kinds of work it usually points to,
in both languages. A wish that is one of the list's phrasings (in other words or
inflection) gets both descriptions as variants, scored and retrieved as the wish
itself (`matcher.scorer`), so the wanted work can rise to the top.

A phrasing counts only when the wish is nearly the same phrase: cosine (both
encoded as queries) of at least `similarity`, beating every other entry's best
phrasing by `margin`, so a wish that is a plain job title or sits between two
entries gets nothing. Unlike the phrase-pair bridge (`matcher.bridge`), an
expansion is the list's reading of the wish, not the person's words in another
language: it may rank an opening but never makes a reason say "matches"
(`WishVariants.confirms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from matcher.bridge import WishVariants
from matcher.encoders import CachedEncoder
from matcher.errors import EncoderError, NotFittedError
from matcher.tabular import claim_phrasings, packaged_rows, split_phrasings
from matcher.text import normalise

__all__ = ["Expansion", "WishExpansion", "packaged_expansions", "read_expansions"]

EXPANSIONS_PATH = Path(__file__).parent / "data" / "wish_expansions.csv"
EXPANSION_COLUMNS = ("phrasings", "work_da", "work_en")


@dataclass(frozen=True)
class Expansion:
    """Ways of saying one wish (``phrasings``) and the work they point to, in both languages."""

    phrasings: tuple[str, ...]
    work_da: str
    work_en: str


def read_expansions(path: Path) -> list[Expansion]:
    """Entries of a CSV file with the columns ``phrasings,work_da,work_en``.

    ``phrasings`` holds one or more phrases separated by ``|``. A phrasing may
    appear once only: under two entries it could not say which work it means.
    """
    entries: list[Expansion] = []
    first_line: dict[str, int] = {}
    for line, (said, work_da, work_en) in packaged_rows(path, EXPANSION_COLUMNS, "wish expansions"):
        phrasings = split_phrasings(said)
        if not phrasings or not work_da or not work_en:
            raise EncoderError(
                f"{path}, line {line}: 'phrasings', 'work_da' and 'work_en' are all needed"
            )
        claim_phrasings((normalise(p) for p in phrasings), line, first_line, path, "entry")
        entries.append(Expansion(phrasings, work_da, work_en))
    return entries


@lru_cache(maxsize=1)
def packaged_expansions() -> tuple[Expansion, ...]:
    """The wish expansions shipped with ipsmatch."""
    return tuple(read_expansions(EXPANSIONS_PATH))


class WishExpansion:
    """Finds the entry a wish says, and gives the work it points to as variants.

    Parameters
    ----------
    entries:
        The list to read wishes by; None for the packaged one.
    similarity:
        Cosine (query to query) a wish needs to one of an entry's phrasings.
    margin:
        How far that phrasing must beat the best phrasing of every other entry.
    """

    def __init__(
        self,
        entries: Sequence[Expansion] | None = None,
        *,
        similarity: float = 0.94,
        margin: float = 0.01,
    ) -> None:
        self.entries = tuple(entries) if entries is not None else packaged_expansions()
        self.similarity = similarity
        self.margin = margin

    def fit(self, encoder: CachedEncoder) -> WishExpansion:
        """Encode every phrasing and both descriptions of work (as queries, as wishes are)."""
        if not 0 < self.similarity <= 1:
            raise ValueError(f"similarity must be in (0, 1], got {self.similarity!r}")
        if self.margin < 0:
            raise ValueError(f"margin must be >= 0, got {self.margin!r}")
        if not self.entries:
            raise ValueError("a wish expansion needs at least one entry")
        phrasings = [p for entry in self.entries for p in entry.phrasings]
        self.entry_of_phrasing_ = np.repeat(
            np.arange(len(self.entries)), [len(entry.phrasings) for entry in self.entries]
        )
        self.phrasings_ = np.asarray([normalise(p) for p in phrasings], dtype=object)
        self.phrasing_vectors_ = encoder.encode(phrasings, "query")
        # Entry e's Danish description at row 2e, its English one at 2e + 1.
        self.work_texts_ = [t for entry in self.entries for t in (entry.work_da, entry.work_en)]
        self.work_vectors_ = encoder.encode(self.work_texts_, "query")
        return self

    def variants(self, wishes: Sequence[str], vectors: np.ndarray) -> WishVariants:
        """Both descriptions of the entry each wish says, where one does (see the module)."""
        if not hasattr(self, "phrasing_vectors_"):
            raise NotFittedError("WishExpansion is not fitted: call fit(encoder) first")
        if len(wishes) == 0:
            return WishVariants.none()
        cosines = np.asarray(vectors, dtype=np.float32) @ self.phrasing_vectors_.T
        entries = len(self.entries)
        rows: list[int] = []
        owner: list[int] = []
        for j, wish in enumerate(wishes):
            # Exact wording always counts, whatever the encoder makes of it.
            said = np.where(self.phrasings_ == normalise(wish), 1.0, cosines[j])
            best = np.full(entries, -np.inf, dtype=np.float64)
            np.maximum.at(best, self.entry_of_phrasing_, said)
            first = int(best.argmax())
            if best[first] < self.similarity:
                continue
            rivals = np.delete(best, first)
            if len(rivals) and best[first] - rivals.max() < self.margin:
                continue
            rows.extend((2 * first, 2 * first + 1))
            owner.extend((j, j))
        if not rows:
            return WishVariants.none()
        return WishVariants(
            [self.work_texts_[r] for r in rows],
            np.asarray(owner, dtype=np.int64),
            self.work_vectors_[rows],
            confirms=np.zeros(len(rows), dtype=bool),
        )
