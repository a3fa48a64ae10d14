"""Signing in and out of the pages, and the language switch.

The sign-in form posts an API token; a matching active user gets a new
server-side session (`service.web.sessions`). The form itself carries a
one-off anti-forgery value that must equal a cookie set with the form
(double submit), so another site cannot sign a browser in either.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service import store
from service.deps import ServicesDep
from service.security import token_matches
from service.web import sessions
from service.web.i18n import LOCALES
from service.web.pages import (
    LANGUAGE_COOKIE,
    ROLE_HOME,
    SESSION_COOKIE,
    csrf_checked,
    render,
    session_of,
)
from service.web.sessions import SignedIn

router = APIRouter(prefix="/web", include_in_schema=False)

SIGN_IN_COOKIE = "ipsmatch_sign_in"


def _safe_next(next_url: str | None) -> str | None:
    # Only paths of this site: an open redirect would make a phishing link look like ours.
    if next_url and next_url.startswith("/web/") and not next_url.startswith("//"):
        return next_url
    return None


def _sign_in_page(
    request: Request, next_url: str | None, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    form_token = secrets.token_urlsafe(24)
    response = render(
        request,
        "sign_in.html",
        {"next_url": _safe_next(next_url) or "", "form_token": form_token, "error": error},
        status_code=status_code,
    )
    response.set_cookie(
        SIGN_IN_COOKIE, form_token, httponly=True, samesite="strict", path="/web/sign-in"
    )
    return response


@router.get("", response_class=RedirectResponse)
@router.get("/", response_class=RedirectResponse)
def home(request: Request) -> RedirectResponse:
    found = session_of(request)
    if found is not None:
        return RedirectResponse(ROLE_HOME[found.user.role], status_code=303)
    return RedirectResponse("/web/sign-in", status_code=303)


@router.get("/sign-in")
def sign_in_form(
    request: Request, next: str | None = None, signed_out: bool = False
) -> HTMLResponse:
    return _sign_in_page(request, next, "signed-out" if signed_out else None)


@router.post("/sign-in")
def sign_in(
    request: Request,
    services: ServicesDep,
    token: Annotated[str, Form()] = "",
    form_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not sessions.csrf_matches(request.cookies.get(SIGN_IN_COOKIE, ""), form_token or None):
        return _sign_in_page(request, next, "expired-form", status_code=403)
    token = token.strip()
    with services.database.writer() as session:
        user = store.user_for_token(session, token) if token else None
        if user is None or not user.active or not token_matches(token, user.token_hash):
            return _sign_in_page(request, next, "unknown-token", status_code=401)
        lifetime = timedelta(minutes=services.settings.session_minutes)
        key, started = sessions.start(session, user, lifetime)
        store.audit(session, user, "web.sign_in")
        session.commit()
    response = RedirectResponse(_safe_next(next) or ROLE_HOME[user.role], status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        key,
        max_age=int(lifetime.total_seconds()),
        expires=started.expires_at,
        httponly=True,
        samesite="strict",
        secure=services.settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/web/sign-in")
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    services: ServicesDep,
    current: Annotated[SignedIn, Depends(csrf_checked)],
) -> Response:
    key = request.cookies.get(SESSION_COOKIE, "")
    with services.database.writer() as session:
        sessions.end(session, key)
        store.audit(session, current.user, "web.sign_out")
        session.commit()
    response = RedirectResponse("/web/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language/{language}")
def choose_language(request: Request, language: str, next: str | None = None) -> Response:
    response = RedirectResponse(_safe_next(next) or "/web/", status_code=303)
    if language in LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="strict", path="/"
        )
    return response
