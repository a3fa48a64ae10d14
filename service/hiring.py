"""Who is likely to hire, fitted on the store's own history and kept until the history changes.

The history is the store's postings (openings by their posting day), hires
(placements at the ``hired`` stage) and employer contacts' outcomes. Each
hire counts in the occupation group of its opening or, without one, in the
group its employer posts most in. A fit is kept per day and per state of the
store (catalogue revision, placements and contacts written), so a request
refits only after something was recorded.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.hiring import (
    UNKNOWN_GROUP,
    Hire,
    HiringEstimates,
    HiringEstimator,
    HiringHistory,
    Posting,
    group_of,
)
from matcher.reasons import ITEM_TEMPLATES
from service import store
from service.db import Database
from service.employer_contacts import contact_outcomes
from service.models import EmployerContactRow, EmployerRow, OpeningRow, PlacementRow


@dataclass(frozen=True)
class StoreHiring:
    """A fitted estimate with what explains it: each group's name and each employer's groups."""

    estimates: HiringEstimates
    # A group as a consultant reads it: the most common title posted in it.
    group_titles: dict[str, str]
    # The group each employer posts most in.
    main_group: dict[str, str]
    # Groups of each opening, for placing a suggestion's best posting.
    opening_group: dict[str, str]

    def field_name(self, group: str) -> str:
        title = self.group_titles.get(group)
        if title:
            return ITEM_TEMPLATES["field_title"].format(title=title)
        return ITEM_TEMPLATES["field_group"].format(group=group)


def hiring_history(
    session: Session,
) -> tuple[HiringHistory, dict[str, str], dict[str, str], dict[str, str]]:
    """The store's history, each group's most common title, employers' main groups and
    each opening's group."""
    postings: list[Posting] = []
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    by_employer: dict[str, Counter[str]] = defaultdict(Counter)
    opening_group: dict[str, str] = {}
    # Stored records were validated on the way in; read as plain dicts, as the catalogue
    # may hold 100,000 of them.
    for record, created in session.execute(select(OpeningRow.record, OpeningRow.created_at)):
        group = group_of(record.get("occupation"), record.get("industry"))
        employer_id = str(record["employer_id"])
        opening_group[str(record["id"])] = group
        titles[group][str(record["title"])] += 1
        by_employer[employer_id][group] += 1
        posted = date.fromisoformat(record["posted"]) if record.get("posted") else None
        postings.append(Posting(employer_id, group, posted or created.date()))
    main_group = {e: groups.most_common(1)[0][0] for e, groups in by_employer.items()}
    for employer_id, record in session.execute(select(EmployerRow.id, EmployerRow.record)):
        if employer_id not in main_group and record.get("industry"):
            main_group[employer_id] = str(record["industry"]).strip().lower()
    hires = [
        Hire(
            employer_id,
            opening_group.get(opening_id or "", main_group.get(employer_id, UNKNOWN_GROUP)),
            day,
        )
        for employer_id, opening_id, day in session.execute(
            select(PlacementRow.employer_id, PlacementRow.opening_id, PlacementRow.day).where(
                PlacementRow.stage == "hired"
            )
        )
    ]
    history = HiringHistory(postings, hires, contact_outcomes(session))
    group_titles = {g: counts.most_common(1)[0][0] for g, counts in titles.items()}
    return history, group_titles, main_group, opening_group


def _state(session: Session) -> tuple[int, int, int, int, int]:
    placements = session.execute(
        select(func.count(), func.max(PlacementRow.pk)).select_from(PlacementRow)
    ).one()
    contacts = session.execute(
        select(func.count(), func.max(EmployerContactRow.pk)).select_from(EmployerContactRow)
    ).one()
    return (
        store.catalogue_revision(session),
        int(placements[0] or 0),
        int(placements[1] or 0),
        int(contacts[0] or 0),
        int(contacts[1] or 0),
    )


class HiringOutlooks:
    """The store's hiring estimate, refitted when the day or the store's history changes."""

    def __init__(self, database: Database, estimator: HiringEstimator | None = None) -> None:
        self.database = database
        self.estimator = estimator or HiringEstimator()
        self._lock = threading.Lock()
        # The state of the store a fit was made on, with the fit: one attribute, so a
        # request never pairs one fit with another's state.
        self._fitted: tuple[tuple[object, ...], StoreHiring] | None = None

    def current(self, day: date) -> StoreHiring:
        with self.database.reader() as session:
            key = (day, *_state(session))
        fitted = self._fitted
        if fitted is not None and fitted[0] == key:
            return fitted[1]
        with self._lock:
            fitted = self._fitted
            if fitted is not None and fitted[0] == key:
                return fitted[1]
            with self.database.reader() as session:
                history, titles, main_group, opening_group = hiring_history(session)
            estimator = HiringEstimator(**self.estimator.get_params()).fit(history, day)
            made = StoreHiring(estimator.predict(), titles, main_group, opening_group)
            self._fitted = (key, made)
            return made


_OUTLOOKS: weakref.WeakKeyDictionary[Database, HiringOutlooks] = weakref.WeakKeyDictionary()
_OUTLOOKS_LOCK = threading.Lock()


def outlooks_for(database: Database) -> HiringOutlooks:
    """The one `HiringOutlooks` of a store's database (made on first use)."""
    with _OUTLOOKS_LOCK:
        outlooks = _OUTLOOKS.get(database)
        if outlooks is None:
            outlooks = _OUTLOOKS[database] = HiringOutlooks(database)
        return outlooks
