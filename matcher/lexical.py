"""The lexical channel: TF-IDF over character n-grams.

It catches exact words, compounds and codes the sentence encoder blurs
("truckcertifikat", "5164") and works with any language's spelling, but it
knows nothing of meaning across languages; it is a second channel beside
the encoder, never the only one.

With ``word_starts=True`` a phrase's n-grams count against a document only
when one of the phrase's words is the whole start of one of the document's
head words (`title_heads`: the documents are titles): the same word,
inflected ("bager", "bagere") or as a compound's first part ("bager",
"bagerlærling"). Words that merely share letters ("bager", "bagage"; "maler",
"malker"; "plumber", "plum") share n-grams but name other work, and so does
a word only in what a title's work is for or about ("driving" in "Driving
school receptionist"); then the channel gives nothing.

With ``distinct_documents=True`` each distinct text is read and stored once
(openings repeat their titles: a catalogue of a million openings holds far
fewer titles), and the inverse document frequencies still count every
document, so every similarity is what the channel fitted on all of them gives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

from matcher.text import normalise, words

# Words shorter than this neither open nor are opened by another word ("i", "og", "it").
MIN_WORD_START = 3
_HASHED = 2**22
# Phrases whose reading is kept (see `LexicalChannel.similarity`).
PHRASE_MEMO_SIZE = 4_096


# A title's head is the last word of each of its parts, before a preposition, and of
# each side of "and"/"og" ("Painter and decorator"; "Kok til kantinen"): the words
# before it say what kind ("Mail server administrator" is no mail carrier).
_TITLE_PARTS = re.compile(r"[,;/()|&+]|\s[-–]\s")
_PREPOSITIONS = frozenset(
    {"til", "i", "på", "ved", "hos", "for", "fra", "af", "med", "om"}
    | {"in", "at", "with", "of", "to", "on", "from", "by"}
)
_CONJUNCTIONS = frozenset({"og", "and", "eller", "or"})
# Heads that name a helper of the work before them: "Plumber's mate", "Baker's
# assistant", "Dyrepasser-medhjælper" are that work.
HELPER_HEADS = frozenset(
    {"assistent", "elev", "hjælper", "lærling", "medhjælper"}
    | {"assistant", "apprentice", "helper", "mate", "trainee"}
)


def title_heads(title: str) -> set[str]:
    """The head words of a title (see above), lower-cased."""
    heads: set[str] = set()
    for part in _TITLE_PARTS.split(title):
        # "plumber's" → "plumber", "s"; the one-letter Danish "i" is a preposition.
        found = [w for w in words(part) if len(w) > 1 or w in _PREPOSITIONS]
        for position, word in enumerate(found):
            if position > 0 and word in _PREPOSITIONS:
                found = found[:position]
                break
        sides: list[list[str]] = [[]]
        for word in found:
            if word in _CONJUNCTIONS:
                sides.append([])
            else:
                sides[-1].append(word)
        for side in sides:
            position = len(side) - 1
            while position >= 0:
                heads.add(side[position])
                if side[position] not in HELPER_HEADS:
                    break
                position -= 1
    return heads


def _stem(word: str) -> str:
    # Inflection and derivation by suffix ("walking"/"walker", "gardening"/"gardener").
    return word[: max(4, len(word) - 3)]


# Two consonants that can begin a Danish or English word (or a compound's next part).
# A word that goes on from a wish word with any other pair ("skov" in "skovlfabrik":
# "lf") is another word that shares its letters, not a compound of it.
_VOWELS = frozenset("aeiouyæøåéè")
_ONSETS = frozenset(
    [
        "bl",
        "br",
        "bj",
        "ch",
        "dr",
        "dv",
        "fl",
        "fr",
        "fj",
        "gl",
        "gn",
        "gr",
        "hj",
        "hv",
        "kl",
        "kn",
        "kr",
        "kv",
        "kj",
        "ph",
        "pl",
        "pr",
        "ps",
        "pj",
        "sc",
        "sh",
        "sj",
        "sk",
        "sl",
        "sm",
        "sn",
        "sp",
        "st",
        "sv",
        "sw",
        "th",
        "tr",
        "tv",
        "tw",
        "tj",
        "wh",
        "wr",
    ]
)


def goes_on_from(word: str, start: int) -> bool:
    """Whether `word` may be read as its first `start` letters and then an ending or a
    compound's next part: nothing follows, a vowel follows (an inflection, "-er",
    "-ing"), or a consonant that can begin a word, after an optional linking "s"
    ("rengøring|sassistent")."""
    rest = word[start:]
    if rest.startswith("s") and len(rest) > 1 and _begins_a_part(rest[1:]):
        return True
    return _begins_a_part(rest)


def _begins_a_part(rest: str) -> bool:
    if len(rest) < 2 or rest[0] in _VOWELS or rest[1] in _VOWELS:
        return True
    return rest[:2] in _ONSETS


# Wish phrases and titles whose reading (`starts_a_head`, `starts_a_modifier`) is kept:
# every ranking asks it again for each result's title, of the same few wishes.
READING_CACHE_SIZE = 16_384


def starts_a_head(phrases: Iterable[str], title: str) -> bool:
    """Whether a word (3+ letters) of one of `phrases`, or its stem, starts a head word
    of `title` (see `title_heads`; give the title with its industry in brackets, as
    `matcher.text.opening_title_text` writes it, and the industry is a head too), where
    the head goes on from it as an ending or a compound does (`goes_on_from`)."""
    return _head_started(tuple(phrases), title)


@lru_cache(maxsize=READING_CACHE_SIZE)
def _head_started(phrases: tuple[str, ...], title: str) -> bool:
    return _starts_a_head(_said_words(phrases), title_heads(title))


def _said_words(phrases: Iterable[str]) -> set[str]:
    return {word for phrase in phrases for word in _phrase_words(phrase)}


def _starts_a_head(said: set[str], heads: set[str]) -> bool:
    started = {head for head in heads if any(_word_starts(word, head) for word in said)}
    # A helper head alone ("assistant" of "Farm assistant" for "pharmacy assistant") says
    # only that it helps: where the title names the work it helps with, that must start.
    return bool(started) and (not started <= HELPER_HEADS or heads <= HELPER_HEADS | started)


def _word_starts(word: str, other: str) -> bool:
    """Whether `word`, or its stem, starts `other`, which goes on from it (`goes_on_from`)."""
    return other.startswith(_stem(word)) and goes_on_from(other, _common_start(other, word))


def starts_a_modifier(phrases: Iterable[str], title: str) -> bool:
    """Whether a word (3+ letters) of one of `phrases` starts a longer word of `title`
    that is not one of its heads (`title_heads`), and none starts a head: the title
    names the wish's word as part of what other work is for or about ("Ekspedient i
    tøjbutik" for "sy tøj", "Laborant på slagteri" for "slagter"). A title word that is
    the wish's word itself, or it with a plural or article ending (`same_word`), is no
    modifier: "Rengøring på hotel" is work in the hotel the wish names."""
    return _modifier_started(tuple(phrases), title)


@lru_cache(maxsize=READING_CACHE_SIZE)
def _modifier_started(phrases: tuple[str, ...], title: str) -> bool:
    said, heads = _said_words(phrases), title_heads(title)
    if _starts_a_head(said, heads):
        return False
    others = {w for w in words(title) if len(w) >= MIN_WORD_START} - heads
    return any(
        _word_starts(word, other) and not same_word(word, other)
        for word in said
        for other in others
    )


# Endings that leave a word the same word: plurals and the Danish article ("hotel",
# "hotels", "hotellet"; "børn", "børnene"), not derivations ("slagter", "slagteri").
_SAME_WORD_ENDINGS = frozenset({"s", "es", "e", "er", "en", "et", "ne", "ene", "erne"})


def same_word(one: str, other: str) -> bool:
    """Whether two words are one word with or without a plural or article ending
    (`_SAME_WORD_ENDINGS`), a final consonant doubled before it or not ("hotel",
    "hoteller", "hotellet")."""
    return bool(_bases(one) & _bases(other))


def _bases(word: str) -> set[str]:
    bases = {word}
    for ending in _SAME_WORD_ENDINGS:
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= MIN_WORD_START:
            bases.add(base)
            if len(base) > MIN_WORD_START and base[-1] == base[-2]:
                bases.add(base[:-1])
    return bases


# Words that say how, not what: a phrase may have them or not and say the same work.
_FUNCTION_WORDS = frozenset(
    {"and", "the", "for", "with", "from", "into", "some", "something", "want", "like"}
    | {"og", "med", "til", "fra", "som", "det", "den", "der", "noget", "gerne", "vil"}
)


def says_no_more(phrase: str, than: str) -> bool:
    """Whether every word of `phrase` (3+ letters, not a function word) is a word of
    `than`, inflected, as its compound's first part or the other way round: "bage brød"
    says no more than "bage brød og kager"; "gør rent på kontorer om morgenen" says more
    than "gøre rent på kontorer om aftenen"."""
    said = _phrase_words(than)
    return all(
        any(_one_starts_the_other(word, other) for other in said)
        for word in _phrase_words(phrase)
        if word not in _FUNCTION_WORDS
    )


def _one_starts_the_other(word: str, other: str) -> bool:
    # Two phrases near in meaning: a word that starts another is its own, whatever follows
    # ("sygepleje", "sygeplejerske"); or inflected ("gøre", "gør"; `_word_starts`).
    short, long = sorted((word, other), key=len)
    return long.startswith(short) or _word_starts(word, other) or _word_starts(other, word)


def _common_start(one: str, other: str) -> int:
    length = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        length += 1
    return length


def _document_starts(text: str) -> list[str]:
    """Every start of a document's head words (`title_heads`), from `MIN_WORD_START`
    letters to the whole word."""
    return sorted({w[:n] for w in title_heads(text) for n in range(MIN_WORD_START, len(w) + 1)})


def _phrase_words(text: str) -> list[str]:
    return sorted({w for w in words(text) if len(w) >= MIN_WORD_START})


def _hashed(features: list[list[str]]) -> sp.csr_matrix:
    if not features:
        return sp.csr_matrix((0, _HASHED), dtype=np.float32)
    hasher = FeatureHasher(
        n_features=_HASHED, input_type="string", alternate_sign=False, dtype=np.float32
    )
    return sp.csr_matrix(hasher.transform(features))


def _distinct(documents: Sequence[str], rows: dict[str, int]) -> tuple[list[str], np.ndarray]:
    """Every text in `rows` (text → row, extended in place with the new ones, in order of
    first appearance) and each document's row."""
    of = np.fromiter(
        (rows.setdefault(d, len(rows)) for d in documents), dtype=np.int64, count=len(documents)
    )
    return list(rows), of


