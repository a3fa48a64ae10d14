"""Reading and writing the store: plain functions on a SQLAlchemy session.

Functions here never commit: the caller owns the transaction, so a bulk
upload is one transaction however many rows it writes. They know nothing of
HTTP or of the encoder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from matcher.placement_events import PLACEMENT_COLUMNS
from matcher.records import Candidate, Opening
from matcher.text import opening_segments
from service import auditchain
from service.models import (
    CandidateHealth,
    CandidateRow,
    CatalogueState,
    EmployerRow,
    OpeningRow,
    PlacementRow,
    Secret,
    User,
    WebSession,
    utcnow,
)
from service.schemas import Employer, PlacementIn
from service.security import (
    Pseudonymiser,
    PseudonymKeyError,
    hash_token,
    load_or_make_key,
    new_token,
)

# Rows per INSERT/UPDATE statement and per IN (...) list: well under SQLite's variable limit.
CHUNK = 500
PSEUDONYM_KEY = "pseudonym_key"


class StoreError(Exception):
    """A request the store refuses; `status` is the HTTP status it maps to."""

    status = 400


class Conflict(StoreError):
    status = 409


class Unprocessable(StoreError):
    status = 422


def insert_ignoring_duplicates(session: Session, table: type[Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ------------------------------------------------------------------- secrets


def pseudonymiser(session: Session, key_file: Path) -> Pseudonymiser:
    """The pseudonym key from `key_file`, made there on first use (the caller commits).

    A store from before the key file kept its key in the `secrets` table: the
    key moves to the file (so pseudonyms stay the same) and leaves the store.
    """
    legacy = session.get(Secret, PSEUDONYM_KEY)
    key = load_or_make_key(key_file, legacy.value if legacy is not None else None)
    if legacy is not None:
        if legacy.value != key:
            raise PseudonymKeyError(
                f"the store holds a pseudonym key other than the one in {key_file}; "
                "point IPSMATCH_PSEUDONYM_KEY_FILE at the file made for this store"
            )
        session.delete(legacy)
        session.flush()
    return Pseudonymiser(key)


# --------------------------------------------------------------------- users


def _expiry(lifetime_days: float | None) -> datetime | None:
    return None if lifetime_days is None else utcnow() + timedelta(days=lifetime_days)


def create_user(
    session: Session,
    name: str,
    role: str,
    lifetime_days: float | None = None,
    team: str | None = None,
) -> tuple[User, str]:
    """A new user and their token, which works for `lifetime_days` (None: until revoked)."""
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} exists already; choose another name")
    token = new_token()
    user = User(
        name=name,
        role=role,
        token_hash=hash_token(token),
        token_expires_at=_expiry(lifetime_days),
        active=True,
        team=team,
    )
    session.add(user)
    session.flush()
    return user, token


def rotate_token(session: Session, user: User, lifetime_days: float | None = None) -> str:
    token = new_token()
    user.token_hash = hash_token(token)
    user.token_expires_at = _expiry(lifetime_days)
    session.flush()
    return token


# What a request needs of its caller: read as plain columns on every request, not as an entity.
_USER_COLUMNS = (
    User.id,
    User.name,
    User.role,
    User.token_hash,
    User.token_expires_at,
    User.active,
    User.created_at,
    User.team,
)


def _detached_user(row: Any) -> User:
    return User(**{column.key: getattr(row, column.key) for column in _USER_COLUMNS})


def end_web_sessions(session: Session, user_id: int) -> None:
    """End every web page session of a user (their access was revoked or token rotated)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def user_for_token(session: Session, token: str) -> User | None:
    """The user holding `token`, detached (read on every request, so read lean)."""
    # The lookup is by hash (an index), so the token itself is never compared byte by byte.
    statement = select(*_USER_COLUMNS).where(User.token_hash == hash_token(token))
    row = session.execute(statement).first()
    return None if row is None else _detached_user(row)


