"""Limits before work: one ASGI middleware in front of every route.

Before a route (or FastAPI's body parsing) runs, `RequestGuard`

- refuses a NUL in the path or query (422): no store can look it up;
- refuses a body whose ``Content-Length`` is over the limit (413), and
  counts the bytes of a streamed body, stopping at the limit (413);
- gives 408 to a client that stops sending its body (read timeout);
- answers 401 *before reading the body* when a route needs a token and the
  request brings none (and no session cookie), or a bearer token that is not
  valid: an anonymous client can make the service neither hold nor spool a
  large body;
- answers 429 to a client that made too many bad-token attempts in a minute,
  and audits bad attempts;
- adds security headers (and ``Cache-Control: no-store``) to every response
  and drops any ``server`` header;
- turns any error that escapes a route into a bare 500 and logs only the
  error's type: a database error's context may quote the value (a health
  note) that it could not store.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import anyio
import anyio.to_thread
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPBearer
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

Headers = list[tuple[bytes, bytes]]

SECURITY_HEADERS: Headers = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"strict-transport-security", b"max-age=63072000"),
]
# Data answers load nothing; HTML pages (the API docs, the web pages) load their own parts.
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
HTML_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    b"https://fastapi.tiangolo.com; frame-ancestors 'none'; form-action 'self'"
)
FAILURE_WINDOW_S = 60.0
# Paths of file uploads, which may be larger than a JSON body: the API's (`.../bulk`), and
# the upload page, whose larger limit holds only for a browser with a live session.
UPLOAD_SUFFIX = "/bulk"
UPLOAD_PAGES = frozenset({"/web/openings/upload"})
# The web pages' session cookie (`service.web.pages`).
SESSION_COOKIE = "ipsmatch_session"


class OptionalBearer(HTTPBearer):
    """A bearer token a route reads if given, open to anonymous callers too."""


def needs_token(dependant: Dependant) -> bool:
    """Whether a route's dependencies read a bearer token (any depth) it cannot do without."""
    if isinstance(dependant.call, HTTPBearer) and not isinstance(dependant.call, OptionalBearer):
        return True
    return any(needs_token(sub) for sub in dependant.dependencies)


@dataclass(frozen=True)
class RouteInfo:
    """One API route as served: full path, methods, and whether it needs a token."""

    path: str
    methods: frozenset[str]
    needs_token: bool
    route: APIRoute
    pattern: re.Pattern[str]

    def matches(self, method: str, path: str) -> bool:
        wanted = "GET" if method == "HEAD" else method
        return wanted in self.methods and self.pattern.match(path) is not None


def api_routes(app: Any) -> list[RouteInfo]:
    """Every API route of `app` with its full path (routers included, prefixes applied)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format or getattr(route, "path_format", None)
        if not isinstance(route, APIRoute) or path is None:
            continue
        pattern, _, _ = compile_path(path)
        methods = frozenset(context.methods or route.methods or ())
        found.append(RouteInfo(path, methods, needs_token(route.dependant), route, pattern))
    return found


def route_needs_token(routes: list[RouteInfo], method: str, path: str) -> bool:
    return any(r.needs_token for r in routes if r.matches(method, path))


class FailedLogins:
    """Bad-token attempts per client over the last minute (in this process)."""

    def __init__(self, limit: int, window_s: float = FAILURE_WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        attempts = self._attempts.setdefault(client, deque())
        while attempts and attempts[0] <= now - self.window_s:
            attempts.popleft()
        if not attempts:
            del self._attempts[client]
            return deque()
        return attempts

    def retry_after(self, client: str) -> int:
        """Seconds until `client` may try again; 0 when it is not locked out."""
        now = time.monotonic()
        with self._lock:
            attempts = self._recent(client, now)
            if len(attempts) < self.limit:
                return 0
            return max(1, math.ceil(attempts[0] + self.window_s - now))

    def record(self, client: str) -> int:
        """Count one bad attempt; returns the attempts in the window."""
        now = time.monotonic()
        with self._lock:
            attempts = self._recent(client, now)
            attempts.append(now)
            self._attempts[client] = attempts
            return len(attempts)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _bearer_token(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else ""


def _cookies(scope: Scope) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    raw = _header(scope, b"cookie")
    if raw:
        try:
            cookie.load(raw.decode("latin-1"))
        except Exception:
            return SimpleCookie()
    return cookie


def _has_session_cookie(scope: Scope) -> bool:
    return bool(_cookies(scope))


def _cookie(scope: Scope, name: str) -> str | None:
    morsel = _cookies(scope).get(name)
    return morsel.value if morsel is not None else None


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def json_problem(
    status: int, detail: str, headers: Headers | None = None
) -> tuple[int, Headers, bytes]:
    """A whole answer with the service's error body, ``{"detail": ...}``."""
    body = json.dumps({"detail": detail}).encode()
    return status, [(b"content-type", b"application/json"), *(headers or [])], body


