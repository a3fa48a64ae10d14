"""Admin pages: users (add, new token shown once, revoke, move a caseload) and the audit log.

Each action calls the API's own function (`service.routers.users`, `.audit`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service.deps import ServicesDep
from service.models import ROLES, AuditEntry, CandidateRow, User
from service.routers import audit as audit_api
from service.routers import users as api
from service.schemas import CaseloadMove, UserCreate
from service.store import StoreError
from service.web.pages import AdminPage, AdminPost, SignedIn, render

router = APIRouter(prefix="/web", include_in_schema=False)


def _users_page(
    request: Request,
    current: SignedIn,
    services: Any,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with services.database.reader() as session:
        users = list(session.scalars(select(User).order_by(User.id)))
        caseloads = dict(
            session.execute(
                select(CandidateRow.owner_id, func.count()).group_by(CandidateRow.owner_id)
            ).all()
        )
    full = {"users": users, "caseloads": caseloads, "roles": ROLES, **(context or {})}
    return render(request, "admin/users.html", full, current, status_code=status_code)


@router.get("/users", response_class=HTMLResponse)
def users(
    request: Request, current: AdminPage, services: ServicesDep, done: str = ""
) -> HTMLResponse:
    return _users_page(request, current, services, {"done": done})


@router.post("/users")
def add_user(
    request: Request,
    current: AdminPost,
    services: ServicesDep,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> Response:
    try:
        body = UserCreate(name=name, role=role)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in error.errors())
        return _users_page(request, current, services, {"failure": problems}, 422)
    try:
        with services.database.writer() as session:
            made = api.add_user(body, current.user, session, services)
    except IntegrityError:  # the store keeps names unique
        failure = f"field 'name': {name!r} is taken; choose another name"
        return _users_page(request, current, services, {"failure": failure}, 409)
    return _users_page(request, current, services, {"issued": made})


@router.post("/users/{user_id}/token")
def new_token(
    request: Request, user_id: int, current: AdminPost, services: ServicesDep
) -> Response:
    with services.database.writer() as session:
        issued = api.new_token(user_id, current.user, session, services)
    return _users_page(request, current, services, {"issued": issued})


@router.post("/users/{user_id}/revoke")
def revoke(user_id: int, current: AdminPost, services: ServicesDep) -> Response:
    with services.database.writer() as session:
        api.deactivate(user_id, current.user, session)
    return RedirectResponse("/web/users?done=revoked", status_code=303)


@router.post("/users/{user_id}/caseload")
def move_caseload(
    request: Request,
    user_id: int,
    current: AdminPost,
    services: ServicesDep,
    to_user_id: Annotated[int, Form()],
) -> Response:
    try:
        with services.database.writer() as session:
            moved = api.move_caseload(
                user_id, CaseloadMove(to_user_id=to_user_id), current.user, session
            )
    except StoreError as error:
        return _users_page(request, current, services, {"failure": str(error)}, error.status)
    return _users_page(request, current, services, {"moved": moved})


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    current: AdminPage,
    services: ServicesDep,
    user_id: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    try:
        query = audit_api.audit_query(
            action=action or None,
            user_id=int(user_id) if user_id else None,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
            limit=200,
        )
    except ValueError as error:
        raise HTTPException(422, f"a filter of the audit log is not valid: {error}") from error
    with services.database.reader() as session:
        entries = [audit_api.audit_out(e) for e in session.scalars(query)]
        actions = sorted(session.scalars(select(AuditEntry.action).distinct()))
        names = dict(session.execute(select(User.id, User.name)).all())
    return render(
        request,
        "admin/audit.html",
        {
            "entries": entries,
            "actions": actions,
            "names": names,
            "filters": {"user_id": user_id, "action": action, "since": since, "until": until},
        },
        current,
    )
