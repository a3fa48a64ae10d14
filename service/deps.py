"""FastAPI dependencies: the service's parts, sessions, the caller and their role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service import store
from service.auditlog import AuditWriter
from service.db import Database
from service.engine import MatchingEngine
from service.evaluations import EvaluationRunner
from service.guard import FailedLogins, OptionalBearer
from service.models import User
from service.security import Pseudonymiser, token_matches
from service.settings import Settings
from service.upload_jobs import UploadQueue


@dataclass
class Services:
    """Everything a request may need, made once at start (see `service.app`)."""

    settings: Settings
    database: Database
    engine: MatchingEngine
    pseudonyms: Pseudonymiser
    version: str
    audit: AuditWriter
    evaluations: EvaluationRunner
    uploads: UploadQueue
    failed_logins: FailedLogins = field(default_factory=lambda: FailedLogins(20))

    def token_valid(self, token: str) -> bool:
        """Whether `token` is a working token now (active, not expired)."""
        with self.database.reader() as session:
            user = store.user_for_token(session, token)
        return user is not None and token_works(user, token)

    def session_valid(self, key: str) -> bool:
        """Whether `key` is the cookie of a live web session (unexpired, active user)."""
        from service.web import sessions  # the pages import this module

        with self.database.reader() as session:
            return sessions.find(session, key) is not None


async def get_services(request: Request) -> Services:
    # async: no I/O, so no hop to the thread pool.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def reader(services: ServicesDep) -> Iterator[Session]:
    with services.database.reader() as session:
        yield session


def writer(services: ServicesDep) -> Iterator[Session]:
    """A session that takes the write lock at its first statement; commit it in the route."""
    with services.database.writer() as session:
        yield session


ReadSession = Annotated[Session, Depends(reader)]
WriteSession = Annotated[Session, Depends(writer)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `ipsmatch users add`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
# For routes open to anyone that tell a known caller more (`/health`).
_optional_bearer = OptionalBearer(
    auto_error=False, description="Optional: an API token shows more."
)
OptionalCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)]


_UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


def require_token(credentials: HTTPAuthorizationCredentials | None) -> HTTPAuthorizationCredentials:
    """The bearer credentials of the request (else 401)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing API token: send 'Authorization: Bearer <token>' (tokens come from "
            "`ipsmatch users add NAME --role ROLE` or an admin)",
            headers=_UNAUTHORISED,
        )
    return credentials


def authenticate(
    services: Services,
    credentials: HTTPAuthorizationCredentials | None,
    roles: tuple[str, ...] = (),
    session: Session | None = None,
) -> User:
    """The caller, known by token (else 401) and holding one of `roles` if given (else 403).

    A plain function as well as the core of the dependencies below, so a hot
    route can authenticate inside its own thread-pool call.
    """
    credentials = require_token(credentials)
    if session is not None:
        user = store.user_for_token(session, credentials.credentials)
    else:
        # A session of its own, so the caller is known before a route's writer takes a lock.
        with services.database.reader() as own:
            user = store.user_for_token(own, credentials.credentials)
    return admit(user, credentials, roles)


def token_works(user: User, token: str) -> bool:
    """`user` (looked up by `token`) is active, the token is theirs and not expired."""
    expires = user.token_expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)  # SQLite hands back UTC without its zone
    return (
        user.active
        and token_matches(token, user.token_hash)
        and (expires is None or expires > datetime.now(UTC))
    )


def admit(
    user: User | None, credentials: HTTPAuthorizationCredentials, roles: tuple[str, ...] = ()
) -> User:
    """`user`, looked up by the token in `credentials`: if active and in `roles` (else 401/403)."""
    if user is None or not token_works(user, credentials.credentials):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown, expired or revoked API token",
            headers=_UNAUTHORISED,
        )
    if roles and user.role not in roles:
        needed = " or ".join(roles)
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this needs the role {needed}; your token is for the role {user.role}",
        )
    return user


def current_user(services: ServicesDep, credentials: Credentials) -> User:
    return authenticate(services, credentials)


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: str) -> Callable[[Services, HTTPAuthorizationCredentials | None], User]:
    """A dependency that lets through only callers with one of `roles` (else 403)."""

    def check(services: ServicesDep, credentials: Credentials) -> User:
        return authenticate(services, credentials, roles)

    return check


Consultant = Annotated[User, Depends(require("consultant"))]
JobDeveloper = Annotated[User, Depends(require("job_developer"))]
Analyst = Annotated[User, Depends(require("analyst"))]
Admin = Annotated[User, Depends(require("admin"))]
