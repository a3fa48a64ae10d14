"""``/employers``: employers job developers keep; every role may read them.

An employer's ``industry`` and ``description`` say what it does; suggested
employers match them against a person's wishes even with nothing posted.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import select

from service import store
from service.deps import CurrentUser, JobDeveloper, ReadSession, Services, ServicesDep
from service.models import EmployerRow, User
from service.routers.shapes import (
    answer_created,
    as_added,
    as_replaced,
    as_stored,
    check_path_id,
    not_found,
)
from service.schemas import Employer, Offset

router = APIRouter(prefix="/employers", tags=["employers"])


@router.get(
    "", response_model=list[Employer], response_model_exclude_unset=True, summary="Employers"
)
def list_employers(
    _: CurrentUser,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    query = select(EmployerRow.record).order_by(EmployerRow.id).limit(limit).offset(offset)
    return list(session.scalars(query))


@router.get("/{employer_id}", **as_stored(Employer, "One employer"))
def get_employer(employer_id: str, _: CurrentUser, session: ReadSession) -> dict[str, Any]:
    row = store.get_employer(session, employer_id)
    if row is None:
        raise not_found("employer", employer_id)
    return row.record


def _save(
    services: Services, user: User, employer: Employer, only_new: bool
) -> tuple[dict[str, Any], bool]:
    services.engine.check_places([employer])
    with services.database.writer() as session:
        if only_new and store.get_employer(session, employer.id) is not None:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"employer {employer.id!r} exists already; PUT /employers/{employer.id} "
                "replaces it",
            )
        row, created = store.save_employer(session, employer)
        # An employer's description feeds suggested employers: the catalogue has changed.
        store.bump_catalogue(session)
        action = "employer.create" if created else "employer.update"
        store.audit(session, user, action, employer_id=employer.id)
        session.commit()
        record = row.record
    return record, created


@router.post("", **as_added(Employer, "Add an employer (job developer)"))
def create_employer(
    employer: Employer, user: JobDeveloper, services: ServicesDep
) -> dict[str, Any]:
    record, _ = _save(services, user, employer, only_new=True)
    return record


@router.put(
    "/{employer_id}",
    **as_replaced(Employer, "Replace an employer (or add it under this id) (job developer)"),
)
def replace_employer(
    employer_id: str,
    employer: Employer,
    user: JobDeveloper,
    services: ServicesDep,
    response: Response,
) -> dict[str, Any]:
    check_path_id(employer.id, employer_id)
    record, created = _save(services, user, employer, only_new=False)
    answer_created(response, created)
    return record


@router.delete("/{employer_id}", summary="Remove an employer without openings (job developer)")
def delete_employer(employer_id: str, user: JobDeveloper, services: ServicesDep) -> dict[str, str]:
    with services.database.writer() as session:
        row = store.get_employer(session, employer_id)
        if row is None:
            raise not_found("employer", employer_id)
        store.delete_employer(session, row)
        store.bump_catalogue(session)
        store.audit(session, user, "employer.delete", employer_id=employer_id)
        session.commit()
    return {"detail": f"employer {employer_id!r} removed"}
