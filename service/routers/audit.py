"""``/audit``: the audit log, for admins. Entries name candidates by pseudonym only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import Select, select

from service.deps import Admin, ReadSession
from service.models import AuditEntry
from service.schemas import AuditOut

router = APIRouter(prefix="/audit", tags=["audit"])


def audit_query(
    action: str | None = None,
    candidate_pseudonym: str | None = None,
    user_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 100,
) -> Select[AuditEntry]:
    """Latest entries first, filtered; `since` and `until` are whole days (UTC), both kept."""
    query = select(AuditEntry).order_by(AuditEntry.pk.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if candidate_pseudonym is not None:
        query = query.where(AuditEntry.candidate_pseudonym == candidate_pseudonym)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, UTC))
    if until is not None:
        query = query.where(
            AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    return query


def audit_out(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        id=entry.pk,
        at=entry.at,
        user_id=entry.user_id,
        action=entry.action,
        candidate_pseudonym=entry.candidate_pseudonym,
        detail=entry.detail,
    )


@router.get("", summary="Latest audit entries first (admin)")
def audit_log(
    _: Admin,
    session: ReadSession,
    action: Annotated[str | None, Query(description="Only this action.")] = None,
    candidate_pseudonym: Annotated[str | None, Query()] = None,
    user_id: Annotated[int | None, Query(description="Only this user's.")] = None,
    since: Annotated[date | None, Query(description="From this day on (UTC).")] = None,
    until: Annotated[date | None, Query(description="Up to and including this day (UTC).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    query = audit_query(action, candidate_pseudonym, user_id, since, until, limit)
    return [audit_out(e) for e in session.scalars(query)]
