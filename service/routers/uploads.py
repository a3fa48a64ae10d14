"""``/uploads``: how far the background indexing of an uploaded file has come.

An upload (``POST /openings/bulk``) is answered at once with its id; its
openings are rankable as each chunk is indexed. The job developer who
uploaded a file and admins may follow it; to anyone else it does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from service.deps import CurrentUser, ReadSession
from service.models import UploadJob
from service.schemas import UploadProgress
from service.upload_jobs import list_uploads, upload_progress

router = APIRouter(prefix="/uploads", tags=["uploads"])

READERS = ("job_developer", "admin")


def _forbidden_role(role: str) -> HTTPException:
    return HTTPException(
        status.HTTP_403_FORBIDDEN,
        f"this needs the role job_developer or admin; your token is for the role {role}",
    )


@router.get("", summary="Your latest uploads, newest first (job developer; admins see all)")
def get_uploads(
    user: CurrentUser,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[UploadProgress]:
    if user.role not in READERS:
        raise _forbidden_role(user.role)
    return list_uploads(session, None if user.role == "admin" else user, limit)


@router.get(
    "/{upload_id}",
    summary="Progress of one upload: counts, rate, expected finish, errors "
    "(its uploader and admins)",
)
def get_upload(upload_id: int, user: CurrentUser, session: ReadSession) -> UploadProgress:
    if user.role not in READERS:
        raise _forbidden_role(user.role)
    owner = session.get(UploadJob, upload_id)
    if owner is None or (user.role != "admin" and owner.uploaded_by != user.id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no upload {upload_id}")
    return upload_progress(session, upload_id)
