"""Free text to occupations: "noget med dyr" → ISCO-08 group 5164.

`OccupationMapper` indexes a `Taxonomy`'s occupations by their titles, a
few alternative labels and the start of their descriptions, and maps
phrases to ISCO-08 unit groups through two channels:

* **encoder**: the sentence encoder's cosine between the phrase (as a
  query) and each entry (as a passage), measured against two baselines: the
  phrase's own (its median cosine to every entry), because e5 cosines of
  unrelated texts are high and differ from phrase to phrase, and the
  entry's, because some entries ("assistant", "worker") are close to
  everything and would otherwise win for every phrase (the hubness
  correction of CSLS, Conneau et al. 2018: an entry's mean cosine to its
  nearest entries, less the index's average of that);
* **lexical**: character n-grams against the titles and labels, for words
  the encoder blurs and for Danish compounds: the mean of the TF-IDF cosine
  and of how much of the phrase's n-grams (IDF-weighted) the label
  contains, so that "kok" finds "Kokkearbejde" though the long compound
  dilutes the cosine.

Each channel is aggregated per group (the best entry of the group), and the
score is their weighted mean. The defaults were tuned on ESCO's own
alternative labels and DISCO-08's level-5 titles (`benchmarks/taxonomy.py`).

Both the lexical channel and the hubness correction belong to the spelling
of the indexed labels (the hubness is measured among the labels, texts of
their language). A phrase whose n-grams the labels hardly know (a Swedish
title against English ESCO labels) gets little of either: both are scaled
by the share of its n-grams the labels know (`known_spelling`; MELO's
Swedish-to-English MRR 0.148 to 0.167, `benchmarks/README.md`, "Across
languages").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import faiss
import numpy as np
import scipy.sparse as sp

from matcher.encoders import CachedEncoder, ProgressCallback, TextEncoder
from matcher.errors import NotFittedError
from matcher.lexical import LexicalChannel
from matcher.spelling import known_share, spelling_weights
from matcher.taxonomy import Occupation, Taxonomy, guess_language

CHANNELS: tuple[str, ...] = ("encoder", "lexical")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# One boolean mask over the entries for every phrase, or entry indices per phrase.
Exclusion = np.ndarray | Sequence[np.ndarray]


@dataclass(frozen=True)
class OccupationMatch:
    """One ISCO-08 group a phrase maps to, through its best-matching occupation.

    ``code`` and ``title`` are those of the best-matching occupation in the
    group (a DISCO code, an ESCO URI or the ISCO group), ``matched`` the
    entry text that matched, ``group_title`` the group's title in the
    phrase's language where the taxonomy has it.
    """

    code: str
    title: str
    group: str
    group_title: str
    score: float
    channels: dict[str, float] = field(default_factory=dict)
    matched: str = ""
    source: str = ""


@dataclass(frozen=True)
class CorpusEntry:
    """One entry of a corpus to map phrases to, outside a taxonomy (e.g. a benchmark's).

    ``id`` must be unique in the corpus; ``label``, ``alt_labels`` and
    ``description`` are indexed as a taxonomy occupation's title, alternative
    labels and description are.
    """

    id: str
    label: str
    alt_labels: tuple[str, ...] = ()
    description: str = ""
    language: str = ""


def corpus_taxonomy(entries: Sequence[CorpusEntry], source: str = "corpus") -> Taxonomy:
    """A taxonomy in which every corpus entry is an occupation and its own group.

    `OccupationMapper` ranks groups, so fitted on this taxonomy it ranks the
    entries themselves, with the same channels and corrections it uses for
    the product's wishes and titles. Duplicate or blank ids are refused.
    """
    seen: set[str] = set()
    occupations: list[Occupation] = []
    for position, entry in enumerate(entries):
        if not entry.id.strip() or entry.id in seen:
            raise ValueError(
                f"corpus entry {position} ({entry.label!r}) has a blank or repeated id {entry.id!r}"
            )
        if not entry.label.strip():
            raise ValueError(f"corpus entry {entry.id!r} has a blank label")
        seen.add(entry.id)
        occupations.append(
            Occupation(
                code=entry.id,
                title=entry.label,
                language=entry.language,
                group=entry.id,
                source=source,
                alt_labels=entry.alt_labels,
                description=entry.description,
            )
        )
    return Taxonomy(occupations)


def _description_start(description: str, limit: int) -> str:
    """The first sentences of a description, up to about `limit` characters."""
    text = " ".join(description.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        if kept and len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    return kept[:limit]


class OccupationMapper:
    """Maps free-text phrases to ISCO-08 unit groups of a taxonomy.

    Parameters
    ----------
    encoder:
        A text encoder, wrapped in a `CachedEncoder` unless it is one (with a
        folder-backed `EmbeddingCache`, a second fit on a taxonomy encodes nothing).
    encoder_weight, lexical_weight:
        The weights of the two channels in the score.
    encoder_span:
        How far above a phrase's baseline cosine a full match lies; a rise
        of this much is an encoder score of 1.
    max_alt_labels:
        Alternative labels indexed per occupation (ESCO has up to 89; the
        first few carry most of the meaning and encoding all takes long).
    description_chars:
        Length of the description start indexed beside the title.
    hub_neighbours:
        Nearest entries whose mean cosine is an entry's hubness.
    hub_weight:
        How much of an entry's hubness is subtracted (1 is CSLS's own form, 0
        none); it helps English labels, costs some Danish one-word wishes.
    model_vectors:
        Compare the model's own vectors, without the encoder's transform
        (`CachedEncoder.untransformed`): the Danish-English correction moved
        MELO by < 0.001 MRR and lost a known answer (`benchmarks/README.md`).
    known_spelling:
        (low, high) shares of a phrase's spelling the indexed labels know
        (`known_share`): below `low` no lexical weight and no hubness
        correction, from `high` on all of both, linearly between. `high` lies
        below most same-language phrases (85 % of MELO's Swedish titles
        against Swedish labels; the tests' Danish wishes: 0.67-1). None gives
        every phrase both in full.
    label_centroid:
        Each entry's vector plus this times its occupation's mean label vector,
        renormalised; 0 (default, not measured in the product): as encoded.
    """

    def __init__(
        self,
        encoder: TextEncoder | CachedEncoder,
        *,
        encoder_weight: float = 0.6,
        lexical_weight: float = 0.4,
        encoder_span: float = 0.15,
        max_alt_labels: int = 4,
        description_chars: int = 240,
        hub_neighbours: int = 10,
        hub_weight: float = 1.0,
        model_vectors: bool = True,
        known_spelling: tuple[float, float] | None = (0.25, 0.7),
        label_centroid: float = 0.0,
    ) -> None:
        self.encoder = encoder
        self.encoder_weight = encoder_weight
        self.lexical_weight = lexical_weight
        self.encoder_span = encoder_span
        self.max_alt_labels = max_alt_labels
        self.description_chars = description_chars
        self.hub_neighbours = hub_neighbours
        self.hub_weight = hub_weight
        self.model_vectors = model_vectors
        self.known_spelling = known_spelling
        self.label_centroid = label_centroid

    # ------------------------------------------------------------------ fit

    def entries(self, taxonomy: Taxonomy) -> list[tuple[str, str, int]]:
        """The (text, kind, occupation index) entries indexed for a taxonomy, in group order."""
        found: list[tuple[str, str, int, str]] = []
        seen: set[tuple[str, str]] = set()
        for position, occupation in enumerate(taxonomy.occupations):
            if occupation.group is None:
                continue
            texts = [(occupation.title, "title")]
            texts.extend((label, "alt") for label in occupation.alt_labels[: self.max_alt_labels])
            if occupation.description and self.description_chars > 0:
                start = _description_start(occupation.description, self.description_chars)
                texts.append((f"{occupation.title}: {start}", "description"))
            for text, kind in texts:
                key = (text.casefold(), occupation.group)
                if key in seen:
                    continue
                seen.add(key)
                found.append((text, kind, position, occupation.group))
        found.sort(key=lambda entry: entry[3])  # stable: file order within a group
        return [(text, kind, position) for text, kind, position, _ in found]

    def fit(self, taxonomy: Taxonomy, progress: ProgressCallback | None = None) -> OccupationMapper:
        """Encode the taxonomy's entries (as passages) and fit the lexical channel."""
        total = self.encoder_weight + self.lexical_weight
        if self.encoder_weight < 0 or self.lexical_weight < 0 or total <= 0:
            raise ValueError(
                "encoder_weight and lexical_weight must be >= 0 with a positive sum, got "
                f"{self.encoder_weight} and {self.lexical_weight}"
            )
        low, high = self.known_spelling or (0.0, 1.0)
        rules = {
            "encoder_span": ("> 0", self.encoder_span > 0),
            "label_centroid": (">= 0", self.label_centroid >= 0),
            "known_spelling": ("(low, high) with 0 <= low < high <= 1", 0 <= low < high <= 1),
        }
        for name, (allowed, kept) in rules.items():
            if not kept:
                raise ValueError(f"{name} must be {allowed}, got {getattr(self, name)!r}")
        entries = self.entries(taxonomy)
        if not entries:
            raise ValueError(
                "the taxonomy has no occupations with an ISCO-08 unit group; import DISCO-08 "
                "(levels 4-5) or ESCO occupations"
            )
        cached = (
            self.encoder if isinstance(self.encoder, CachedEncoder) else CachedEncoder(self.encoder)
        )
        self.encoder_ = cached.untransformed() if self.model_vectors else cached
        self.taxonomy_ = taxonomy
        self.entry_texts_ = [text for text, _, _ in entries]
        self.entry_kinds_ = np.asarray([kind for _, kind, _ in entries], dtype=object)
        self.entry_occupations_ = np.asarray([position for _, _, position in entries])
        groups = [taxonomy.occupations[position].group or "" for _, _, position in entries]
        self.groups_ = sorted(set(groups))
        group_index = {group: i for i, group in enumerate(self.groups_)}
        self.entry_groups_ = np.asarray([group_index[g] for g in groups])
        self.group_starts_ = np.searchsorted(self.entry_groups_, np.arange(len(self.groups_)))
        self.vectors_ = self.encoder_.encode(self.entry_texts_, "passage", progress=progress)
        if self.label_centroid > 0:
            self.vectors_ = self._with_centroids(self.vectors_)
        self.hubness_ = self._hubness(self.vectors_)
        # Descriptions are long sentences; in the lexical channel they would only dilute.
        labels = [
            "" if kind == "description" else text
            for text, kind in zip(self.entry_texts_, self.entry_kinds_, strict=True)
        ]
        self.lexical_ = LexicalChannel().fit(labels)
        self.label_ngrams_ = sp.csr_matrix((self.lexical_.matrix_ > 0).astype(np.float32))
        # The smooth IDF (scikit-learn's) of an n-gram no label has: as rare as can be.
        self.unseen_idf_ = float(np.log(1 + len(labels)) + 1)
        return self

    def fit_corpus(
        self, entries: Sequence[CorpusEntry], progress: ProgressCallback | None = None
    ) -> OccupationMapper:
        """Fit on a corpus of entries instead of a taxonomy; `map` then returns entry ids
        as groups (see `corpus_taxonomy`)."""
        return self.fit(corpus_taxonomy(entries), progress=progress)

    def _lexical(self, phrases: list[str]) -> np.ndarray:
        """Mean of TF-IDF cosine and IDF-weighted coverage of the phrase's n-grams."""
        cosine = self.lexical_.similarity(phrases)
        present = sp.csr_matrix((self.lexical_.transform(phrases) > 0).astype(np.float32))
        weighted = sp.csr_matrix(present.multiply(self.lexical_.vectorizer_.idf_[None, :]))
        totals = np.asarray(weighted.sum(axis=1)).ravel()[:, None]
        covered = (weighted @ self.label_ngrams_.T).toarray()
        coverage = covered / np.maximum(totals, 1e-9)
        return ((cosine + coverage) / 2).astype(np.float32)

    def known_share(self, phrases: Sequence[str]) -> np.ndarray:
        """How much of each phrase's spelling the indexed labels know, in 0-1
        (`matcher.spelling.known_share` over the lexical channel's n-grams)."""
        self._check_fitted()
        return known_share(self.lexical_.vectorizer_, self.unseen_idf_, phrases)

    def _spelling_weights(self, phrases: Sequence[str]) -> np.ndarray:
        """Per phrase, the share of the lexical weight and hubness correction it gets."""
        if self.known_spelling is None:
            return np.ones(len(phrases), dtype=np.float32)
        return spelling_weights(self.known_share(phrases), self.known_spelling)

    def _with_centroids(self, vectors: np.ndarray) -> np.ndarray:
        """Entry vectors pulled toward their occupation's unit mean label vector."""
        _, owner = np.unique(self.entry_occupations_, return_inverse=True)
        labels = self.entry_kinds_ != "description"
        sums = np.zeros((int(owner.max()) + 1, vectors.shape[1]), dtype=np.float32)
        np.add.at(sums, owner[labels], vectors[labels])
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        mixed = vectors + self.label_centroid * sums[owner]
        return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)

    def _hubness(self, vectors: np.ndarray) -> np.ndarray:
        """Each entry's mean cosine to its nearest other entries, centred on the index mean."""
        neighbours = min(self.hub_neighbours, len(vectors) - 1)
        if neighbours < 1:
            return np.zeros(len(vectors), dtype=np.float32)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        # The nearest hit is the entry itself (cosine 1), so one more is asked for.
        cosines, _ = index.search(np.ascontiguousarray(vectors, dtype=np.float32), neighbours + 1)
        hub = cosines[:, 1:].mean(axis=1)
        return (hub - hub.mean()).astype(np.float32)

    def count_texts(self, taxonomy: Taxonomy) -> int:
        """How many texts `fit` encodes, for sizing a progress bar."""
        return len(self.entries(taxonomy))

    def _check_fitted(self) -> None:
        if not hasattr(self, "vectors_"):
            raise NotFittedError("OccupationMapper is not fitted: call fit(taxonomy) first")

    # ------------------------------------------------------------- scoring

    def entry_scores(
        self, phrases: Sequence[str], exclude: Exclusion | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-entry (encoder, lexical) scores, each ``(len(phrases), n_entries)`` in 0-1.

        `exclude` leaves entries out (scored 0): a boolean mask over the
        entries for all phrases, or an array of entry indices per phrase, as
        the benchmark does to keep an occupation's own labels out of its test.
        The hubness correction is scaled per phrase (`known_spelling`); the
        lexical scores are not (`combine` weighs them).
        """
        encoder, lexical, _ = self.entry_scores_and_spelling(phrases, exclude)
        return encoder, lexical

    def entry_scores_and_spelling(
        self, phrases: Sequence[str], exclude: Exclusion | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`entry_scores` and each phrase's spelling weight: what `combine` takes."""
        self._check_fitted()
        phrases = list(phrases)
        spelling = self._spelling_weights(phrases)
        queries = self.encoder_.encode(phrases, "query")
        cosines = queries @ self.vectors_.T
        lexical = self._lexical(phrases)
        if exclude is not None:
            if isinstance(exclude, np.ndarray) and exclude.dtype == bool:
                cosines[:, exclude] = np.nan
                lexical[:, exclude] = 0.0
            else:
                for row, entries in enumerate(exclude):
                    cosines[row, entries] = np.nan
                    lexical[row, entries] = 0.0
            baseline = np.nanmedian(cosines, axis=1, keepdims=True)
            cosines = np.nan_to_num(cosines, nan=-np.inf)
        else:
            baseline = np.median(cosines, axis=1, keepdims=True)
        hub = self.hub_weight * spelling[:, None] * self.hubness_[None, :]
        encoder = np.clip((cosines - baseline - hub) / self.encoder_span, 0.0, 1.0)
        return encoder.astype(np.float32), lexical, spelling

    def channel_scores(
        self, phrases: Sequence[str], exclude: Exclusion | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-group (encoder, lexical) scores, each ``(len(phrases), len(groups_))``."""
        encoder, lexical = self.entry_scores(phrases, exclude)
        if encoder.shape[0] == 0:
            empty = np.zeros((0, len(self.groups_)), dtype=np.float32)
            return empty, empty.copy()
        return (
            np.maximum.reduceat(encoder, self.group_starts_, axis=1),
            np.maximum.reduceat(lexical, self.group_starts_, axis=1),
        )

    def combine(
        self, encoder: np.ndarray, lexical: np.ndarray, spelling: np.ndarray | None = None
    ) -> np.ndarray:
        """The channels' weighted mean; `spelling` (one weight per phrase, the rows) scales
        the lexical weight, so a phrase with spelling weight 0 scores its encoder channel."""
        lexical_weight = (
            self.lexical_weight if spelling is None else self.lexical_weight * spelling[:, None]
        )
        total = self.encoder_weight + lexical_weight
        return (self.encoder_weight * encoder + lexical_weight * lexical) / total

    def map(
        self, phrases: Sequence[str], top: int = 5, exclude: Exclusion | None = None
    ) -> list[list[OccupationMatch]]:
        """The `top` ISCO-08 groups for each phrase, best first."""
        if top < 1:
            raise ValueError(f"top must be at least 1, got {top}")
        phrases = list(phrases)
        if not phrases:
            return []
        entry_encoder, entry_lexical, spelling = self.entry_scores_and_spelling(phrases, exclude)
        group_encoder = np.maximum.reduceat(entry_encoder, self.group_starts_, axis=1)
        group_lexical = np.maximum.reduceat(entry_lexical, self.group_starts_, axis=1)
        scores = self.combine(group_encoder, group_lexical, spelling)
        entry_combined = self.combine(entry_encoder, entry_lexical, spelling)
        results: list[list[OccupationMatch]] = []
        for row, phrase in enumerate(phrases):
            language = guess_language([phrase])
            count = min(top, scores.shape[1])
            best = np.argpartition(-scores[row], count - 1)[:count]
            best = best[np.argsort(-scores[row, best], kind="stable")]
            matches = []
            for g in best:
                start = self.group_starts_[g]
                end = (
                    self.group_starts_[g + 1]
                    if g + 1 < len(self.groups_)
                    else len(self.entry_texts_)
                )
                entry = start + int(np.argmax(entry_combined[row, start:end]))
                occupation = self._occupation(entry)
                group = self.groups_[g]
                matches.append(
                    OccupationMatch(
                        code=occupation.code,
                        title=occupation.title,
                        group=group,
                        group_title=self.taxonomy_.group_title(group, language) or "",
                        score=round(float(scores[row, g]), 4),
                        channels={
                            "encoder": round(float(group_encoder[row, g]), 4),
                            "lexical": round(float(group_lexical[row, g]), 4),
                        },
                        matched=self.entry_texts_[entry],
                        source=occupation.source,
                    )
                )
            results.append(matches)
        return results

    def best_occupations(
        self, phrases: Sequence[str], groups: Sequence[str] | None = None, source: str = "esco"
    ) -> list[OccupationMatch | None]:
        """The best occupation of one source (default ESCO) for each phrase.

        With `groups` (one per phrase), only that group's occupations compete:
        a Danish job title finds its group through the Danish DISCO titles
        and then the ESCO occupation within it, where ESCO's English labels
        alone would be matched across languages, less surely.
        """
        phrases = list(phrases)
        if not phrases:
            return []
        sources = np.asarray(
            [self.taxonomy_.occupations[i].source for i in self.entry_occupations_], dtype=object
        )
        allowed = np.broadcast_to(sources == source, (len(phrases), len(sources))).copy()
        if groups is not None:
            index = {group: i for i, group in enumerate(self.groups_)}
            for row, group in enumerate(groups):
                allowed[row] &= self.entry_groups_ == index.get(group, -1)
        encoder, lexical, spelling = self.entry_scores_and_spelling(phrases)
        combined = np.where(allowed, self.combine(encoder, lexical, spelling), -1.0)
        found: list[OccupationMatch | None] = []
        for row, phrase in enumerate(phrases):
            if not allowed[row].any():
                found.append(None)
                continue
            entry = int(np.argmax(combined[row]))
            occupation = self._occupation(entry)
            group = occupation.group or ""
            found.append(
                OccupationMatch(
                    code=occupation.code,
                    title=occupation.title,
                    group=group,
                    group_title=self.taxonomy_.group_title(group, guess_language([phrase])) or "",
                    score=round(float(combined[row, entry]), 4),
                    channels={
                        "encoder": round(float(encoder[row, entry]), 4),
                        "lexical": round(float(lexical[row, entry]), 4),
                    },
                    matched=self.entry_texts_[entry],
                    source=occupation.source,
                )
            )
        return found

    def _occupation(self, entry: int) -> Occupation:
        return self.taxonomy_.occupations[int(self.entry_occupations_[entry])]
