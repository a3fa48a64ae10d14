"""Consultant pages: caseload, profile editor, suggestions, suggested employers, timeline.

Every read and write goes through the API's own functions (`service.routers`)
with the signed-in consultant, so a page can do nothing the API forbids: a
candidate on another caseload is "not found" here too, and a ranking comes
from the same engine call, audit-logged the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.geo import haversine_km
from matcher.records import KINDS, SCHEDULES, Candidate, Opening, RankedOpening
from service import store
from service.deps import Services, ServicesDep
from service.models import CandidateRow, EmployerRow, OpeningRow, PlacementRow, User
from service.routers import candidates, placements, recommendations
from service.schemas import PlacementIn
from service.store import StoreError
from service.web import sessions
from service.web.forms import FormProblem, read_form
from service.web.pages import (
    SESSION_COOKIE,
    ConsultantPage,
    ConsultantPost,
    SignInRequired,
    render,
    role,
)
from service.web.profiles import STATUSES, form_values, profile_from_form

router = APIRouter(prefix="/web", include_in_schema=False)

STAGES_FROM_SUGGESTION = ("contacted", "interview", "hired")
LIST_FIELDS = ("schedule", "kinds")


@dataclass(frozen=True)
class CaseloadRow:
    id: str
    desired: list[str]
    status: str
    last_activity: datetime | date


@dataclass(frozen=True)
class Suggestion:
    result: RankedOpening
    opening: Opening | None
    employer_name: str
    distance_km: float | None


def _owned(session: Session, user: User, candidate_id: str) -> CandidateRow:
    return candidates.owned(session, user, candidate_id)


def _entry(row: CandidateRow) -> store.CaseloadEntry:
    return store.CaseloadEntry(row.pk, row.id, row.revision, dict(row.profile), row.pseudonym_seed)


def _status(profile: dict[str, Any], last_job_event: str | None) -> str:
    if last_job_event == "hired":
        return "in_work"
    return "paused" if profile.get("status") == "paused" else "searching"


@router.get("/caseload", response_class=HTMLResponse)
def caseload(
    request: Request,
    current: ConsultantPage,
    services: ServicesDep,
    q: str = "",
    status: str = "",
) -> HTMLResponse:
    with services.database.reader() as session:
        rows = store.list_candidates(session, current.user)
        pks = [row.pk for row in rows]
        last_event: dict[int, datetime] = {}
        job_event: dict[int, str] = {}
        if pks:
            for pk, at in session.execute(
                select(PlacementRow.candidate_pk, func.max(PlacementRow.recorded_at))
                .where(PlacementRow.candidate_pk.in_(pks))
                .group_by(PlacementRow.candidate_pk)
            ):
                if pk is not None:
                    last_event[pk] = at
            for pk, stage in session.execute(
                select(PlacementRow.candidate_pk, PlacementRow.stage)
                .where(
                    PlacementRow.candidate_pk.in_(pks),
                    PlacementRow.stage.in_(("hired", "ended")),
                )
                .order_by(PlacementRow.day, PlacementRow.pk)
            ):
                if pk is not None:
                    job_event[pk] = stage  # the latest wins
    entries = []
    needle = q.strip().lower()
    for row in rows:
        desired = list(row.profile["preferences"]["desired"])
        state = _status(row.profile, job_event.get(row.pk))
        if status and state != status:
            continue
        if needle and needle not in " ".join([row.id, *desired]).lower():
            continue
        moments = [row.updated_at, *([last_event[row.pk]] if row.pk in last_event else [])]
        latest = max(moments, key=lambda m: m.replace(tzinfo=None))
        entries.append(CaseloadRow(row.id, desired, state, latest))
    return render(
        request,
        "consultant/caseload.html",
        {"entries": entries, "q": q, "status": status, "total": len(rows)},
        current,
    )


def _editor(
    request: Request,
    current: Any,
    values: dict[str, Any],
    problems: Sequence[FormProblem] = (),
    candidate_id: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "consultant/profile.html",
        {
            "values": values,
            "problems": problems,
            "candidate_id": candidate_id,
            "schedules": SCHEDULES,
            "kinds": KINDS,
            "statuses": STATUSES,
        },
        current,
        status_code=status_code,
    )


@router.get("/candidates/new", response_class=HTMLResponse)
def new_profile(request: Request, current: ConsultantPage) -> HTMLResponse:
    return _editor(request, current, form_values(None))


@router.post("/candidates/new")
async def create_profile(
    request: Request, current: ConsultantPost, services: ServicesDep
) -> Response:
    values = await read_form(request, LIST_FIELDS)
    candidate, problems = profile_from_form(values, None)
    if candidate is None:
        return _editor(request, current, values, problems, status_code=422)
    try:
        with services.database.writer() as session:
            candidates.create_candidate(candidate, current.user, session, services)
    except HTTPException as error:
        problems = [FormProblem("id", str(error.detail))]
        return _editor(request, current, values, problems, status_code=error.status_code)
    return RedirectResponse(f"/web/candidates/{candidate.id}?saved=1", status_code=303)


@router.get("/candidates/{candidate_id}", response_class=HTMLResponse)
def candidate_page(
    request: Request,
    candidate_id: str,
    current: ConsultantPage,
    services: ServicesDep,
    saved: bool = False,
    recorded: str = "",
) -> HTMLResponse:
    with services.database.reader() as session:
        row = _owned(session, current.user, candidate_id)
        document = store.candidate_document(row, with_health=True)
        events = store.candidate_placements(session, row)
        titles = _titles(session, [e.opening_id for e in events if e.opening_id])
        employers = _employer_names(session, [e.employer_id for e in events])
    return render(
        request,
        "consultant/candidate.html",
        {
            "candidate": document,
            "candidate_id": candidate_id,
            "events": events,
            "titles": titles,
            "employers": employers,
            "saved": saved,
            "recorded": recorded,
        },
        current,
    )


@router.get("/candidates/{candidate_id}/edit", response_class=HTMLResponse)
def edit_profile(
    request: Request, candidate_id: str, current: ConsultantPage, services: ServicesDep
) -> HTMLResponse:
    with services.database.reader() as session:
        row = _owned(session, current.user, candidate_id)
        document = store.candidate_document(row, with_health=True)
    return _editor(request, current, form_values(document), candidate_id=candidate_id)


@router.post("/candidates/{candidate_id}/edit")
async def save_profile(
    request: Request, candidate_id: str, current: ConsultantPost, services: ServicesDep
) -> Response:
    values = await read_form(request, LIST_FIELDS)
    values["id"] = candidate_id
    with services.database.reader() as session:
        stored = dict(_owned(session, current.user, candidate_id).profile)
    candidate, problems = profile_from_form(values, stored)
    if candidate is None:
        return _editor(request, current, values, problems, candidate_id, status_code=422)
    with services.database.writer() as session:
        candidates.replace_candidate(
            candidate_id, candidate, current.user, session, services, Response()
        )
    return RedirectResponse(f"/web/candidates/{candidate_id}?saved=1", status_code=303)


def _titles(session: Session, opening_ids: Sequence[str]) -> dict[str, str]:
    if not opening_ids:
        return {}
    rows = session.execute(
        select(OpeningRow.id, OpeningRow.record).where(OpeningRow.id.in_(set(opening_ids)))
    )
    return {opening_id: str(record.get("title", opening_id)) for opening_id, record in rows}


def _employer_names(session: Session, employer_ids: Sequence[str]) -> dict[str, str]:
    if not employer_ids:
        return {}
    rows = session.execute(
        select(EmployerRow.id, EmployerRow.name).where(EmployerRow.id.in_(set(employer_ids)))
    )
    return dict(rows.all())


def _point(services: Services, located: Candidate | Opening) -> tuple[float, float] | None:
    location = located.location
    if location is None:
        return None
    if location.lat is not None and location.lon is not None:
        return location.lat, location.lon
    postcodes = services.engine.postcodes
    if location.postcode and postcodes is not None and location.postcode in postcodes:
        return postcodes[location.postcode]
    return None


def _distance(home: tuple[float, float] | None, there: tuple[float, float] | None) -> float | None:
    if home is None or there is None:
        return None
    return float(haversine_km(home[0], home[1], np.array([there[0]]), np.array([there[1]]))[0])


def _suggestions(
    services: Services,
    candidate: Candidate,
    results: Sequence[RankedOpening],
    openings: Mapping[str, Opening],
) -> list[Suggestion]:
    """The ranked openings with what the page shows of each, from the ranked catalogue."""
    home = _point(services, candidate)
    suggestions = []
    for result in results:
        opening = openings.get(result.opening_id)
        name = (opening.employer_name if opening else None) or result.employer_id
        distance = _distance(home, _point(services, opening)) if opening else None
        suggestions.append(Suggestion(result, opening, name, distance))
    return suggestions


@router.get("/candidates/{candidate_id}/suggestions", response_class=HTMLResponse)
def suggestions_page(
    request: Request,
    candidate_id: str,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HTMLResponse:
    # The hot page: session, role, candidate and catalogue revision in one read, as the
    # API's recommendations route reads its caller and candidate.
    with services.database.reader() as session:
        current, entry, revision = sessions.find_with_candidate(
            session, request.cookies.get(SESSION_COOKIE, ""), candidate_id
        )
    if current is None:
        raise SignInRequired(request.url.path)
    current = role("consultant")(current)
    if entry is None:
        raise candidates.not_on_caseload(candidate_id)
    candidate = entry.candidate()
    ranking = recommendations.recommend_for(
        services, current.user, entry, revision, k, services.engine.today()
    )
    # The openings the ranking was made from, already in memory: no second read.
    openings = services.engine.current(revision).openings
    found = _suggestions(services, candidate, ranking.results, openings)
    return render(
        request,
        "consultant/suggestions.html",
        {
            "candidate_id": candidate_id,
            "candidate": candidate,
            "fitting": [s for s in found if not s.result.violations],
            "breaking": [s for s in found if s.result.violations],
            "k": k,
            "stages": STAGES_FROM_SUGGESTION,
            "day": services.engine.today().isoformat(),
        },
        current,
    )


@router.get("/candidates/{candidate_id}/employers", response_class=HTMLResponse)
def employers_page(
    request: Request,
    candidate_id: str,
    current: ConsultantPage,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> HTMLResponse:
    with services.database.reader() as session:
        entry = _entry(_owned(session, current.user, candidate_id))
    results = recommendations.suggest_employers_for(
        services, current.user, entry, k, services.engine.today()
    )
    return render(
        request,
        "consultant/employers.html",
        {"candidate_id": candidate_id, "candidate": entry.candidate(), "results": results, "k": k},
        current,
    )


@router.post("/candidates/{candidate_id}/events")
def record_event(
    request: Request,
    candidate_id: str,
    current: ConsultantPost,
    services: ServicesDep,
    stage: Annotated[str, Form()],
    opening_id: Annotated[str, Form()] = "",
    employer_id: Annotated[str, Form()] = "",
    day: Annotated[str, Form(alias="date")] = "",
) -> Response:
    try:
        event = PlacementIn(
            candidate_id=candidate_id,
            opening_id=opening_id or None,
            employer_id=employer_id or None,
            stage=stage,  # type: ignore[arg-type]
            date=day or services.engine.today(),  # type: ignore[arg-type]
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise HTTPException(422, f"the event was not recorded: {problems}") from error
    try:
        with services.database.writer() as session:
            placements.record_placement(event, current.user, session, services)
    except StoreError as error:
        raise HTTPException(error.status, str(error)) from error
    return RedirectResponse(
        f"/web/candidates/{candidate_id}?recorded={stage}#timeline", status_code=303
    )
