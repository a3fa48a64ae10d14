"""Job developer pages for employers: list and edit, through the API's own functions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select

from service import store
from service.deps import Services, ServicesDep
from service.models import EmployerRow, OpeningRow
from service.routers import employers as api
from service.schemas import Employer
from service.web.forms import FormProblem, problems_of
from service.web.pages import JobDeveloperPage, JobDeveloperPost, render

router = APIRouter(prefix="/web/employers", include_in_schema=False)

PAGE_SIZE = 50


@router.get("", response_class=HTMLResponse)
def list_employers(
    request: Request,
    current: JobDeveloperPage,
    services: ServicesDep,
    q: str = "",
    page: int = 1,
    saved: str = "",
) -> HTMLResponse:
    page = max(page, 1)
    query = select(EmployerRow).order_by(EmployerRow.name, EmployerRow.id)
    if q.strip():
        needle = f"%{q.strip().lower()}%"
        query = query.where(
            func.lower(EmployerRow.name).like(needle) | func.lower(EmployerRow.id).like(needle)
        )
    with services.database.reader() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
        counts = dict(
            session.execute(
                select(OpeningRow.employer_id, func.count())
                .where(OpeningRow.employer_id.in_([r.id for r in rows]))
                .group_by(OpeningRow.employer_id)
            ).all()
        )
    return render(
        request,
        "employers/list.html",
        {
            "employers": rows,
            "counts": counts,
            "q": q,
            "page": page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "total": total,
            "saved": saved,
        },
        current,
    )


def _editor(
    request: Request,
    current: Any,
    record: dict[str, Any],
    problems: list[FormProblem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "employers/edit.html",
        {"employer": record, "problems": problems or []},
        current,
        status_code=status_code,
    )


def _stored(services: Services, employer_id: str) -> dict[str, Any]:
    with services.database.reader() as session:
        row = store.get_employer(session, employer_id)
        if row is None:
            raise HTTPException(404, f"no employer {employer_id!r}")
        return dict(row.record)


@router.get("/{employer_id}", response_class=HTMLResponse)
def edit_employer(
    request: Request, employer_id: str, current: JobDeveloperPage, services: ServicesDep
) -> HTMLResponse:
    return _editor(request, current, _stored(services, employer_id))


@router.post("/{employer_id}")
def save_employer(
    request: Request,
    employer_id: str,
    current: JobDeveloperPost,
    services: ServicesDep,
    name: Annotated[str, Form()] = "",
    industry: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    postcode: Annotated[str, Form()] = "",
) -> Response:
    record = _stored(services, employer_id)
    record.update(id=employer_id, name=name.strip() or None)
    for field, value in (("industry", industry), ("description", description)):
        record[field] = value.strip() or None
    location = dict(record.get("location") or {})
    if postcode.strip():
        location["postcode"] = postcode.strip()
    else:
        location.pop("postcode", None)
    record["location"] = location or None
    try:
        employer = Employer.model_validate(record)
    except ValidationError as error:
        return _editor(request, current, record, problems_of(error), 422)
    api.replace_employer(employer_id, employer, current.user, services, Response())
    return RedirectResponse(f"/web/employers?saved={employer_id}", status_code=303)
