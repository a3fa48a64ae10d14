"""The service's tables (SQLAlchemy 2 declarative); Alembic migrations create them.

Personal data is kept apart from what may travel: a candidate's ``health``
lives in its own table, readable only through its owner, and everything that
outlives a candidate (placements, the audit log) refers to a keyed
pseudonym, so deleting a candidate leaves no identifiable history.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# JSONB on PostgreSQL (compact, indexable), JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")

ROLES: tuple[str, ...] = ("consultant", "job_developer", "analyst", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_pseudonym_seed() -> str:
    return "s:" + secrets.token_hex(16)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # Only a hash: a stolen database must not yield working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None: the token works until it is replaced or the user revoked.
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The consultants' team, for IPS figures by team; none for users outside a team.
    team: Mapped[str | None] = mapped_column(String(100), default=None)


class CandidateRow(Base):
    """A career profile on one consultant's caseload.

    ``id`` is the consultant's own identifier and unique per consultant only,
    so that creating a profile never reveals whether another caseload uses
    the same id.
    """

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("owner_id", "id", name="uq_candidates_owner_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # What the pseudonym is derived from: random, never reused (unlike `pk`, which SQLite
    # hands out again after a delete). Without the key (a file outside the store) it
    # links nothing. Nullable in the schema only: SQLite cannot add a NOT NULL column
    # without rebuilding the table (migration 0003); every row has one.
    pseudonym_seed: Mapped[str] = mapped_column(
        String(64), default=new_pseudonym_seed, index=True, unique=True, nullable=True
    )
    # The contract record (unknown fields kept) without `health`.
    profile: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # Bumped on every change; part of the key under which rankings are cached.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    health: Mapped[CandidateHealth | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )


class CandidateHealth(Base):
    """The `health` field of a profile, kept apart and never read by ranking."""

    __tablename__ = "candidate_health"

    candidate_pk: Mapped[int] = mapped_column(
        ForeignKey("candidates.pk", ondelete="CASCADE"), primary_key=True
    )
    health: Mapped[Any] = mapped_column(JsonType)


class EmployerRow(Base):
    __tablename__ = "employers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    # The whole employer record, unknown fields kept.
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OpeningRow(Base):
    __tablename__ = "openings"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    employer_id: Mapped[str] = mapped_column(ForeignKey("employers.id"), index=True)
    # The contract record, unknown fields kept.
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # Of the texts the encoder sees: tells a changed text (to re-encode) from a changed field.
    text_hash: Mapped[str] = mapped_column(String(64))
    # Copied out of the record so the catalogue can leave long-expired openings out in SQL.
    expires: Mapped[date | None] = mapped_column(Date, index=True)
    # The upload whose background job has not indexed this opening yet: stored, readable,
    # but not ranked until the job clears it (together with its progress mark).
    upload_job: Mapped[int | None] = mapped_column(ForeignKey("upload_jobs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UploadJob(Base):
    """A file of openings, stored whole, whose openings are encoded and indexed in the background.

    The job's progress is kept here, in the same transactions that mark its
    openings indexed, so a worker killed at any moment resumes where the last
    committed chunk ended.
    """

    __tablename__ = "upload_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    # "queued", "running", "done" or "failed".
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    employers_created: Mapped[int] = mapped_column(Integer, default=0)
    # Openings indexed (rankable), and openings the encoder failed on (listed in `errors`).
    indexed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    texts_encoded: Mapped[int] = mapped_column(Integer, default=0)
    # The last opening id a committed chunk reached: chunks go in id order.
    cursor: Mapped[str | None] = mapped_column(String(200))
    # [{"opening_id": ..., "message": ...}] or [{"message": ...}] for the job as a whole.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the job last made progress (each committed chunk).
    progressed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Seconds the workers spent on committed chunks: the rate is indexed / busy_seconds.
    busy_seconds: Mapped[float] = mapped_column(Float, default=0.0)


class PlacementRow(Base):
    """One event of a person's job search: contacted, interview, hired or ended."""

    __tablename__ = "placements"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Cleared when the candidate is deleted; the pseudonym keeps the history usable.
    candidate_pk: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.pk", ondelete="SET NULL"), index=True
    )
    candidate_pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    # Plain text, not keys: history outlives deleted openings and employers.
    opening_id: Mapped[str | None] = mapped_column(String(200))
    employer_id: Mapped[str] = mapped_column(String(200), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    # "day", not "date": the attribute must not shadow the type in this class body.
    day: Mapped[date] = mapped_column("date", Date)
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what, when, to whom (by pseudonym). Never holds health data.

    Append-only: triggers refuse UPDATE and DELETE (migration 0003).
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    candidate_pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # The chain (`service.auditlog`): the previous entry's hash, and this entry's over
    # its content and that. Entries from before the chain have neither.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class CatalogueState(Base):
    """One row whose revision grows with every change to openings or employers.

    A process compares it with the revision its rankers were fitted on, so
    every process of a shared PostgreSQL store sees another's uploads.
    """

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)


class TextVector(Base):
    """Encoded texts by `EmbeddingCache.key` (model, role, text): a restart re-encodes nothing."""

    __tablename__ = "text_vectors"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Secret(Base):
    """Keys the service makes for itself (the pseudonym key), made once at first start."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class EvaluationRow(Base):
    """An offline evaluation an analyst asked for, run on the store's pseudonymised data.

    What it keeps is what the analyst may read: metrics over pseudonymised
    queries and the HTML report, never a profile or a health note.
    """

    __tablename__ = "evaluations"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "running", "done" or "failed".
    status: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JsonType)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    report: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class EmployerContactRow(Base):
    """A consultant's or job developer's contact with an employer, for a candidate or not.

    Plain-text employer id, as placements: the relationship outlives a removed
    employer. A contact for a candidate carries their pseudonym, so it stays
    usable (never identifying) after the profile is erased. The note is for
    colleagues only: never exported, never in figures.
    """

    __tablename__ = "employer_contacts"
    __table_args__ = (Index("ix_employer_contacts_employer_date", "employer_id", "date"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column("date", Date, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    candidate_pk: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.pk", ondelete="SET NULL"), index=True
    )
    candidate_pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    # Whether the employer is in a field the person wants (IPS fidelity); None if unknown.
    in_wanted_field: Mapped[bool | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertRow(Base):
    """A new or changed opening that fits a person on a consultant's caseload well.

    One row per person and opening, ever: an alert is shown once, and a
    hidden opening never alerts again for that person.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("candidate_pk", "opening_id", name="uq_alerts_candidate"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    candidate_pk: Mapped[int] = mapped_column(
        ForeignKey("candidates.pk", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    preference_fit: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JsonType)
    # "new", "dismissed" (seen, done with) or "hidden" (never this opening for this person).
    status: Mapped[str] = mapped_column(String(20), default="new")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertScan(Base):
    """Up to when a candidate's alerts were looked for: openings written later are new."""

    __tablename__ = "alert_scans"

    candidate_pk: Mapped[int] = mapped_column(
        ForeignKey("candidates.pk", ondelete="CASCADE"), primary_key=True
    )
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser: the cookie holds a random key, only its hash is stored.

    Signing out deletes the row, so a copied cookie stops working at once;
    each session has its own anti-forgery (CSRF) token for the forms it posts.
    """

    __tablename__ = "web_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