def caller_and_candidate(
    session: Session, token: str, candidate_id: str
) -> tuple[User | None, CaseloadEntry | None, int]:
    """The recommendation path's reads in one statement.

    The user holding `token`, their candidate `candidate_id` (None if not on
    their caseload) and the catalogue revision: three lookups that every
    recommendation request makes, joined so that it costs one round trip.
    """
    revision = select(CatalogueState.revision).where(CatalogueState.id == 1).scalar_subquery()
    statement = (
        select(
            *_USER_COLUMNS,
            CandidateRow.pk,
            CandidateRow.pseudonym_seed,
            CandidateRow.revision.label("profile_revision"),
            CandidateRow.profile,
            revision.label("catalogue_revision"),
        )
        .select_from(User)
        .outerjoin(
            CandidateRow, (CandidateRow.owner_id == User.id) & (CandidateRow.id == candidate_id)
        )
        .where(User.token_hash == hash_token(token))
    )
    row = session.execute(statement).first()
    if row is None:
        return None, None, catalogue_revision(session)
    user = _detached_user(row)
    entry = None
    if row.pk is not None:
        entry = CaseloadEntry(
            row.pk, candidate_id, row.profile_revision, row.profile, row.pseudonym_seed
        )
    return user, entry, int(row.catalogue_revision or 0)


def has_data(session: Session) -> bool:
    for table in (User, CandidateRow, OpeningRow, EmployerRow, PlacementRow):
        if session.scalar(select(func.count()).select_from(table)):
            return True
    return False


# ---------------------------------------------------------------------- audit


def audit(
    session: Session,
    user: User | None,
    action: str,
    candidate_pseudonym: str | None = None,
    **detail: Any,
) -> None:
    """Add one audit entry. Callers pass ids, pseudonyms and figures, never profile content."""
    session.flush()  # pending rows first, so the chain is in the order of the changes
    auditchain.append(
        session,
        [
            {
                "at": utcnow(),
                "user_id": user.id if user is not None else None,
                "action": action,
                "candidate_pseudonym": candidate_pseudonym,
                "detail": detail,
            }
        ],
    )


# ----------------------------------------------------------------- candidates


def own_candidate(session: Session, owner: User, candidate_id: str) -> CandidateRow | None:
    return session.scalar(
        select(CandidateRow).where(
            CandidateRow.owner_id == owner.id, CandidateRow.id == candidate_id
        )
    )


@dataclass(frozen=True)
class CaseloadEntry:
    """What a ranking needs of a profile: its keys and its record (validated on demand)."""

    pk: int
    id: str
    revision: int
    profile: dict[str, Any]
    pseudonym_seed: str

    def candidate(self) -> Candidate:
        return Candidate.model_validate(self.profile)


def candidate_profile(row: CandidateRow) -> Candidate:
    """The profile as the engine sees it: no health field."""
    return Candidate.model_validate(row.profile)


def candidate_document(row: CandidateRow, with_health: bool) -> dict[str, Any]:
    document = dict(row.profile)
    if with_health and row.health is not None:
        document["health"] = row.health.health
    return document


def _split_health(candidate: Candidate) -> tuple[dict[str, Any], Any]:
    profile = candidate.model_dump(mode="json", exclude_unset=True)
    health = profile.pop("health", None)
    return profile, health


