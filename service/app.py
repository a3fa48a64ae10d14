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
from functools import partial
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import DataError

from matcher.encoders import CachedEncoder, TextEncoder
from matcher.engine import Engine, build_engine, model_encoder
from matcher.errors import EncoderError, FieldProblem, RecordValidationError
from matcher.provision import is_provisioned
from matcher.records import MAX_DEPTH
from service import store, web
from service.auditlog import AuditWriter
from service.catalogue_follower import CatalogueFollower
from service.db import Database
from service.deps import Services
from service.engine import DateTooEarly, LockedEncoder, MatchingEngine
from service.evaluations import EvaluationRunner
from service.guard import FailedLogins, RequestGuard
from service.routers import (
    alerts,
    audit,
    candidates,
    employer_contacts,
    employers,
    evaluations,
    exports,
    health,
    ips_figures,
    openings,
    placements,
    recommendations,
    uploads,
    users,
)
from service.schemas import Message, Problem, ProblemReport
from service.settings import Settings, engine_arguments, get_settings, model_dir
from service.store import StoreError
from service.upload_jobs import UploadIndexer, UploadJobNotFound, UploadQueue, make_huey
from service.uploads import UploadError

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Preference-first job matching for IPS employment consultants.

Every endpoint except `/health` needs `Authorization: Bearer <token>`; tokens
come from `ipsmatch users add NAME --role ROLE` (or `ipsmatch serve --demo`).
Roles: **consultant** (own caseload: profiles, recommendations, suggested
employers, placements), **job_developer** (openings and employers),
**analyst** (pseudonymised exports), **admin** (users, audit log).

A file of openings (`POST /openings/bulk`) is stored whole and answered at
once (202); its openings are encoded and indexed in the background and are
in rankings only once indexed: follow the upload at `GET /uploads/{id}`.
"""


def _error(description: str, model: type[Any] = Message) -> dict[str, Any]:
    # Errors are JSON on every route, also where success is CSV, JSON Lines or HTML (FastAPI
    # would document them in the route's media type alone).
    reference = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "model": model,
        "description": description,
        "content": {"application/json": {"schema": reference}},
    }


# What every route may answer besides its own success: the guard's limits (before the
# route), the caller checks, and a failure. Documented once here so the OpenAPI document
# describes every status and body the service sends.
OPEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The request could not be read (malformed body or header)"),
    408: _error("The body stopped arriving (read timeout)"),
    413: _error("The body is over the size limit"),
    422: _error("Invalid input; each problem by line, record and field", ProblemReport),
    500: _error("Internal error; nothing about the request is in the answer or the log"),
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    **OPEN_RESPONSES,
    401: _error("No token, or an unknown, expired or revoked one"),
    403: _error("The token's role may not do this"),
    404: _error("No such record (or not on your caseload)"),
    409: _error("Conflicts with the store's state"),
    415: _error("A file of a format the service does not read"),
    429: _error("Too many bad-token attempts from this client; see Retry-After"),
}


def service_version() -> str:
    try:
        return package_version("ipsmatch")
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "0+unknown"


def default_model_path(settings: Settings) -> Path:
    """The configured sentence-transformers folder; it must be on disk already."""
    path = model_dir(settings)
    if not settings.model and not is_provisioned(path):
        raise EncoderError(
            f"the default encoder is not provisioned at {path}; run `ipsmatch models provision`"
        )
    return path


def cached(encoder: TextEncoder | CachedEncoder) -> CachedEncoder:
    """A given encoder as a `CachedEncoder`."""
    return encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(encoder)


def chosen_encoder(
    settings: Settings, encoder: TextEncoder | CachedEncoder | None
) -> CachedEncoder:
    """A given encoder, else the configured model's with its on-disk vector cache.

    The on-disk cache keeps the occupation index and the texts mapped to
    occupations from being encoded again at every start.
    """
    if encoder is not None:
        return cached(encoder)
    return model_encoder(
        default_model_path(settings),
        settings.cache_dir,
        backend=settings.encoder_backend,
        quantisation=settings.encoder_quantisation,
        cache_entries=settings.vector_cache_entries,
        language_neutral=settings.language_neutral,
    )


def service_engine(settings: Settings, encoder: TextEncoder | CachedEncoder | None) -> Engine:
    """The engine (`matcher.engine.build_engine`) on the settings' model and data folder.

    An import the data folder holds but cannot read stops the start
    (`StoredDataError`): serving without it would silently change rankings.
    """
    chosen = chosen_encoder(settings, encoder)
    # One encode at a time: a model's forward pass is not made for concurrent threads.
    locked = CachedEncoder(LockedEncoder(chosen.encoder), chosen.cache, transform=chosen.transform)
    return build_engine(**engine_arguments(settings), encoder=locked)


def process_engine(settings: Settings, encoder: TextEncoder | CachedEncoder | None) -> Engine:
    """The same engine built anew in an evaluation's process (the service's holds thread locks).

    Picklable through `functools.partial`, so `/evaluations` rank as the API does.
    """
    return build_engine(**engine_arguments(settings), encoder=chosen_encoder(settings, encoder))


def fitted_engine(
    settings: Settings, encoder: TextEncoder | CachedEncoder | None
) -> MatchingEngine:
    """A migrated store and the service's engine with its catalogue fitted.

    `start_services` builds one; a pre-forking server (`service.prefork`)
    builds it once in its master, so every worker starts from the same fitted
    catalogue instead of fitting its own.
    """
    database = Database(settings.resolved_database_url())
    try:
        database.migrate()
        engine = MatchingEngine(
            database,
            service_engine(settings, encoder),
            ranking_cache_size=settings.ranking_cache_size,
            phrase_cache_size=settings.phrase_cache_size,
            query_cache_size=settings.query_cache_size,
        )
        engine.current()
    except BaseException:
        database.dispose()
        raise
    return engine


def mark_interrupted(runner: EvaluationRunner) -> None:
    interrupted = runner.mark_interrupted()
    if interrupted:
        logger.warning("%d evaluations were interrupted by the last stop", interrupted)


def evaluation_runner(
    settings: Settings, encoder: TextEncoder | CachedEncoder | None, database: Database
) -> EvaluationRunner:
    """The runner of evaluations, with the store's pseudonymiser (its key made if new)."""
    with database.writer() as session:
        pseudonyms = store.pseudonymiser(session, settings.resolved_pseudonym_key_file())
        session.commit()
    # The evaluation's process builds its own engine the same way: the service's holds
    # thread locks and cannot cross a process boundary.
    return EvaluationRunner(database, partial(process_engine, settings, encoder), pseudonyms)


