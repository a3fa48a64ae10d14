"""Uploads indexed in the background: store whole, answer at once, encode in chunks.

A file of openings is validated whole and written in one transaction with
an `UploadJob` row (`store_upload`); the request is answered at once. Its
openings are stored with the job's id in ``openings.upload_job``, which
keeps them out of rankings (`service.store.load_stamped_openings` reads
only indexed openings) until a worker has their vectors.

The work is queued with huey, a small, well-kept task queue whose queue
lives in SQLite, PostgreSQL or Redis (`make_huey`): the embedded default
keeps its queue in a SQLite file beside the store and `ipsmatch serve` runs
the worker in a thread; several servers on one PostgreSQL share a queue in
that same database (or in Redis), so each job is taken by one worker.

A worker (`UploadIndexer`) takes the openings of a job in id order, a
chunk at a time: it makes sure every text has a vector (encoded and saved
to ``text_vectors``, or read from there), then in one transaction clears
the chunk's ``upload_job`` marks and moves the job's cursor and counts. A
worker killed at any moment therefore loses at most the chunk in flight,
and resuming it encodes nothing that was saved: vectors are read back from
the store. huey drops a task once a worker takes it, so a killed worker's
job is queued again by `UploadQueue.resume` at the next start and once a
minute by every consumer; a job is worked by one worker at a time (an
advisory lock on PostgreSQL, a file lock beside an SQLite store; both are
dropped by the server or the kernel when the holder dies).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from filelock import FileLock, Timeout
from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from matcher.errors import EncoderError
from matcher.records import Opening
from service import store
from service.db import Database, private_sqlite_files
from service.models import OpeningRow, UploadJob, User, utcnow
from service.schemas import UploadProgress

logger = logging.getLogger(__name__)

QUEUE_NAME = "ipsmatch-uploads"
# Openings per chunk: a few seconds of encoding with the real model, so a kill loses
# little work and the per-chunk transaction costs nothing against the encoding.
CHUNK_OPENINGS = 128
# First of the two keys of the PostgreSQL advisory lock a worker holds on a job.
_LOCK_NAMESPACE = 0x1B5_0613
# Errors an encoder raises for texts it cannot encode; anything else (the store gone,
# say) stops the job, which is resumed later.
ENCODER_FAILURES = (EncoderError, RuntimeError, ValueError)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)


class QueueSettingError(ValueError):
    """IPSMATCH_QUEUE_URL (or the store's URL) names no queue huey can keep."""


class UploadJobNotFound(LookupError):
    """No upload job has this id (or the caller may not see it)."""


# ------------------------------------------------------------------ the store


def store_upload(
    session: Session, user: User, filename: str, openings: Sequence[Opening]
) -> tuple[UploadJob, store.UpsertCounts]:
    """Write a validated file's openings and their job, inside the caller's transaction.

    The openings are stored at once (an update replaces the record now) and
    left out of rankings until the job indexes them.
    """
    job = UploadJob(
        uploaded_by=user.id,
        filename=filename[:500],
        status=QUEUED,
        total=len(openings),
        created=0,
        updated=0,
        employers_created=0,
        indexed=0,
        failed=0,
        texts_encoded=0,
        errors=[],
        created_at=utcnow(),
        busy_seconds=0.0,
    )
    session.add(job)
    session.flush()
    counts = store.upsert_openings(session, openings, upload_job=job.id)
    job.created = counts.created
    job.updated = counts.updated
    job.employers_created = len(counts.employers_created)
    # Updated openings leave the rankings until indexed again: every process must know.
    store.bump_catalogue(session)
    return job, counts


def upload_progress(session: Session, job_id: int, now: datetime | None = None) -> UploadProgress:
    """Where upload `job_id` stands: counts, rate, expected finish and errors.

    Raises `UploadJobNotFound` if there is no such job. Callers check who may see it.
    """
    job = session.get(UploadJob, job_id)
    if job is None:
        raise UploadJobNotFound(f"no upload {job_id}")
    return _progress(job, now or utcnow())


def _progress(job: UploadJob, now: datetime) -> UploadProgress:
    worked = job.indexed + job.failed
    remaining = max(job.total - worked, 0) if job.status in UNFINISHED else 0
    rate = worked / job.busy_seconds if job.busy_seconds > 0 and worked else None
    expected = None
    if job.status in UNFINISHED and rate:
        expected = now + timedelta(seconds=remaining / rate)
    # The job's own columns by name, then what is worked out from them.
    stored = {
        name: getattr(job, name) for name in UploadProgress.model_fields if hasattr(job, name)
    }
    return UploadProgress.model_validate(
        {
            **stored,
            "remaining": remaining,
            "rate_per_s": round(rate, 2) if rate else None,
            "expected_finish": expected,
        }
    )


def list_uploads(session: Session, user: User | None, limit: int = 50) -> list[UploadProgress]:
    """The latest uploads, newest first: `user`'s own, or everyone's when `user` is None."""
    query = select(UploadJob).order_by(UploadJob.id.desc()).limit(limit)
    if user is not None:
        query = query.where(UploadJob.uploaded_by == user.id)
    now = utcnow()
    return [_progress(job, now) for job in session.scalars(query)]


def unfinished_jobs(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(UploadJob.id).where(UploadJob.status.in_(UNFINISHED)).order_by(UploadJob.id)
        )
    )