def save_candidate(
    session: Session, owner: User, candidate: Candidate, row: CandidateRow | None
) -> CandidateRow:
    """Create (`row` None) or replace a profile; `health` goes to its own table."""
    profile, health = _split_health(candidate)
    now = utcnow()
    if row is None:
        row = CandidateRow(
            id=candidate.id,
            owner_id=owner.id,
            profile=profile,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.profile = profile
        row.revision += 1
        row.updated_at = now
    if health is None:
        row.health = None
    elif row.health is None:
        row.health = CandidateHealth(health=health)
    else:
        row.health.health = health
    session.flush()
    return row


def delete_candidate(session: Session, row: CandidateRow) -> int:
    """Erase a profile and its health; its placements stay under the pseudonym only.

    Returns how many placements were kept.
    """
    kept = session.scalar(
        select(func.count()).select_from(PlacementRow).where(PlacementRow.candidate_pk == row.pk)
    )
    session.execute(
        update(PlacementRow).where(PlacementRow.candidate_pk == row.pk).values(candidate_pk=None)
    )
    session.delete(row)
    session.flush()
    return int(kept or 0)


def list_candidates(session: Session, owner: User) -> list[CandidateRow]:
    return list(
        session.scalars(
            select(CandidateRow).where(CandidateRow.owner_id == owner.id).order_by(CandidateRow.id)
        )
    )


def move_caseload(session: Session, source: User, target: User) -> int:
    """Give every profile on `source`'s caseload to `target`; returns how many moved.

    Both must be consultants and `target` active. Ids are unique per
    consultant, so a profile whose id `target` already uses stops the move
    whole (nothing moves) and is named.
    """
    if source.id == target.id:
        raise Unprocessable(f"field 'to_user_id': user {target.id} is the user the caseload is on")
    for user, name in ((source, "user_id"), (target, "to_user_id")):
        if user.role != "consultant":
            raise Unprocessable(
                f"field {name!r}: user {user.id} ({user.name}) has the role {user.role}; "
                "caseloads are moved between users with the role consultant"
            )
    if not target.active:
        raise Unprocessable(
            f"field 'to_user_id': user {target.id} ({target.name}) is revoked; choose an "
            "active consultant"
        )
    clashes = sorted(
        session.scalars(
            select(CandidateRow.id).where(
                CandidateRow.owner_id == target.id,
                CandidateRow.id.in_(
                    select(CandidateRow.id).where(CandidateRow.owner_id == source.id)
                ),
            )
        )
    )
    if clashes:
        raise Conflict(
            f"user {target.id} ({target.name}) already has profiles with the ids "
            f"{', '.join(clashes[:20])}; nothing was moved"
        )
    moved = session.execute(
        update(CandidateRow).where(CandidateRow.owner_id == source.id).values(owner_id=target.id)
    )
    session.flush()
    return int(getattr(moved, "rowcount", 0) or 0)


# ------------------------------------------------------------------ catalogue


def catalogue_revision(session: Session) -> int:
    return int(session.scalar(select(CatalogueState.revision).where(CatalogueState.id == 1)) or 0)


# PostgreSQL channel on which every bump of the catalogue revision is announced at commit.
CATALOGUE_CHANNEL = "ipsmatch_catalogue"


def bump_catalogue(session: Session) -> int:
    """Mark openings or employers as changed; every process refits on its next ranking.

    On PostgreSQL the new revision is also announced on `CATALOGUE_CHANNEL`
    (delivered when the transaction commits, never if it rolls back), so other
    processes update their rankers at once instead of at their next request.
    """
    session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == 1)
        .values(revision=CatalogueState.revision + 1)
    )
    revision = catalogue_revision(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :revision)"),
            {"channel": CATALOGUE_CHANNEL, "revision": str(revision)},
        )
    return revision


def employer_record(employer: Employer) -> dict[str, Any]:
    record = employer.model_dump(mode="json", exclude_unset=True)
    record["name"] = employer.name or employer.id
    return record


def get_employer(session: Session, employer_id: str) -> EmployerRow | None:
    return session.get(EmployerRow, employer_id)


def save_employer(session: Session, employer: Employer) -> tuple[EmployerRow, bool]:
    """Create or replace an employer; returns the row and whether it is new."""
    record = employer_record(employer)
    row = session.get(EmployerRow, employer.id)
    now = utcnow()
    created = row is None
    if row is None:
        row = EmployerRow(
            id=employer.id, name=record["name"], record=record, created_at=now, updated_at=now
        )
        session.add(row)
    else:
        row.name = record["name"]
        row.record = record
        row.updated_at = now
    session.flush()
    return row, created


def delete_employer(session: Session, row: EmployerRow) -> None:
    openings = session.scalar(
        select(func.count()).select_from(OpeningRow).where(OpeningRow.employer_id == row.id)
    )
    if openings:
        raise Conflict(
            f"employer {row.id!r} still has {openings} opening(s); delete or move them first"
        )
    session.delete(row)
    session.flush()


def opening_text_hash(opening: Opening) -> str:
    """Hash of exactly the texts the encoder sees for an opening."""
    texts = [opening_segments(opening), list(opening.requires.skills)]
    return hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()


