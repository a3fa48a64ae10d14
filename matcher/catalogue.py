"""The catalogue part of the ranker: openings tabulated into columns, with their vectors.

`build_catalogue` learns a catalogue (vectors, columns of the fields the rule
checks read, the lexical channel, the vector index, occupations); `Catalogue.extended`
returns a new catalogue with openings added and retired. A `Catalogue` is
never changed once built, so a ranking in progress keeps the one it started with.

Openings are read once, a chunk at a time (`TABULATE_CHUNK`), and kept as the
sequence they came in: a list is copied (references only), any other
`Sequence` (a tuple, or a read-only view that makes each `Opening` when asked,
as `benchmarks/rank.py` gives a million of them) is kept as it is and must not
change. Retrieval, the checks and scoring read only columns; explanation reads
the `Opening` of each of the `k` results.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np

from matcher.calibration import SimilarityScale
from matcher.conditions import conditions_mask
from matcher.encoders import CachedEncoder, ProgressCallback
from matcher.geo import unit_vectors
from matcher.index import IndexKind, VectorIndex, build_index
from matcher.lexical import LexicalChannel
from matcher.links import OccupationLink, TaxonomyLinks
from matcher.opening_sequences import FullTexts, joined, kept
from matcher.prose import opening_terms
from matcher.records import KINDS, SCHEDULES, Location, Opening
from matcher.row_buffer import RowBuffer, appended_rows
from matcher.scoring import canonical_phrase
from matcher.text import opening_segments, opening_title_text

Postcodes = Mapping[str, tuple[float, float]]
NO_DATE = np.iinfo(np.int64).max
# Catalogues this large keep segment vectors in float16 (`PreferenceRanker`, benchmarks/README.md).
HALF_PRECISION_FROM = 200_000
SCHEDULE_BITS = {name: bit for bit, name in enumerate(SCHEDULES)}
KIND_BITS = {name: bit for bit, name in enumerate(KINDS)}
# At most this many language codes get a bit; a code beyond them is never counted as required.
MAX_LANGUAGES = 63
# Openings read (and, from a lazy sequence, made) at a time while a catalogue is built.
TABULATE_CHUNK = 16_384


@dataclass
class OpeningVectors:
    """Encoded openings, stored flat.

    Opening ``i`` owns rows ``segment_offsets[i]:segment_offsets[i+1]`` of
    ``segments`` (its whole text first, then title and sentences) and rows
    ``requirement_offsets[i]:requirement_offsets[i+1]`` of ``requirements``
    (its required skills). Segments may be float16: a ranker fitted on a large
    catalogue keeps them so (half the memory; cosines change in the fourth
    decimal). A fitted catalogue's segments are a view of a `RowBuffer`
    (`buffer`), which `concatenated` appends to.
    """

    segments: np.ndarray
    segment_offsets: np.ndarray
    requirements: np.ndarray
    requirement_offsets: np.ndarray
    buffer: RowBuffer | None = field(default=None, repr=False, compare=False)

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

    def titles(self, start: int = 0) -> np.ndarray:
        """Each opening's second segment (its title, or its whole text when it has no other)."""
        firsts = self.segment_offsets[start:-1]
        return self.segments[firsts + (np.diff(self.segment_offsets[start:]) > 1)]

    def sentences(self, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The sentence segments of openings from `start` on (every segment after the
        whole text and the title), and the opening (row) each belongs to."""
        firsts = self.segment_offsets[start:-1]
        counts = np.maximum(np.diff(self.segment_offsets[start:]) - 2, 0)
        owners = np.repeat(np.arange(start, start + len(firsts)), counts)
        starts = np.cumsum(counts) - counts
        rows = np.repeat(firsts + 2 - starts, counts) + np.arange(int(counts.sum()))
        return self.segments[rows], owners

    def concatenated(self, added: OpeningVectors) -> OpeningVectors:
        """These vectors followed by `added`'s (in this catalogue's segment precision),
        the segments appended in place where they can be (`row_buffer.appended_rows`)."""
        buffer, segments = appended_rows(self.buffer, self.segments, added.segments)
        return OpeningVectors(
            segments=segments,
            buffer=buffer,
            segment_offsets=np.concatenate(
                [self.segment_offsets[:-1], added.segment_offsets + self.segment_offsets[-1]]
            ),
            requirements=np.concatenate([self.requirements, added.requirements]).astype(
                self.requirements.dtype, copy=False
            ),
            requirement_offsets=np.concatenate(
                [
                    self.requirement_offsets[:-1],
                    added.requirement_offsets + self.requirement_offsets[-1],
                ]
            ),
        )


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


def coordinates(
    location: Location | None, postcodes: Postcodes | None
) -> tuple[float, float] | None:
    """A record's point: its coordinates, else its postcode's point, else None."""
    if location is None:
        return None
    if location.lat is not None and location.lon is not None:
        return (location.lat, location.lon)
    if location.postcode and postcodes and location.postcode in postcodes:
        return postcodes[location.postcode]
    return None


def bitmask(values: Iterable[str], bits: Mapping[str, int]) -> int:
    mask = 0
    for value in values:
        if value in bits:
            mask |= 1 << bits[value]
    return mask


def segment_rows(offsets: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows owned by the chosen openings, and where each opening's rows start among them."""
    starts = offsets[chosen]
    counts = offsets[chosen + 1] - starts
    group_starts = np.cumsum(counts) - counts
    rows = np.repeat(starts - group_starts, counts) + np.arange(int(counts.sum()))
    return rows, group_starts


