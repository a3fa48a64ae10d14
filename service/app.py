"""The HTTP service: `create_app(settings, encoder=...)`.

At start the app migrates its store (``alembic upgrade head``), makes its
pseudonym key if the store has none, and fits the ranker on the stored
openings (from stored vectors; only texts never seen are encoded). Tests
pass a fake encoder; `ipsmatch serve` passes the real one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse

from matcher.encoders import CachedEncoder, SentenceTransformerEncoder, TextEncoder
from matcher.errors import EncoderError, FieldProblem, RecordValidationError, StoredDataError
from matcher.places import PostcodeTable
from matcher.provision import is_provisioned
from service import store, web
from service.auditlog import AuditWriter
from service.db import Database
from service.deps import Services
from service.engine import DateTooEarly, MatchingEngine
from service.evaluations import EvaluationRunner
from service.routers import (
    audit,
    candidates,
    employers,
    evaluations,
    exports,
    health,
    openings,
    placements,
    recommendations,
    users,
)
from service.schemas import Problem, ProblemReport
from service.settings import Settings, default_model_dir, get_settings
from service.store import StoreError
from service.uploads import UploadError

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Preference-first job matching for IPS employment consultants.

Every endpoint except `/health` needs `Authorization: Bearer <token>`; tokens
come from `ipsmatch users add NAME --role ROLE` (or `ipsmatch serve --demo`).
Roles: **consultant** (own caseload: profiles, recommendations, suggested
employers, placements), **job_developer** (openings and employers),
**analyst** (pseudonymised exports), **admin** (users, audit log).
"""


def service_version() -> str:
    try:
        return package_version("ipsmatch")
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "0+unknown"


def default_encoder(settings: Settings) -> TextEncoder:
    """The configured sentence-transformers model; it must be on disk already."""
    path = Path(settings.model) if settings.model else default_model_dir()
    if not settings.model and not is_provisioned(path):
        raise EncoderError(
            f"the default encoder is not provisioned at {path}; run `ipsmatch models provision`"
        )
    return SentenceTransformerEncoder(path)


def load_postcodes(settings: Settings) -> PostcodeTable | None:
    folder = settings.data_dir / "geo"
    if not PostcodeTable.exists(folder):
        return None
    try:
        return PostcodeTable.load(folder)
    except StoredDataError as error:
        logger.warning("postcodes not used: %s", error)
        return None


def start_services(settings: Settings, encoder: TextEncoder | CachedEncoder | None) -> Services:
    database = Database(settings.resolved_database_url())
    try:
        database.migrate()
        with database.writer() as session:
            pseudonyms = store.pseudonymiser(session)
            session.commit()
        engine = MatchingEngine(
            database,
            encoder if encoder is not None else default_encoder(settings),
            postcodes=load_postcodes(settings),
            ranking_cache_size=settings.ranking_cache_size,
        )
        engine.current()
        evaluations = EvaluationRunner(database, engine.encoder, pseudonyms, engine.postcodes)
        interrupted = evaluations.mark_interrupted()
        if interrupted:
            logger.warning("%d evaluations were interrupted by the last stop", interrupted)
    except BaseException:
        database.dispose()
        raise
    return Services(
        settings,
        database,
        engine,
        pseudonyms,
        service_version(),
        AuditWriter(database),
        evaluations,
    )


def _problems_response(problems: list[Problem], status_code: int = 422) -> JSONResponse:
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [FieldProblem(p.line, p.record_id, p.field, p.message).describe() for p in problems]
    detail = f"{len(problems)} {noun} in the request:\n" + "\n".join(lines[:20])
    report = ProblemReport(detail=detail, problems=problems)
    return JSONResponse(report.model_dump(), status_code=status_code)


def _request_problems(error: RequestValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        where = location[0] if location else ""
        field = ".".join(location[1:]) if where == "body" else ".".join(location[-1:])
        if where in ("query", "path", "header"):
            field = f"{where} parameter {field!r}"
        message = str(item.get("msg", "invalid"))
        message = message.removeprefix("Value error, ")
        problems.append(Problem(field=field, message=message))
    return problems


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RecordValidationError)
    async def _records(_: Request, error: RecordValidationError) -> JSONResponse:
        problems = [
            Problem(line=p.line, record_id=p.record_id, field=p.field, message=p.message)
            for p in error.problems
        ]
        body: dict[str, Any] = {
            "detail": f"{error}\nNothing was stored.",
            "source": error.source,
            "problems": [p.model_dump() for p in problems],
        }
        return JSONResponse(body, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = _request_problems(error)
        body = getattr(error, "body", None)
        record_id = body.get("id") if isinstance(body, dict) else None
        if isinstance(record_id, str):
            problems = [p.model_copy(update={"record_id": record_id}) for p in problems]
        return _problems_response(problems)

    @app.exception_handler(StoreError)
    async def _store(_: Request, error: StoreError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=error.status)

    @app.exception_handler(UploadError)
    async def _upload(_: Request, error: UploadError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=error.status)

    @app.exception_handler(DateTooEarly)
    async def _date(_: Request, error: DateTooEarly) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )


def create_app(
    settings: Settings | None = None, encoder: TextEncoder | CachedEncoder | None = None
) -> FastAPI:
    """The ipsmatch API. `encoder` defaults to the configured sentence-transformers model."""
    chosen = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Migrating and fitting block; keep them off the event loop.
        services = await anyio.to_thread.run_sync(start_services, chosen, encoder)
        app.state.services = services
        try:
            yield
        finally:
            services.audit.close()
            services.database.dispose()

    app = FastAPI(
        title="ipsmatch",
        version=service_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served offline by `service.web` from an installed package, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    for module in (
        health,
        users,
        candidates,
        recommendations,
        employers,
        openings,
        placements,
        exports,
        evaluations,
        audit,
    ):
        app.include_router(module.router)
    _install_error_handlers(app)
    web.mount(app)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/web/")

    return app
