"""The rule-check part of the ranker: which openings break which of a person's preferences.

Each check returns new arrays, per opening and violation code (`VIOLATION_CODES`);
the avoided-words check reads text, so it runs per opening, lazily (see
`matcher.explanation`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.catalogue import KIND_BITS, SCHEDULE_BITS, Catalogue, Postcodes, bitmask, coordinates
from matcher.geo import haversine_km, unit_vectors, within_km
from matcher.queries import CandidateQuery
from matcher.records import VIOLATION_CODES, Candidate
from matcher.scoring import avoided_phrase_in_text

# A commute check at the shortlist stage leaves openings a metre beyond the limit
# to the scorer, whose haversine distance decides (the two computations can differ
# in the last bits).
REACH_SLACK_KM = 1e-3


def _kind_broken(
    catalogue: Catalogue, query: CandidateQuery, rows: np.ndarray | slice
) -> np.ndarray:
    """Per opening: of a kind (job, education, ...) the person did not ask for."""
    kinds = query.candidate.preferences.kinds
    return (catalogue.columns.kind[rows] & bitmask(kinds, KIND_BITS)) == 0


def _hours_broken(
    catalogue: Catalogue, query: CandidateQuery, rows: np.ndarray | slice
) -> np.ndarray | None:
    """Per opening: weekly hours outside the person's range; None when they stated none."""
    hours = query.candidate.preferences.hours_per_week
    if hours is None or not hours.stated:
        return None
    low = hours.min if hours.min is not None else 0.0
    high = hours.max if hours.max is not None else 168.0
    o_min, o_max = catalogue.columns.hours_min[rows], catalogue.columns.hours_max[rows]
    return np.asarray(~np.isnan(o_min) & (np.fmax(o_min, low) > np.fmin(o_max, high)))


def _schedule_broken(
    catalogue: Catalogue, query: CandidateQuery, rows: np.ndarray | slice
) -> np.ndarray | None:
    """Per opening: working times the person did not accept; None when they stated none."""
    schedule = query.candidate.preferences.schedule
    if not schedule:
        return None
    return (catalogue.columns.schedule[rows] & ~bitmask(schedule, SCHEDULE_BITS)) != 0


def stated_violations(
    catalogue: Catalogue, query: CandidateQuery, rows: np.ndarray | slice
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The checks on stated fields and workplace conditions, per violation code.

    Also returns, per avoided phrase and opening, whether the opening shows a
    workplace condition the phrase names (for the reasons). Commute is left
    to `commute`.
    """
    columns = catalogue.columns
    broken = {code: np.zeros(len(columns.kind[rows]), dtype=bool) for code in VIOLATION_CODES}
    shown = columns.conditions[rows]
    avoided = (shown[np.newaxis, :] & query.avoid_conditions[:, np.newaxis]) != 0
    broken["avoid"] = np.asarray(avoided.any(axis=0))
    hours = _hours_broken(catalogue, query, rows)
    if hours is not None:
        broken["hours"] = hours
    schedule = _schedule_broken(catalogue, query, rows)
    if schedule is not None:
        broken["schedule"] = schedule
    broken["kind"] = _kind_broken(catalogue, query, rows)
    return broken, avoided


def breaks_stated(
    catalogue: Catalogue, query: CandidateQuery, rows: np.ndarray | slice
) -> np.ndarray:
    """Per opening: breaks the hours, schedule, kind or avoided conditions (not commute).

    The same as any of `stated_violations`' codes, in one array updated in place and
    one test for all avoided conditions together: retrieval asks it of every opening
    in the catalogue on every ranking.
    """
    broken = _kind_broken(catalogue, query, rows)
    avoided = int(np.bitwise_or.reduce(query.avoid_conditions, initial=0))
    if avoided:
        broken |= (catalogue.columns.conditions[rows] & avoided) != 0
    for check in (_hours_broken, _schedule_broken):
        found = check(catalogue, query, rows)
        if found is not None:
            broken |= found
    return broken


def commute(
    catalogue: Catalogue, candidate: Candidate, chosen: np.ndarray, postcodes: Postcodes | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per chosen opening: km from home (NaN where unknown), and beyond the limit (or None)."""
    distance = np.full(len(chosen), np.nan)
    home = coordinates(candidate.location, postcodes)
    if home is None:
        return distance, None
    columns = catalogue.columns
    distance = haversine_km(home[0], home[1], columns.lat[chosen], columns.lon[chosen])
    limit = candidate.preferences.max_commute_km
    return distance, (distance > limit if limit is not None else None)


def reach(
    catalogue: Catalogue, candidate: Candidate, postcodes: Postcodes | None
) -> np.ndarray | None:
    """Per opening: within the person's commute limit, or placed nowhere known."""
    limit = candidate.preferences.max_commute_km
    home = coordinates(candidate.location, postcodes)
    if limit is None or home is None:
        return None
    columns = catalogue.columns
    (home_xyz,) = unit_vectors(np.array([home[0]]), np.array([home[1]]))
    near = within_km(home_xyz, columns.places, limit + REACH_SLACK_KM)
    return near | np.isnan(columns.lat) | np.isnan(columns.lon)


def avoided_words(catalogue: Catalogue, avoid: Sequence[str], opening: int) -> list[str]:
    """The avoided phrases an opening's text names by their own words (not negated)."""
    text = catalogue.full_texts[opening]
    return [phrase for phrase in avoid if avoided_phrase_in_text(phrase, text)]
