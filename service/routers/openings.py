"""``/openings``: the catalogue. Job developers write it; every role may read it.

A write of single openings follows this order: validate, make sure each
text has a vector (encoding outside any transaction), write in one
transaction that also bumps the catalogue revision, then refit the ranker
before answering, so an acknowledged opening is rankable at once. A file
(``/openings/bulk``) is validated and stored whole, then answered at once;
its openings are encoded and indexed in the background
(`service.upload_jobs`) and rankable chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Response, UploadFile, status
from sqlalchemy import select

from matcher.records import Opening
from service import store
from service.deps import CurrentUser, JobDeveloper, ReadSession, Services, ServicesDep
from service.models import OpeningRow, User
from service.routers.shapes import answer_created, as_stored, check_path_id, not_found
from service.schemas import Offset, UploadAccepted, UploadResult
from service.upload_jobs import store_upload
from service.uploads import MAX_ROWS, read_openings_upload, read_upload

router = APIRouter(prefix="/openings", tags=["openings"])


def _write(
    services: Services,
    user: User,
    openings: Sequence[Opening],
    action: str,
    only_new: bool = False,
    **detail: Any,
) -> UploadResult:
    services.engine.check_places(openings, source=detail.get("file"))
    encoded = services.engine.prepare(openings)
    with services.database.writer() as session:
        if only_new and session.get(OpeningRow, openings[0].id) is not None:
            raise _exists(openings[0].id)
        counts = store.upsert_openings(session, openings)
        revision = store.bump_catalogue(session)
        store.audit(
            session,
            user,
            action,
            openings=len(openings),
            created=counts.created,
            updated=counts.updated,
            **detail,
        )
        session.commit()
    services.engine.current()
    return UploadResult(
        received=len(openings),
        created=counts.created,
        updated=counts.updated,
        unchanged_texts=counts.unchanged_texts,
        employers_created=counts.employers_created,
        texts_encoded=encoded,
        catalogue_revision=revision,
    )


def _exists(opening_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT,
        f"opening {opening_id!r} exists already; PUT /openings/{opening_id} replaces it",
    )


@router.get("", summary="Openings, by id (any role)")
def list_openings(
    _: CurrentUser,
    session: ReadSession,
    employer_id: Annotated[str | None, Query(description="Only this employer's.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> list[Opening]:
    query = select(OpeningRow.record).order_by(OpeningRow.id).limit(limit).offset(offset)
    if employer_id is not None:
        query = query.where(OpeningRow.employer_id == employer_id)
    return [Opening.model_validate(r) for r in session.scalars(query)]


@router.get("/{opening_id}", **as_stored(Opening, "One opening (any role)"))
def get_opening(opening_id: str, _: CurrentUser, session: ReadSession) -> dict[str, Any]:
    row = session.get(OpeningRow, opening_id)
    if row is None:
        raise not_found("opening", opening_id)
    return row.record


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add one opening; its employer is created if new (job developer)",
)
def create_opening(opening: Opening, user: JobDeveloper, services: ServicesDep) -> UploadResult:
    return _write(services, user, [opening], "opening.create", only_new=True, opening_id=opening.id)


@router.put(
    "/{opening_id}",
    summary="Replace one opening (or add it under this id) (job developer)",
    responses={201: {"description": "Added"}},
)
def replace_opening(
    opening_id: str,
    opening: Opening,
    user: JobDeveloper,
    services: ServicesDep,
    response: Response,
) -> UploadResult:
    check_path_id(opening.id, opening_id)
    result = _write(services, user, [opening], "opening.put", opening_id=opening.id)
    answer_created(response, result.created > 0)
    return result


@router.delete("/{opening_id}", summary="Remove one opening (job developer)")
def delete_opening(opening_id: str, user: JobDeveloper, services: ServicesDep) -> dict[str, str]:
    with services.database.writer() as session:
        row = session.get(OpeningRow, opening_id)
        if row is None:
            raise not_found("opening", opening_id)
        session.delete(row)
        store.bump_catalogue(session)
        store.audit(session, user, "opening.delete", opening_id=opening_id)
        session.commit()
    services.engine.current()
    return {"detail": f"opening {opening_id!r} removed"}


@router.post(
    "/bulk",
    status_code=status.HTTP_202_ACCEPTED,
    summary=f"Upload a JSON Lines or CSV file of up to {MAX_ROWS:,} openings (job developer)",
    description="Upsert by id, all or nothing: the file is validated whole first; one bad "
    "row rejects it with every problem listed by line and field, and nothing is stored. "
    "A valid file is written in one transaction and answered at once (202) with the id of "
    "its upload job; its openings are then encoded and indexed in the background, a chunk "
    "at a time. **An opening stored but not yet indexed is not in rankings yet** (an "
    "updated opening leaves them until its new version is indexed); follow the job at "
    "`GET /uploads/{id}`. CSV columns name nested fields with dots "
    "(`hours_per_week.min`, `location.postcode`, `requires.skills`) and separate list items "
    "with `;`.",
)
def bulk_upload(
    file: Annotated[UploadFile, File(description="openings.jsonl or openings.csv")],
    user: JobDeveloper,
    services: ServicesDep,
    response: Response,
) -> UploadAccepted:
    # The request guard stops a larger body before it is read; the same limit here.
    data, filename = read_upload(file, services.settings.max_upload_bytes)
    openings = read_openings_upload(data, filename)
    # Checked whole before anything is stored, as every other problem of the file.
    services.engine.check_places(openings, source=filename)
    with services.database.writer() as session:
        job, counts = store_upload(session, user, filename, openings)
        revision = store.catalogue_revision(session)
        store.audit(
            session,
            user,
            "openings.bulk",
            file=filename,
            upload_id=job.id,
            openings=len(openings),
            created=counts.created,
            updated=counts.updated,
        )
        session.commit()
    services.uploads.enqueue(job.id)
    progress = f"/uploads/{job.id}"
    response.headers["Location"] = progress
    return UploadAccepted(
        upload_id=job.id,
        status=job.status,
        progress=progress,
        received=len(openings),
        created=counts.created,
        updated=counts.updated,
        employers_created=counts.employers_created,
        catalogue_revision=revision,
    )
