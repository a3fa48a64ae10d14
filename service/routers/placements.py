"""``/placements``: what happened, recorded by the consultant of the candidate.

Stages are ``contacted``, ``interview``, ``hired`` and ``ended`` (the last
day of a job). Each event also carries the candidate's pseudonym, so the
history outlives a deleted profile without naming anyone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from service import store
from service.deps import Consultant, ReadSession, ServicesDep, WriteSession
from service.models import CandidateRow, PlacementRow
from service.routers.candidates import owned
from service.schemas import PlacementIn, PlacementOut, RowId

router = APIRouter(prefix="/placements", tags=["placements"])


def _out(row: PlacementRow, candidate_id: str) -> PlacementOut:
    return PlacementOut(
        id=row.pk,
        candidate_id=candidate_id,
        opening_id=row.opening_id,
        employer_id=row.employer_id,
        stage=row.stage,  # type: ignore[arg-type]
        date=row.day,
        hours_per_week=row.hours_per_week,
        recorded_at=row.recorded_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record an event for one of your candidates",
)
def record_placement(
    event: PlacementIn, user: Consultant, session: WriteSession, services: ServicesDep
) -> PlacementOut:
    candidate = owned(session, user, event.candidate_id)
    row = store.add_placement(session, user, candidate, event, services.pseudonyms)
    store.audit(
        session,
        user,
        "placement.add",
        row.candidate_pseudonym,
        stage=row.stage,
        employer_id=row.employer_id,
        opening_id=row.opening_id,
    )
    session.commit()
    return _out(row, candidate.id)


@router.get("", summary="Events of your caseload, or of one candidate on it")
def list_placements(
    user: Consultant,
    session: ReadSession,
    candidate_id: Annotated[str | None, Query(description="Only this candidate's.")] = None,
) -> list[PlacementOut]:
    if candidate_id is not None:
        candidate = owned(session, user, candidate_id)
        return [_out(r, candidate.id) for r in store.candidate_placements(session, candidate)]
    rows = session.execute(
        select(PlacementRow, CandidateRow.id)
        .join(CandidateRow, PlacementRow.candidate_pk == CandidateRow.pk)
        .where(CandidateRow.owner_id == user.id)
        .order_by(PlacementRow.day, PlacementRow.pk)
    )
    return [_out(row, candidate) for row, candidate in rows]


@router.delete("/{placement_id}", summary="Remove an event recorded by mistake")
def delete_placement(
    placement_id: RowId, user: Consultant, session: WriteSession
) -> dict[str, str]:
    row = session.get(PlacementRow, placement_id)
    candidate = session.get(CandidateRow, row.candidate_pk) if row and row.candidate_pk else None
    if row is None or candidate is None or candidate.owner_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event {placement_id} on your caseload")
    store.audit(session, user, "placement.delete", row.candidate_pseudonym, stage=row.stage)
    session.delete(row)
    session.commit()
    return {"detail": f"event {placement_id} removed"}
