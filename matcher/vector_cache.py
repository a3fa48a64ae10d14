"""Encoded texts kept between runs: one bounded SQLite file, read on demand.

Vectors are stored by `EmbeddingCache.key` (a hash of the encoder's model
identity, which names the backend and quantisation, the role and the exact
text), so vectors of different models or backends never meet. The store is
bounded by a number of entries: when a flush takes it past the bound, the
least recently used entries are deleted down to 90% of it and the freed pages
are handed back to the file system (``auto_vacuum = INCREMENTAL``), so the file
stays about as large as its bound. SQLite's write-ahead log and a busy timeout
let several processes read and write the same file at once. A file that
SQLite reports as corrupt is moved aside (``*.corrupt``) and rebuilt empty
with a `VectorCacheWarning`: a cache can always be encoded again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from matcher.errors import IpsmatchError

CACHE_FILENAME = "vectors.sqlite3"
# About 600 MB of 384-dimensional float32 vectors with their keys.
DEFAULT_MAX_ENTRIES = 400_000
# Vectors waiting for a flush are written on their own past this many, bounding memory.
PENDING_LIMIT = 8192
# An eviction deletes down to this share of the bound, so the next flushes do not evict again.
EVICT_TO = 0.9
_SQL_CHUNK = 500  # keys per `IN (...)` query, below SQLite's variable limit
_BUSY_TIMEOUT_S = 60.0


class VectorCacheError(IpsmatchError, ValueError):
    """The vector cache was given arguments it cannot work with."""


class VectorCacheWarning(UserWarning):
    """The vector cache found its file unreadable and started again empty."""


class EmbeddingCache:
    """Vectors by model identity, role and exact text; in a folder or in memory.

    ``directory`` holds the store's one file (``vectors.sqlite3``); without it
    the store lives in memory for this object's lifetime. ``put`` keeps vectors
    in memory until `flush` (or until `PENDING_LIMIT` are waiting) writes them
    in one transaction; ``get`` reads the store on demand. At most
    ``max_entries`` vectors are kept.
    """

    def __init__(
        self, directory: str | Path | None = None, *, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        if max_entries < 1:
            raise VectorCacheError(f"max_entries must be at least 1, got {max_entries}")
        self.directory = Path(directory) if directory is not None else None
        self.max_entries = max_entries
        self._pending: dict[str, bytes] = {}
        self._used: set[str] = set()
        self._lock = threading.RLock()
        self._connection = self._open()

    def __getstate__(self) -> dict[str, object]:
        # A copy for another process (an evaluation's): no lock, no open connection.
        state = dict(self.__dict__)
        del state["_lock"], state["_connection"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._connection = self._open()

    @property
    def path(self) -> Path | None:
        return self.directory / CACHE_FILENAME if self.directory is not None else None

    @staticmethod
    def key(model_id: str, role: str, text: str) -> str:
        return hashlib.sha256(f"{model_id}\x00{role}\x00{text}".encode()).hexdigest()

    # ------------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        self._connection_pid = os.getpid()
        path = self.path
        if path is None:
            connection = sqlite3.connect(":memory:", check_same_thread=False)
            _create_schema(connection)
            return connection
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return _connect(path)
        except sqlite3.OperationalError:
            # Locked (another process is opening the same new file) or out of space: the
            # file is not damaged, and moving it aside would pull it from under the other.
            raise
        except sqlite3.DatabaseError as error:
            return self._rebuilt(error)

    def _rebuilt(self, error: sqlite3.DatabaseError) -> sqlite3.Connection:
        """Move an unreadable file aside and start an empty one."""
        path = self.path
        if path is None:  # an in-memory store is never corrupt on disk
            raise error
        warnings.warn(
            f"vector cache {path} is unreadable ({error}); moved it to "
            f"{path.name}.corrupt and started an empty one (vectors are encoded again)",
            VectorCacheWarning,
            stacklevel=3,
        )
        connection = getattr(self, "_connection", None)
        if connection is not None:
            connection.close()
        os.replace(path, path.with_name(path.name + ".corrupt"))
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return _connect(path)

    @contextmanager
    def _database(self) -> Iterator[sqlite3.Connection]:
        """The connection, rebuilt once if SQLite finds the file corrupt mid-use.

        A process forked after the connection was opened (a pre-forking
        server's worker) opens its own: SQLite forbids using a connection
        across a fork. The inherited one is left alone, never closed, since
        its file locks belong to the parent.
        """
        with self._lock:
            if self.path is not None and self._connection_pid != os.getpid():
                self._connection = self._open()
            try:
                yield self._connection
            except sqlite3.DatabaseError as error:
                if self.path is None or isinstance(error, sqlite3.OperationalError):
                    raise  # locked or out of disk space: not a damaged file
                self._connection = self._rebuilt(error)

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        self.flush()
        with self._database() as db:
            return int(db.execute("SELECT count(*) FROM vectors").fetchone()[0])
        return 0  # the file was rebuilt empty

    def get(self, key: str) -> np.ndarray | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ``keys`` that are stored, by key."""
        found: dict[str, bytes] = {k: self._pending[k] for k in keys if k in self._pending}
        wanted = list(dict.fromkeys(k for k in keys if k not in found))
        with self._database() as db:
            for chunk in _chunks(wanted, _SQL_CHUNK):
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)
                found.update(rows.fetchall())
        self._used.update(found)
        return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in found.items()}

    # ------------------------------------------------------------------ writing

    def put(self, key: str, vector: np.ndarray) -> None:
        self._pending[key] = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        if len(self._pending) >= PENDING_LIMIT:
            self.flush()

    def flush(self) -> None:
        """Write waiting vectors and recent uses in one transaction; evict past the bound."""
        if not self._pending and not self._used:
            return
        now = time.time_ns()
        pending, used = self._pending, self._used
        self._pending, self._used = {}, set()
        with self._database() as db, db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR IGNORE INTO vectors (key, vector, used) VALUES (?, ?, ?)",
                [(key, blob, now) for key, blob in pending.items()],
            )
            for chunk in _chunks(sorted(used - pending.keys()), _SQL_CHUNK):
                marks = ",".join("?" * len(chunk))
                db.execute(f"UPDATE vectors SET used = ? WHERE key IN ({marks})", [now, *chunk])
            evicted = self._evict(db)
        if evicted:
            with self._database() as db:
                # Each step of this pragma frees one page, and `execute` steps once;
                # `executescript` runs it to the end.
                db.executescript("PRAGMA incremental_vacuum;")

    def _evict(self, db: sqlite3.Connection) -> int:
        count = int(db.execute("SELECT count(*) FROM vectors").fetchone()[0])
        if count <= self.max_entries:
            return 0
        excess = count - max(1, int(self.max_entries * EVICT_TO))
        db.execute(
            "DELETE FROM vectors WHERE rowid IN "
            "(SELECT rowid FROM vectors ORDER BY used, rowid LIMIT ?)",
            (excess,),
        )
        return excess

    def close(self) -> None:
        self.flush()
        with self._lock:
            self._connection.close()


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to the file, waiting while another process sets the same new file up.

    Switching a new file to write-ahead logging takes a lock that SQLite's busy
    timeout does not always wait for: two processes opening one new cache at
    once could get "database is locked" at once. That is retried until the
    busy timeout; other errors are raised at once.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        connection = sqlite3.connect(
            path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        try:
            # auto_vacuum only takes effect on a new, empty file: set it before anything else.
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
            connection.execute("PRAGMA journal_mode = WAL")
            _create_schema(connection)
            connection.execute("SELECT count(*) FROM vectors").fetchone()
            return connection
        except sqlite3.OperationalError as error:
            connection.close()
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        except sqlite3.DatabaseError:
            connection.close()
            raise


def _create_schema(connection: sqlite3.Connection) -> None:
    connection.isolation_level = None  # transactions are opened explicitly
    connection.execute("PRAGMA auto_vacuum = INCREMENTAL")  # evictions shrink the file
    connection.execute(
        "CREATE TABLE IF NOT EXISTS vectors ("
        "key TEXT PRIMARY KEY, vector BLOB NOT NULL, used INTEGER NOT NULL)"
    )
    connection.execute("CREATE INDEX IF NOT EXISTS vectors_used ON vectors (used)")


def _chunks(items: Sequence[str] | Iterable[str], size: int) -> Iterator[list[str]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
