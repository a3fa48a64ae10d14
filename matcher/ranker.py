"""The preference-first ranker: retrieve, score, order, explain.

``PreferenceRanker`` follows scikit-learn's estimator conventions: settings
in ``__init__``, ``fit(openings)`` learns the catalogue and returns the
ranker, and everything learned ends in ``_``. Ranking a candidate is then
``rank(candidate, k=10, on=date)``.

It is a thin facade over parts with one contract each, none of which changes
another's results:

| part | module |
|---|---|
| catalogue: columns and vectors of the openings | `matcher.catalogue` |
| query encoding, with no catalogue needed | `matcher.queries` |
| retrieval of a shortlist | `matcher.retrieval` |
| rule checks (violations) | `matcher.rules` |
| scoring | `matcher.scorer` |
| explanation: order and reasons | `matcher.explanation` |

For a large catalogue, ranking does not score every opening: it retrieves a
shortlist from a faiss index (the best matches of each wish, the best
matches of past work, and, when the person has a commute limit, the best
matches among openings within reach) and scores only those. With
``exhaustive=True`` every open opening is scored, which is the reference the
shortlist is measured against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

import numpy as np

from matcher.calibration import measure_scale
from matcher.catalogue import (
    HALF_PRECISION_FROM,
    Catalogue,
    OpeningVectors,
    Postcodes,
    build_catalogue,
    count_texts,
    encode_openings,
)
from matcher.encoders import CachedEncoder, ProgressCallback, TextEncoder
from matcher.errors import NotFittedError
from matcher.explanation import pick, ranked_opening
from matcher.index import IndexKind, VectorIndex
from matcher.links import OccupationLink, TaxonomyLinks
from matcher.occupations import OccupationMapper
from matcher.queries import CandidateQuery, QueryEncoder, taxonomy_links
from matcher.records import Candidate, Opening, Ranking
from matcher.retrieval import Retrieval
from matcher.scorer import score
from matcher.scoring import ScoringWeights
from matcher.taxonomy import Taxonomy

__all__ = [
    "HALF_PRECISION_FROM",
    "CandidateQuery",
    "OpeningVectors",
    "Postcodes",
    "PreferenceRanker",
    "count_texts",
    "encode_openings",
]


class PreferenceRanker:
    """Ranks openings for candidates, preferences first (see `matcher.scoring`).

    Parameters
    ----------
    encoder:
        A text encoder; wrapped in a `CachedEncoder` unless it is one.
    weights:
        Scoring weights; preference must outweigh competency.
    index:
        ``"auto"`` (exact up to 20,000 openings, HNSW above), ``"exact"`` or ``"hnsw"``.
    shortlist_per_query:
        Openings retrieved per wish; past-work queries retrieve a quarter of it.
    score_all_up_to:
        Catalogues this small are always scored whole, without retrieval.
    score_fitting_up_to:
        When at most this many open openings break none of the person's stated
        preferences (and at least k do), all of them are scored, without
        retrieval: a shortlist of so few holds most or all of them anyway, after
        comparing every segment of each a first time (`benchmarks/README.md`,
        "Issue 13: scoring the few that fit"). 0: always retrieve.
    half_precision_from:
        Catalogues of at least this many openings keep their segment vectors in
        float16: half the memory, for the cost of converting the rows each
        ranking scores and searching graphs of float16 vectors (a quarter of the
        CPU of a ranking at 100,000 openings).
    scan_up_to:
        When at most this many openings break none of the person's preferences,
        the shortlist compares them all with the person's wishes directly
        instead of searching the index (faster, and exact, for such small sets).
    segment_retrieval:
        Also shortlist the openings whose best segment (title or sentence)
        matches a wish best, as scoring reads them, beside those whose whole
        text does: a second index over titles is built and searched, and a
        scan compares titles, or every segment when it scans at most
        `every_segment_up_to` openings. It finds the openings a wish names in
        one sentence or in the title that the whole-text shortlist misses, for
        the cost of the second index (build time, and about 1.3 KiB an opening
        in float16) and about 1.4x the openings scored (`benchmarks/README.md`,
        "Retrieval by segments by default"). ``False``: by whole text only.
    every_segment_up_to:
        With `segment_retrieval`, a scan of at most this many openings compares
        every segment of each (whole text, title, sentences); a larger one only
        titles, since every segment is about five rows an opening to compare.
    sentence_retrieval:
        With `segment_retrieval`, also build an index over every sentence of
        the openings' texts and shortlist, per wish, the openings of the
        nearest sentences: at scale a wish said in one sentence of a long
        description is near neither its whole text nor its title. At 100,000
        openings it lifts recall of the true top 10 from 0.966 to 0.996, for
        about 4x the build time, 0.57 GiB more memory and a quarter more CPU
        per ranking (`benchmarks/README.md`, "Sentences").
    sentences_up_to:
        With `sentence_retrieval`, catalogues of more openings than this get no
        sentence index (at a million it would need about 3 GiB more and half an
        hour to build); an index built below it is kept current beyond it.
    postcodes:
        Postcode → (lat, lon), to place records that give only a postcode
        (a `matcher.places.PostcodeTable` is one).
    taxonomy:
        Occupations and skills (`matcher.taxonomy`). With it, a profile's and an
        opening's occupations, given as codes or inferred from wishes and titles,
        add to preference fit when they agree, and past jobs show the ESCO
        skills essential to them. Without it the ranker works on text alone.
    occupation_mapper:
        The `OccupationMapper` to use with the taxonomy (fitted or not); by
        default one over `encoder` with its default settings.
    """

    def __init__(
        self,
        encoder: TextEncoder | CachedEncoder,
        *,
        weights: ScoringWeights | None = None,
        index: IndexKind = "auto",
        shortlist_per_query: int = 200,
        score_all_up_to: int = 2_000,
        score_fitting_up_to: int = 2_000,
        scan_up_to: int = 6_000,
        half_precision_from: int = HALF_PRECISION_FROM,
        segment_retrieval: bool = True,
        every_segment_up_to: int = 2_000,
        sentence_retrieval: bool = True,
        sentences_up_to: int = 200_000,
        postcodes: Postcodes | None = None,
        taxonomy: Taxonomy | None = None,
        occupation_mapper: OccupationMapper | None = None,
    ) -> None:
        self.encoder = encoder
        self.weights = weights
        self.index = index
        self.shortlist_per_query = shortlist_per_query
        self.score_all_up_to = score_all_up_to
        self.score_fitting_up_to = score_fitting_up_to
        self.scan_up_to = scan_up_to
        self.half_precision_from = half_precision_from
        self.segment_retrieval = segment_retrieval
        self.every_segment_up_to = every_segment_up_to
        self.sentence_retrieval = sentence_retrieval
        self.sentences_up_to = sentences_up_to
        self.postcodes = postcodes
        self.taxonomy = taxonomy
        self.occupation_mapper = occupation_mapper

    # ------------------------------------------------------------------ fit

    def _cached_encoder(self) -> CachedEncoder:
        if isinstance(self.encoder, CachedEncoder):
            return self.encoder
        return CachedEncoder(self.encoder)

    def query_encoder(self) -> QueryEncoder:
        """Encodes candidates for this ranker's settings; needs no fitted catalogue.

        Profiles encoded by it rank with `rank_encoded` on any catalogue this
        ranker (or another with the same encoder, weights and taxonomy) is fitted on.
        """
        if hasattr(self, "queries_"):
            return self.queries_
        encoder = self._cached_encoder()
        links = taxonomy_links(encoder, self.taxonomy, self.occupation_mapper)
        return QueryEncoder(encoder, self.weights or ScoringWeights(), links)

    def fit(
        self,
        openings: Sequence[Opening],
        vectors: OpeningVectors | None = None,
        progress: ProgressCallback | None = None,
    ) -> PreferenceRanker:
        """Learn the catalogue: encode (unless `vectors` are given), index, tabulate."""
        self.encoder_ = self._cached_encoder()
        self.weights_ = self.weights or ScoringWeights()
        # A sequence is kept as given (see `matcher.opening_sequences`); anything else is listed.
        openings = openings if isinstance(openings, Sequence) else list(openings)
        if vectors is None:
            vectors = encode_openings(openings, self.encoder_, progress=progress)
        scale = measure_scale(self.encoder_)
        links = taxonomy_links(self.encoder_, self.taxonomy, self.occupation_mapper)
        self.catalogue_ = build_catalogue(
            openings,
            vectors,
            scale,
            postcodes=self.postcodes,
            links=links,
            index_kind=self.index,
            score_all_up_to=self.score_all_up_to,
            half_precision_from=self.half_precision_from,
            titles=self.segment_retrieval,
            sentences=self._sentences(len(openings)),
        )
        self.queries_ = QueryEncoder(self.encoder_, self.weights_, links)
        self.retrieval_ = Retrieval(
            self.shortlist_per_query,
            self.scan_up_to,
            by_segments=self.segment_retrieval,
            every_segment_up_to=self.every_segment_up_to,
            score_fitting_up_to=self.score_fitting_up_to,
        )
        return self

    def partial_fit(
        self,
        openings: Sequence[Opening],
        vectors: OpeningVectors | None = None,
        retire: Iterable[str] = (),
    ) -> PreferenceRanker:
        """Add `openings` to the fitted catalogue and retire the openings `retire` names.

        An added opening whose id is already in the catalogue replaces it (the
        old one is retired). Nothing fitted before is refitted: the lexical
        channel keeps its vocabulary and weights (n-grams it has not seen do
        not count for the new titles), and an exact index stays exact however
        large it grows, so refit with `fit` once the catalogue has changed
        much. Retired openings stay in the arrays but are never open.

        The fitted catalogue is replaced by a new one, never changed in place,
        so ``copy.copy(ranker).partial_fit(...)`` leaves `ranker` as it was
        for anyone still ranking with it.
        """
        self._check_fitted()
        added = list(openings)
        if vectors is None:
            vectors = encode_openings(added, self.encoder_)
        if vectors.count != len(added):
            raise ValueError(
                f"vectors describe {vectors.count} openings but {len(added)} were given"
            )
        self.catalogue_ = self.catalogue_.extended(
            added,
            vectors,
            retire,
            postcodes=self.postcodes,
            index_kind=self.index,
            score_all_up_to=self.score_all_up_to,
            titles=self.segment_retrieval,
            sentences=self._sentences(len(self.catalogue_.openings) + len(added)),
        )
        return self

    def _sentences(self, openings: int) -> bool:
        """Whether a catalogue of this many openings gets a sentence index."""
        wanted = self.segment_retrieval and self.sentence_retrieval
        return wanted and openings <= self.sentences_up_to

    # The fitted catalogue's parts, by the names they had before it was split out.

    @property
    def openings_(self) -> Sequence[Opening]:
        return self._fitted().openings

    @property
    def vectors_(self) -> OpeningVectors:
        return self._fitted().vectors

    @property
    def index_(self) -> VectorIndex | None:
        return self._fitted().index

    @property
    def links_(self) -> TaxonomyLinks | None:
        return self._fitted().links

    @property
    def opening_links_(self) -> list[OccupationLink | None]:
        return self._fitted().opening_links

    @property
    def retired_(self) -> int:
        return self._fitted().retired

    def _fitted(self) -> Catalogue:
        if not hasattr(self, "catalogue_"):
            raise NotFittedError("PreferenceRanker is not fitted: call fit(openings) first")
        return self.catalogue_

    def _check_fitted(self) -> None:
        self._fitted()

    # ------------------------------------------------------------ encoding

    def encode_candidates(self, candidates: Sequence[Candidate]) -> list[CandidateQuery]:
        """Encode every candidate's wishes, avoids and competencies in one batch."""
        self._check_fitted()
        return self.queries_.encode(candidates)

    # ------------------------------------------------------------- ranking

    def rank(
        self, candidate: Candidate, k: int = 10, on: date | None = None, exhaustive: bool = False
    ) -> Ranking:
        """Rank the catalogue's open openings for one candidate."""
        (query,) = self.encode_candidates([candidate])
        return self.rank_encoded(query, k=k, on=on, exhaustive=exhaustive)

    def rank_many(
        self,
        candidates: Sequence[Candidate],
        k: int = 10,
        on: date | None = None,
        progress: Callable[[int], None] | None = None,
        batch_size: int = 64,
    ) -> Iterable[Ranking]:
        """Rank for each candidate in turn, encoding them a batch at a time."""
        for start in range(0, len(candidates), batch_size):
            batch = candidates[start : start + batch_size]
            for query in self.encode_candidates(batch):
                yield self.rank_encoded(query, k=k, on=on)
                if progress is not None:
                    progress(1)

    def shortlist(
        self, query: CandidateQuery, day: date, k: int = 10, exhaustive: bool = False
    ) -> np.ndarray:
        """The catalogue rows ranking `query` on `day` scores (see `matcher.retrieval`)."""
        return self.retrieval_.shortlist(self._fitted(), query, day, k, exhaustive, self.postcodes)

    def rank_encoded(
        self, query: CandidateQuery, k: int = 10, on: date | None = None, exhaustive: bool = False
    ) -> Ranking:
        """Rank from an encoded candidate (see `encode_candidates` and `query_encoder`)."""
        catalogue = self._fitted()
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        day = on or date.today()
        candidate = query.candidate
        chosen = self.shortlist(query, day, k, exhaustive)
        if len(chosen) == 0:
            return Ranking(candidate_id=candidate.id, results=[])
        scored = score(catalogue, query, chosen, self.weights_, self.postcodes)
        order = np.lexsort((chosen, -scored.score, scored.violated))
        picked = pick(catalogue, query, chosen, scored, order, k, self.weights_)
        results = [
            ranked_opening(catalogue, query, chosen, scored, position, rank, self.weights_)
            for rank, position in enumerate(picked, start=1)
        ]
        return Ranking(candidate_id=candidate.id, results=results)
