"""Server-side sessions of the web pages.

A browser signs in with an API token; it then holds a random session key in
an HttpOnly, SameSite=Strict cookie. Only the key's hash is stored, with the
user, an expiry and the session's anti-forgery token. Signing out deletes
the row; a revoked user's sessions stop working at their next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.models import CandidateRow, CatalogueState, User, WebSession
from service.security import hash_token
from service.store import CaseloadEntry


@dataclass(frozen=True)
class SignedIn:
    """The user of a live session and the token its forms must carry."""

    user: User
    csrf_token: str
    expires_at: datetime


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back without a zone; the store writes UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def start(session: Session, user: User, lifetime: timedelta) -> tuple[str, SignedIn]:
    """A new session for `user`: the cookie's key (shown once) and what it signs in."""
    key = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = WebSession(
        key_hash=hash_token(key),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
    )
    # Expired sessions are swept when a new one starts: no timer needed.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(row)
    session.flush()
    return key, SignedIn(user, row.csrf_token, row.expires_at)


def find(session: Session, key: str) -> SignedIn | None:
    """The live session of cookie key `key`: unexpired and of an active user (else None)."""
    found = session.execute(
        select(WebSession, User)
        .join(User, WebSession.user_id == User.id)
        .where(WebSession.key_hash == hash_token(key))
    ).first()
    if found is None:
        return None
    row, user = found
    expires_at = _aware(row.expires_at)
    if expires_at <= datetime.now(UTC) or not user.active:
        return None
    session.expunge(user)
    return SignedIn(user, row.csrf_token, expires_at)


def find_with_candidate(
    session: Session, key: str, candidate_id: str
) -> tuple[SignedIn | None, CaseloadEntry | None, int]:
    """The live session of `key`, its user's candidate `candidate_id` and the catalogue revision.

    One statement for the suggestions page, as `store.caller_and_candidate` is
    for the API: the candidate is None unless it is on the user's own caseload.
    """
    revision = select(CatalogueState.revision).where(CatalogueState.id == 1).scalar_subquery()
    found = session.execute(
        select(
            WebSession,
            User,
            CandidateRow.pk,
            CandidateRow.revision,
            CandidateRow.profile,
            CandidateRow.pseudonym_seed,
            revision.label("catalogue_revision"),
        )
        .join(User, WebSession.user_id == User.id)
        .outerjoin(
            CandidateRow, (CandidateRow.owner_id == User.id) & (CandidateRow.id == candidate_id)
        )
        .where(WebSession.key_hash == hash_token(key))
    ).first()
    if found is None:
        return None, None, 0
    row, user, pk, profile_revision, profile, seed, catalogue_revision = found
    if _aware(row.expires_at) <= datetime.now(UTC) or not user.active:
        return None, None, 0
    session.expunge(user)
    entry = None
    if pk is not None:
        entry = CaseloadEntry(pk, candidate_id, profile_revision, profile, seed)
    signed_in = SignedIn(user, row.csrf_token, _aware(row.expires_at))
    return signed_in, entry, int(catalogue_revision or 0)


def end(session: Session, key: str) -> bool:
    """Delete the session of cookie key `key`; True if there was one."""
    result = session.execute(delete(WebSession).where(WebSession.key_hash == hash_token(key)))
    return bool(getattr(result, "rowcount", 0))


def csrf_matches(expected: str, given: str | None) -> bool:
    return given is not None and secrets.compare_digest(expected.encode(), given.encode())
