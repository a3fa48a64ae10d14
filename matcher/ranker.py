"""The preference-first ranker: retrieve, score, order, explain.

``PreferenceRanker`` follows scikit-learn's estimator conventions: settings
in ``__init__``, ``fit(openings)`` learns the catalogue and returns the
ranker, and everything learned ends in ``_``. Ranking a candidate is then
``rank(candidate, k=10, on=date)``.

For a large catalogue, ranking does not score every opening: it retrieves a
shortlist from a faiss index (the best matches of each wish, the best
matches of past work, and, when the person has a commute limit, the best
matches among openings within reach) and scores only those. With
``exhaustive=True`` every open opening is scored, which is the reference the
shortlist is measured against.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matcher.calibration import SimilarityScale, measure_scale
from matcher.conditions import (
    CONDITIONS,
    all_labels,
    condition_names,
    conditions_in_text,
    conditions_named_by_words,
)
from matcher.encoders import CachedEncoder, ProgressCallback, TextEncoder
from matcher.errors import NotFittedError
from matcher.geo import haversine_km, unit_vectors, within_km
from matcher.index import IndexKind, VectorIndex, build_index
from matcher.lexical import LexicalChannel
from matcher.links import OccupationLink, TaxonomyLinks
from matcher.occupations import OccupationMapper
from matcher.records import (
    KINDS,
    SCHEDULES,
    VIOLATION_CODES,
    Candidate,
    Location,
    Opening,
    RankedOpening,
    Ranking,
)
from matcher.scoring import (
    ScoringWeights,
    avoided_phrase_in_text,
    canonical_phrase,
    explain,
    occupation_codes_agree,
)
from matcher.taxonomy import Taxonomy
from matcher.text import competency_texts, opening_full_text, opening_segments, opening_title_text

Postcodes = Mapping[str, tuple[float, float]]
_NO_DATE = np.iinfo(np.int64).max
# Catalogues this large keep segment vectors in float16 (see `PreferenceRanker`).
HALF_PRECISION_FROM = 50_000
# Openings scored per block, so scoring a whole catalogue never copies all its vectors at once.
SCORE_BLOCK = 4_096
# A commute check at the shortlist stage leaves openings a metre beyond the limit
# to the scorer, whose haversine distance decides (the two computations can differ
# in the last bits).
_REACH_SLACK_KM = 1e-3


@dataclass
class OpeningVectors:
    """Encoded openings, stored flat.

    Opening ``i`` owns rows ``segment_offsets[i]:segment_offsets[i+1]`` of
    ``segments`` (its whole text first, then title and sentences) and rows
    ``requirement_offsets[i]:requirement_offsets[i+1]`` of ``requirements``
    (its required skills). Segments may be float16: a ranker fitted on a large
    catalogue keeps them so (half the memory; cosines change in the fourth
    decimal).
    """

    segments: np.ndarray
    segment_offsets: np.ndarray
    requirements: np.ndarray
    requirement_offsets: np.ndarray

    def __post_init__(self) -> None:
        if len(self.segment_offsets) != len(self.requirement_offsets):
            raise ValueError("segment and requirement offsets describe different catalogues")
        counts = np.diff(self.segment_offsets)
        if len(counts) and counts.min() < 1:
            raise ValueError("every opening needs at least one encoded segment")

    @property
    def count(self) -> int:
        return len(self.segment_offsets) - 1

    def whole_texts(self) -> np.ndarray:
        return self.segments[self.segment_offsets[:-1]]


def encode_openings(
    openings: Sequence[Opening],
    encoder: CachedEncoder,
    progress: ProgressCallback | None = None,
) -> OpeningVectors:
    """Encode each opening's segments (as passages) and required skills (as queries)."""
    segment_texts: list[str] = []
    segment_offsets = [0]
    requirement_texts: list[str] = []
    requirement_offsets = [0]
    for opening in openings:
        segment_texts.extend(opening_segments(opening))
        segment_offsets.append(len(segment_texts))
        requirement_texts.extend(opening.requires.skills)
        requirement_offsets.append(len(requirement_texts))
    segments = encoder.encode(segment_texts, "passage", progress=progress)
    requirements = encoder.encode(requirement_texts, "query", progress=progress)
    return OpeningVectors(
        segments=segments,
        segment_offsets=np.asarray(segment_offsets, dtype=np.int64),
        requirements=requirements,
        requirement_offsets=np.asarray(requirement_offsets, dtype=np.int64),
    )


def count_texts(openings: Iterable[Opening]) -> int:
    """How many texts `encode_openings` encodes, for sizing a progress bar."""
    return sum(len(opening_segments(o)) + len(o.requires.skills) for o in openings)


