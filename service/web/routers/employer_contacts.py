"""The employer page: the relationship over time and a form to record a contact.

For consultants and job developers, through the API's own functions
(`service.routers.employer_contacts`): the same consent-to-disclosure and
own-caseload checks, and their messages shown on the page when they refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from matcher.vocabularies import CHANNELS, OUTCOMES
from service import store
from service.deps import ServicesDep
from service.routers import employer_contacts as api
from service.schemas import EmployerContactIn
from service.store import StoreError
from service.web.forms import FormProblem, problems_of
from service.web.pages import RecorderPage, RecorderPost, render
from service.web.sessions import SignedIn

router = APIRouter(prefix="/web/employers", include_in_schema=False)


def _page(
    request: Request,
    current: SignedIn,
    services: ServicesDep,
    employer_id: str,
    entered: dict[str, Any] | None = None,
    problems: list[FormProblem] | None = None,
    status_code: int = 200,
    saved: bool = False,
) -> HTMLResponse:
    with services.database.reader() as session:
        relationship = api.employer_relationship(employer_id, current.user, session, services)
        employer = store.get_employer(session, employer_id)
        name = employer.name if employer is not None else employer_id
        caseload = (
            [row.id for row in store.list_candidates(session, current.user)]
            if current.user.role == "consultant"
            else []
        )
    return render(
        request,
        "employers/contacts.html",
        {
            "relationship": relationship,
            "employer_name": name,
            "caseload": caseload,
            "channels": CHANNELS,
            "outcomes": OUTCOMES,
            "entered": entered or {"date": services.engine.today().isoformat()},
            "problems": problems or [],
            "saved": saved,
        },
        current,
        status_code=status_code,
    )


@router.get("/{employer_id}/contacts", response_class=HTMLResponse)
def relationship(
    request: Request,
    employer_id: str,
    current: RecorderPage,
    services: ServicesDep,
    saved: bool = False,
) -> HTMLResponse:
    return _page(request, current, services, employer_id, saved=saved)


@router.post("/{employer_id}/contacts")
def record(
    request: Request,
    employer_id: str,
    current: RecorderPost,
    services: ServicesDep,
    day: Annotated[str, Form(alias="date")] = "",
    channel: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    candidate_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    entered = {
        "date": day,
        "channel": channel,
        "outcome": outcome,
        "candidate_id": candidate_id,
        "note": note,
    }
    try:
        event = EmployerContactIn.model_validate(
            {
                "employer_id": employer_id,
                "date": date.fromisoformat(day) if day else None,
                "channel": channel,
                "outcome": outcome,
                "candidate_id": candidate_id or None,
                "note": note or None,
            }
        )
    except ValueError as error:
        # A pydantic ValidationError is a ValueError; a bad ISO date is a plain one.
        problems = (
            problems_of(error)
            if isinstance(error, ValidationError)
            else [FormProblem("date", f"{day!r} is not a date (YYYY-MM-DD)")]
        )
        return _page(request, current, services, employer_id, entered, problems, 422)
    try:
        with services.database.writer() as session:
            api.record_contact(event, current.user, session, services)
    except StoreError as error:
        problems = [FormProblem("candidate_id", str(error))]
        return _page(request, current, services, employer_id, entered, problems, error.status)
    except HTTPException as error:
        problems = [FormProblem("candidate_id", str(error.detail))]
        return _page(request, current, services, employer_id, entered, problems, error.status_code)
    return RedirectResponse(f"/web/employers/{employer_id}/contacts?saved=1", status_code=303)