def opening_record(opening: Opening) -> dict[str, Any]:
    record = opening.model_dump(mode="json", exclude_unset=True)
    # The contract's default, written out so the stored record says whose it is.
    record["employer_name"] = opening.employer_name
    return record


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged_texts: int = 0
    employers_created: list[str] = field(default_factory=list)


def upsert_openings(
    session: Session,
    openings: Sequence[Opening],
    progress: Callable[[int], None] | None = None,
    upload_job: int | None = None,
) -> UpsertCounts:
    """Insert or replace openings by id, creating employers they name that are missing.

    Runs inside the caller's transaction; `progress` is told how many rows are
    written after each chunk. With `upload_job`, the openings are stored as
    that job's to index: left out of rankings until the job marks them
    (`mark_indexed`); without it they are rankable at once (the caller has
    their vectors ready).
    """
    counts = UpsertCounts()
    ids = [o.id for o in openings]
    existing: dict[str, str] = {}
    for part in chunks(ids):
        existing.update(
            session.execute(
                select(OpeningRow.id, OpeningRow.text_hash).where(OpeningRow.id.in_(part))
            ).all()
        )
    names: dict[str, str] = {}
    for opening in openings:
        names.setdefault(opening.employer_id, opening.employer_name or opening.employer_id)
    known: set[str] = set()
    employer_ids = list(names)
    for part in chunks(employer_ids):
        known.update(session.scalars(select(EmployerRow.id).where(EmployerRow.id.in_(part))))
    now = utcnow()
    new_employers = [
        {
            "id": employer_id,
            "name": names[employer_id],
            "record": {"id": employer_id, "name": names[employer_id]},
            "created_at": now,
            "updated_at": now,
        }
        for employer_id in employer_ids
        if employer_id not in known
    ]
    for part in chunks(new_employers):
        # Another upload may create the same employer meanwhile (PostgreSQL runs them side
        # by side); its row is as good as ours.
        session.execute(insert_ignoring_duplicates(session, EmployerRow), list(part))
    counts.employers_created = [str(e["id"]) for e in new_employers]

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for opening in openings:
        text_hash = opening_text_hash(opening)
        values = {
            "id": opening.id,
            "employer_id": opening.employer_id,
            "record": opening_record(opening),
            "text_hash": text_hash,
            "expires": opening.expires,
            "upload_job": upload_job,
            "updated_at": now,
        }
        if opening.id in existing:
            counts.updated += 1
            counts.unchanged_texts += existing[opening.id] == text_hash
            updates.append(values)
        else:
            counts.created += 1
            inserts.append({**values, "created_at": now})
    for part in chunks(inserts):
        session.execute(insert(OpeningRow), list(part))
        if progress is not None:
            progress(len(part))
    for part in chunks(updates):
        # Bulk UPDATE by primary key (SQLAlchemy 2 "executemany" form).
        session.execute(update(OpeningRow), list(part))
        if progress is not None:
            progress(len(part))
    session.flush()
    return counts


def load_openings(session: Session, expired_before: date | None = None) -> list[Opening]:
    """Stored openings, leaving out those that expired before `expired_before` (if given)."""
    return [opening for opening, _ in load_stamped_openings(session, expired_before)]


def _not_expired_before(day: date) -> Any:
    return (OpeningRow.expires.is_(None)) | (OpeningRow.expires >= day)


def _indexed() -> Any:
    """Openings no upload job is still indexing."""
    return OpeningRow.upload_job.is_(None)


def load_stamped_openings(
    session: Session, expired_before: date | None = None, ids: Sequence[str] | None = None
) -> list[tuple[Opening, datetime]]:
    """Stored, indexed openings with when each was last written, optionally only those `ids` name.

    Openings an upload job has not indexed yet are left out: they are not ranked until then.
    """
    query = (
        select(OpeningRow.record, OpeningRow.updated_at).where(_indexed()).order_by(OpeningRow.id)
    )
    if expired_before is not None:
        query = query.where(_not_expired_before(expired_before))
    if ids is None:
        return [(Opening.model_validate(r), at) for r, at in session.execute(query)]
    found: list[tuple[Opening, datetime]] = []
    for part in chunks(ids):
        rows = session.execute(query.where(OpeningRow.id.in_(part)))
        found.extend((Opening.model_validate(r), at) for r, at in rows)
    return found


