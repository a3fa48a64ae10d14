"""The store's engine, sessions and migrations.

SQLite (the embedded default) runs in WAL mode so readers never wait for the
writer. Its one subtlety is the write lock: a transaction that has read and
then writes fails at once (not after a wait) if another connection wrote in
between, so every transaction that writes is begun ``IMMEDIATE`` through
`Database.writer`; read-only work uses `Database.reader`. On PostgreSQL both
are ordinary transactions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Waits this long for SQLite's write lock before giving up with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant; PostgreSQL serialises concurrent migrations of one database on it.
_MIGRATION_LOCK = 7_204_118_331


class _NoResultRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records, which print result rows (profiles, health) verbatim.

    Statement parameters are hidden by ``hide_parameters``; rows have no such
    switch, so with SQL logging turned all the way up they would reach the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_ENGINE_LOGGER = logging.getLogger("sqlalchemy.engine.Engine")
if not any(isinstance(f, _NoResultRows) for f in _ENGINE_LOGGER.filters):
    _ENGINE_LOGGER.addFilter(_NoResultRows())


def private_sqlite_files(path: Path) -> None:
    """The store file and its WAL and shared-memory files readable by their owner only.

    The folder is made 0700 when this makes it. SQLite gives the -wal and -shm
    files the store file's permissions, so the store file is made 0600 first.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(0o600)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling would hide BEGIN IMMEDIATE; emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (an erased health note) are overwritten, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """An engine on one URL, with reader and writer sessions."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.url = url
        self.dialect = parsed.get_backend_name()
        options: dict[str, Any] = {
            # Statement parameters carry profiles; they must never reach a log line.
            "hide_parameters": True,
        }
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                private_sqlite_files(Path(parsed.database))
        else:
            options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = create_engine(url, **options)
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        self._local_writers: AbstractContextManager[Any] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )

    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """A session whose transaction takes the write lock first; commit it yourself.

        On SQLite, writers of this process also queue on a thread lock first:
        SQLite's own busy handler waits by sleeping in growing steps (up to
        100 ms), which under many small concurrent writes (audit entries) turns
        into long tail latencies; a lock hands over at once and in order.
        """
        with self._local_writers, self._writer() as session:
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration (``alembic upgrade head``)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                if self.dialect == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                    connection.commit()

    def checkpoint(self) -> None:
        """Move SQLite's write-ahead log into the store and empty it (no-op elsewhere).

        After an erasure: the WAL still holds the pages as they were before it,
        health note included, until a checkpoint; secure_delete has zeroed them
        in the store itself.
        """
        if self.dialect != "sqlite":
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
