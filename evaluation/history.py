"""From a placement history to evaluation queries with graded openings.

**When is a query asked?** A consultant asks for suggestions whenever the
person is looking, and the history shows when they were: each day on which a
person's history first mentions an opening (a first contact, or a first
interview when no contact was recorded) is one query, "what would the system
have suggested that day?". Several openings first mentioned on the same day
make one query.

**What was open?** The openings open on that day (posted on or before it and
expiring on or after it); nothing posted later is ever ranked for it.
Openings the person already had a contact, interview or hire with before the
day are left out of both the ranking and the grades: the consultant knows
them already.

**Which profile?** The version of the person's profile valid on the day
(`evaluation.profiles`); a later edit is never used.

**How good is an answer?** Each open opening is graded by what the person
did with it from the day on (the best stage reached): hired and still
employed 90 days later = 3, hired = 2, interview = 1, contacted = 0.5,
nothing = 0. Facts after `known_until` are never read: a training query
before the cutoff is graded only on events before the cutoff, and a hire
whose 90 days run past `known_until` is graded 2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from evaluation.placements import Placement
from evaluation.profiles import ProfileHistory, ProfileVersion
from matcher.records import Opening

_NEVER = np.iinfo(np.int64).max
_ALWAYS = np.iinfo(np.int64).min


class Catalogue:
    """Every opening of the history, with its open period as arrays."""

    def __init__(self, openings: Sequence[Opening]) -> None:
        self.openings = list(openings)
        self.index = {o.id: i for i, o in enumerate(self.openings)}
        self.ids = np.asarray([o.id for o in self.openings], dtype=object)
        self.employers = np.asarray([o.employer_id for o in self.openings], dtype=object)
        # Missing dates mean "open since always" and "never expires", as in `Opening.is_open_on`.
        self.posted = np.asarray(
            [o.posted.toordinal() if o.posted else _ALWAYS for o in self.openings], dtype=np.int64
        )
        self.expires = np.asarray(
            [o.expires.toordinal() if o.expires else _NEVER for o in self.openings], dtype=np.int64
        )

    def __len__(self) -> int:
        return len(self.openings)

    def open_on(self, day: date, among: np.ndarray | None = None) -> np.ndarray:
        """Indices of openings open on `day` (optionally only among `among`)."""
        rows = np.arange(len(self.openings)) if among is None else among
        today = day.toordinal()
        return rows[(self.posted[rows] <= today) & (self.expires[rows] >= today)]

    def open_between(self, first: date, last: date) -> np.ndarray:
        """Indices of openings open on at least one day from `first` to `last`."""
        return np.flatnonzero(
            (self.posted <= last.toordinal()) & (self.expires >= first.toordinal())
        )


@dataclass(frozen=True)
class Query:
    """One moment a consultant would have asked for suggestions for one person."""

    qid: str
    candidate_id: str
    day: date
    profile: ProfileVersion
    # Catalogue indices the person had events with before `day`: neither ranked nor graded.
    seen: frozenset[int]
    # Catalogue index → grade on the contract's scale (0.5, 1, 2, 3), open openings only.
    grades: dict[int, float]


@dataclass
class QuerySet:
    """Queries of one period, and why some moments gave no query."""

    queries: list[Query] = field(default_factory=list)
    skipped_no_profile: int = 0
    # Moments of people whose profile was erased: their events are history, not queries.
    skipped_erased: int = 0
    skipped_nothing_open: int = 0
    first: date | None = None
    last: date | None = None

    def __len__(self) -> int:
        return len(self.queries)

    @property
    def candidates(self) -> list[str]:
        return sorted({q.candidate_id for q in self.queries})


def observed_until(placements: Iterable[Placement]) -> date:
    """The last day the history tells anything about: its latest date or end date."""
    latest = date.min
    for p in placements:
        latest = max(latest, p.date, p.ended or date.min)
    return latest


def build_queries(
    placements: Sequence[Placement],
    profiles: ProfileHistory,
    catalogue: Catalogue,
    *,
    start: date | None = None,
    end: date | None = None,
    known_until: date,
) -> QuerySet:
    """Queries on days from `start` (inclusive) to `end` (exclusive), graded up to `known_until`.

    Placements must name known openings (`check_references`); a candidate
    without any profile (erased) gives no query, only history.
    """
    by_candidate: dict[str, list[Placement]] = defaultdict(list)
    for p in placements:
        by_candidate[p.candidate_id].append(p)
    result = QuerySet(first=start, last=end - timedelta(days=1) if end else None)
    for candidate_id in sorted(by_candidate):
        events = sorted(by_candidate[candidate_id], key=lambda p: p.date)
        first_mention: dict[str, date] = {}
        for p in events:
            if p.opening_id is not None and p.opening_id not in first_mention:
                first_mention[p.opening_id] = p.date
        days = sorted(set(first_mention.values()))
        for day in days:
            if (start is not None and day < start) or (end is not None and day >= end):
                continue
            if day > known_until:
                continue
            profile = profiles.on(candidate_id, day)
            if profile is None:
                if candidate_id in profiles.versions:
                    result.skipped_no_profile += 1
                else:
                    result.skipped_erased += 1
                continue
            seen = frozenset(
                catalogue.index[p.opening_id]
                for p in events
                if p.opening_id is not None and p.date < day
            )
            today = day.toordinal()
            grades: dict[int, float] = {}
            for p in events:
                if p.opening_id is None or p.date < day or p.date > known_until:
                    continue
                row = catalogue.index[p.opening_id]
                if row in seen:
                    continue
                if not catalogue.posted[row] <= today <= catalogue.expires[row]:
                    continue
                grades[row] = max(grades.get(row, 0.0), p.grade(known_until))
            if not grades:
                # Every opening mentioned from this day on had closed (or not opened) by it.
                result.skipped_nothing_open += 1
                continue
            result.queries.append(
                Query(
                    qid=f"{candidate_id}@{day.isoformat()}",
                    candidate_id=candidate_id,
                    day=day,
                    profile=profile,
                    seen=seen,
                    grades=grades,
                )
            )
    return result


def month_windows(queries: Sequence[Query]) -> list[tuple[date, date, list[Query]]]:
    """Queries grouped by calendar month: (first day, last day, queries by day)."""
    groups: dict[tuple[int, int], list[Query]] = defaultdict(list)
    for q in queries:
        groups[(q.day.year, q.day.month)].append(q)
    windows = []
    for (year, month), members in sorted(groups.items()):
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        members.sort(key=lambda q: (q.day, q.qid))
        windows.append((first, following - timedelta(days=1), members))
    return windows