def start_services(
    settings: Settings,
    encoder: TextEncoder | CachedEncoder | None,
    fitted: MatchingEngine | None = None,
) -> Services:
    """Everything a request needs, on `fitted` (a pre-forking master's) or a new engine.

    With `fitted`, evaluations left running are not marked as interrupted:
    the master did that once before starting its workers, and a worker that
    starts later must not fail its siblings' running evaluations.
    """
    engine = fitted if fitted is not None else fitted_engine(settings, encoder)
    database = engine.database
    try:
        evaluations = evaluation_runner(settings, encoder, database)
        if fitted is None:
            mark_interrupted(evaluations)
        else:
            engine.current()  # written since the master fitted it
        queue = upload_queue(settings, database, engine)
    except BaseException:
        database.dispose()
        raise
    return Services(
        settings,
        database,
        engine,
        evaluations.pseudonyms,
        service_version(),
        AuditWriter(database),
        evaluations,
        queue,
        FailedLogins(settings.auth_failures_per_minute),
    )


def upload_queue(settings: Settings, database: Database, engine: MatchingEngine) -> UploadQueue:
    """The queue of upload jobs, its indexer encoding with `engine`'s encoder."""
    huey = make_huey(database.url, settings.queue_url)
    return UploadQueue(huey, UploadIndexer(database, engine.prepare))


def start_background(services: Services) -> CatalogueFollower:
    """The upload worker (unless separate workers do that) and the catalogue follower."""
    if services.settings.run_worker:
        services.uploads.start()
    resumed = services.uploads.resume()
    if resumed:
        logger.info("%d unfinished uploads queued again", resumed)
    follower = CatalogueFollower(services.database.url, services.engine.current)
    follower.start()
    return follower


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

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, error: DataError) -> JSONResponse:
        # Only the type and SQLSTATE: the database's message and context quote the value.
        code = getattr(error.orig, "sqlstate", None)
        logger.warning(
            "%s %s: the store refused a value (SQLSTATE %s)", request.method, request.url.path, code
        )
        return JSONResponse(
            {"detail": "the store could not hold a value of the request; nothing was stored"},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(RecursionError)
    async def _too_deep(_: Request, error: RecursionError) -> JSONResponse:
        return _problems_response(
            [Problem(field="", message=f"the JSON is nested deeper than {MAX_DEPTH} levels")]
        )

    @app.exception_handler(UploadJobNotFound)
    async def _no_upload(_: Request, error: UploadJobNotFound) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_404_NOT_FOUND)

    @app.exception_handler(DateTooEarly)
    async def _date(_: Request, error: DateTooEarly) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )


def create_app(
    settings: Settings | None = None,
    encoder: TextEncoder | CachedEncoder | None = None,
    fitted: MatchingEngine | None = None,
) -> FastAPI:
    """The ipsmatch API. `encoder` defaults to the configured sentence-transformers model.

    `fitted` is an engine fitted before the process forked (`service.prefork`);
    without it the app migrates the store and fits its own at start.
    """
    chosen = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Migrating and fitting block; keep them off the event loop.
        services = await anyio.to_thread.run_sync(start_services, chosen, encoder, fitted)
        app.state.services = services
        follower = start_background(services)
        try:
            yield
        finally:
            follower.stop()
            # Stops between chunks; the job resumes at the next start.
            await anyio.to_thread.run_sync(services.uploads.stop)
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
    for module in (health,):
        app.include_router(module.router, responses=OPEN_RESPONSES)
    for module in (
        users,
        candidates,
        recommendations,
        employers,
        employer_contacts,
        alerts,
        openings,
        placements,
        uploads,
        exports,
        evaluations,
        ips_figures,
        audit,
    ):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    _install_error_handlers(app)
    # Outermost of the app's own layers: its limits hold before any route or parser runs.
    app.add_middleware(RequestGuard)
    web.mount(app)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/web/")

    return app
