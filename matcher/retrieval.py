"""The retrieval part of the ranker: the shortlist of open openings worth scoring.

For a large catalogue, ranking does not score every opening: it retrieves the
best matches of each wish and of past work (and, with a commute limit, only
among openings within reach) from the catalogue's vector index, or by a
direct scan when few openings qualify.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from matcher.catalogue import Catalogue, Postcodes, segment_rows
from matcher.errors import NotFittedError
from matcher.index import cosines
from matcher.queries import CandidateQuery
from matcher.rules import breaks_stated, reach

# Openings compared at a time when the allowed ones are scanned directly.
SCAN_BLOCK = 65_536


@dataclass(frozen=True)
class Retrieval:
    """How deep the shortlist searches (see `PreferenceRanker` for each setting)."""

    shortlist_per_query: int = 200
    scan_up_to: int = 6_000
    by_segments: bool = False
    every_segment_up_to: int = 2_000
    # Sentences searched per wish in the catalogue's sentence index, where it has one;
    # None: a quarter of `shortlist_per_query`, as for past work.
    sentences_per_query: int | None = None
    # When at most this many open openings break none of the person's preferences, all
    # of them are scored: their shortlist would be most or all of them anyway, after
    # comparing every segment of each a first time.
    score_fitting_up_to: int = 0

    def shortlist(
        self,
        catalogue: Catalogue,
        query: CandidateQuery,
        day: date,
        k: int,
        exhaustive: bool,
        postcodes: Postcodes | None,
    ) -> np.ndarray:
        """The open openings worth scoring, as catalogue rows in ascending order.

        Retrieval searches only among openings that break none of the person's
        stated preferences (`matcher.rules.breaks_stated` plus commute reach),
        because those rank first: the best matches of each wish and of past
        work among them. Openings that break something are retrieved only
        when too few break nothing to fill the ranking.
        """
        open_now = catalogue.open_mask(slice(None), day)
        if exhaustive or catalogue.index is None:
            return np.flatnonzero(open_now)
        per_query = self.shortlist_per_query
        # A wish said in the other language (`matcher.bridge`) retrieves as the wish does.
        wishes = query.wishes
        if query.variants is not None and len(query.variants):
            wishes = np.vstack([wishes, query.variants])
        queries = np.vstack([wishes, query.competencies[:8]])
        depths = [per_query] * len(wishes) + [per_query // 4] * (len(queries) - len(wishes))
        fitting = open_now & ~breaks_stated(catalogue, query, slice(None))
        within = reach(catalogue, query.candidate, postcodes)
        if within is not None:
            fitting &= within
        fitting_count = np.count_nonzero(fitting)
        if k <= fitting_count <= self.score_fitting_up_to:
            return np.flatnonzero(fitting)
        # Past work is shortlisted by whole text only: it weighs less than the wishes in a
        # score, and by segments too it added 11 % more openings to score for 0.002 recall.
        segment_depths = [per_query] * len(wishes) + [0] * (len(queries) - len(wishes))
        found = [self.nearest(catalogue, queries, depths, fitting, segment_depths)]
        if fitting_count < k:
            found.append(self.nearest(catalogue, wishes, [per_query] * len(wishes), open_now))
        chosen = np.unique(np.concatenate(found))
        if len(chosen) < k:
            # A graph search among few allowed openings can stop short (faiss follows the
            # graph through openings it may not return): compare them directly instead.
            found = [
                self.scanned(catalogue, queries, depths, np.flatnonzero(fitting), segment_depths)
            ]
            if fitting_count < k:
                wish_depths = [per_query] * len(wishes)
                found.append(self.scanned(catalogue, wishes, wish_depths, np.flatnonzero(open_now)))
            chosen = np.unique(np.concatenate(found))
        if len(chosen) < k:
            # Too few open openings among the nearest: fall back to all of them.
            return np.flatnonzero(open_now)
        return chosen

    def nearest(
        self,
        catalogue: Catalogue,
        queries: np.ndarray,
        depths: Sequence[int],
        allowed: np.ndarray,
        segment_depths: Sequence[int] | None = None,
    ) -> np.ndarray:
        """Ids of the `depths[j]` allowed openings that best match query j.

        The nearest by whole text, and with `by_segments` also the
        `segment_depths[j]` (by default `depths[j]`) whose best segment
        matches best, as scoring reads them: a scan of at most
        `every_segment_up_to` openings compares every segment (whole text,
        title, sentences), a larger scan and an index search the titles.
        Either way the whole-text shortlist is kept whole.
        """
        rows = np.flatnonzero(allowed)
        if len(queries) == 0 or len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        segment_depths = depths if segment_depths is None else segment_depths
        if len(rows) <= self.scan_up_to:
            return self.scanned(catalogue, queries, depths, rows, segment_depths)
        if catalogue.index is None:
            raise NotFittedError("the ranker has no index for a catalogue this large")
        channels = [(catalogue.index, depths)]
        if self.by_segments and catalogue.title_index is not None:
            channels.append((catalogue.title_index, segment_depths))
        nearest: list[np.ndarray] = []
        for index, channel_depths in channels:
            searched = [j for j, depth in enumerate(channel_depths) if depth > 0]
            if not searched:
                continue
            _, ids = index.search(queries[searched], max(channel_depths), allowed=allowed)
            nearest.extend(ids[i, : channel_depths[j]] for i, j in enumerate(searched))
        sentences = catalogue.sentence_index
        if self.by_segments and sentences is not None and sentences.index.size:
            # A wish said in one sentence of a long text: neither the whole text nor
            # the title is near it at scale (`benchmarks/README.md`, "Sentences").
            searched = [j for j, depth in enumerate(segment_depths) if depth > 0]
            if searched:
                depth = self.sentences_per_query or max(1, self.shortlist_per_query // 4)
                _, ids = sentences.index.search(
                    queries[searched], depth, allowed=allowed[sentences.owners]
                )
                nearest.extend(sentences.owners[found[found >= 0]] for found in ids)
        found_ids = np.concatenate(nearest)
        return found_ids[found_ids >= 0]

    def scanned(
        self,
        catalogue: Catalogue,
        queries: np.ndarray,
        depths: Sequence[int],
        rows: np.ndarray,
        segment_depths: Sequence[int] | None = None,
    ) -> np.ndarray:
        """The `depths[j]` of `rows` that best match query j, every one of them compared
        (and with `by_segments` the `segment_depths[j]` best by segment, see `nearest`)."""
        if len(queries) == 0 or len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        if max(depths, default=0) >= len(rows):
            # One query's best already take every row: nothing to compare.
            return rows
        vectors = catalogue.vectors
        if len(rows) > SCAN_BLOCK:
            # Each block's best for every query, then the best of those (while that narrows).
            best = np.unique(
                np.concatenate(
                    [
                        self.scanned(catalogue, queries, depths, block, segment_depths)
                        for block in np.array_split(rows, range(SCAN_BLOCK, len(rows), SCAN_BLOCK))
                    ]
                )
            )
            if len(best) < len(rows):
                return self.scanned(catalogue, queries, depths, best, segment_depths)
        segment_depths = depths if segment_depths is None else segment_depths
        firsts = vectors.segment_offsets[rows]
        whole = cosines(queries, vectors.segments[firsts])
        found = [
            rows[np.argpartition(-whole[j], min(depth, len(rows)) - 1)[: min(depth, len(rows))]]
            for j, depth in enumerate(depths)
            if depth > 0
        ]
        searched = [j for j, depth in enumerate(segment_depths) if depth > 0]
        if self.by_segments and searched:
            # Every segment costs about five rows per opening to widen and compare: worth it
            # for few openings, where a wish stated in one sentence is otherwise missed.
            if len(rows) > self.every_segment_up_to:
                titles = firsts + (vectors.segment_offsets[rows + 1] - firsts > 1)
                best = cosines(queries[searched], vectors.segments[titles])
            else:
                segments, group_starts = segment_rows(vectors.segment_offsets, rows)
                each = cosines(queries[searched], vectors.segments[segments])
                best = np.maximum.reduceat(each, group_starts, axis=1)
            for i, j in enumerate(searched):
                depth = min(segment_depths[j], len(rows))
                found.append(rows[np.argpartition(-best[i], depth - 1)[:depth]])
        return np.concatenate(found)
