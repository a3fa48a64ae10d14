"""``/audit``: the audit log, for admins. Entries name candidates by pseudonym only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from service.deps import Admin, ReadSession
from service.models import AuditEntry
from service.schemas import AuditOut

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="Latest audit entries first (admin)")
def audit_log(
    _: Admin,
    session: ReadSession,
    action: Annotated[str | None, Query(description="Only this action.")] = None,
    candidate_pseudonym: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    query = select(AuditEntry).order_by(AuditEntry.pk.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if candidate_pseudonym is not None:
        query = query.where(AuditEntry.candidate_pseudonym == candidate_pseudonym)
    return [
        AuditOut(
            id=e.pk,
            at=e.at,
            user_id=e.user_id,
            action=e.action,
            candidate_pseudonym=e.candidate_pseudonym,
            detail=e.detail,
        )
        for e in session.scalars(query)
    ]
