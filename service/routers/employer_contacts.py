"""``/employer-contacts`` and ``/employers/{id}/contacts``: job development with employers.

Consultants and job developers record each contact with an employer: when,
how, what the employer said, and for which candidate if any. A contact for a
candidate needs the person's consent to disclosure (else 409) and is theirs
to name only for their own consultant; colleagues see that it was for
someone, not for whom. The note is for colleagues and is never exported.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from service import employer_contacts as contacts
from service import store
from service.deps import ReadSession, ServicesDep, WriteSession, require
from service.models import EmployerContactRow, User
from service.routers.candidates import owned
from service.schemas import EmployerContactIn, EmployerContactOut, EmployerRelationship, RowId

router = APIRouter(tags=["employer contacts"])

Recorder = Annotated[User, Depends(require("consultant", "job_developer"))]


def _out(view: contacts.ContactView) -> EmployerContactOut:
    row = view.row
    return EmployerContactOut(
        id=row.pk,
        employer_id=row.employer_id,
        date=row.day,
        channel=row.channel,  # type: ignore[arg-type]
        outcome=row.outcome,  # type: ignore[arg-type]
        recorded_by=view.recorded_by,
        for_candidate=row.candidate_pseudonym is not None,
        candidate_id=view.candidate_id,
        in_wanted_field=row.in_wanted_field,
        note=row.note,
        recorded_at=row.recorded_at,
    )


@router.post(
    "/employer-contacts",
    status_code=status.HTTP_201_CREATED,
    summary="Record a contact with an employer (consultant or job developer)",
    responses={
        status.HTTP_409_CONFLICT: {"description": "The candidate has not consented to disclosure"}
    },
)
def record_contact(
    event: EmployerContactIn, user: Recorder, session: WriteSession, services: ServicesDep
) -> EmployerContactOut:
    candidate = None
    if event.candidate_id is not None:
        if user.role != "consultant":
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "field 'candidate_id': only the person's own consultant may record a contact "
                "for them; record it without 'candidate_id'",
            )
        candidate = owned(session, user, event.candidate_id)
    row = contacts.add_contact(session, user, event, candidate, services.pseudonyms)
    store.audit(
        session,
        user,
        "employer_contact.add",
        row.candidate_pseudonym,
        employer_id=row.employer_id,
        outcome=row.outcome,
    )
    session.commit()
    return _out(contacts.ContactView(row, user.name, event.candidate_id))


@router.get("/employer-contacts", summary="The contacts you recorded, newest first")
def list_own_contacts(user: Recorder, session: ReadSession) -> list[EmployerContactOut]:
    return [_out(view) for view in contacts.own_contacts(session, user)]


@router.get(
    "/employers/{employer_id}/contacts",
    summary="The relationship with an employer over time (consultant or job developer)",
)
def employer_relationship(
    employer_id: str, user: Recorder, session: ReadSession, services: ServicesDep
) -> EmployerRelationship:
    employer = store.get_employer(session, employer_id)
    if employer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no employer {employer_id!r}")
    views = contacts.employer_contacts(session, employer_id, user)
    by_outcome = Counter(view.row.outcome for view in views)
    by_month = Counter(view.row.day.strftime("%Y-%m") for view in views)
    limit = employer.record.get("contact_limit_per_week")
    return EmployerRelationship(
        employer_id=employer_id,
        contacts=[_out(view) for view in views],
        by_outcome=dict(sorted(by_outcome.items())),
        by_month=dict(sorted(by_month.items())),
        contact_limit_per_week=int(limit) if limit else None,
        contacts_this_week=contacts.contacts_in_week(session, employer_id, services.engine.today()),
    )


@router.delete("/employer-contacts/{contact_id}", summary="Remove a contact you recorded")
def delete_contact(contact_id: RowId, user: Recorder, session: WriteSession) -> dict[str, str]:
    row = session.get(EmployerContactRow, contact_id)
    if row is None or row.user_id != user.id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no employer contact {contact_id} recorded by you"
        )
    store.audit(session, user, "employer_contact.delete", row.candidate_pseudonym)
    session.delete(row)
    session.commit()
    return {"detail": f"employer contact {contact_id} removed"}
