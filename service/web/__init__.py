"""The web pages: server-rendered HTML beside the API, one router per area.

`mount(app)` adds the page routers under ``/web``, their static files, the
offline ``/docs`` and ``/redoc``, and the handlers that turn a missing
session into a redirect to sign in and an error into a page.
"""

from __future__ import annotations

from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.web.pages import STATIC_DIR, SignInRequired, render, session_of
from service.web.routers import (
    admin,
    alerts,
    analyst,
    auth,
    consultant,
    docs,
    employer_contacts,
    employers,
    ips_figures,
    openings,
)


def mount(app: FastAPI) -> None:
    for module in (
        auth,
        consultant,
        alerts,
        openings,
        employer_contacts,
        employers,
        analyst,
        ips_figures,
        admin,
        docs,
    ):
        app.include_router(module.router)
    app.mount("/web/static", StaticFiles(directory=STATIC_DIR), name="web-static")
    docs.mount_assets(app)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_: Request, error: SignInRequired) -> Response:
        return RedirectResponse(f"/web/sign-in?next={quote(error.next_url)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _page_error(request: Request, error: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/web/"):
            return await http_exception_handler(request, error)
        # The page header still names who is signed in, if anyone is.
        current = await anyio.to_thread.run_sync(session_of, request)
        return render(
            request,
            "error.html",
            {"status": error.status_code, "detail": error.detail},
            current,
            status_code=error.status_code,
        )