# ----------------------------------------------------------------- the worker


class JobLocks:
    """One worker per job at a time, across every process of the store.

    PostgreSQL: a session-level advisory lock on a connection of its own,
    which the server drops when the connection ends, so a killed worker's job
    is free at once. SQLite (processes of one machine): a lock on a file
    beside the store (`filelock`, an OS lock the kernel drops with its process).
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._folder: Path | None = None
        if database.dialect == "sqlite":
            path = make_url(database.url).database
            if path and path != ":memory:":
                self._folder = Path(path).parent / "upload-locks"

    @contextmanager
    def hold(self, job_id: int) -> Iterator[bool]:
        """Yields whether this worker got the job (False: another worker has it)."""
        if self.database.dialect == "postgresql":
            with self._advisory(job_id) as got:
                yield got
            return
        if self._folder is None:  # an in-memory store: one process, one worker
            yield True
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self._folder / f"{job_id}.lock", timeout=0, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    @contextmanager
    def _advisory(self, job_id: int) -> Iterator[bool]:
        with self.database.engine.connect() as connection:
            keys = {"space": _LOCK_NAMESPACE, "job": job_id}
            got = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:space, :job)"), keys))
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:space, :job)"), keys)
                    connection.commit()


class UploadIndexer:
    """Indexes upload jobs chunk by chunk; `prepare` gives openings' texts vectors.

    `prepare` is `MatchingEngine.prepare`: it loads the vectors the store has,
    encodes and saves the rest in their own transaction, and returns how many
    texts it encoded.
    """

    def __init__(
        self,
        database: Database,
        prepare: Callable[[Sequence[Opening]], int],
        chunk_openings: int | None = None,
    ) -> None:
        self.database = database
        self.prepare = prepare
        self.chunk_openings = chunk_openings or CHUNK_OPENINGS
        self.locks = JobLocks(database)
        # Set at shutdown: a job stops between chunks and is resumed at the next start.
        self.stopping = threading.Event()

    def run(self, job_id: int) -> bool:
        """Index job `job_id` to its end; False if another worker has it or a stop came first."""
        with self.locks.hold(job_id) as got:
            if not got:
                logger.info("upload %d is being indexed by another worker", job_id)
                return False
            if not self._begin(job_id):
                return True
            while not self.stopping.is_set():
                chunk = self._next_chunk(job_id)
                if not chunk:
                    self._finish(job_id)
                    return True
                self._index(job_id, chunk)
            return False

    def _begin(self, job_id: int) -> bool:
        """Mark the job running; False if it is finished (or gone)."""
        with self.database.writer() as session:
            job = session.get(UploadJob, job_id)
            if job is None or job.status not in UNFINISHED:
                return False
            job.status = RUNNING
            if job.started_at is None:
                job.started_at = utcnow()
            session.commit()
        return True

    def _next_chunk(self, job_id: int) -> list[Opening]:
        with self.database.reader() as session:
            cursor = session.scalar(select(UploadJob.cursor).where(UploadJob.id == job_id))
            query = (
                select(OpeningRow.record)
                .where(OpeningRow.upload_job == job_id)
                .order_by(OpeningRow.id)
                .limit(self.chunk_openings)
            )
            if cursor is not None:
                query = query.where(OpeningRow.id > cursor)
            return [Opening.model_validate(r) for r in session.scalars(query)]

    def _index(self, job_id: int, chunk: list[Opening]) -> None:
        started = time.perf_counter()
        problems: list[dict[str, Any]] = []
        try:
            encoded = self.prepare(chunk)
            indexed = [o.id for o in chunk]
        except ENCODER_FAILURES:
            # Find the openings the encoder fails on; the others are indexed.
            encoded, indexed = 0, []
            for opening in chunk:
                try:
                    encoded += self.prepare([opening])
                    indexed.append(opening.id)
                except ENCODER_FAILURES as error:
                    logger.warning("upload %d: opening %r not encoded", job_id, opening.id)
                    problems.append({"opening_id": opening.id, "message": f"not encoded: {error}"})
        busy = time.perf_counter() - started
        with self.database.writer() as session:
            now = utcnow()
            marked = 0
            for part in store.chunks(indexed):
                result = session.execute(
                    update(OpeningRow)
                    .where(OpeningRow.id.in_(part), OpeningRow.upload_job == job_id)
                    .values(upload_job=None, updated_at=now)
                )
                marked += int(getattr(result, "rowcount", 0) or 0)
            job = session.get(UploadJob, job_id)
            if job is None:
                return
            job.indexed += marked
            job.failed += len(problems)
            job.errors = [*job.errors, *problems]
            job.texts_encoded += encoded
            job.cursor = chunk[-1].id
            job.progressed_at = now
            job.busy_seconds += busy
            store.bump_catalogue(session)
            session.commit()

    def _finish(self, job_id: int) -> None:
        with self.database.writer() as session:
            job = session.get(UploadJob, job_id)
            if job is None:
                return
            # Openings of this file that a later upload took over are indexed by that one.
            job.status = FAILED if job.total and job.failed == job.total else DONE
            job.finished_at = utcnow()
            session.commit()
        logger.info("upload %d indexed", job_id)

    def fail(self, job_id: int, message: str) -> None:
        """Record an error of the job as a whole (it stays resumable)."""
        with self.database.writer() as session:
            job = session.get(UploadJob, job_id)
            if job is not None:
                job.errors = [*job.errors, {"opening_id": None, "message": message}]
                session.commit()


# ------------------------------------------------------------------ the queue


def make_huey(database_url: str, queue_url: str | None = None) -> Huey:
    """The task queue: `queue_url` (``redis://...``) if given, else beside the store.

    A SQLite store keeps its queue in ``ipsmatch-queue.db`` in the store's
    folder; a PostgreSQL store keeps it in huey's own tables in that database,
    so several servers on one store share one queue with nothing else to run.
    """
    url = make_url(queue_url or database_url)
    backend = url.get_backend_name()
    if backend in ("redis", "rediss"):
        return RedisHuey(QUEUE_NAME, url=url.render_as_string(hide_password=False), results=False)
    if backend == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        for attempt in range(3):
            try:
                return PostgresHuey(QUEUE_NAME, dsn=dsn, results=False)
            except psycopg.errors.UniqueViolation:
                # huey makes its tables "if not exists"; two servers starting together can
                # still collide in PostgreSQL's catalogue. The second try finds them made.
                if attempt == 2:
                    raise
                time.sleep(0.2)
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise QueueSettingError(
                f"store URL {url.render_as_string(hide_password=True)!r}: an in-memory SQLite "
                "store has no folder for the queue; give the store a file"
            )
        path = Path(url.database).with_name("ipsmatch-queue.db")
        # Private like the store beside it (0600 in a 0700 folder): the queue names uploads.
        private_sqlite_files(path)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)
    raise QueueSettingError(
        f"IPSMATCH_QUEUE_URL {url.render_as_string(hide_password=True)!r}: unknown kind "
        f"{backend!r}; allowed: redis://, rediss://, postgresql://, sqlite:///"
    )


class _UploadConsumer(Consumer):
    """huey's consumer, telling the running job to stop between chunks when it stops."""

    stopping: threading.Event | None = None

    def stop(self, graceful: bool = False) -> None:
        if self.stopping is not None:
            self.stopping.set()
        super().stop(graceful=graceful)


class _ServerConsumer(_UploadConsumer):
    """The consumer inside the server: the server (uvicorn) owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


class UploadQueue:
    """Upload jobs on a huey queue, and the consumer that works them."""

    def __init__(self, huey: Huey, indexer: UploadIndexer) -> None:
        self.huey = huey
        self.indexer = indexer
        self._index = huey.task(name="ipsmatch.index_upload")(self._run)
        # Every consumer queues interrupted jobs again once a minute; a job being worked
        # elsewhere is left to its worker (see `UploadIndexer.run`).
        self._resume = huey.periodic_task(crontab(minute="*"), name="ipsmatch.resume_uploads")(
            self.resume
        )
        self._consumer: Consumer | None = None

    def enqueue(self, job_id: int) -> None:
        self._index(job_id)

    def resume(self) -> int:
        """Queue every unfinished job again (one killed mid-way is in no queue any more)."""
        with self.indexer.database.reader() as session:
            jobs = unfinished_jobs(session)
        for job_id in jobs:
            self.enqueue(job_id)
        return len(jobs)

    def _run(self, job_id: int) -> None:
        try:
            self.indexer.run(job_id)
        except Exception as error:
            logger.exception("upload %d stopped; it resumes within a minute", job_id)
            try:
                self.indexer.fail(job_id, f"interrupted ({type(error).__name__}); resuming")
            except Exception:  # the store itself may be what failed
                logger.exception("upload %d: could not record the error", job_id)
            raise

    def consumer(self, workers: int = 1, in_server: bool = True) -> Consumer:
        """huey's consumer for this queue; `in_server` leaves signals to the server."""
        kind = _ServerConsumer if in_server else _UploadConsumer
        # Poll an idle SQLite queue at least once a second (PostgreSQL and Redis are woken).
        consumer = kind(self.huey, workers=workers, max_delay=1.0)
        consumer.stopping = self.indexer.stopping
        return consumer

    def start(self, workers: int = 1) -> None:
        """Run the consumer in threads of this process (``ipsmatch serve``)."""
        self._consumer = self.consumer(workers)
        self._consumer.start()

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop between chunks: a job in progress resumes at the next start."""
        if self._consumer is not None:
            self._consumer.shutdown_timeout = timeout_s
            self._consumer.stop(graceful=True)
            self._consumer = None
        self.huey.storage.close()
