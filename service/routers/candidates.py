"""``/candidates``: career profiles, each on one consultant's caseload.

Only the consultant who owns a profile sees it; to anyone else with the
consultant role it does not exist (404), so ids on other caseloads never
leak. ``health`` is returned to that consultant only and is stored apart.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.orm import Session

from matcher.records import Candidate
from service import store
from service.deps import Consultant, ReadSession, ServicesDep, WriteSession
from service.models import CandidateRow, User
from service.routers.shapes import answer_created, as_added, as_replaced, as_stored, check_path_id
from service.schemas import CandidateSummary

router = APIRouter(prefix="/candidates", tags=["candidates"])


def not_on_caseload(candidate_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, f"no candidate {candidate_id!r} on your caseload"
    )


def owned(session: Session, user: User, candidate_id: str) -> CandidateRow:
    """The caller's own candidate, or 404 whether or not someone else has that id."""
    row = store.own_candidate(session, user, candidate_id)
    if row is None:
        raise not_on_caseload(candidate_id)
    return row


@router.get("", summary="The profiles on your caseload (without health)")
def list_candidates(user: Consultant, session: ReadSession) -> list[CandidateSummary]:
    return [
        CandidateSummary(
            id=row.id,
            desired=list(row.profile["preferences"]["desired"]),
            disclosure=row.profile.get("disclosure", "no"),
            updated_at=row.updated_at,
        )
        for row in store.list_candidates(session, user)
    ]


@router.post("", **as_added(Candidate, "Add a profile to your caseload"))
def create_candidate(
    candidate: Candidate, user: Consultant, session: WriteSession, services: ServicesDep
) -> dict[str, Any]:
    services.engine.check_places([candidate])
    if store.own_candidate(session, user, candidate.id) is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"candidate {candidate.id!r} is on your caseload already; PUT "
            f"/candidates/{candidate.id} replaces it",
        )
    row = store.save_candidate(session, user, candidate, None)
    store.audit(
        session, user, "candidate.create", services.pseudonyms.candidate(row.pseudonym_seed)
    )
    session.commit()
    return store.candidate_document(row, with_health=True)


@router.get(
    "/{candidate_id}",
    **as_stored(Candidate, "One profile of your caseload, health included (audited)"),
)
def get_candidate(
    candidate_id: str, user: Consultant, session: ReadSession, services: ServicesDep
) -> dict[str, Any]:
    row = owned(session, user, candidate_id)
    document = store.candidate_document(row, with_health=True)
    if "health" in document:
        # Who read a health note, and when: in the log before the answer is sent.
        services.audit.write(
            user.id, "candidate.read_health", services.pseudonyms.candidate(row.pseudonym_seed)
        )
    return document


@router.put(
    "/{candidate_id}",
    **as_replaced(Candidate, "Replace a profile of your caseload (or add it under this id)"),
)
def replace_candidate(
    candidate_id: str,
    candidate: Candidate,
    user: Consultant,
    session: WriteSession,
    services: ServicesDep,
    response: Response,
) -> dict[str, Any]:
    check_path_id(candidate.id, candidate_id)
    services.engine.check_places([candidate])
    row = store.own_candidate(session, user, candidate_id)
    created = row is None
    row = store.save_candidate(session, user, candidate, row)
    action = "candidate.create" if created else "candidate.update"
    store.audit(session, user, action, services.pseudonyms.candidate(row.pseudonym_seed))
    session.commit()
    answer_created(response, created)
    return store.candidate_document(row, with_health=True)


@router.delete(
    "/{candidate_id}",
    summary="Erase a profile and its health; its placements stay under a pseudonym only",
)
def delete_candidate(
    candidate_id: str, user: Consultant, session: WriteSession, services: ServicesDep
) -> dict[str, Any]:
    row = owned(session, user, candidate_id)
    pseudonym = services.pseudonyms.candidate(row.pseudonym_seed)
    kept = store.delete_candidate(session, row)
    store.audit(session, user, "candidate.delete", pseudonym, placements_kept=kept)
    session.commit()
    services.database.checkpoint()  # the erased health must not stay in the WAL
    return {
        "detail": f"candidate {candidate_id!r} and its health field are erased; "
        f"{kept} placement event(s) remain under pseudonym {pseudonym}",
        "pseudonym": pseudonym,
        "placements_kept": kept,
    }
