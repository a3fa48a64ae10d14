"""Job developer pages for openings: list with search, filters and paging; create, edit,
withdraw; upload a file with every problem shown by line and field.

Writes go through the API's own functions (`service.routers.openings`), so an
opening saved here is encoded, stored, audit-logged and rankable exactly as
one sent to the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import or_, select

from matcher.errors import RecordValidationError
from matcher.records import KINDS, SCHEDULES, Opening
from service.deps import Services, ServicesDep
from service.models import EmployerRow, OpeningRow
from service.routers import openings as api
from service.uploads import MAX_ROWS, UploadError
from service.web.forms import FormProblem, problems_of, read_form
from service.web.pages import JobDeveloperPage, JobDeveloperPost, render

router = APIRouter(prefix="/web/openings", include_in_schema=False)

PAGE_SIZE = 25
LIST_FIELDS = ("schedule",)


def _matches(record: dict[str, Any], q: str, place: str, kind: str) -> bool:
    if kind and record.get("kind", "job") != kind:
        return False
    if place and not str((record.get("location") or {}).get("postcode", "")).startswith(place):
        return False
    if q:
        text = " ".join(str(record.get(f, "")) for f in ("id", "title", "description"))
        return q.lower() in text.lower()
    return True


@router.get("", response_class=HTMLResponse)
def list_openings(
    request: Request,
    current: JobDeveloperPage,
    services: ServicesDep,
    q: str = "",
    employer: str = "",
    place: str = "",
    kind: str = "",
    expired: str = "open",
    page: int = 1,
    saved: str = "",
) -> HTMLResponse:
    today = services.engine.today()
    query = select(OpeningRow.record).order_by(OpeningRow.id)
    if employer:
        query = query.where(OpeningRow.employer_id == employer)
    if expired == "open":
        query = query.where(or_(OpeningRow.expires.is_(None), OpeningRow.expires >= today))
    elif expired == "expired":
        query = query.where(OpeningRow.expires < today)
    with services.database.reader() as session:
        records = [r for r in session.scalars(query) if _matches(r, q.strip(), place.strip(), kind)]
        employers = list(session.execute(select(EmployerRow.id, EmployerRow.name)).all())
    page = max(page, 1)
    pages = max((len(records) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    shown = [Opening.model_validate(r) for r in records[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    filters = {"q": q, "employer": employer, "place": place, "kind": kind, "expired": expired}
    return render(
        request,
        "openings/list.html",
        {
            "openings": shown,
            "total": len(records),
            "page": page,
            "pages": pages,
            "filters": filters,
            "employers": sorted(employers, key=lambda e: e[1].lower()),
            "kinds": KINDS,
            "saved": saved,
            "today": today,
        },
        current,
    )


def _values(opening: dict[str, Any] | None) -> dict[str, Any]:
    record = opening or {}
    hours = record.get("hours_per_week") or {}
    location = record.get("location") or {}
    requires = record.get("requires") or {}
    return {
        "id": record.get("id", ""),
        "employer_id": record.get("employer_id", ""),
        "employer_name": record.get("employer_name", ""),
        "title": record.get("title", ""),
        "description": record.get("description", ""),
        "occupation": record.get("occupation", "") or "",
        "industry": record.get("industry", "") or "",
        "kind": record.get("kind", "job"),
        "hours_min": hours.get("min", ""),
        "hours_max": hours.get("max", ""),
        "schedule": list(record.get("schedule") or []),
        "postcode": location.get("postcode", ""),
        "lat": location.get("lat", ""),
        "lon": location.get("lon", ""),
        "skills": "\n".join(requires.get("skills", [])),
        "languages": "\n".join(requires.get("languages", [])),
        "driving_licence": bool(requires.get("driving_licence")),
        "posted": record.get("posted", "") or "",
        "expires": record.get("expires", "") or "",
    }


def _opening(values: dict[str, Any], stored: dict[str, Any] | None) -> Opening:
    def blank(name: str) -> Any:
        value = str(values.get(name, "")).strip()
        return value or None

    def lines(name: str) -> list[str]:
        return [line.strip() for line in str(values.get(name, "")).splitlines() if line.strip()]

    known = set(_values(None)) | {"hours_per_week", "location", "requires"}
    record: dict[str, Any] = {k: v for k, v in (stored or {}).items() if k not in known}
    record.update(
        id=blank("id"),
        employer_id=blank("employer_id"),
        title=blank("title"),
        description=str(values.get("description", "")),
        kind=values.get("kind") or "job",
        requires={
            "skills": lines("skills"),
            "languages": lines("languages"),
            "driving_licence": values.get("driving_licence") == "yes",
        },
    )
    for name in ("employer_name", "occupation", "industry", "posted", "expires"):
        if blank(name) is not None:
            record[name] = blank(name)
    hours = {"min": blank("hours_min"), "max": blank("hours_max")}
    if any(hours.values()):
        record["hours_per_week"] = {k: v.replace(",", ".") for k, v in hours.items() if v}
    schedule = [s for s in values.get("schedule", []) if s in SCHEDULES]
    if schedule:
        record["schedule"] = schedule
    location = {k: blank(k) for k in ("postcode", "lat", "lon")}
    if any(location.values()):
        record["location"] = {k: v for k, v in location.items() if v is not None}
    return Opening.model_validate(record)


def _editor(
    request: Request,
    current: Any,
    values: dict[str, Any],
    opening_id: str | None,
    problems: list[FormProblem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "openings/edit.html",
        {
            "values": values,
            "opening_id": opening_id,
            "problems": problems or [],
            "kinds": KINDS,
            "schedules": SCHEDULES,
        },
        current,
        status_code=status_code,
    )


@router.get("/new", response_class=HTMLResponse)
def new_opening(request: Request, current: JobDeveloperPage) -> HTMLResponse:
    return _editor(request, current, _values(None), None)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, current: JobDeveloperPage) -> HTMLResponse:
    return render(request, "openings/upload.html", {"max_rows": MAX_ROWS}, current)


@router.post("/upload")
def upload(
    request: Request,
    current: JobDeveloperPost,
    services: ServicesDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    filename = file.filename or "upload"
    context: dict[str, Any] = {"max_rows": MAX_ROWS, "filename": filename}
    try:
        context["result"] = api.bulk_upload(file, current.user, services, Response())
    except RecordValidationError as error:
        context["problems"] = error.problems
        return render(request, "openings/upload.html", context, current, status_code=422)
    except (UploadError, HTTPException) as error:
        code = error.status if isinstance(error, UploadError) else error.status_code
        context["failure"] = str(error) if isinstance(error, UploadError) else error.detail
        return render(request, "openings/upload.html", context, current, status_code=code)
    return render(request, "openings/upload.html", context, current)


@router.post("/new")
async def create_opening(
    request: Request, current: JobDeveloperPost, services: ServicesDep
) -> Response:
    values = await read_form(request, LIST_FIELDS)
    try:
        opening = _opening(values, None)
    except ValidationError as error:
        return _editor(request, current, values, None, problems_of(error), 422)
    try:
        api.create_opening(opening, current.user, services)
    except HTTPException as error:
        problems = [FormProblem("id", str(error.detail))]
        return _editor(request, current, values, None, problems, error.status_code)
    return RedirectResponse(f"/web/openings?saved={opening.id}", status_code=303)


def _stored(services: Services, opening_id: str) -> dict[str, Any]:
    with services.database.reader() as session:
        row = session.get(OpeningRow, opening_id)
        if row is None:
            raise HTTPException(404, f"no opening {opening_id!r}")
        return dict(row.record)


@router.get("/{opening_id}", response_class=HTMLResponse)
def edit_opening(
    request: Request, opening_id: str, current: JobDeveloperPage, services: ServicesDep
) -> HTMLResponse:
    return _editor(request, current, _values(_stored(services, opening_id)), opening_id)


@router.post("/{opening_id}")
async def save_opening(
    request: Request, opening_id: str, current: JobDeveloperPost, services: ServicesDep
) -> Response:
    values = await read_form(request, LIST_FIELDS)
    values["id"] = opening_id
    stored = _stored(services, opening_id)
    try:
        opening = _opening(values, stored)
    except ValidationError as error:
        return _editor(request, current, values, opening_id, problems_of(error), 422)
    api.replace_opening(opening_id, opening, current.user, services, Response())
    return RedirectResponse(f"/web/openings?saved={opening_id}", status_code=303)


@router.post("/{opening_id}/withdraw")
def withdraw_opening(
    opening_id: str,
    current: JobDeveloperPost,
    services: ServicesDep,
) -> Response:
    api.delete_opening(opening_id, current.user, services)
    return RedirectResponse("/web/openings?saved=withdrawn", status_code=303)
