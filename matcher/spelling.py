"""How much of a phrase's spelling a set of labels knows (the occupation mapper's gate).

The occupation mapper's lexical channel and its hubness correction both
belong to the spelling of the labels it indexed (`matcher.occupations`). A
phrase whose character n-grams those labels hardly know (a Swedish title
against English ESCO labels) should get little from either; these
functions measure how much it shares and turn that into a weight.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def known_share(
    vectorizer: TfidfVectorizer, unseen_idf: float, phrases: Sequence[str]
) -> np.ndarray:
    """The IDF-weighted share of each phrase's n-grams that `vectorizer` has seen, in 0-1.

    An n-gram it has not seen weighs `unseen_idf` (as the rarest would). A
    phrase in the labels' language scores high (MELO's Swedish titles against
    Swedish labels: 0.88 on average), one in another language low (against
    English labels: 0.37). A phrase without n-grams counts as known: nothing
    says otherwise.
    """
    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    analyse = vectorizer.build_analyzer()  # built here: a fitted mapper stays picklable
    shares = np.ones(len(phrases), dtype=np.float32)
    for row, phrase in enumerate(phrases):
        grams = set(analyse(phrase))
        if not grams:
            continue
        known = sum(float(idf[vocabulary[g]]) for g in grams if g in vocabulary)
        unseen = sum(1 for g in grams if g not in vocabulary) * unseen_idf
        shares[row] = known / (known + unseen)
    return shares


def spelling_weights(shares: np.ndarray, known_spelling: tuple[float, float]) -> np.ndarray:
    """0 below `low`, 1 from `high` on, linear between: `known_spelling` is (low, high)."""
    low, high = known_spelling
    return np.clip((shares - low) / (high - low), 0.0, 1.0).astype(np.float32)