def written_stamps(
    session: Session,
    table: type[OpeningRow] | type[EmployerRow],
    expired_before: date | None = None,
) -> dict[str, datetime]:
    """Record id → when it was last written: enough to tell what changed since a fit.

    With `expired_before` (openings only), openings expired before that day are left out.
    """
    query = select(table.id, table.updated_at)
    if table is OpeningRow:
        # Openings of an upload still being indexed are not in the catalogue yet.
        query = query.where(_indexed())
    if expired_before is not None:
        if table is not OpeningRow:
            raise ValueError(f"expired_before applies to openings only, not {table.__name__}")
        query = query.where(_not_expired_before(expired_before))
    return {record_id: at for record_id, at in session.execute(query)}


def load_employers(session: Session, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Stored employers' records, optionally only those `ids` name."""
    query = select(EmployerRow.record).order_by(EmployerRow.id)
    if ids is None:
        return list(session.scalars(query))
    found: list[dict[str, Any]] = []
    for part in chunks(ids):
        found.extend(session.scalars(query.where(EmployerRow.id.in_(part))))
    return found


# ----------------------------------------------------------------- placements


class PlacementProblem(Unprocessable):
    """An event the store refuses, naming its field (for a bulk file's problem list)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field {field!r}: {message}")
        self.field = field
        self.message = message


def _employer_of(session: Session, event: PlacementIn) -> str:
    """The event's employer: its opening's, or the one given; checked against the store."""
    employer_id = event.employer_id
    if event.opening_id is not None:
        opening = session.get(OpeningRow, event.opening_id)
        if opening is None and employer_id is None:
            raise PlacementProblem(
                "opening_id",
                f"no opening {event.opening_id!r} in the store; give 'employer_id' as well "
                "to record an event at an opening no longer listed",
            )
        if opening is not None:
            if employer_id is not None and employer_id != opening.employer_id:
                raise PlacementProblem(
                    "employer_id",
                    f"opening {event.opening_id!r} belongs to employer "
                    f"{opening.employer_id!r}, not {employer_id!r}",
                )
            employer_id = opening.employer_id
    if employer_id is None:
        raise PlacementProblem("employer_id", "give 'opening_id', 'employer_id' or both")
    if event.opening_id is None and session.get(EmployerRow, employer_id) is None:
        raise PlacementProblem(
            "employer_id",
            f"no employer {employer_id!r} in the store; a job developer adds employers "
            "(POST /employers)",
        )
    return employer_id


def _check_end(session: Session, candidate: CandidateRow, employer_id: str, day: date) -> None:
    """An ``ended`` event needs a hire at the employer on or before its day, not yet ended.

    The export writes the end on that hire's row (the contract's ``ended``
    column); an end with no hire before it would vanish from the export.
    """
    rows = session.scalars(
        select(PlacementRow)
        .where(
            PlacementRow.candidate_pk == candidate.pk,
            PlacementRow.employer_id == employer_id,
            PlacementRow.stage.in_(("hired", "ended")),
        )
        .order_by(PlacementRow.day, PlacementRow.pk)
    )
    hired_on: date | None = None
    for row in rows:
        if row.day > day:
            break
        hired_on = row.day if row.stage == "hired" else None
    if hired_on is None:
        raise PlacementProblem(
            "date",
            f"{day} is not after a hire at employer {employer_id!r} that has not ended; "
            "record the hire ('hired') first, dated on or before the last day",
        )


def add_placement(
    session: Session,
    user: User,
    candidate: CandidateRow,
    event: PlacementIn,
    pseudonyms: Pseudonymiser,
) -> PlacementRow:
    """Store one event; raises `PlacementProblem` (a 422) naming the field it refuses."""
    employer_id = _employer_of(session, event)
    if event.stage == "ended":
        _check_end(session, candidate, employer_id, event.date)
    row = PlacementRow(
        candidate_pk=candidate.pk,
        candidate_pseudonym=pseudonyms.candidate(candidate.pseudonym_seed),
        opening_id=event.opening_id,
        employer_id=employer_id,
        stage=event.stage,
        day=event.date,
        hours_per_week=event.hours_per_week,
        recorded_by=user.id,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def erased_pseudonyms(session: Session) -> set[str]:
    """Pseudonyms of candidates erased while their events were kept."""
    return set(
        session.scalars(
            select(PlacementRow.candidate_pseudonym)
            .where(PlacementRow.candidate_pk.is_(None))
            .distinct()
        )
    )


def candidate_placements(session: Session, candidate: CandidateRow) -> list[PlacementRow]:
    return list(
        session.scalars(
            select(PlacementRow)
            .where(PlacementRow.candidate_pk == candidate.pk)
            .order_by(PlacementRow.day, PlacementRow.pk)
        )
    )


def placement_counts(session: Session, employer_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Events per employer and stage, over every candidate (figures only, no one named)."""
    wanted = list(employer_ids)
    counts: dict[str, dict[str, int]] = {}
    for part in chunks(wanted):
        rows = session.execute(
            select(PlacementRow.employer_id, PlacementRow.stage, func.count())
            .where(PlacementRow.employer_id.in_(part))
            .group_by(PlacementRow.employer_id, PlacementRow.stage)
        )
        for employer_id, stage, count in rows:
            counts.setdefault(employer_id, {})[stage] = int(count)
    return counts