def _weighted_idf(counts: sp.spmatrix, text_of: np.ndarray) -> np.ndarray:
    """The inverse document frequencies `TfidfVectorizer.fit` gives on every document, from
    the distinct texts' n-gram `counts` and how many documents each text is (the same
    float32 operations as scikit-learn's smooth idf)."""
    counts = sp.csr_matrix(counts)
    copies = np.bincount(text_of, minlength=counts.shape[0])
    df = np.bincount(
        counts.indices, weights=np.repeat(copies, np.diff(counts.indptr)), minlength=counts.shape[1]
    ).astype(np.float32)
    df += 1.0  # smooth_idf, as sklearn does
    idf = np.full_like(df, fill_value=len(text_of) + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


class LexicalChannel:
    """Cosine similarity of character 3-5-grams, fitted on the openings' titles.

    With `word_starts`, only where a phrase's word and a document's begin alike
    (see the module's docstring).
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (3, 5),
        min_df: int = 1,
        word_starts: bool = False,
        distinct_documents: bool = False,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.word_starts = word_starts
        self.distinct_documents = distinct_documents

    def fit(self, documents: Sequence[str]) -> LexicalChannel:
        """Learn the n-grams and their weights from `documents`; `matrix_` holds one row per
        document, or per distinct text with `distinct_documents` (`text_of_` maps each
        document to its row)."""
        if self.distinct_documents and self.min_df != 1:
            raise ValueError("distinct_documents needs min_df=1 (document counts are weighted)")
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            preprocessor=normalise,
            sublinear_tf=True,
            dtype=np.float32,
        )
        texts = list(documents)
        self.text_rows_: dict[str, int] = {}
        if self.distinct_documents:
            texts, self.text_of_ = _distinct(documents, self.text_rows_)
        else:
            self.text_of_ = np.arange(len(texts), dtype=np.int64)
        if texts and self.distinct_documents:
            # As `fit_transform` does, step by step, with the idf of every document: the
            # n-grams are numbered and each row's entries ordered as on every document.
            counts = CountVectorizer.fit_transform(self.vectorizer_, texts)
            tfidf = TfidfTransformer(sublinear_tf=True)
            tfidf.idf_ = self.vectorizer_.idf_ = _weighted_idf(counts, self.text_of_)
            self.matrix_: sp.csr_matrix = sp.csr_matrix(tfidf.transform(counts, copy=False))
        elif texts:
            self.matrix_ = sp.csr_matrix(self.vectorizer_.fit_transform(texts))
        else:
            self.vectorizer_.fit(["-"])
            self.matrix_ = sp.csr_matrix((0, len(self.vectorizer_.vocabulary_)), dtype=np.float32)
        if self.word_starts:
            # By column (word start → documents), so a phrase's words find their rows at once.
            self.starts_ = sp.csc_matrix(_hashed([_document_starts(d) for d in texts]))
        self.phrase_memo_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        return self

    def add(self, documents: Sequence[str]) -> None:
        """Append documents with the fitted vocabulary (new n-grams are not learned)."""
        if not documents:
            return
        texts = list(documents)
        if self.distinct_documents:
            # A new dict: a copy of this channel may still share the old one.
            self.text_rows_ = dict(self.text_rows_)
            known = len(self.text_rows_)
            distinct, added_of = _distinct(documents, self.text_rows_)
            texts = distinct[known:]
        else:
            added_of = np.arange(len(texts), dtype=np.int64) + self.matrix_.shape[0]
        self.text_of_ = np.concatenate([self.text_of_, added_of])
        if texts:
            rows = sp.csr_matrix(self.vectorizer_.transform(texts))
            self.matrix_ = sp.csr_matrix(sp.vstack([self.matrix_, rows], format="csr"))
            if self.word_starts:
                added = _hashed([_document_starts(d) for d in texts])
                self.starts_ = sp.csc_matrix(sp.vstack([self.starts_, added], format="csc"))
        # A new dict, not a cleared one: a copy of this channel (`copy.copy`, as
        # `Catalogue.extended` makes) may still share the old one, and its rows stay right.
        self.phrase_memo_ = {}

    def transform(self, phrases: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(self.vectorizer_.transform(phrases))

    def similarity(self, phrases: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
        """Dense ``(len(phrases), len(rows))`` cosines against the fitted documents."""
        count = len(self.text_of_)
        shape = (len(phrases), count if rows is None else len(rows))
        if not phrases or count == 0:
            return np.zeros(shape, dtype=np.float32)
        texts = self.text_of_ if rows is None else self.text_of_[rows]
        if not self.word_starts:
            product = self.transform(phrases) @ self.matrix_[texts].T
            return np.asarray(product.toarray(), dtype=np.float32)
        similarities = np.zeros(shape, dtype=np.float32)
        every = np.zeros(self.matrix_.shape[0], dtype=np.float32)
        for j, phrase in enumerate(phrases):
            started, cosines = self._reading(phrase)
            every[started] = cosines
            similarities[j] = every[texts]
            every[started] = 0.0
        return similarities

    def _reading(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents a word of `phrase` starts a word of, and the phrase's cosines to them.

        Only those documents can have a cosine above zero (see the module's
        docstring), and there are few of them, so they are all that is computed.
        Kept for the last `PHRASE_MEMO_SIZE` phrases: a person's wishes are asked
        about again and again while the catalogue stays the same, and reading them
        each time cost about a fifth of an uncached ranking.
        """
        memo = self.phrase_memo_
        found = memo.get(phrase)
        if found is None:
            (columns,) = _hashed([_phrase_words(phrase)])
            started = np.unique(self.starts_[:, columns.indices].indices)
            vector = sp.csr_matrix(self.vectorizer_.transform([phrase]))
            product = self.matrix_[started] @ vector.T
            cosines = np.asarray(product.toarray(), dtype=np.float32).ravel()
            found = (started, cosines)
            if len(memo) >= PHRASE_MEMO_SIZE:
                # Full: start afresh. Swapping in a new dict is safe with rankings on
                # other threads, where evicting one entry while they insert is not.
                memo = self.phrase_memo_ = {}
            memo[phrase] = found
        return found
