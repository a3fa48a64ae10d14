"""The systems compared in a replay, all behind one interface.

Every system is fitted once on what was known before the cutoff, then asked,
query by query, to order the openings open on the query's day. The replay
(`evaluation.replay`) hands each system only those openings and checks that
nothing else comes back, so no system can look ahead.

| name | what it does |
|---|---|
| ``random`` | a seeded shuffle: the floor every system must clear |
| ``popularity`` | employers with the most hires before the cutoff first |
| ``lexical`` | TF-IDF (character 3-5-grams) of the profile text against the opening text |
| ``embedding`` | one encoder vector for the whole profile against the opening's whole text |
| ``competency_first`` | past work and skills first (weight 0.8), wishes second (0.2) |
| ``wish_embedding`` | the wishes alone by the encoder, stated limits applied (benchmarks only) |
| ``ipsmatch`` | `matcher.PreferenceRanker` with its default weights |
| ``ipsmatch_fitted`` | the same ranker with weights fitted on history before the cutoff |

"Profile text" is the person's wishes and competencies (skills, work,
education) run together; avoided things are left out, since a text match
would pull towards them.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Self

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from evaluation.checks import PreferenceChecker
from evaluation.history import Catalogue, Query
from evaluation.placements import Placement
from matcher.calibration import SimilarityScale, measure_scale
from matcher.engine import Engine
from matcher.ranker import (
    CandidateQuery,
    OpeningVectors,
    PreferenceRanker,
    encode_openings,
)
from matcher.records import Candidate
from matcher.scoring import ScoringWeights
from matcher.text import competency_texts, normalise, opening_full_text

ProgressCallback = Callable[[int], None]


@dataclass
class Suggestions:
    """One system's answer to one query: catalogue indices, best first.

    Systems that say how to contact an employer (``contact``) or report the
    fits they scored with fill the optional arrays, aligned with `openings`.
    """

    openings: np.ndarray
    contacts: list[str] | None = None
    preference_fit: np.ndarray | None = None
    competency_fit: np.ndarray | None = None
    violated: np.ndarray | None = None


@dataclass
class TrainingData:
    """What a system may learn from: the history before the cutoff, and the catalogue."""

    catalogue: Catalogue
    placements: list[Placement]
    cutoff: date


class System(ABC):
    """A way of ordering open openings for a person on a day."""

    name: str = ""
    label: str = ""
    description: str = ""

    def fit(self, data: TrainingData) -> Self:
        """Learn from history before the cutoff; returns the system."""
        return self

    def prepare_size(self, queries: Sequence[Query]) -> int:
        """How many steps `prepare` reports (profile versions, unless a system says else)."""
        return len({q.profile.key for q in queries})

    def prepare(  # noqa: B027 - optional hook; most systems need no preparation
        self, queries: Sequence[Query], progress: ProgressCallback | None = None
    ) -> None:
        """Work done once for all queries before the replay (encoding profiles)."""

    def start_window(self, rows: np.ndarray) -> None:  # noqa: B027 - optional hook
        """The openings of the next replay window (open on some day of it), before its queries."""

    @abstractmethod
    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        """The best `k` of `rows` (catalogue indices open on the query's day), best first."""


def top_k(
    rows: np.ndarray, scores: np.ndarray, k: int, sink: np.ndarray | None = None
) -> np.ndarray:
    """Rows by score, high first, ties by catalogue order; rows in `sink` after all others."""
    keys: tuple[np.ndarray, ...] = (rows, -scores)
    if sink is not None:
        keys = (*keys, sink)
    order = np.lexsort(keys)[:k]
    return rows[order]


def profile_text(candidate: Candidate) -> str:
    """Wishes and competencies, run together (avoided things left out)."""
    parts = list(candidate.preferences.desired) + competency_texts(candidate)
    return ". ".join(p.rstrip(". ") for p in parts)


def _seed_for(text: str, seed: int) -> int:
    digest = hashlib.blake2b(f"{seed}:{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class RandomSystem(System):
    name = "random"
    label = "Random"
    description = "A seeded random order of the open openings: the floor any system must clear."

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        # Seeded by the query, so a rerun (or a run with other systems) gives the same order.
        rng = np.random.default_rng(_seed_for(query.qid, self.seed))
        return Suggestions(openings=top_k(rows, rng.random(len(rows)), k))


class PopularitySystem(System):
    name = "popularity"
    label = "Popularity"
    description = (
        "Openings at the employers with the most hires before the cutoff first "
        "(then most interviews, then most contacts); the same order for everyone."
    )

    def fit(self, data: TrainingData) -> Self:
        weights = {"hired": 1_000_000.0, "interview": 1_000.0, "contacted": 1.0}
        counts: dict[str, float] = defaultdict(float)
        for p in data.placements:
            if p.date < data.cutoff:
                counts[p.employer_id] += weights[p.stage]
        self.employer_score_ = counts
        self.scores_ = np.asarray(
            [counts.get(e, 0.0) for e in data.catalogue.employers], dtype=np.float64
        )
        return self

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        return Suggestions(openings=top_k(rows, self.scores_[rows], k))


class LexicalSystem(System):
    name = "lexical"
    label = "Lexical TF-IDF"
    description = (
        "TF-IDF of character 3-5-grams: the profile text (wishes and competencies) against "
        "the opening's title, industry and description; vocabulary from openings posted "
        "before the cutoff."
    )

    def fit(self, data: TrainingData) -> Self:
        catalogue = data.catalogue
        texts = [opening_full_text(o) for o in catalogue.openings]
        known = [
            t
            for t, posted in zip(texts, catalogue.posted, strict=True)
            if posted < data.cutoff.toordinal()
        ]
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            preprocessor=normalise,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit(known or texts)
        # Catalogues repeat texts (one posting reissued, one template for many places).
        distinct, row_of = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        self.matrix_ = sp.csr_matrix(self.vectorizer_.transform(list(distinct)))[row_of]
        self.profiles_: dict[str, sp.csr_matrix] = {}
        return self

    def prepare(self, queries: Sequence[Query], progress: ProgressCallback | None = None) -> None:
        versions = {q.profile.key: q.profile for q in queries}
        keys = list(versions)
        if keys:
            matrix = sp.csr_matrix(
                self.vectorizer_.transform([profile_text(versions[k].candidate) for k in keys])
            )
            self.profiles_ = {key: matrix[i] for i, key in enumerate(keys)}

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        vector = self.profiles_[query.profile.key]
        scores = np.asarray((self.matrix_[rows] @ vector.T).toarray()).ravel()
        return Suggestions(openings=top_k(rows, scores, k))


class SharedVectors:
    """The encoder and every opening's vectors, encoded once for all systems that need them."""

    def __init__(
        self,
        engine: Engine,
        catalogue: Catalogue,
        progress: ProgressCallback | None = None,
    ) -> None:
        # The engine every path ranks with (`matcher.engine`): encoder, imports, weights.
        self.engine = engine
        self.encoder = engine.encoder
        self.catalogue = catalogue
        self.vectors = encode_openings(catalogue.openings, self.encoder, progress=progress)
        self._scale: SimilarityScale | None = None

    @property
    def scale(self) -> SimilarityScale:
        if self._scale is None:
            self._scale = measure_scale(self.encoder)
        return self._scale

    def subset(self, rows: np.ndarray) -> OpeningVectors:
        """The vectors of the openings `rows`, in that order."""
        v = self.vectors
        seg_rows, seg_offsets = _owned_rows(v.segment_offsets, rows)
        req_rows, req_offsets = _owned_rows(v.requirement_offsets, rows)
        return OpeningVectors(
            segments=v.segments[seg_rows],
            segment_offsets=seg_offsets,
            requirements=v.requirements[req_rows],
            requirement_offsets=req_offsets,
        )


def _owned_rows(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = offsets[rows]
    counts = offsets[rows + 1] - starts
    new_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    owned = np.repeat(starts - new_offsets[:-1], counts) + np.arange(int(counts.sum()))
    return owned.astype(np.int64), new_offsets


class EmbeddingSystem(System):
    name = "embedding"
    label = "Whole-profile embedding"
    description = (
        "Cosine of one encoder vector of the whole profile text (wishes and competencies) "
        "with the vector of the opening's whole text."
    )

    def __init__(self, shared: SharedVectors) -> None:
        self.shared = shared

    def fit(self, data: TrainingData) -> Self:
        self.openings_ = self.shared.vectors.whole_texts()
        self.profiles_: dict[str, np.ndarray] = {}
        return self

    def prepare(self, queries: Sequence[Query], progress: ProgressCallback | None = None) -> None:
        versions = {q.profile.key: q.profile for q in queries}
        keys = list(versions)
        vectors = self.shared.encoder.encode(
            [profile_text(versions[k].candidate) for k in keys], "query", progress=progress
        )
        self.profiles_ = dict(zip(keys, vectors, strict=True))

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        scores = self.openings_[rows] @ self.profiles_[query.profile.key]
        return Suggestions(openings=top_k(rows, scores.astype(np.float64), k))


class CompetencyFirstSystem(System):
    """Past work before wishes: the order `ScoringWeights` forbids, built on the same encoder."""

    name = "competency_first"
    label = "Competency-first"
    description = (
        "0.8 × competency fit (best match of any skill, past job or education to any part "
        "of the opening) + 0.2 × preference fit (best match of any wish), on the same encoder "
        "and calibration as ipsmatch; openings that break a stated preference (checked as in "
        "the IPS measures) sink, as in ipsmatch. People without competencies get their wishes."
    )

    def __init__(
        self, shared: SharedVectors, checker: PreferenceChecker, competency: float = 0.8
    ) -> None:
        self.shared = shared
        self.checker = checker
        self.competency = competency

    def fit(self, data: TrainingData) -> Self:
        self.profiles_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        return self

    def prepare_size(self, queries: Sequence[Query]) -> int:
        versions = {q.profile.key: q.profile.candidate for q in queries}
        return sum(len(c.preferences.desired) + len(competency_texts(c)) for c in versions.values())

    def prepare(self, queries: Sequence[Query], progress: ProgressCallback | None = None) -> None:
        versions = {q.profile.key: q.profile.candidate for q in queries}
        texts: list[str] = []
        spans = []
        for key, candidate in versions.items():
            wishes = list(candidate.preferences.desired)
            comp = competency_texts(candidate)
            spans.append((key, len(texts), len(wishes), len(comp)))
            texts.extend(wishes + comp)
        vectors = self.shared.encoder.encode(texts, "query", progress=progress)
        for key, start, n_wish, n_comp in spans:
            self.profiles_[key] = (
                vectors[start : start + n_wish],
                vectors[start + n_wish : start + n_wish + n_comp],
            )

    def _best(self, queries: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if len(queries) == 0:
            return np.zeros(len(rows), dtype=np.float32)
        v = self.shared.vectors
        seg_rows, offsets = _owned_rows(v.segment_offsets, rows)
        cosines = queries @ v.segments[seg_rows].T
        best = np.maximum.reduceat(cosines, offsets[:-1], axis=1)
        scale = self.shared.scale
        return scale.fit(best, scale.baselines(queries)).max(axis=0)

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        wishes, competencies = self.profiles_[query.profile.key]
        preference = self._best(wishes, rows)
        # With no weight on competencies (the wishes-only baseline) they are not scored.
        if len(competencies) and self.competency > 0:
            competency = self._best(competencies, rows)
            scores = self.competency * competency + (1 - self.competency) * preference
        else:
            scores = preference
        order = top_k(rows, scores.astype(np.float64), len(rows))
        # As ipsmatch does: openings that break a stated preference come after all others.
        # Avoided phrases are a word search, so they are checked lazily, in rank order.
        version = query.profile
        flagged = self.checker.mask(version, order)
        clean: list[int] = []
        avoid = bool(version.candidate.preferences.avoid)
        for position in np.flatnonzero(~flagged):
            row = int(order[position])
            if avoid and self.checker.avoided(version, row):
                flagged[position] = True
                continue
            clean.append(row)
            if len(clean) == k:
                break
        picked = clean + [int(r) for r in order[flagged][: k - len(clean)]]
        return Suggestions(openings=np.asarray(picked, dtype=np.int64))


class WishEmbeddingSystem(CompetencyFirstSystem):
    """The wishes alone by the encoder, with the stated limits applied: the plain baseline.

    Competency-first with no weight on competencies: each opening scores its best
    calibrated fit to any wish (over its whole text, title and first sentences), and
    openings breaking a stated preference sink. What ipsmatch adds beyond this (the
    lexical channel, competencies, room for every wish, reading terms from the text)
    is what a comparison with it measures.
    """

    name = "wish_embedding"
    label = "Wishes by embedding, limits applied"
    description = (
        "Best calibrated encoder fit of any wish to any part of the opening, on the same "
        "encoder as ipsmatch; openings that break a stated preference (checked as in the "
        "IPS measures) sink. No competencies, no lexical channel."
    )

    def __init__(self, shared: SharedVectors, checker: PreferenceChecker) -> None:
        super().__init__(shared, checker, competency=0.0)


class IpsmatchSystem(System):
    """`matcher.PreferenceRanker`, used as a user would: fitted on a catalogue, ranked by date.

    The ranker is fitted once per replay window (a calendar month) on the
    openings open during it, from vectors encoded once for the whole catalogue,
    and asked with ``on=`` the query's day, so it leaves out what was not open
    then. Each profile version is encoded once.
    """

    name = "ipsmatch"
    label = "ipsmatch (default weights)"
    description = "The preference-first ranker with its default weights."

    def __init__(
        self,
        shared: SharedVectors,
        weights: ScoringWeights | None = None,
        *,
        name: str | None = None,
        label: str | None = None,
        description: str | None = None,
        exhaustive: bool = False,
    ) -> None:
        self.shared = shared
        self.weights = weights
        self.exhaustive = exhaustive
        if name is not None:
            self.name = name
        if label is not None:
            self.label = label
        if description is not None:
            self.description = description

    def fit(self, data: TrainingData) -> Self:
        self.queries_: dict[str, CandidateQuery] = {}
        self.ranker_: PreferenceRanker | None = None
        self.rows_ = np.zeros(0, dtype=np.int64)
        return self

    def _ranker(self, rows: np.ndarray) -> PreferenceRanker:
        catalogue = self.shared.catalogue
        ranker = self.shared.engine.ranker(weights=self.weights)
        return ranker.fit([catalogue.openings[i] for i in rows], vectors=self.shared.subset(rows))

    def prepare(self, queries: Sequence[Query], progress: ProgressCallback | None = None) -> None:
        versions = {q.profile.key: q.profile.candidate for q in queries}
        if not versions:
            return
        # Profiles are encoded once, without a catalogue (`matcher.queries`).
        encoder = self.shared.engine.ranker(weights=self.weights).query_encoder()
        keys = list(versions)
        for start in range(0, len(keys), 256):
            batch = keys[start : start + 256]
            encoded = encoder.encode([versions[k] for k in batch])
            self.queries_.update(zip(batch, encoded, strict=True))
            if progress is not None:
                progress(len(batch))

    def start_window(self, rows: np.ndarray) -> None:
        self.rows_ = rows
        self.ranker_ = self._ranker(rows) if len(rows) else None

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        if self.ranker_ is None:
            return Suggestions(openings=np.zeros(0, dtype=np.int64))
        encoded = self.queries_.get(query.profile.key)
        if encoded is None:
            (encoded,) = self.ranker_.encode_candidates([query.profile.candidate])
            self.queries_[query.profile.key] = encoded
        seen_open = len(query.seen)  # an upper bound on how many results are dropped below
        ranking = self.ranker_.rank_encoded(
            encoded, k=k + seen_open, on=query.day, exhaustive=self.exhaustive
        )
        index = self.shared.catalogue.index
        kept = [r for r in ranking.results if index[r.opening_id] not in query.seen][:k]
        return Suggestions(
            openings=np.asarray([index[r.opening_id] for r in kept], dtype=np.int64),
            contacts=[r.contact for r in kept],
            preference_fit=np.asarray([r.preference_fit for r in kept], dtype=np.float64),
            competency_fit=np.asarray([r.competency_fit for r in kept], dtype=np.float64),
            violated=np.asarray([bool(r.violations) for r in kept], dtype=bool),
        )
