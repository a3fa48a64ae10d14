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

from matcher.catalogue import Catalogue, Postcodes
from matcher.errors import NotFittedError
from matcher.queries import CandidateQuery
from matcher.rules import breaks_stated, reach


@dataclass(frozen=True)
class Retrieval:
    """How deep the shortlist searches (see `PreferenceRanker` for each setting)."""

    shortlist_per_query: int = 200
    scan_up_to: int = 6_000

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
        queries = np.vstack([query.wishes, query.competencies[:8]])
        depths = [per_query] * len(query.wishes) + [per_query // 4] * (
            len(queries) - len(query.wishes)
        )
        fitting = open_now & ~breaks_stated(catalogue, query, slice(None))
        within = reach(catalogue, query.candidate, postcodes)
        if within is not None:
            fitting &= within
        found = [self.nearest(catalogue, queries, depths, fitting)]
        if np.count_nonzero(fitting) < k:
            found.append(
                self.nearest(catalogue, query.wishes, [per_query] * len(query.wishes), open_now)
            )
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
    ) -> np.ndarray:
        """Ids of the `depths[j]` allowed openings whose whole text best matches query j."""
        rows = np.flatnonzero(allowed)
        if len(queries) == 0 or len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        vectors = catalogue.vectors
        if len(rows) <= self.scan_up_to:
            whole = vectors.segments[vectors.segment_offsets[rows]]
            similarity = queries @ whole.astype(np.float32, copy=False).T
            found = []
            for j, depth in enumerate(depths):
                depth = min(depth, len(rows))
                found.append(rows[np.argpartition(-similarity[j], depth - 1)[:depth]])
            return np.concatenate(found)
        if catalogue.index is None:
            raise NotFittedError("the ranker has no index for a catalogue this large")
        _, ids = catalogue.index.search(queries, max(depths), allowed=allowed)
        nearest = np.concatenate([ids[j, :depth] for j, depth in enumerate(depths)])
        return nearest[nearest >= 0]