@dataclass(frozen=True)
class Columns:
    """The fields the rule checks read, one entry per opening, so checks run on arrays."""

    lat: np.ndarray
    lon: np.ndarray
    places: np.ndarray
    hours_min: np.ndarray
    hours_max: np.ndarray
    expires: np.ndarray
    posted: np.ndarray
    schedule: np.ndarray
    kind: np.ndarray
    licence: np.ndarray
    language_mask: np.ndarray
    # Per required skill (all openings' skills, flat): its canonical phrase.
    requirement_phrases: np.ndarray
    # Per opening: bitmask of the workplace conditions its text shows (`matcher.conditions`),
    # night and weekend work also where only a clock range or a weekday shows them.
    conditions: np.ndarray
    # Per opening: whether it has a description (an unchecked limit where it has none).
    described: np.ndarray
    # Per opening: its occupation code as given (interned strings), None where none.
    occupation: np.ndarray

    def concatenated(self, *added: Columns) -> Columns:
        """These columns followed by each of `added`'s, in one copy."""
        return Columns(
            **{
                f.name: np.concatenate([getattr(c, f.name) for c in (self, *added)])
                for f in fields(self)
            }
        )

    def retired(self, rows: Sequence[int]) -> Columns:
        """These columns with the openings `rows` never open again (a new `expires` array)."""
        expires = self.expires.copy()
        expires[list(rows)] = -1
        return Columns(
            **{**{f.name: getattr(self, f.name) for f in fields(self)}, "expires": expires}
        )


def with_languages(languages: Mapping[str, int], openings: Sequence[Opening]) -> dict[str, int]:
    """`languages` with the next free bits given to codes the openings require first."""
    known = dict(languages)
    for code in sorted({c for o in openings for c in o.requires.languages}):
        if code not in known and len(known) < MAX_LANGUAGES:
            known[code] = len(known)
    return known


def tabulate(
    openings: Sequence[Opening], postcodes: Postcodes | None, languages: Mapping[str, int]
) -> Columns:
    """The columns of `openings`; `languages` must already hold their codes (`with_languages`)."""
    n = len(openings)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    hours_min = np.full(n, np.nan)
    hours_max = np.full(n, np.nan)
    expires = np.full(n, NO_DATE, dtype=np.int64)
    posted = np.full(n, -1, dtype=np.int64)
    schedule = np.zeros(n, dtype=np.int64)
    kind = np.zeros(n, dtype=np.int64)
    licence = np.zeros(n, dtype=bool)
    language_mask = np.zeros(n, dtype=np.uint64)
    conditions = np.zeros(n, dtype=np.int64)
    described = np.zeros(n, dtype=bool)
    occupation = np.full(n, None, dtype=object)
    for i, opening in enumerate(openings):
        place = coordinates(opening.location, postcodes)
        if place is not None:
            lat[i], lon[i] = place
        # Working times and hours stated only in the text count as stated (`opening_terms`).
        terms = opening_terms(opening)
        hours = terms.hours
        if hours is not None:
            hours_min[i] = hours.min if hours.min is not None else 0.0
            hours_max[i] = hours.max if hours.max is not None else 168.0
        if opening.expires is not None:
            expires[i] = opening.expires.toordinal()
        if opening.posted is not None:
            posted[i] = opening.posted.toordinal()
        schedule[i] = bitmask(terms.schedule, SCHEDULE_BITS)
        conditions[i] = conditions_mask(terms.reading.condition_names)
        kind[i] = 1 << KIND_BITS[opening.kind]
        licence[i] = opening.requires.driving_licence
        described[i] = bool(opening.description)
        language_mask[i] = bitmask(opening.requires.languages, languages)
        if opening.occupation is not None:
            occupation[i] = sys.intern(opening.occupation)
    phrases = [canonical_phrase(s) for o in openings for s in o.requires.skills]
    return Columns(
        lat=lat,
        lon=lon,
        places=unit_vectors(lat, lon),
        hours_min=hours_min,
        hours_max=hours_max,
        expires=expires,
        posted=posted,
        schedule=schedule,
        kind=kind,
        licence=licence,
        language_mask=language_mask,
        requirement_phrases=np.asarray(phrases, dtype=object),
        conditions=conditions,
        described=described,
        occupation=occupation,
    )


