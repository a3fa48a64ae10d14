"""Reading and writing employer contacts: plain functions on a session (the caller commits).

A contact for a candidate is refused without the person's consent to
disclosure: the consultant who speaks to an employer for someone tells the
employer of their condition, and with ``disclosure: "no"`` the person
applies alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.hiring import ContactOutcome
from service.models import CandidateRow, EmployerContactRow, EmployerRow, OpeningRow, User, utcnow
from service.schemas import EmployerContactIn
from service.security import Pseudonymiser
from service.store import Conflict, Unprocessable, chunks

# Contacts for other candidates counted against an employer in suggestions.
RECENT_DAYS = 28


def wanted_groups(profile: dict[str, object]) -> set[str]:
    """The ISCO-08 unit groups of the occupation codes a profile wants (DISCO/ISCO codes)."""
    preferences = profile.get("preferences")
    codes = preferences.get("occupations", []) if isinstance(preferences, dict) else []
    return {str(c)[:4] for c in codes or [] if len(str(c)) >= 4 and str(c)[:4].isdigit()}


def employer_groups(session: Session, employer_id: str) -> set[str]:
    """The ISCO-08 unit groups of the employer's coded openings."""
    groups = set()
    for record in session.scalars(
        select(OpeningRow.record).where(OpeningRow.employer_id == employer_id)
    ):
        code = str(record.get("occupation") or "")
        if len(code) >= 4 and code[:4].isdigit():
            groups.add(code[:4])
    return groups


def add_contact(
    session: Session,
    user: User,
    event: EmployerContactIn,
    candidate: CandidateRow | None,
    pseudonyms: Pseudonymiser,
) -> EmployerContactRow:
    if session.get(EmployerRow, event.employer_id) is None:
        raise Unprocessable(
            f"field 'employer_id': no employer {event.employer_id!r} in the store; a job "
            "developer adds employers (POST /employers)"
        )
    in_wanted_field = event.in_wanted_field
    if candidate is not None:
        disclosure = candidate.profile.get("disclosure", "no")
        if disclosure != "yes":
            raise Conflict(
                f"field 'candidate_id': candidate {candidate.id!r} has disclosure "
                f"{disclosure!r}; a contact for them needs 'yes' (the person applies alone, "
                "so nobody may speak to an employer on their behalf); record it without "
                "'candidate_id'"
            )
        if in_wanted_field is None:
            wanted = wanted_groups(candidate.profile)
            offered = employer_groups(session, event.employer_id) if wanted else set()
            in_wanted_field = bool(wanted & offered) if offered else None
    row = EmployerContactRow(
        employer_id=event.employer_id,
        day=event.date,
        user_id=user.id,
        channel=event.channel,
        outcome=event.outcome,
        candidate_pk=candidate.pk if candidate is not None else None,
        candidate_pseudonym=pseudonyms.candidate(candidate.pseudonym_seed)
        if candidate is not None
        else None,
        in_wanted_field=in_wanted_field,
        note=event.note,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ContactView:
    """A stored contact with what a reader may see of who recorded it and for whom."""

    row: EmployerContactRow
    recorded_by: str | None
    candidate_id: str | None


def employer_contacts(session: Session, employer_id: str, reader: User) -> list[ContactView]:
    """The employer's contacts, newest first; a candidate's id only for their own consultant."""
    rows = session.execute(
        select(EmployerContactRow, User.name, CandidateRow.id, CandidateRow.owner_id)
        .outerjoin(User, EmployerContactRow.user_id == User.id)
        .outerjoin(CandidateRow, EmployerContactRow.candidate_pk == CandidateRow.pk)
        .where(EmployerContactRow.employer_id == employer_id)
        .order_by(EmployerContactRow.day.desc(), EmployerContactRow.pk.desc())
    )
    return [
        ContactView(row, name, candidate_id if owner_id == reader.id else None)
        for row, name, candidate_id, owner_id in rows
    ]


def own_contacts(session: Session, user: User) -> list[ContactView]:
    """The contacts the user recorded, newest first."""
    rows = session.execute(
        select(EmployerContactRow, CandidateRow.id)
        .outerjoin(CandidateRow, EmployerContactRow.candidate_pk == CandidateRow.pk)
        .where(EmployerContactRow.user_id == user.id)
        .order_by(EmployerContactRow.day.desc(), EmployerContactRow.pk.desc())
    )
    return [ContactView(row, user.name, candidate_id) for row, candidate_id in rows]


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week `day` is in: the week a contact limit counts."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def contacts_in_week(session: Session, employer_id: str, day: date) -> int:
    monday, sunday = week_of(day)
    count = session.scalar(
        select(func.count())
        .select_from(EmployerContactRow)
        .where(
            EmployerContactRow.employer_id == employer_id,
            EmployerContactRow.day >= monday,
            EmployerContactRow.day <= sunday,
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class EmployerLoad:
    for_others_recently: int
    this_week: int
    weekly_limit: int | None


def employer_loads(
    session: Session, employer_ids: Sequence[str], candidate_pk: int, day: date
) -> dict[str, EmployerLoad]:
    """Per employer: contacts for other candidates in the `RECENT_DAYS` up to `day`, contacts
    this week (other than for this candidate) and the employer's weekly limit."""
    monday, sunday = week_of(day)
    first = min(monday, day - timedelta(days=RECENT_DAYS - 1))
    recent: Counter[str] = Counter()
    week: Counter[str] = Counter()
    limits: dict[str, int | None] = {}
    for part in chunks(list(employer_ids)):
        rows = session.execute(
            select(
                EmployerContactRow.employer_id,
                EmployerContactRow.day,
                EmployerContactRow.candidate_pk,
            ).where(
                EmployerContactRow.employer_id.in_(part),
                EmployerContactRow.day >= first,
                EmployerContactRow.day <= max(day, sunday),
            )
        )
        for employer_id, when, pk in rows:
            if pk == candidate_pk:
                continue
            if pk is not None and day - timedelta(days=RECENT_DAYS - 1) <= when <= day:
                recent[employer_id] += 1
            if monday <= when <= sunday:
                week[employer_id] += 1
        for employer_id, record in session.execute(
            select(EmployerRow.id, EmployerRow.record).where(EmployerRow.id.in_(part))
        ):
            limit = record.get("contact_limit_per_week")
            limits[employer_id] = int(limit) if limit else None
    return {
        e: EmployerLoad(recent[e], week[e], limits.get(e))
        for e in employer_ids
        if recent[e] or week[e] or limits.get(e)
    }


def contact_outcomes(session: Session) -> list[ContactOutcome]:
    """Every contact's employer, day and outcome: what the hiring estimate learns from."""
    rows = session.execute(
        select(EmployerContactRow.employer_id, EmployerContactRow.day, EmployerContactRow.outcome)
    )
    return [ContactOutcome(e, d, o) for e, d, o in rows]