async def _send_whole(send: Send, answer: tuple[int, Headers, bytes]) -> None:
    status, headers, body = answer
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """The middleware. Its settings, `failed_logins` and `token_valid(token)` (which
    reads the store, so runs in a worker thread) come from the app's services."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[RouteInfo] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        # Set once the guard answered on its own; whatever the route sends after is dropped.
        answered = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _secured(message.get("headers", []))}
            await send(message)

        async def stop(answer: tuple[int, Headers, bytes]) -> None:
            """Answer now (if nothing was sent yet) and ignore the route from here on."""
            nonlocal answered
            if not started:
                await _send_whole(guarded_send, answer)
            answered = True

        try:
            await self._handle(scope, receive, guarded_send, stop)
        except Exception as error:
            if answered:
                return  # the route failed on the body the guard cut off
            # Only the type: the message of a database error can quote the stored values.
            logger.error(
                "request %s %s failed: %s%s",
                scope.get("method"),
                scope.get("path"),
                type(error).__name__,
                _sqlstate(error),
            )
            if not started:
                await _send_whole(guarded_send, json_problem(500, "internal error"))

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        stop: Callable[[tuple[int, Headers, bytes]], Awaitable[None]],
    ) -> None:
        app = scope["app"]
        services = getattr(app.state, "services", None)
        if services is None:  # not started (lifespan off): nothing to check against
            await self.app(scope, receive, send)
            return
        settings = services.settings
        path: str = scope.get("path", "")
        query: bytes = scope.get("query_string", b"")
        if "\x00" in path or b"%00" in query.lower() or b"\x00" in query:
            await _send_whole(send, json_problem(422, "the path or query holds a NUL character"))
            return
        limit = settings.max_body_bytes
        if path.endswith(UPLOAD_SUFFIX):
            limit = settings.max_upload_bytes
        elif path in UPLOAD_PAGES and scope.get("method") == "POST":
            key = _cookie(scope, SESSION_COOKIE)
            if key and await anyio.to_thread.run_sync(services.session_valid, key):
                limit = settings.max_upload_bytes
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _send_whole(send, json_problem(400, "Content-Length is not a number"))
                return
            if declared > limit:
                await _send_whole(
                    send, json_problem(413, f"request body over the limit of {limit:,} bytes")
                )
                return
        client = _client(scope)
        failures: FailedLogins = services.failed_logins
        if self._routes is None:
            self._routes = api_routes(app)
        if route_needs_token(self._routes, scope.get("method", ""), path):
            wait = failures.retry_after(client)
            if wait:
                await _send_whole(
                    send,
                    json_problem(
                        429,
                        "too many attempts with a bad token; try again later",
                        [(b"retry-after", str(wait).encode())],
                    ),
                )
                return
            token = _bearer_token(scope)
            has_body = scope.get("method") in ("POST", "PUT", "PATCH")
            if token == "" or (token is None and not _has_session_cookie(scope)):
                await _send_whole(send, _unauthorised("missing API token"))
                return
            if (
                token
                and has_body
                and not await anyio.to_thread.run_sync(services.token_valid, token)
            ):
                await self._bad_token(services, client, path)
                await _send_whole(send, _unauthorised("unknown, expired or revoked API token"))
                return
        status_seen = 0

        async def watch(message: Message) -> None:
            nonlocal status_seen
            if message["type"] == "http.response.start":
                status_seen = int(message["status"])
            await send(message)

        limited = _limited(receive, limit, settings.body_read_timeout_s, stop)
        await self.app(scope, limited, watch)
        if status_seen == 401 and _bearer_token(scope):
            await self._bad_token(services, client, path)

    async def _bad_token(self, services: Any, client: str, path: str) -> None:
        attempts = services.failed_logins.record(client)
        if attempts <= services.failed_logins.limit:
            await anyio.to_thread.run_sync(
                lambda: services.audit.write(
                    None, "auth.failed", client=client, path=path, attempts=attempts
                )
            )


def _unauthorised(detail: str) -> tuple[int, Headers, bytes]:
    return json_problem(
        401,
        f"{detail}: send 'Authorization: Bearer <token>' (tokens come from "
        "`ipsmatch users add NAME --role ROLE` or an admin)",
        [(b"www-authenticate", b"Bearer")],
    )


def _limited(
    receive: Receive,
    limit: int,
    timeout_s: float,
    stop: Callable[[tuple[int, Headers, bytes]], Awaitable[None]],
) -> Receive:
    """`receive` that answers 413 past `limit` bytes and 408 after `timeout_s` of silence.

    Either way the route is then told the client left (``http.disconnect``), so
    it stops reading; raising instead would reach FastAPI's body parser, which
    turns any error into a 400.
    """
    received = 0
    body_done = False
    cut_off = False

    async def limited() -> Message:
        nonlocal received, body_done, cut_off
        if cut_off:
            return {"type": "http.disconnect"}
        if body_done:
            # After the body, a receive waits for the disconnect, as long as a response lasts.
            return await receive()
        try:
            with anyio.fail_after(timeout_s):
                message = await receive()
        except TimeoutError:
            cut_off = True
            await stop(json_problem(408, f"no part of the body arrived for {timeout_s:g} s"))
            return {"type": "http.disconnect"}
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                cut_off = True
                await stop(json_problem(413, f"request body over the limit of {limit:,} bytes"))
                return {"type": "http.disconnect"}
            body_done = not message.get("more_body", False)
        return message

    return limited


def _secured(headers: Any) -> Headers:
    kept = [(bytes(k).lower(), bytes(v)) for k, v in headers if bytes(k).lower() != b"server"]
    names = {k for k, _ in kept}
    html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in kept)
    added = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
    if b"content-security-policy" not in names:
        added.append((b"content-security-policy", HTML_CSP if html else API_CSP))
    if b"cache-control" not in names:
        added.append((b"cache-control", b"no-store"))
    return kept + added


def _sqlstate(error: BaseException) -> str:
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return f" (SQLSTATE {code})" if code else ""


class NoQueryStrings(logging.Filter):
    """Drops the query string from uvicorn's access-log lines.

    Queries name candidates and filters; the access log is kept longer and read
    by more people than the audit log, so it records the path only.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def configure_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in access.filters):
        access.addFilter(NoQueryStrings())