@dataclass(frozen=True)
class SentenceIndex:
    """An index over the sentences of openings' texts, and the opening of each sentence.

    Search returns sentence ids; ``owners[id]`` is the catalogue row of the
    opening the sentence is from (`OpeningVectors.sentences`).
    """

    index: VectorIndex
    owners: np.ndarray

    @classmethod
    def built(cls, vectors: OpeningVectors, kind: IndexKind) -> SentenceIndex:
        sentences, owners = vectors.sentences()
        return cls(build_index(sentences, kind), owners)

    def extended(self, vectors: OpeningVectors, start: int) -> SentenceIndex:
        """A new index with the sentences of the openings from row `start` of `vectors` added."""
        sentences, owners = vectors.sentences(start)
        return SentenceIndex(self.index.extended(sentences), np.concatenate([self.owners, owners]))


@dataclass(frozen=True)
class Catalogue:
    """A fitted catalogue: what retrieval, the rule checks, scoring and explanation read."""

    openings: Sequence[Opening]
    vectors: OpeningVectors
    columns: Columns
    # Language code → its bit in `columns.language_mask`.
    languages: dict[str, int]
    # Per required-skill row: the opening that requires it.
    requirement_owner: np.ndarray
    scale: SimilarityScale
    lexical: LexicalChannel
    index: VectorIndex | None
    # The same kind of index over each opening's title segment (`OpeningVectors.titles`).
    title_index: VectorIndex | None
    rows_by_id: dict[str, int]
    retired: int
    # With a taxonomy: each opening's occupation (given or inferred) and its ISCO group.
    links: TaxonomyLinks | None
    opening_links: list[OccupationLink | None]
    opening_groups: np.ndarray
    full_texts: FullTexts
    # With sentence retrieval: an index over every sentence of the openings' texts.
    sentence_index: SentenceIndex | None = None

    def open_mask(self, rows: np.ndarray | slice, day: date) -> np.ndarray:
        today = day.toordinal()
        return (self.columns.expires[rows] >= today) & (self.columns.posted[rows] <= today)

    def extended(
        self,
        added: Sequence[Opening],
        vectors: OpeningVectors,
        retire: Iterable[str],
        postcodes: Postcodes | None,
        index_kind: IndexKind,
        score_all_up_to: int,
        titles: bool = False,
        sentences: bool = False,
    ) -> Catalogue:
        """A new catalogue with `added` appended and the openings `retire` names retired.

        An added opening whose id is already in the catalogue replaces it. The
        lexical channel keeps its vocabulary and weights; an exact index stays
        exact. Retired openings stay in the arrays but are never open.
        """
        retired_ids = {*retire, *(o.id for o in added)} & self.rows_by_id.keys()
        gone = [self.rows_by_id[i] for i in retired_ids]
        start = len(self.openings)
        all_vectors = self.vectors.concatenated(vectors)
        added = kept(added)
        openings = joined(self.openings, added)
        rows_by_id = {i: row for i, row in self.rows_by_id.items() if i not in retired_ids}
        rows_by_id.update((o.id, start + j) for j, o in enumerate(added))
        languages = with_languages(self.languages, added)
        columns = self.columns.concatenated(tabulate(added, postcodes, languages)).retired(gone)
        lexical = copy.copy(self.lexical)
        lexical.add([opening_title_text(o) for o in added])
        index, title_index = self.index, self.title_index
        sentence_index = self.sentence_index
        if index is not None:
            # Extended, not copied: the indices' storage stays shared with this catalogue's.
            index = index.extended(all_vectors.segments[all_vectors.segment_offsets[start:-1]])
            if title_index is not None:
                title_index = title_index.extended(all_vectors.titles(start))
            if sentence_index is not None:
                sentence_index = sentence_index.extended(all_vectors, start)
        elif len(openings) > score_all_up_to:
            index = build_index(all_vectors.whole_texts(), index_kind)
            if titles:
                title_index = build_index(all_vectors.titles(), index_kind)
            if sentences:
                sentence_index = SentenceIndex.built(all_vectors, index_kind)
        opening_links = self.opening_links
        groups = np.full(len(added), "", dtype=object)
        if self.links is not None:
            links = self.links.of_openings(added)
            opening_links = opening_links + links
            groups = np.asarray([link.group if link else "" for link in links], dtype=object)
        return Catalogue(
            openings=openings,
            vectors=all_vectors,
            columns=columns,
            languages=languages,
            requirement_owner=requirement_owner(all_vectors),
            scale=self.scale,
            lexical=lexical,
            index=index,
            title_index=title_index,
            rows_by_id=rows_by_id,
            retired=self.retired + len(gone),
            links=self.links,
            opening_links=opening_links,
            opening_groups=np.concatenate([self.opening_groups, groups]),
            full_texts=FullTexts(openings),
            sentence_index=sentence_index,
        )