@dataclass
class CandidateQuery:
    """A candidate's texts, encoded; ranking from it needs no encoder."""

    candidate: Candidate
    wishes: np.ndarray
    avoid: np.ndarray
    # Per avoided phrase: bitmask of the workplace conditions it names (`matcher.conditions`).
    avoid_conditions: np.ndarray
    competencies: np.ndarray
    competency_texts: list[str]
    # With a taxonomy: the occupations the person wants (`matcher.links`), and the
    # ESCO skills their past jobs show, encoded, for requirements they meet.
    occupations: list[OccupationLink] = field(default_factory=list)
    shown_skills: list[str] = field(default_factory=list)
    shown_skill_vectors: np.ndarray | None = None


def _coordinates(
    location: Location | None, postcodes: Postcodes | None
) -> tuple[float, float] | None:
    if location is None:
        return None
    if location.lat is not None and location.lon is not None:
        return (location.lat, location.lon)
    if location.postcode and postcodes and location.postcode in postcodes:
        return postcodes[location.postcode]
    return None


def _segment_rows(offsets: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows owned by the chosen openings, and where each opening's rows start among them."""
    starts = offsets[chosen]
    counts = offsets[chosen + 1] - starts
    group_starts = np.cumsum(counts) - counts
    rows = np.repeat(starts - group_starts, counts) + np.arange(int(counts.sum()))
    return rows, group_starts


def _bitmask(values: Iterable[str], bits: Mapping[str, int]) -> int:
    mask = 0
    for value in values:
        if value in bits:
            mask |= 1 << bits[value]
    return mask


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
    half_precision_from:
        Catalogues of at least this many openings keep their segment vectors in
        float16: half the memory, for the cost of converting the rows each
        ranking scores (a few milliseconds at 100,000 openings).
    scan_up_to:
        When at most this many openings break none of the person's preferences,
        the shortlist compares them all with the person's wishes directly
        instead of searching the index (faster, and exact, for such small sets).
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

    # Fitted columns, one entry per opening (see `_tabulate`).
    lat_: np.ndarray
    lon_: np.ndarray
    places_: np.ndarray
    hours_min_: np.ndarray
    hours_max_: np.ndarray
    expires_: np.ndarray
    posted_: np.ndarray
    schedule_: np.ndarray
    kind_: np.ndarray
    licence_: np.ndarray
    language_mask_: np.ndarray
    requirement_phrases_: np.ndarray
    conditions_: np.ndarray
    opening_links_: list[OccupationLink | None]
    opening_groups_: np.ndarray

    def __init__(
        self,
        encoder: TextEncoder | CachedEncoder,
        *,
        weights: ScoringWeights | None = None,
        index: IndexKind = "auto",
        shortlist_per_query: int = 200,
        score_all_up_to: int = 2_000,
        scan_up_to: int = 6_000,
        half_precision_from: int = HALF_PRECISION_FROM,
        postcodes: Postcodes | None = None,
        taxonomy: Taxonomy | None = None,
        occupation_mapper: OccupationMapper | None = None,
    ) -> None:
        self.encoder = encoder
        self.weights = weights
        self.index = index
        self.shortlist_per_query = shortlist_per_query
        self.score_all_up_to = score_all_up_to
        self.scan_up_to = scan_up_to
        self.half_precision_from = half_precision_from
        self.postcodes = postcodes
        self.taxonomy = taxonomy
        self.occupation_mapper = occupation_mapper

    # ------------------------------------------------------------------ fit

    def fit(
        self,
        openings: Sequence[Opening],
        vectors: OpeningVectors | None = None,
        progress: ProgressCallback | None = None,
    ) -> PreferenceRanker:
        """Learn the catalogue: encode (unless `vectors` are given), index, tabulate."""
        self.encoder_ = (
            self.encoder if isinstance(self.encoder, CachedEncoder) else CachedEncoder(self.encoder)
        )
        self.weights_ = self.weights or ScoringWeights()
        self.openings_ = list(openings)
        if vectors is None:
            vectors = encode_openings(self.openings_, self.encoder_, progress=progress)
        if vectors.count != len(self.openings_):
            raise ValueError(
                f"vectors describe {vectors.count} openings but {len(self.openings_)} were given"
            )
        half = len(self.openings_) >= self.half_precision_from
        self.vectors_ = OpeningVectors(
            segments=vectors.segments.astype(np.float16 if half else np.float32, copy=False),
            segment_offsets=vectors.segment_offsets,
            requirements=vectors.requirements,
            requirement_offsets=vectors.requirement_offsets,
        )
        self.scale_: SimilarityScale = measure_scale(self.encoder_)
        self.lexical_ = LexicalChannel().fit([opening_title_text(o) for o in self.openings_])
        self.index_: VectorIndex | None = None
        if len(self.openings_) > self.score_all_up_to:
            self.index_ = build_index(self.vectors_.whole_texts(), self.index)
        self.languages_: dict[str, int] = {}
        self.schedule_bits_ = {name: bit for bit, name in enumerate(SCHEDULES)}
        self.kind_bits_ = {name: bit for bit, name in enumerate(KINDS)}
        for name, column in self._tabulate(self.openings_).items():
            setattr(self, name, column)
        self.requirement_owner_ = np.repeat(
            np.arange(len(self.openings_)), np.diff(self.vectors_.requirement_offsets)
        )
        self.full_texts_: list[str] | None = None
        self.rows_by_id_ = {o.id: i for i, o in enumerate(self.openings_)}
        self.retired_ = 0
        labels = all_labels()
        self.condition_label_bits_ = np.asarray([bit for bit, _ in labels], dtype=np.int64)
        self.condition_label_vectors_ = self.encoder_.encode([t for _, t in labels], "query")
        self._fit_links()
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

        Every fitted attribute is rebound to a new object, none is changed in
        place, so ``copy.copy(ranker).partial_fit(...)`` leaves `ranker` as it
        was for anyone still ranking with it.
        """
        self._check_fitted()
        added = list(openings)
        if vectors is None:
            vectors = encode_openings(added, self.encoder_)
        if vectors.count != len(added):
            raise ValueError(
                f"vectors describe {vectors.count} openings but {len(added)} were given"
            )
        retired_ids = {*retire, *(o.id for o in added)} & self.rows_by_id_.keys()
        gone = [self.rows_by_id_[i] for i in retired_ids]
        start = len(self.openings_)
        old = self.vectors_
        self.vectors_ = OpeningVectors(
            segments=np.concatenate([old.segments, vectors.segments.astype(old.segments.dtype)]),
            segment_offsets=np.concatenate(
                [old.segment_offsets[:-1], vectors.segment_offsets + old.segment_offsets[-1]]
            ),
            requirements=np.concatenate([old.requirements, vectors.requirements]).astype(
                old.requirements.dtype, copy=False
            ),
            requirement_offsets=np.concatenate(
                [
                    old.requirement_offsets[:-1],
                    vectors.requirement_offsets + old.requirement_offsets[-1],
                ]
            ),
        )
        self.openings_ = self.openings_ + added
        rows_by_id = {i: row for i, row in self.rows_by_id_.items() if i not in retired_ids}
        rows_by_id.update((o.id, start + j) for j, o in enumerate(added))
        self.rows_by_id_ = rows_by_id
        self.languages_ = dict(self.languages_)
        for name, column in self._tabulate(added).items():
            setattr(self, name, np.concatenate([getattr(self, name), column]))
        self.expires_[gone] = -1  # a fresh array (concatenated above): never open again
        self.retired_ += len(gone)
        self.requirement_owner_ = np.repeat(
            np.arange(len(self.openings_)), np.diff(self.vectors_.requirement_offsets)
        )
        if self.full_texts_ is not None:
            self.full_texts_ = self.full_texts_ + [opening_full_text(o) for o in added]
        lexical = copy.copy(self.lexical_)
        lexical.add([opening_title_text(o) for o in added])
        self.lexical_ = lexical
        if self.index_ is not None:
            self.index_ = self.index_.copy()
            self.index_.add(self.vectors_.segments[self.vectors_.segment_offsets[start:-1]])
        elif len(self.openings_) > self.score_all_up_to:
            self.index_ = build_index(self.vectors_.whole_texts(), self.index)
        if self.links_ is not None:
            links = self.links_.of_openings(added)
            self.opening_links_ = self.opening_links_ + links
            groups = np.asarray([link.group if link else "" for link in links], dtype=object)
            self.opening_groups_ = np.concatenate([self.opening_groups_, groups])
        else:
            self.opening_groups_ = np.concatenate(
                [self.opening_groups_, np.full(len(added), "", dtype=object)]
            )
        return self

    def _fit_links(self) -> None:
        """With a taxonomy: each opening's occupation, given or inferred from its title."""
        self.links_: TaxonomyLinks | None = None
        self.opening_groups_ = np.full(len(self.openings_), "", dtype=object)
        mapper = self.occupation_mapper
        if self.taxonomy is None and mapper is None:
            return
        if mapper is None:
            mapper = OccupationMapper(self.encoder_)
        fitted_on = getattr(mapper, "taxonomy_", None)
        if self.taxonomy is not None and fitted_on is not self.taxonomy:
            mapper.fit(self.taxonomy)
        elif fitted_on is None:
            raise ValueError("occupation_mapper is not fitted; give the taxonomy to fit it on")
        self.links_ = TaxonomyLinks(mapper)
        self.opening_links_ = self.links_.of_openings(self.openings_)
        for i, link in enumerate(self.opening_links_):
            if link is not None:
                self.opening_groups_[i] = link.group

    def _tabulate(self, openings: Sequence[Opening]) -> dict[str, np.ndarray]:
        """Columns of the fields that checks read, so checks run on arrays.

        New language codes get the next free bits of the ranker's language map
        (at most 63; a code beyond that is never counted as required).
        """
        n = len(openings)
        for code in sorted({c for o in openings for c in o.requires.languages}):
            if code not in self.languages_ and len(self.languages_) < 63:
                self.languages_[code] = len(self.languages_)
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        hours_min = np.full(n, np.nan)
        hours_max = np.full(n, np.nan)
        expires = np.full(n, _NO_DATE, dtype=np.int64)
        posted = np.full(n, -1, dtype=np.int64)
        schedule = np.zeros(n, dtype=np.int64)
        kind = np.zeros(n, dtype=np.int64)
        licence = np.zeros(n, dtype=bool)
        languages = np.zeros(n, dtype=np.uint64)
        for i, opening in enumerate(openings):
            place = _coordinates(opening.location, self.postcodes)
            if place is not None:
                lat[i], lon[i] = place
            hours = opening.hours_per_week
            if hours is not None and hours.stated:
                hours_min[i] = hours.min if hours.min is not None else 0.0
                hours_max[i] = hours.max if hours.max is not None else 168.0
            if opening.expires is not None:
                expires[i] = opening.expires.toordinal()
            if opening.posted is not None:
                posted[i] = opening.posted.toordinal()
            schedule[i] = _bitmask(opening.schedule or [], self.schedule_bits_)
            kind[i] = 1 << self.kind_bits_[opening.kind]
            licence[i] = opening.requires.driving_licence
            languages[i] = _bitmask(opening.requires.languages, self.languages_)
        phrases = [canonical_phrase(s) for o in openings for s in o.requires.skills]
        return {
            "lat_": lat,
            "lon_": lon,
            "places_": unit_vectors(lat, lon),
            "hours_min_": hours_min,
            "hours_max_": hours_max,
            "expires_": expires,
            "posted_": posted,
            "schedule_": schedule,
            "kind_": kind,
            "licence_": licence,
            "language_mask_": languages,
            "requirement_phrases_": np.asarray(phrases, dtype=object),
            "conditions_": np.asarray(
                [conditions_in_text(opening_full_text(o)) for o in openings], dtype=np.int64
            ),
        }

    def _full_text(self, i: int) -> str:
        if self.full_texts_ is None:
            self.full_texts_ = [opening_full_text(o) for o in self.openings_]
        return self.full_texts_[i]

    def _check_fitted(self) -> None:
        if not hasattr(self, "openings_"):
            raise NotFittedError("PreferenceRanker is not fitted: call fit(openings) first")

    # ------------------------------------------------------------ encoding

    def encode_candidates(self, candidates: Sequence[Candidate]) -> list[CandidateQuery]:
        """Encode every candidate's wishes, avoids and competencies in one batch."""
        self._check_fitted()
        texts: list[str] = []
        spans = []
        for candidate in candidates:
            prefs = candidate.preferences
            comp = competency_texts(candidate)
            start = len(texts)
            texts.extend(prefs.desired)
            texts.extend(prefs.avoid)
            texts.extend(comp)
            spans.append((start, len(prefs.desired), len(prefs.avoid), comp))
        vectors = self.encoder_.encode(texts, "query")
        links = self.links_.of_candidates(candidates) if self.links_ is not None else None
        queries = []
        for candidate, (start, n_wish, n_avoid, comp) in zip(candidates, spans, strict=True):
            wish_end = start + n_wish
            avoid_end = wish_end + n_avoid
            queries.append(
                CandidateQuery(
                    candidate=candidate,
                    wishes=vectors[start:wish_end],
                    avoid=vectors[wish_end:avoid_end],
                    avoid_conditions=self._conditions_named(
                        candidate.preferences.avoid, vectors[wish_end:avoid_end]
                    ),
                    competencies=vectors[avoid_end : avoid_end + len(comp)],
                    competency_texts=comp,
                )
            )
        if links is not None and self.links_ is not None:
            for query, wanted in zip(queries, links, strict=True):
                query.occupations = wanted
                query.shown_skills = list(self.links_.skills_shown(query.candidate))
                query.shown_skill_vectors = self.encoder_.encode(query.shown_skills, "query")
        return queries

    def _conditions_named(self, phrases: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Which workplace conditions each avoided phrase names, by words or by meaning.

        By meaning only when one condition's label is clearly the closest: the
        best label must reach `condition_similarity` and beat every other
        condition's best label by `condition_margin` (raw cosines; short
        phrases against short labels).
        """
        w = self.weights_
        masks = np.zeros(len(phrases), dtype=np.int64)
        if not phrases:
            return masks
        cosines = vectors @ self.condition_label_vectors_.T
        for j, phrase in enumerate(phrases):
            mask = conditions_named_by_words(phrase)
            best_by_condition = np.full(len(CONDITIONS), -1.0)
            np.maximum.at(best_by_condition, self.condition_label_bits_, cosines[j])
            first, second = np.sort(best_by_condition)[::-1][:2]
            if first >= w.condition_similarity and first - second >= w.condition_margin:
                mask |= 1 << int(best_by_condition.argmax())
            masks[j] = mask
        return masks

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

    def _open_mask(self, rows: np.ndarray | slice, day: date) -> np.ndarray:
        today = day.toordinal()
        return (self.expires_[rows] >= today) & (self.posted_[rows] <= today)

    def _shortlist(self, query: CandidateQuery, day: date, k: int, exhaustive: bool) -> np.ndarray:
        """The open openings worth scoring.

        Retrieval searches only among openings that break none of the person's
        stated preferences (the checks of `_breaks_stated` plus commute reach),
        because those rank first: the best matches of each wish and of past
        work among them. Openings that break something are retrieved only
        when too few break nothing to fill the ranking.
        """
        open_now = self._open_mask(slice(None), day)
        if exhaustive or self.index_ is None:
            return np.flatnonzero(open_now)
        per_query = self.shortlist_per_query
        queries = np.vstack([query.wishes, query.competencies[:8]])
        depths = [per_query] * len(query.wishes) + [per_query // 4] * (
            len(queries) - len(query.wishes)
        )
        fitting = open_now & ~self._breaks_stated(query, slice(None))
        reach = self._reach(query.candidate)
        if reach is not None:
            fitting &= reach
        found = [self._nearest(queries, depths, fitting)]
        if np.count_nonzero(fitting) < k:
            found.append(self._nearest(query.wishes, [per_query] * len(query.wishes), open_now))
        chosen = np.unique(np.concatenate(found))
        if len(chosen) < k:
            # Too few open openings among the nearest: fall back to all of them.
            return np.flatnonzero(open_now)
        return chosen

    def _nearest(
        self, queries: np.ndarray, depths: Sequence[int], allowed: np.ndarray
    ) -> np.ndarray:
        """Ids of the `depths[j]` allowed openings whose whole text best matches query j."""
        rows = np.flatnonzero(allowed)
        if len(queries) == 0 or len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        if len(rows) <= self.scan_up_to:
            whole = self.vectors_.segments[self.vectors_.segment_offsets[rows]]
            similarity = queries @ whole.astype(np.float32, copy=False).T
            found = []
            for j, depth in enumerate(depths):
                depth = min(depth, len(rows))
                found.append(rows[np.argpartition(-similarity[j], depth - 1)[:depth]])
            return np.concatenate(found)
        if self.index_ is None:
            raise NotFittedError("the ranker has no index for a catalogue this large")
        _, ids = self.index_.search(queries, max(depths), allowed=allowed)
        nearest = np.concatenate([ids[j, :depth] for j, depth in enumerate(depths)])
        return nearest[nearest >= 0]

    def _reach(self, candidate: Candidate) -> np.ndarray | None:
        """Per opening: within the person's commute limit, or placed nowhere known."""
        limit = candidate.preferences.max_commute_km
        home = _coordinates(candidate.location, self.postcodes)
        if limit is None or home is None:
            return None
        (home_xyz,) = unit_vectors(np.array([home[0]]), np.array([home[1]]))
        near = within_km(home_xyz, self.places_, limit + _REACH_SLACK_KM)
        return near | np.isnan(self.lat_) | np.isnan(self.lon_)

    def _breaks_stated(self, query: CandidateQuery, rows: np.ndarray | slice) -> np.ndarray:
        """Per opening: breaks the hours, schedule, kind or avoided conditions (not commute)."""
        broken, _ = self._stated_violations(query, rows)
        return np.logical_or.reduce(list(broken.values()))

    def _stated_violations(
        self, query: CandidateQuery, rows: np.ndarray | slice
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The checks on stated fields and workplace conditions, per violation code.

        Also returns, per avoided phrase and opening, whether the opening shows a
        workplace condition the phrase names (for the reasons).
        """
        prefs = query.candidate.preferences
        kind = self.kind_[rows]
        broken = {code: np.zeros(len(kind), dtype=bool) for code in VIOLATION_CODES}
        shown = self.conditions_[rows]
        avoided = (shown[np.newaxis, :] & query.avoid_conditions[:, np.newaxis]) != 0
        broken["avoid"] = np.asarray(avoided.any(axis=0))
        if prefs.hours_per_week is not None and prefs.hours_per_week.stated:
            low = prefs.hours_per_week.min if prefs.hours_per_week.min is not None else 0.0
            high = prefs.hours_per_week.max if prefs.hours_per_week.max is not None else 168.0
            o_min, o_max = self.hours_min_[rows], self.hours_max_[rows]
            broken["hours"] = np.asarray(
                ~np.isnan(o_min) & (np.fmax(o_min, low) > np.fmin(o_max, high))
            )
        if prefs.schedule:
            accepted = _bitmask(prefs.schedule, self.schedule_bits_)
            broken["schedule"] = (self.schedule_[rows] & ~accepted) != 0
        broken["kind"] = (kind & _bitmask(prefs.kinds, self.kind_bits_)) == 0
        return broken, avoided

    def rank_encoded(
        self, query: CandidateQuery, k: int = 10, on: date | None = None, exhaustive: bool = False
    ) -> Ranking:
        """Rank from an encoded candidate (see `encode_candidates`)."""
        self._check_fitted()
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        day = on or date.today()
        candidate = query.candidate
        chosen = self._shortlist(query, day, k, exhaustive)
        if len(chosen) == 0:
            return Ranking(candidate_id=candidate.id, results=[])
        scored = self._score(query, chosen)
        order = np.lexsort((chosen, -scored.score, scored.violated))
        picked = self._pick(query, chosen, scored, order, k)
        results = [
            self._result(query, chosen, scored, position, rank)
            for rank, position in enumerate(picked, start=1)
        ]
        return Ranking(candidate_id=candidate.id, results=results)

    def _pick(
        self,
        query: CandidateQuery,
        chosen: np.ndarray,
        scored: _Scored,
        order: np.ndarray,
        k: int,
    ) -> list[int]:
        """The top k by score, openings with violations after all without.

        Avoided words are looked up in the text only here, lazily and in rank
        order, because that check is plain Python and the shortlist can be long.
        """
        avoid = query.candidate.preferences.avoid
        clean: list[int] = []
        flagged: list[int] = []
        for position in order:
            position = int(position)
            if scored.violated[position]:
                flagged.append(position)
                continue
            if avoid and self._avoided_words(avoid, int(chosen[position])):
                scored.violated[position] = True
                flagged.append(position)
                continue
            clean.append(position)
            if len(clean) == k:
                break
        if len(clean) < k:
            flagged.sort(key=lambda p: (-scored.score[p], int(chosen[p])))
            clean.extend(flagged[: k - len(clean)])
        return clean

    def _avoided_words(self, avoid: Sequence[str], opening: int) -> list[str]:
        text = self._full_text(opening)
        return [phrase for phrase in avoid if avoided_phrase_in_text(phrase, text)]

    # ------------------------------------------------------------- scoring

    def _best_per_opening(self, queries: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Calibrated best similarity of each query to each opening's segments."""
        if len(queries) == 0:
            return np.zeros((0, len(chosen)), dtype=np.float32)
        best = np.empty((len(queries), len(chosen)), dtype=np.float32)
        for start in range(0, len(chosen), SCORE_BLOCK):
            block = chosen[start : start + SCORE_BLOCK]
            rows, group_starts = _segment_rows(self.vectors_.segment_offsets, block)
            cosines = queries @ self.vectors_.segments[rows].astype(np.float32, copy=False).T
            best[:, start : start + len(block)] = np.maximum.reduceat(cosines, group_starts, axis=1)
        return self.scale_.fit(best, self.scale_.baselines(queries))

    def _score(self, query: CandidateQuery, chosen: np.ndarray) -> _Scored:
        w = self.weights_
        candidate = query.candidate
        prefs = candidate.preferences
        comp = candidate.competencies
        # Preference fit: the best wish, by meaning and by words.
        # Wishes and past work in one pass: each opening's segment rows are gathered once.
        both = self._best_per_opening(np.vstack([query.wishes, query.competencies]), chosen)
        semantic, experience = both[: len(query.wishes)], both[len(query.wishes) :]
        lexical = self.lexical_.similarity(prefs.desired, chosen)
        wish_fit = (w.semantic * semantic + w.lexical * lexical) / (w.semantic + w.lexical)
        best_wish = wish_fit.argmax(axis=0)
        preference = wish_fit.max(axis=0)
        occupation = np.zeros(len(chosen), dtype=bool)
        if prefs.occupations:
            for position, i in enumerate(chosen):
                code = self.openings_[i].occupation
                occupation[position] = code is not None and any(
                    occupation_codes_agree(wanted, code) for wanted in prefs.occupations
                )
            preference = np.minimum(1.0, preference + w.occupation_bonus * occupation)
        # With a taxonomy, occupations given or inferred from words agree too (once only).
        linked = self._linked_occupations(query, chosen)
        if linked is not None:
            newly = (linked >= 0) & ~occupation
            preference = np.minimum(1.0, preference + w.occupation_bonus * newly)

        # Violations (avoided words in the text are looked up later, in `_pick`).
        broken, avoided = self._stated_violations(query, chosen)
        distance = np.full(len(chosen), np.nan)
        home = _coordinates(candidate.location, self.postcodes)
        if home is not None:
            distance = haversine_km(home[0], home[1], self.lat_[chosen], self.lon_[chosen])
            if prefs.max_commute_km is not None:
                broken["commute"] = distance > prefs.max_commute_km
        violated = np.logical_or.reduce(list(broken.values()))

        # Competency fit: relevance of past work, and the share of requirements met.
        if len(query.competencies):
            best_experience = experience.argmax(axis=0)
            experience_fit = experience.max(axis=0)
        else:
            best_experience = np.zeros(len(chosen), dtype=np.int64)
            experience_fit = np.zeros(len(chosen), dtype=np.float32)
        skills_total, skills_met, skill_met_rows, requirement_rows = self._skills(query, chosen)
        licence_gap = self.licence_[chosen] & (comp.driving_licence is not True)
        has_languages = _bitmask(comp.languages, self.languages_)
        required_languages = self.language_mask_[chosen]
        total = (
            skills_total
            + self.licence_[chosen].astype(np.float32)
            + np.bitwise_count(required_languages)
        )
        met = (
            skills_met
            + (self.licence_[chosen] & ~licence_gap).astype(np.float32)
            + np.bitwise_count(required_languages & np.uint64(has_languages))
        )
        coverage = np.where(total > 0, met / np.maximum(total, 1), 1.0)
        competency = (w.experience * experience_fit + w.requirements * coverage) / (
            w.experience + w.requirements
        )
        score = (w.preference * preference + w.competency * competency) / (
            w.preference + w.competency
        )
        return _Scored(
            score=score.astype(np.float64),
            preference=preference,
            competency=competency,
            violated=violated,
            broken=broken,
            wish_fit=wish_fit,
            best_wish=best_wish,
            occupation=occupation,
            linked_occupation=linked,
            avoided=avoided,
            distance=distance,
            experience_fit=experience_fit,
            best_experience=best_experience,
            licence_gap=licence_gap,
            skill_met_rows=skill_met_rows,
            requirement_rows=requirement_rows,
        )

    def _linked_occupations(self, query: CandidateQuery, chosen: np.ndarray) -> np.ndarray | None:
        """Per opening, the first of the person's occupations its own agrees with (-1: none)."""
        if self.links_ is None or not query.occupations:
            return None
        groups = self.opening_groups_[chosen]
        found = np.full(len(chosen), -1, dtype=np.int64)
        for group in set(groups.tolist()) - {""}:
            agreeing = [
                j
                for j, link in enumerate(query.occupations)
                if occupation_codes_agree(link.group, group)
            ]
            if agreeing:
                found[groups == group] = agreeing[0]
        return found

    def _skills(
        self, query: CandidateQuery, chosen: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per opening: required skills and how many the profile shows; per requirement: met."""
        offsets = self.vectors_.requirement_offsets
        counts = offsets[chosen + 1] - offsets[chosen]
        total = counts.astype(np.float32)
        if counts.sum() == 0:
            empty = np.zeros(0, dtype=np.int64)
            return total, np.zeros(len(chosen), np.float32), np.zeros(0, dtype=bool), empty
        requirement_rows = np.repeat(offsets[chosen] - (np.cumsum(counts) - counts), counts)
        requirement_rows = requirement_rows + np.arange(int(counts.sum()))
        met = np.zeros(len(requirement_rows), dtype=bool)
        if len(query.competencies):
            cosines = query.competencies @ self.vectors_.requirements[requirement_rows].T
            fits = self.scale_.fit(cosines, self.scale_.baselines(query.competencies))
            met = fits.max(axis=0) >= self.weights_.skill_threshold
        shown = query.shown_skill_vectors
        if shown is not None and len(shown):
            # Skills essential to the occupations of past jobs (ESCO) count as the person's.
            cosines = shown @ self.vectors_.requirements[requirement_rows].T
            fits = self.scale_.fit(cosines, self.scale_.baselines(shown))
            met |= fits.max(axis=0) >= self.weights_.skill_threshold
        said = {canonical_phrase(t) for t in query.competency_texts}
        said |= {canonical_phrase(s) for s in query.candidate.competencies.skills}
        said |= {canonical_phrase(s) for s in query.shown_skills}
        if said:
            met |= np.isin(self.requirement_phrases_[requirement_rows], list(said))
        owner = np.repeat(np.arange(len(chosen)), counts)
        skills_met = np.bincount(owner, weights=met, minlength=len(chosen)).astype(np.float32)
        return total, skills_met, met, requirement_rows

    # ------------------------------------------------------------- results

    def _result(
        self, query: CandidateQuery, chosen: np.ndarray, scored: _Scored, position: int, rank: int
    ) -> RankedOpening:
        candidate = query.candidate
        prefs = candidate.preferences
        i = int(chosen[position])
        opening = self.openings_[i]
        named = query.avoid_conditions & int(self.conditions_[i])
        avoided = []
        for j, phrase in enumerate(prefs.avoid):
            if scored.avoided[j, position]:
                conditions = condition_names(int(named[j]))
                shown = f"{phrase} ({', '.join(conditions)})" if conditions else phrase
                avoided.append(shown)
        for phrase in self._avoided_words(prefs.avoid, i) if prefs.avoid else []:
            if not any(a == phrase or a.startswith(f"{phrase} (") for a in avoided):
                avoided.append(phrase)
        if avoided:
            scored.broken["avoid"][position] = True
        violations = [code for code in VIOLATION_CODES if scored.broken[code][position]]
        distance = float(scored.distance[position])
        known_distance = None if np.isnan(distance) else distance

        missing_skills = self._missing_skills(i, scored)
        has_languages = set(candidate.competencies.languages)
        missing_languages = [c for c in opening.requires.languages if c not in has_languages]
        licence_gap = bool(scored.licence_gap[position])
        gaps: list[str] = []
        if licence_gap:
            gaps.append("driving_licence")
        if missing_languages:
            gaps.append("language")
        if missing_skills:
            gaps.append("skill")

        wish = int(scored.best_wish[position])
        occupation_reason = self._occupation_reason(query, scored, position, i)
        occupation_match = (
            opening.occupation
            if scored.occupation[position] and occupation_reason is None
            else None
        )
        experience_texts = query.competency_texts
        best_experience = (
            experience_texts[int(scored.best_experience[position])] if experience_texts else None
        )
        reasons = explain(
            candidate,
            opening,
            best_wish=prefs.desired[wish],
            best_wish_fit=float(scored.wish_fit[wish, position]),
            occupation_match=occupation_match,
            avoided=avoided,
            distance_km=known_distance,
            best_experience=best_experience,
            experience_fit=float(scored.experience_fit[position]),
            missing_skills=missing_skills,
            missing_languages=missing_languages,
            licence_gap=licence_gap,
            weights=self.weights_,
        )
        if occupation_reason is not None:
            reasons.insert(1, occupation_reason)
        return RankedOpening(
            rank=rank,
            opening_id=opening.id,
            employer_id=opening.employer_id,
            score=round(float(scored.score[position]), 4),
            preference_fit=round(float(scored.preference[position]), 4),
            competency_fit=round(float(scored.competency[position]), 4),
            violations=violations,  # type: ignore[arg-type]
            requirement_gaps=gaps,  # type: ignore[arg-type]
            contact="consultant" if candidate.disclosure == "yes" else "self",
            reasons=reasons,
        )

    def _occupation_reason(
        self, query: CandidateQuery, scored: _Scored, position: int, opening: int
    ) -> str | None:
        """Why the occupations agree ("matches occupation 5164 ..."), in the profile's language."""
        linked = scored.linked_occupation
        if self.links_ is None or linked is None or linked[position] < 0:
            return None
        link = self.opening_links_[opening]
        if link is None:
            return None
        title = self.links_.title(link, self.links_.language(query.candidate))
        return f"matches occupation {link.group} {title}".rstrip()

    def _missing_skills(self, opening: int, scored: _Scored) -> list[str]:
        skills = self.openings_[opening].requires.skills
        if not skills:
            return []
        first = self.vectors_.requirement_offsets[opening]
        met_by_row = dict(zip(scored.requirement_rows.tolist(), scored.skill_met_rows, strict=True))
        return [s for j, s in enumerate(skills) if not met_by_row.get(int(first) + j, False)]


@dataclass
class _Scored:
    """Per-shortlist arrays from `_score`, positions aligned with the shortlist."""

    score: np.ndarray
    preference: np.ndarray
    competency: np.ndarray
    violated: np.ndarray
    broken: dict[str, np.ndarray]
    wish_fit: np.ndarray
    best_wish: np.ndarray
    occupation: np.ndarray
    avoided: np.ndarray
    distance: np.ndarray
    experience_fit: np.ndarray
    best_experience: np.ndarray
    licence_gap: np.ndarray
    skill_met_rows: np.ndarray
    requirement_rows: np.ndarray
    # With a taxonomy: index into the query's occupations that agrees, -1 where none.
    linked_occupation: np.ndarray | None = None
