"""The lexical channel: TF-IDF over character n-grams.

It catches exact words, compounds and codes the sentence encoder blurs
("truckcertifikat", "5164") and works with any language's spelling, but it
knows nothing of meaning across languages; it is a second channel beside
the encoder, never the only one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.text import normalise


class LexicalChannel:
    """Cosine similarity of character 3-5-grams, fitted on the openings' titles."""

    def __init__(self, ngram_range: tuple[int, int] = (3, 5), min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit(self, documents: Sequence[str]) -> LexicalChannel:
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            preprocessor=normalise,
            sublinear_tf=True,
            dtype=np.float32,
        )
        if documents:
            self.matrix_: sp.csr_matrix = sp.csr_matrix(self.vectorizer_.fit_transform(documents))
        else:
            self.vectorizer_.fit(["-"])
            self.matrix_ = sp.csr_matrix((0, len(self.vectorizer_.vocabulary_)), dtype=np.float32)
        return self

    def add(self, documents: Sequence[str]) -> None:
        """Append documents with the fitted vocabulary (new n-grams are not learned)."""
        if not documents:
            return
        rows = sp.csr_matrix(self.vectorizer_.transform(documents))
        self.matrix_ = sp.csr_matrix(sp.vstack([self.matrix_, rows], format="csr"))

    def transform(self, phrases: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(self.vectorizer_.transform(phrases))

    def similarity(self, phrases: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
        """Dense ``(len(phrases), len(rows))`` cosines against the fitted documents."""
        matrix = self.matrix_ if rows is None else self.matrix_[rows]
        if not phrases or matrix.shape[0] == 0:
            return np.zeros((len(phrases), matrix.shape[0]), dtype=np.float32)
        product = self.transform(phrases) @ matrix.T
        return np.asarray(product.toarray(), dtype=np.float32)