# -------------------------------------------------------------------- exports


def export_candidates(session: Session, pseudonyms: Pseudonymiser) -> Iterator[str]:
    """Profiles as JSON Lines: contract fields only, ids pseudonymised, no health.

    Unknown fields are left out too: they are where a name or a note would be.
    """
    for seed, profile in session.execute(
        select(CandidateRow.pseudonym_seed, CandidateRow.profile).order_by(CandidateRow.pk)
    ):
        candidate = Candidate.model_validate(profile)
        document = contract_fields(candidate)
        document.pop("health", None)
        document["id"] = pseudonyms.candidate(seed)
        yield json_line(document)


def contract_fields(record: BaseModel) -> dict[str, Any]:
    """`record` as JSON data with only the fields its model names, at every depth.

    Unknown fields are dropped inside nested parts too (a "why" under
    ``hours_per_week``, a "note" inside a past job), and so are empty ones.
    """

    def known(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return {
                name: known(getattr(value, name))
                for name in type(value).model_fields
                if getattr(value, name) is not None
            }
        if isinstance(value, list | tuple):
            return [known(item) for item in value]
        return to_jsonable_python(value)

    document: dict[str, Any] = known(record)
    return document


def json_line(value: Any) -> str:
    """One JSON Lines line; U+2028 and U+2029 escaped, as readers may split lines there."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def export_openings(session: Session) -> Iterator[str]:
    """Every stored opening as JSON Lines, as it was uploaded (unknown fields kept)."""
    for record in session.scalars(select(OpeningRow.record).order_by(OpeningRow.id)):
        yield json_line(record)


def export_placements(session: Session) -> str:
    """The placement history in the contract's CSV, candidates by pseudonym.

    An ``ended`` event closes the candidate's latest earlier ``hired`` row at
    the same employer (the contract puts the last day on the hired row).
    """
    rows = session.scalars(select(PlacementRow).order_by(PlacementRow.day, PlacementRow.pk))
    out: list[dict[str, Any]] = []
    open_hires: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row.candidate_pseudonym, row.employer_id)
        if row.stage == "ended":
            hired = open_hires.pop(key, None)
            if hired is not None:
                hired["ended"] = row.day.isoformat()
            continue
        item = {
            "candidate_id": row.candidate_pseudonym,
            "opening_id": row.opening_id or "",
            "employer_id": row.employer_id,
            "stage": row.stage,
            "date": row.day.isoformat(),
            "ended": "",
            "hours_per_week": "" if row.hours_per_week is None else f"{row.hours_per_week:g}",
        }
        if row.stage == "hired":
            open_hires[key] = item
        out.append(item)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PLACEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in item.items()} for item in out)
    return buffer.getvalue()


# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """`value` safe to open in a spreadsheet: a leading formula character is quoted with '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