def requirement_owner(vectors: OpeningVectors) -> np.ndarray:
    return np.repeat(np.arange(vectors.count), np.diff(vectors.requirement_offsets))


def build_catalogue(
    openings: Sequence[Opening],
    vectors: OpeningVectors,
    scale: SimilarityScale,
    *,
    postcodes: Postcodes | None,
    links: TaxonomyLinks | None,
    index_kind: IndexKind,
    score_all_up_to: int,
    half_precision_from: int,
    titles: bool = False,
    sentences: bool = False,
) -> Catalogue:
    """Learn the catalogue of `openings` from their `vectors` (see `encode_openings`).

    The openings are read once, `TABULATE_CHUNK` at a time (see the module's docstring).
    """
    openings = kept(openings)
    if vectors.count != len(openings):
        raise ValueError(
            f"vectors describe {vectors.count} openings but {len(openings)} were given"
        )
    half = len(openings) >= half_precision_from
    precision = np.float16 if half else np.float32
    buffer = vectors.buffer
    # Taken on as made if in a buffer of this precision already (as rank.py makes a million).
    if buffer is None or not buffer.is_viewed_whole_by(vectors.segments, precision):
        buffer = RowBuffer.holding(vectors.segments, precision)
    fitted = OpeningVectors(
        segments=buffer.view(),
        buffer=buffer,
        segment_offsets=vectors.segment_offsets,
        requirements=vectors.requirements,
        requirement_offsets=vectors.requirement_offsets,
    )
    languages: dict[str, int] = {}
    parts: list[Columns] = []
    title_texts: list[str] = []
    rows_by_id: dict[str, int] = {}
    opening_links: list[OccupationLink | None] = []
    for start in range(0, len(openings), TABULATE_CHUNK):
        chunk = [openings[i] for i in range(start, min(start + TABULATE_CHUNK, len(openings)))]
        languages = with_languages(languages, chunk)
        parts.append(tabulate(chunk, postcodes, languages))
        title_texts.extend(opening_title_text(o) for o in chunk)
        rows_by_id.update((o.id, start + j) for j, o in enumerate(chunk))
        if links is not None:
            opening_links.extend(links.of_openings(chunk))
    columns = parts[0].concatenated(*parts[1:]) if parts else tabulate([], postcodes, languages)
    del parts
    lexical = LexicalChannel(word_starts=True, distinct_documents=True).fit(title_texts)
    del title_texts
    index = title_index = sentence_index = None
    if len(openings) > score_all_up_to:
        index = build_index(fitted.whole_texts(), index_kind)
        if titles:
            title_index = build_index(fitted.titles(), index_kind)
        if sentences:
            sentence_index = SentenceIndex.built(fitted, index_kind)
    groups = np.full(len(openings), "", dtype=object)
    for i, link in enumerate(opening_links):
        if link is not None:
            groups[i] = link.group
    return Catalogue(
        openings=openings,
        vectors=fitted,
        columns=columns,
        languages=languages,
        requirement_owner=requirement_owner(fitted),
        scale=scale,
        lexical=lexical,
        index=index,
        title_index=title_index,
        rows_by_id=rows_by_id,
        retired=0,
        links=links,
        opening_links=opening_links,
        opening_groups=groups,
        full_texts=FullTexts(openings),
        sentence_index=sentence_index,
    )
