"""The lexical channel: TF-IDF over character n-grams.

It catches exact words, compounds and codes the sentence encoder blurs
("truckcertifikat", "5164") and works with any language's spelling, but it
knows nothing of meaning across languages; it is a second channel beside
the encoder, never the only one.

With ``word_starts=True`` a phrase's n-grams count against a document only
when one of the phrase's words is the whole start of one of the document's:
the same word, inflected ("bager", "bagere") or as a compound's first part
("bager", "bagerlærling"). Words that merely share letters ("bager",
"bagage"; "maler", "malker"; "plumber", "plum") share n-grams but name other
work, and then the channel gives nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.text import normalise, words

# Words shorter than this neither open nor are opened by another word ("i", "og", "it").
MIN_WORD_START = 3
_HASHED = 2**22


def _document_starts(text: str) -> list[str]:
    """Every start of a document's words, from `MIN_WORD_START` letters to the whole word."""
    return sorted({w[:n] for w in words(text) for n in range(MIN_WORD_START, len(w) + 1)})


def _phrase_words(text: str) -> list[str]:
    return sorted({w for w in words(text) if len(w) >= MIN_WORD_START})


def _hashed(features: list[list[str]]) -> sp.csr_matrix:
    if not features:
        return sp.csr_matrix((0, _HASHED), dtype=np.float32)
    hasher = FeatureHasher(
        n_features=_HASHED, input_type="string", alternate_sign=False, dtype=np.float32
    )
    return sp.csr_matrix(hasher.transform(features))


class LexicalChannel:
    """Cosine similarity of character 3-5-grams, fitted on the openings' titles.

    With `word_starts`, only where a phrase's word and a document's begin alike
    (see the module's docstring).
    """

    def __init__(
        self, ngram_range: tuple[int, int] = (3, 5), min_df: int = 1, word_starts: bool = False
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.word_starts = word_starts

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
        if self.word_starts:
            # By column (word start → documents), so a phrase's words find their rows at once.
            self.starts_ = sp.csc_matrix(_hashed([_document_starts(d) for d in documents]))
        return self

    def add(self, documents: Sequence[str]) -> None:
        """Append documents with the fitted vocabulary (new n-grams are not learned)."""
        if not documents:
            return
        rows = sp.csr_matrix(self.vectorizer_.transform(documents))
        self.matrix_ = sp.csr_matrix(sp.vstack([self.matrix_, rows], format="csr"))
        if self.word_starts:
            added = _hashed([_document_starts(d) for d in documents])
            self.starts_ = sp.csc_matrix(sp.vstack([self.starts_, added], format="csc"))

    def transform(self, phrases: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(self.vectorizer_.transform(phrases))

    def similarity(self, phrases: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
        """Dense ``(len(phrases), len(rows))`` cosines against the fitted documents."""
        matrix = self.matrix_ if rows is None else self.matrix_[rows]
        if not phrases or matrix.shape[0] == 0:
            return np.zeros((len(phrases), matrix.shape[0]), dtype=np.float32)
        product = np.asarray((self.transform(phrases) @ matrix.T).toarray(), dtype=np.float32)
        if self.word_starts:
            product[~self._starting(phrases, rows)] = 0.0
        return product

    def _starting(self, phrases: Sequence[str], rows: np.ndarray | None) -> np.ndarray:
        """``(len(phrases), len(rows))``: whether a word of the phrase starts a document word."""
        count = self.starts_.shape[0]
        found = np.zeros((len(phrases), count), dtype=bool)
        for j, columns in enumerate(_hashed([_phrase_words(p) for p in phrases])):
            found[j, self.starts_[:, columns.indices].indices] = True
        return found if rows is None else found[:, rows]
