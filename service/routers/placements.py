"""``/placements``: what happened, recorded by the consultant of the candidate.

Stages are ``contacted``, ``interview``, ``hired`` and ``ended`` (the last
day of a job). Each event also carries the candidate's pseudonym, so the
history outlives a deleted profile without naming anyone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, UploadFile, status
from sqlalchemy import select

from matcher.errors import FieldProblem, RecordValidationError
from service import store
from service.deps import Consultant, ReadSession, ServicesDep, WriteSession
from service.models import CandidateRow, PlacementRow
from service.routers.candidates import owned
from service.schemas import PlacementIn, PlacementOut, PlacementUploadResult, RowId
from service.uploads import MAX_ROWS, read_placements_upload, read_upload

# Bytes read from an upload before it is refused; far above 50,000 events.
MAX_UPLOAD_BYTES = 16 * 1024 * 1024

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


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    summary=f"Load a placement history CSV of up to {MAX_ROWS:,} events (consultant)",
    description="The contract's CSV (`candidate_id,opening_id,employer_id,stage,date,ended,"
    "hours_per_week`), all or nothing: every row is checked first, by the same rules as "
    "`POST /placements` and `ipsmatch evaluate`, and one bad row rejects the file with every "
    "problem listed by line and field. Each row must name a candidate on your caseload. A "
    "row's `ended` is stored as an `ended` event of that hire.",
)
def bulk_placements(
    file: Annotated[UploadFile, File(description="placements.csv")],
    user: Consultant,
    session: WriteSession,
    services: ServicesDep,
) -> PlacementUploadResult:
    data, filename = read_upload(file, MAX_UPLOAD_BYTES)
    events = read_placements_upload(data, filename)
    problems: list[FieldProblem] = []
    stored = 0
    candidates: set[str] = set()
    for line, event in events:
        candidate = store.own_candidate(session, user, event.candidate_id)
        if candidate is None:
            problems.append(
                FieldProblem(
                    line, None, "candidate_id", f"{event.candidate_id!r} is not on your caseload"
                )
            )
            continue
        try:
            store.add_placement(session, user, candidate, event, services.pseudonyms)
        except store.PlacementProblem as problem:
            problems.append(FieldProblem(line, None, problem.field, problem.message))
            continue
        stored += 1
        candidates.add(candidate.id)
    if problems:
        session.rollback()
        raise RecordValidationError(sorted(problems, key=lambda p: p.line or 0), source=filename)
    store.audit(session, user, "placement.bulk", file=filename, events=stored)
    session.commit()
    return PlacementUploadResult(
        received=len({line for line, _ in events}), stored=stored, candidates=len(candidates)
    )


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
