"""What every page router shares: templates, the signed-in user, anti-forgery checks.

A page is rendered with the language of the browser's ``lang`` cookie
(Danish unless it says ``en``), the signed-in user and role, and the
session's CSRF token for its forms. Pages that need a role redirect a
signed-out browser to the sign-in page and refuse another role (403).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.guard import SESSION_COOKIE
from service.web import sessions
from service.web.i18n import LANGUAGE_NAMES, Formats, chosen_language, translations
from service.web.labels import labels
from service.web.reasons import reason_words
from service.web.sessions import SignedIn

LANGUAGE_COOKIE = "ipsmatch_lang"
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Where each role starts after signing in.
ROLE_HOME = {
    "consultant": "/web/caseload",
    "job_developer": "/web/openings",
    "analyst": "/web/evaluations",
    "admin": "/web/users",
}


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


templates = Jinja2Templates(env=_environment())


class SignInRequired(Exception):
    """A page that needs a session was asked for without one; the browser goes to sign in."""

    def __init__(self, next_url: str) -> None:
        super().__init__(f"sign in to open {next_url}")
        self.next_url = next_url


def language_of(request: Request) -> str:
    return chosen_language(request.cookies.get(LANGUAGE_COOKIE))


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    signed_in: SignedIn | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    catalogue = translations(language)
    full: dict[str, Any] = {
        "_": catalogue.gettext,
        "gettext": catalogue.gettext,
        "ngettext": catalogue.ngettext,
        "language": language,
        "languages": LANGUAGE_NAMES,
        "fmt": Formats(language),
        "signed_in": signed_in,
        "labels": labels(language),
        "reasons": reason_words(language),
        "csrf_token": signed_in.csrf_token if signed_in else "",
        "path": request.url.path,
    }
    full.update(context or {})
    response = templates.TemplateResponse(request, name, full, status_code=status_code)
    # Pages show personal data: no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


def session_of(request: Request) -> SignedIn | None:
    """The browser's live session, if it has one."""
    key = request.cookies.get(SESSION_COOKIE)
    if not key or not hasattr(request.app.state, "services"):
        return None
    with request.app.state.services.database.reader() as session:
        return sessions.find(session, key)


def signed_in(request: Request) -> SignedIn:
    """The live session of the browser (else it is sent to sign in)."""
    found = session_of(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return found


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def role(*roles: str) -> Callable[[SignedIn], SignedIn]:
    """A dependency that lets through only sessions of one of `roles` (else 403)."""

    def check(current: SignedInDep) -> SignedIn:
        if current.user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this page needs the role {' or '.join(roles)}; you are signed in as "
                f"{current.user.role}",
            )
        return current

    return check


def csrf_checked(current: SignedInDep, csrf_token: Annotated[str, Form()] = "") -> SignedIn:
    """The session, if the posted form carries its anti-forgery token (else 403)."""
    if not sessions.csrf_matches(current.csrf_token, csrf_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "the form's anti-forgery token (field 'csrf_token') is missing or wrong; "
            "reload the page and send it again",
        )
    return current


def posting_role(*roles: str) -> Callable[[SignedIn], SignedIn]:
    """Like `role`, for form posts: the anti-forgery token is checked first."""
    allowed = role(*roles)

    def check(current: Annotated[SignedIn, Depends(csrf_checked)]) -> SignedIn:
        return allowed(current)

    return check


ConsultantPage = Annotated[SignedIn, Depends(role("consultant"))]
ConsultantPost = Annotated[SignedIn, Depends(posting_role("consultant"))]
JobDeveloperPage = Annotated[SignedIn, Depends(role("job_developer"))]
JobDeveloperPost = Annotated[SignedIn, Depends(posting_role("job_developer"))]
# Employer contacts are recorded by consultants and job developers alike.
RecorderPage = Annotated[SignedIn, Depends(role("consultant", "job_developer"))]
RecorderPost = Annotated[SignedIn, Depends(posting_role("consultant", "job_developer"))]
AnalystPage = Annotated[SignedIn, Depends(role("analyst"))]
AnalystPost = Annotated[SignedIn, Depends(posting_role("analyst"))]
AdminPage = Annotated[SignedIn, Depends(role("admin"))]
AdminPost = Annotated[SignedIn, Depends(posting_role("admin"))]
